"""Pong numbers: the court in cells, the difficulty table, colours and pixels per cell.

The court is `COURT x COURT` cells; a cell is `CELL[obs_size]` pixels, so the game area is
96 px at 128 and 192 px at 256, as for the built-in games. Columns, left to right: a free
column, the player's paddle, the ball's court, the AI's paddle, a free column.
"""

COURT = 48  # cells per side
BALL = 2  # the ball is BALL x BALL cells
PADDLE_W = 2  # paddle width in cells
PLAYER_X = 1  # the player's paddle covers columns [PLAYER_X, PLAYER_X + PADDLE_W)
AI_X = COURT - 1 - PADDLE_W  # the AI's paddle covers columns [AI_X, AI_X + PADDLE_W)
LEFT = PLAYER_X + PADDLE_W  # the ball's leftmost x: touching the player's paddle
RIGHT = AI_X - BALL  # the ball's rightmost x: touching the AI's paddle
PLAYER_SPEED = 2  # cells per step for up (0) and down (1)

CELL = {128: 2, 256: 4}

# paddle: length in cells; ball_speed: |vx|; max_vy: the steepest return; ai_speed: cells per
# step the AI paddle moves; flicker: the POMDP shows the ball every `flicker`-th frame (and on
# bounces); points: the first side to this many points wins.
DIFFICULTY = {
    "Easy": dict(paddle=10, ball_speed=1, max_vy=3, ai_speed=1, flicker=3, points=3),
    "Medium": dict(paddle=8, ball_speed=2, max_vy=2, ai_speed=1, flicker=4, points=3),
    "Hard": dict(paddle=6, ball_speed=2, max_vy=3, ai_speed=2, flicker=6, points=3),
}
MAX_STEPS = {"Easy": 1000, "Medium": 800, "Hard": 800}

# colours (Atari 2600 Pong)
BACKGROUND = (64, 32, 8)
COURT_COLOUR = (144, 72, 17)
NET = (188, 108, 52)
PLAYER = (92, 186, 92)
AI = (213, 130, 74)
BALL_COLOUR = (236, 236, 236)
NAME = (236, 236, 236)
SCORE = PLAYER

"""Breakout numbers from docs/games/breakout.md: difficulties, rules, colours, layout per size."""

PADDLE_WIDTH = {"Easy": 6, "Medium": 5, "Hard": 4}
TIME_LIMIT = 2000

ROWS, COLS = 20, 10
BRICK_ROWS = (1, 7)  # bricks fill rows 1..6 at reset
NUM_BRICKS = (BRICK_ROWS[1] - BRICK_ROWS[0]) * COLS
START_ROW = 13
PADDLE_START = 5  # reference start; clamped to 10 - w [FIX]

# Row values: a linear ramp 0.015 -> 0.005 over rows 1..6, rescaled so the 60 bricks sum to 1.
_RAMP = [0.015 - 0.002 * i for i in range(6)]
ROW_VALUE = [0.0] + [v / (10 * sum(_RAMP)) for v in _RAMP] + [0.0] * (ROWS - BRICK_ROWS[1])

# Directions: 0 up-left, 1 up-right, 2 down-right, 3 down-left.
DX = (-1, 1, 1, -1)
DY = (-1, -1, 1, 1)
FLIP_H = (1, 0, 3, 2)
FLIP_V = (3, 2, 1, 0)
REVERSE = (2, 3, 0, 1)

# colours
BACKGROUND = (119, 122, 127)
AREA = (0, 0, 0)
BRICK = {1: (200, 72, 72), 2: (198, 108, 58), 3: (255, 122, 48), 4: (162, 162, 42),
         5: (72, 255, 72), 6: (66, 72, 200)}  # fmt: skip
PADDLE = (200, 72, 72)
BALL = (200, 72, 72)
TRAIL = (255, 50, 50)
SCORE = (255, 48, 71)
NAME = (255, 255, 0)

# layout per observation size: game-area side, cell width x height, ball and trail radii
LAYOUT = {
    256: dict(area=200, cell_w=20, cell_h=10, ball_r=3, trail_r=2),
    128: dict(area=100, cell_w=10, cell_h=5, ball_r=1, trail_r=1),
}

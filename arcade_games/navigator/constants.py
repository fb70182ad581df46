"""Navigator numbers from docs/games/navigator.md: difficulties, cell kinds, colours, layout per
size."""

BOARD_SIZE = {"Easy": 8, "Medium": 10, "Hard": 12}
NUM_TNT = 7

# cell kinds on the board (state) and on screen (the agent is a screen-only kind)
EMPTY, TNT, TREASURE, AGENT = 0, 1, 2, 3

# rewards (per step penalty is 0.5 / N^2)
TNT_REWARD = -0.5
TREASURE_REWARD = 1.0
STEP_PENALTY_TOTAL = 0.5
WIN_SCORE = 100

# colours
BACKGROUND = (119, 122, 127)
AREA = (119, 112, 127)  # sub-canvas; the cell drawings are max-composited against it [KEEP]
GRID = (255, 255, 255)
TNT_RED = (255, 0, 0)
TNT_BAND = (255, 255, 255)
TNT_LETTERS = (0, 0, 0)
TREASURE_HEX = (73, 214, 247)
AGENT_COLOUR = (255, 255, 0)
SCORE = (0, 0, 127)
NAME = (138, 0, 138)

GRID_LINE = 2
# cell side (interior) per observation size and board size; sub-canvas side = 2 + N (cell + 2)
CELL = {256: {8: 21, 10: 17, 12: 13}, 128: {8: 9, 10: 7, 12: 6}}

"""Tetris numbers from docs/games/tetris.md: difficulties, pieces, colours, layout per size."""

PREVIEW = {"Easy": 3, "Medium": 2, "Hard": 1}  # preview pieces shown
AUTO_FALL = {"Easy": 1, "Medium": 1, "Hard": 2}  # rows fallen per step without soft drop
SOFT_DROP = {"Easy": 2, "Medium": 2, "Hard": 3}  # rows of a soft drop
TIME_LIMIT = 3000
LINES_TO_WIN = 10
LINE_REWARD = 0.1
TOP_OUT_REWARD = -1.0

ROWS, COLS = 20, 10
SPAWN = (3, 0)  # (px, py) of a new piece's 4 x 4 box
NUM_PIECES = 7
FRESH_CAP = 10

# Filled (row, col) cells of each piece in its 4 x 4 box, per rotation 0..3 (clockwise).
# Order: 0 I, 1 O, 2 T, 3 S, 4 Z, 5 J, 6 L.
PIECES = (
    ((1, 0, 1, 1, 1, 2, 1, 3), (0, 2, 1, 2, 2, 2, 3, 2), (2, 0, 2, 1, 2, 2, 2, 3), (0, 1, 1, 1, 2,
    1, 3, 1)), ((1, 1, 1, 2, 2, 1, 2, 2),) * 4, ((1, 1, 2, 0, 2, 1, 2, 2), (1, 1, 2, 1, 2, 2, 3, 1),
    (2, 0, 2, 1, 2, 2, 3, 1), (1, 1, 2, 0, 2, 1, 3, 1)), ((1, 1, 1, 2, 2, 0, 2, 1), (1, 1, 2, 1, 2,
    2, 3, 2), (2, 1, 2, 2, 3, 0, 3, 1), (1, 0, 2, 0, 2, 1, 3, 1)), ((1, 0, 1, 1, 2, 1, 2, 2), (1, 2,
    2, 1, 2, 2, 3, 1), (2, 0, 2, 1, 3, 1, 3, 2), (1, 1, 2, 0, 2, 1, 3, 0)), ((1, 0, 2, 0, 2, 1, 2,
    2), (1, 1, 1, 2, 2, 1, 3, 1), (2, 0, 2, 1, 2, 2, 3, 2), (1, 1, 2, 1, 3, 0, 3, 1)), ((1, 2, 2, 0,
    2, 1, 2, 2), (1, 1, 2, 1, 3, 1, 3, 2), (2, 0, 2, 1, 2, 2, 3, 0), (1, 0, 1, 1, 2, 1, 3, 1)),
)  # fmt: skip

# colours
PIECE_COLOUR = ((0, 203, 225), (225, 206, 0), (187, 0, 222), (0, 226, 64), (208, 0, 0),
                (0, 119, 220), (215, 144, 0))  # fmt: skip
WHITE = (255, 255, 255)
BACKGROUND = (128, 128, 128)
AREA = (0, 0, 0)
SCORE = (255, 48, 71)
NAME = (255, 255, 0)

# layout per observation size: game-area side and board cell side k = side // 20
LAYOUT = {256: dict(area=200, cell=10), 128: dict(area=100, cell=5)}

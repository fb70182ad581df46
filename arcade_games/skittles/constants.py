"""Skittles numbers from docs/games/skittles.md: difficulties, colours, layout per size."""

GRID = 10  # rows and columns; row 0 at the top, row 9 is the agent's row
TIME_LIMIT = 100
# usable columns (spawn and agent), inclusive, per difficulty
COLUMNS = {"Easy": (1, 8), "Medium": (2, 8), "Hard": (2, 7)}
VISIBILITY = 0.5  # POMDP: each cell shown with this probability per frame (one random bit)

# colours
BACKGROUND = (0, 0, 0)
RAINBOW = (
    (255, 0, 0),
    (255, 127, 0),
    (255, 255, 0),
    (0, 255, 0),
    (0, 0, 255),
    (74, 214, 247),
    (125, 0, 237),
)
AGENT = (255, 255, 255)
SCORE = (0, 255, 128)
NAME = (255, 245, 0)

GAP = 2  # black gap between cells (no grid lines are drawn)
LAYOUT = {256: dict(area=192, cell=17), 128: dict(area=92, cell=7)}

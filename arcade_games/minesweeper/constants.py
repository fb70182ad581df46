"""MineSweeper numbers from docs/games/minesweeper.md: difficulties, colours, layout per observation
size."""

BOARD_SIZE = {"Easy": 4, "Medium": 6, "Hard": 8}
MINES = {4: 2, 6: 6, 8: 10}


def time_limit(n: int) -> int:
    """2·N² steps (the suite's fix: the reference's reveal on step 2N² adds a step)."""
    return 2 * n * n


# colours
BACKGROUND = (229, 234, 242)
AREA = (0, 0, 0)
GRID = (102, 102, 102)
CURSOR = (255, 127, 0)
NUMBER = (255, 255, 255)
SCORE = (153, 0, 204)
NAME = (0, 51, 102)

# game-area side s per board size N and observation size; cells fill it:
# c = (s - 2(N+1)) // N = 44/28/21 at 256, 21/13/9 at 128 (`GridMaps.fitting`)
AREA_SIDE = {256: {4: 186, 6: 182, 8: 186}, 128: {4: 94, 6: 92, 8: 90}}
GRID_GAP = 2

# cell numbers (docs/games/conventions.md §Drawing primitives): the MDP's single-digit variant is 15
# px wide (3-px font cells) on every image; the POMDP's number layout uses dw = 10 (2-px font cells)
# on the sub-canvas
DIGIT_W = {"mdp": 15, "pomdp": 10}

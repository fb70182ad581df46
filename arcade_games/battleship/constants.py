"""BattleShip numbers from docs/games/battleship.md: difficulties, colours, layout per observation
size."""

BOARD_SIZE = {"Easy": 8, "Medium": 10, "Hard": 12}
SHIP_LENGTHS = (2, 3, 3, 4)  # placed in this order
SHIP_CELLS = sum(SHIP_LENGTHS)  # 12


def time_limit(n: int) -> int:
    """2·N² steps."""
    return 2 * n * n


# colours
BACKGROUND = (255, 255, 255)
AREA = (191, 191, 191)
GRID = (102, 102, 102)
CURSOR = (217, 166, 33)
X_MARK = (255, 0, 0)  # as drawn in the POMDP (the one visible mark)
O_MARK = (0, 0, 0)
SCORE = (255, 128, 0)
NAME = (74, 214, 247)

# In the MDP the reference min-composites one sub-canvas per cell, so an X shows as
# min(X, what lies under it) [KEEP]: (191, 0, 0) on a plain cell, (217, 0, 0) on the cursor.
X_MDP_PLAIN = tuple(min(a, b) for a, b in zip(X_MARK, AREA, strict=True))
X_MDP_CURSOR = tuple(min(a, b) for a, b in zip(X_MARK, CURSOR, strict=True))

# game-area side s per board size N and observation size; cells fill it:
# c = (s - 2(N+1)) // N = 21/17/13 at 256, 9/7/6 at 128 (`GridMaps.fitting`)
AREA_SIDE = {256: {8: 186, 10: 192, 12: 182}, 128: {8: 90, 10: 92, 12: 98}}
X_HALF_WIDTH = {256: 1, 128: 0}  # k: X strokes are 2k+1 px wide
O_THICKNESS = {256: 2, 128: 1}
GRID_GAP = 2

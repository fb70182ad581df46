"""The 5x5 bitmap fonts of digits and capital letters (docs/games/conventions.md §Drawing
primitives).

The letters the built-in games' names use come first; F, J, Q, X, Y and Z complete the alphabet
in the same style (strokes on the outer columns and the middle row) so a plugin can name its
game with any capital letters.
"""

from __future__ import annotations

import numpy as np

_DIGIT_ROWS = """
#####  ..#..  #####  #####  #...#  #####  #####  #####  #####  #####
#...#  .##..  ....#  ....#  #...#  #....  #....  ....#  #...#  #...#
#...#  ..#..  #####  #####  #####  #####  #####  ....#  #####  #####
#...#  ..#..  #....  ....#  ....#  ....#  #...#  ....#  #...#  ....#
#####  .###.  #####  #####  ....#  #####  #####  ....#  #####  #####
"""

_LETTER_BLOCKS = [
    (
        "ABCDEGHIKL",
        """
.###.  ####.  .####  ####.  #####  .###.  #...#  #####  #...#  #....
#...#  #...#  #....  #...#  #....  #....  #...#  ..#..  #..#.  #....
#####  ####.  #....  #...#  #####  #.###  #####  ..#..  ###..  #....
#...#  #...#  #....  #...#  #....  #...#  #...#  ..#..  #..#.  #....
#...#  ####.  .####  ####.  #####  .###.  #...#  #####  #...#  #####
""",
    ),
    (
        "MNOPRSTUVW",
        """
#...#  #...#  .###.  ####.  ####.  #####  #####  #...#  #...#  #...#
##.##  ##..#  #...#  #...#  #...#  #....  ..#..  #...#  #...#  #...#
#.#.#  #.#.#  #...#  ####.  ####.  #####  ..#..  #...#  #...#  #.#.#
#...#  #..##  #...#  #....  #..#.  ....#  ..#..  #...#  .#.#.  ##.##
#...#  #...#  .###.  #....  #...#  #####  ..#..  .###.  ..#..  #...#
""",
    ),
    (
        "FJQXYZ",
        """
#####  ....#  .###.  #...#  #...#  #####
#....  ....#  #...#  .#.#.  .#.#.  ...#.
#####  ....#  #.#.#  ..#..  ..#..  ..#..
#....  #...#  #..#.  .#.#.  ..#..  .#...
#....  .###.  .##.#  #...#  ..#..  #####
""",
    ),
]


def _parse(block: str) -> list[np.ndarray]:
    rows = [r.split() for r in block.strip().splitlines()]
    return [
        np.array([[c == "#" for c in rows[r][k]] for r in range(5)]) for k in range(len(rows[0]))
    ]


DIGITS: np.ndarray = np.stack(_parse(_DIGIT_ROWS))  # bool[10, 5, 5], [digit, row, col]
LETTERS: dict[str, np.ndarray] = {
    ch: glyph
    for chars, block in _LETTER_BLOCKS
    for ch, glyph in zip(chars, _parse(block), strict=True)
}


def glyph_mask(char: str, cell_w: int, cell_h: int) -> np.ndarray:
    """Bool mask `(5*cell_h, 5*cell_w)` of a digit or capital letter, each font cell a block."""
    bits = DIGITS[int(char)] if char.isdigit() else LETTERS[char]
    return np.kron(bits, np.ones((cell_h, cell_w), dtype=bool)).astype(bool)

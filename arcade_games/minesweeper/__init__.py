"""MineSweeper (docs/games/minesweeper.md). Importing the package imports no JAX."""

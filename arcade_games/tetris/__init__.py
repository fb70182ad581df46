"""Tetris (docs/games/tetris.md). Importing the package imports no JAX."""

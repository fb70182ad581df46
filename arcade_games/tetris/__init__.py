"""Tetris (GAMES.md §3.10). Importing the package imports no JAX."""

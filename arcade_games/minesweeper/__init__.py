"""MineSweeper (GAMES.md §3.7). Importing the package imports no JAX."""

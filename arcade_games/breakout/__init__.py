"""Breakout (docs/games/breakout.md). Importing the package imports no JAX."""

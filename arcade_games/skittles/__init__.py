"""Skittles (docs/games/skittles.md). Importing the package imports no JAX."""

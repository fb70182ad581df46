"""Skittles (GAMES.md §3.8). Importing the package imports no JAX."""

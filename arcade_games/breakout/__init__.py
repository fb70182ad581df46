"""Breakout (GAMES.md §3.9). Importing the package imports no JAX."""

"""CountRecall (GAMES.md §3.3). Importing the package imports no JAX."""

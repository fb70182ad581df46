"""CountRecall (docs/games/countrecall.md). Importing the package imports no JAX."""

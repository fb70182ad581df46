"""Navigator (GAMES.md §3.6). Importing the package imports no JAX."""

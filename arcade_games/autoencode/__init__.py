"""AutoEncode (GAMES.md §3.5). Importing the package imports no JAX."""

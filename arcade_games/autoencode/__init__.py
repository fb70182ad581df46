"""AutoEncode (docs/games/autoencode.md). Importing the package imports no JAX."""

"""Navigator (docs/games/navigator.md). Importing the package imports no JAX."""

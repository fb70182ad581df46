"""BattleShip (docs/games/battleship.md). Importing the package imports no JAX."""

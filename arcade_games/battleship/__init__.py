"""BattleShip (GAMES.md §3.4). Importing the package imports no JAX."""

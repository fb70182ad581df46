"""CartPole and NoisyCartPole (GAMES.md §3.1–3.2). Importing the package imports no JAX."""

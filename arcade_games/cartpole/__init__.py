"""CartPole and NoisyCartPole (docs/games/cartpole.md, docs/games/noisycartpole.md). Importing the
package imports no JAX."""

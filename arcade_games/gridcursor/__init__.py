"""Shared code of the cursor-on-a-grid games (BattleShip, MineSweeper): cursor moves, one-hot
cell masks, and per-pixel maps of an N x N board of square cells with grid lines. Importing the
package imports no JAX."""

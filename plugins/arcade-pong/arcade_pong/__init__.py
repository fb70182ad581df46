"""Pong for POMDP Arcade: a separately installed game plugin. Importing it imports no JAX."""

"""Sliding-window attention for POMDP Arcade agents. Importing the package imports no JAX;
the model lives in `arcade_memory_swa.model`."""

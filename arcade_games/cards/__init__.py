"""Playing-card suits shared by CountRecall and AutoEncode (docs/games/conventions.md §Drawing
primitives): the suit sprites, built once in NumPy, and the JAX windows that draw a chosen suit or
the dealt-card history."""

"""Playing-card suits shared by CountRecall and AutoEncode (GAMES.md §2.11): the suit sprites,
built once in NumPy, and the JAX windows that draw a chosen suit or the dealt-card history."""

"""The built-in games, one sub-package each, each registered through its own entry point in
the `arcade` group (exactly as a third-party game is). Importing this package builds nothing."""

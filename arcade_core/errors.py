"""Errors a user can fix, shared by every layer: the engine, its command-line tools, the games
and the agents raise them, and the `arcade` command prints them as one line (exit status 2)
instead of a traceback."""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can fix (bad argument, missing extra, unknown name): one line.

    Plugin hooks may raise it on purpose (e.g. a policy source they know but cannot load);
    unlike other exceptions in a hook it is not recorded as a broken plugin but reaches the
    user."""


class CLIError(UserError):
    """An error of a command's arguments: printed as `arcade: error: ...`, exit status 2."""


class RecordError(UserError):
    """A recording cannot be made or written (missing extra, bad file name, bad policy)."""

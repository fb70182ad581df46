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


class MissingExtraError(UserError, ImportError):
    """A feature needs a package of an optional extra that is not installed (one line, naming
    the `pip install` that fixes it); an `ImportError` too, so `except ImportError` catches it."""


def require_extra(module: str, extra: str, feature: str) -> object:
    """Import `module` for `feature`, or raise `MissingExtraError` naming the extra to install.

    Optional dependencies are imported only by the feature that needs them, so the core install
    stays small; this keeps the failure to one actionable line."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        missing = (getattr(exc, "name", None) or module).split(".")[0]
        extra = EXTRA_OF.get(missing, extra)
        raise MissingExtraError(
            f"{feature} needs {missing}: pip install 'pomdp-arcade[{extra}]'"
        ) from None


#: the extra that installs each optional top-level package the project imports
EXTRA_OF = {
    **dict.fromkeys(
        ["flax", "optax", "memax", "equinox", "orbax", "tensorboardX", "rich"], "agents"
    ),
    **dict.fromkeys(["matplotlib", "imageio", "imageio_ffmpeg", "PIL"], "viz"),
    "pygame": "human",
    "ray": "sweep",
    "gymnax": "gymnax",
    "six": "gymnax",
    "gymnasium": "gymnasium",
}


def missing_extra_hint(exc: ModuleNotFoundError) -> str | None:
    """'needs flax: pip install ...' when `exc` is a missing package of an extra, else None."""
    top = (exc.name or "").split(".")[0]
    extra = EXTRA_OF.get(top)
    return None if extra is None else f"needs {top}: pip install 'pomdp-arcade[{extra}]'"

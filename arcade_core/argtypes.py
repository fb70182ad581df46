"""argparse types shared by the `arcade` commands and plugins' commands: numbers with their
bounds and output paths that must be writable, all checked at parse time, so a bad value is one
line before anything compiles, renders or trains; and `duration`, for their progress lines.
Imports no JAX.

    p.add_argument("--episodes", type=positive_int(max=MAX_EPISODES), default=32)
    p.add_argument("--fps", type=positive_float(max=MAX_FPS), default=20.0)
    p.add_argument("--record", type=writable_file(".gif", ".mp4"))
    p.add_argument("--out", type=writable_dir, default="videos")
"""

from __future__ import annotations

import argparse
import errno
import math
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from .errors import UserError

# Upper bounds of the commands' numbers: far above any run this suite makes, low enough that
# what they allow can run (and fits in memory) rather than hang or fail part-way.
MAX_SEED = 2**32 - 1  # a JAX PRNG seed
MAX_ENVS = 65_536  # envs stepped together
MAX_STEPS = 100_000  # steps of one rollout or episode (the longest time limit is 3,000)
MAX_EPISODES = 10_000  # episodes of an evaluation or check
MAX_TOTAL_STEPS = 10**12  # frames of a whole training run (per seed)
MAX_SOAK_STEPS = 10**10  # steps of a soak, per id and view
MAX_RECORD_EPISODES = 1_000  # videos written by one command
MAX_REPEATS = 10_000
MAX_FRAME_BYTES = 16 * 2**30  # frames a recording may hold in memory
MAX_SCALE = 16  # video upscaling
MAX_FPS = 1_000.0


def duration(seconds: float) -> str:
    """A duration for the commands' progress lines: `42s`, `3m05s`."""
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


class PathError(UserError):
    """An output path that cannot be written: a read-only folder, or a path through a file."""


def frames_problem(frames: int, height: int, width: int) -> str:
    """Why holding `frames` RGB frames of `height` x `width` does not fit ('' if it does)."""
    need = frames * height * width * 3
    if need <= MAX_FRAME_BYTES:
        return ""
    return (
        f"that would hold {need / 2**30:,.1f} GiB of frames in memory "
        f"(at most {MAX_FRAME_BYTES / 2**30:.0f} GiB)"
    )


def _number(text: str, kind: type) -> int | float:
    """`text` as an int (whole numbers written '1e5' too) or a finite float."""
    try:
        value = float(text) if kind is float else None
        if kind is int:
            stripped = text.strip()
            try:
                value = int(stripped)
            except ValueError:
                f = float(stripped)  # "1e5" is a whole number; 1.5 and "inf" are not
                if not math.isfinite(f) or f != int(f):
                    raise ValueError from None
                value = int(f)
    except (ValueError, TypeError, OverflowError):
        what = "an integer" if kind is int else "a number"
        raise argparse.ArgumentTypeError(f"must be {what}; got {text!r}") from None
    if kind is float and not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number; got {text!r}")
    return value


def bounded_int(lo: int, hi: int | None = None) -> Callable[[str], int]:
    """An argparse type: an integer in [lo, hi] (no upper bound if `hi` is None)."""

    def parse(text: str) -> int:
        value = int(_number(text, int))
        if value < lo or (hi is not None and value > hi):
            bound = f"in [{lo:,}, {hi:,}]" if hi is not None else f"at least {lo:,}"
            raise argparse.ArgumentTypeError(f"must be an integer {bound}; got {text!r}")
        return value

    parse.__name__ = "integer"
    return parse


def positive_int(max: int | None = None) -> Callable[[str], int]:  # noqa: A002
    """An argparse type: a count, an integer in [1, max]."""
    return bounded_int(1, max)


def seed_int(text: str) -> int:
    """An argparse type: a PRNG seed, an integer in [0, 2**32 - 1]."""
    return bounded_int(0, MAX_SEED)(text)


def bounded_float(
    lo: float, hi: float | None = None, *, lo_open: bool = False
) -> Callable[[str], float]:
    """An argparse type: a finite number in [lo, hi] ((lo, hi] with `lo_open`)."""

    def parse(text: str) -> float:
        value = float(_number(text, float))
        if (value <= lo if lo_open else value < lo) or (hi is not None and value > hi):
            left = "(" if lo_open else "["
            bound = (
                f"in {left}{lo:g}, {hi:g}]"
                if hi is not None
                else f"{'>' if lo_open else '>='} {lo:g}"
            )
            raise argparse.ArgumentTypeError(f"must be a number {bound}; got {text!r}")
        return value

    parse.__name__ = "number"
    return parse


def positive_float(max: float | None = None) -> Callable[[str], float]:  # noqa: A002
    """An argparse type: a number in (0, max] (e.g. a frame rate)."""
    return bounded_float(0.0, max, lo_open=True)


# ------------------------------------------------------------------ output paths


def _folder_problem(path: Path) -> str:
    """Why the folder `path` can be neither written nor created ('' if it can): its nearest
    existing ancestor must be a folder in which a file can be made (tried, since `os.access`
    cannot tell a read-only file system, nor what root may do). Creates nothing that stays."""
    existing = path
    while not existing.exists() and existing != existing.parent:
        if existing.is_symlink():
            return f"{str(existing)!r} is a broken link"
        existing = existing.parent
    if not existing.is_dir():
        return f"{str(existing)!r} is a file"
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as exc:  # EACCES, EROFS, ... (/proc answers ENOENT)
        why = f" ({exc.strerror})" if exc.strerror and exc.errno != errno.ENOENT else ""
        return f"{str(existing)!r} is not writable{why}"
    return ""


def check_writable_dir(path: str | os.PathLike[str]) -> Path:
    """`path` as an output folder that exists and is writable, or can be created."""
    path = Path(path)
    problem = _folder_problem(path)
    if problem:
        raise PathError(f"cannot write in {str(path)!r}: {problem}")
    return path


def check_writable_file(path: str | os.PathLike[str], suffixes: tuple[str, ...] = ()) -> Path:
    """`path` as an output file that can be written: not a folder, with one of `suffixes`
    (if given), in a folder that is writable or can be created."""
    path = Path(path)
    if suffixes and path.suffix.lower() not in suffixes:
        raise PathError(f"cannot write {str(path)!r}: use a {' or '.join(suffixes)} file name")
    if path.is_dir():
        problem = "it is a folder"
    elif path.exists() and not os.access(path, os.W_OK):
        problem = "it is read-only"
    else:
        problem = _folder_problem(path.parent)
    if problem:
        raise PathError(f"cannot write {str(path)!r}: {problem}")
    return path


def writable_dir(text: str) -> str:
    """An argparse type: an output folder that exists and is writable or can be created."""
    try:
        check_writable_dir(text)
    except PathError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def writable_file(*suffixes: str) -> Callable[[str], str]:
    """An argparse type: an output file that can be written (with one of `suffixes`)."""

    def parse(text: str) -> str:
        try:
            check_writable_file(text, tuple(s.lower() for s in suffixes))
        except PathError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
        return text

    parse.__name__ = "file"
    return parse

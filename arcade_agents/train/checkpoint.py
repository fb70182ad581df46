"""Verified checkpoints: Orbax writes and reads them, this module checks that what is read is
what was written, and picks the newest checkpoint that passes.

Orbax (`CheckpointManager`) gives atomic saves (a temporary folder renamed when complete, so a
kill mid-save leaves no half checkpoint in the listing), the listing of finished steps,
retention (`max_to_keep`), a read-only mode, and restores that refuse a tree, shape or dtype
unlike the target. It keeps no checksum of the array data (zarr3 checksums only its shard
index), so a flipped bit in a data file restores silently as a changed weight. What this
module adds:

- digests: the SHA-256 of every saved leaf (dtype, shape, bytes), kept in the checkpoint's
  JSON item, which Orbax writes in the same atomic save as the arrays, and checked against
  the restored arrays;
- the update counter stored inside the saved tree as well as in the JSON note and the step's
  folder name; all three must agree (a note that disagrees with the state is an error, never
  an instruction);
- a self-digest of the JSON note, so an edited note fails too;
- fallback: a checkpoint that fails any check, or does not restore at all, is skipped with one
  warning line naming it and the newest intact one is used; none intact is one `RunError`.

Layout: `RUN/checkpoints/<update>/{state,meta}`; on resume, damaged checkpoints newer than the
one resumed from are moved (never deleted) to `RUN/checkpoints-damaged/<update>`, so the run
can write that update again. Checkpoints written before digests existed load with a warning
once their update counter, folder name and the trainer's own counter agree.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import os
import shutil
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

CKPT_DIR = "checkpoints"
DAMAGED_DIR = "checkpoints-damaged"
FORMAT = 2  # 1: no digests (loaded unverified, with a warning); 2: digests and counter
FILES_NAME = "files.sha256.json"  # in each checkpoint: the digest of every file in it
_INTERNAL = ("format", "digests", "sha256")  # keys of the note that callers never see

Warn = Callable[[str], None]


class RunError(Exception):
    """A problem with a run directory the user can fix (nothing to resume, bad checkpoint)."""


class CheckpointDamaged(Exception):
    """One checkpoint failed verification (the message says why, in a few words)."""


def _silent(message: str) -> None:
    pass


def warn_stderr(message: str) -> None:
    """The default warning sink: one `arcade: warning:` line on stderr."""
    print(f"arcade: warning: {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------ saveable trees


def _is_key(x: Any) -> bool:
    import jax

    return hasattr(x, "dtype") and jax.dtypes.issubdtype(x.dtype, jax.dtypes.prng_key)


def to_saveable(state: Any) -> Any:
    """The state as Orbax can store it: typed PRNG keys as their raw `uint32` data, and
    zero-size leaves (e.g. the empty memory carry of a memory-less agent) as `None`."""
    import jax

    def save(x: Any) -> Any:
        if getattr(x, "size", 1) == 0:
            return None
        return jax.random.key_data(x) if _is_key(x) else x

    return jax.tree.map(save, state)


def from_saveable(saved: Any, like: Any) -> Any:
    """Undo `to_saveable`: key data re-wrapped as keys and the dropped empty leaves taken
    from `like` (a state of the same structure)."""
    import jax

    is_none = lambda x: x is None  # noqa: E731  (None fields of `like` pair with None too)
    ref_leaves, treedef = jax.tree.flatten(like, is_leaf=is_none)
    saved_leaves = jax.tree.flatten(saved, is_leaf=is_none)[0]
    out = []
    for s, ref in zip(saved_leaves, ref_leaves, strict=True):
        if s is None:
            out.append(ref)
        elif _is_key(ref):
            out.append(jax.random.wrap_key_data(s, impl=jax.random.key_impl(ref)))
        else:
            out.append(s)
    return jax.tree.unflatten(treedef, out)


def abstract_of(tree: Any) -> Any:
    """Shape/dtype/sharding targets for an Orbax restore of `tree` (same devices as it)."""
    import jax

    def spec(x: Any) -> Any:
        return jax.ShapeDtypeStruct(x.shape, x.dtype, sharding=getattr(x, "sharding", None))

    return jax.tree.map(spec, tree)


def digest_tree(tree: Any) -> dict[str, str]:
    """SHA-256 of each leaf's dtype, shape and bytes, keyed by its path in the tree. Arrays
    split over several processes are gathered first (then every process must call)."""
    import jax
    import numpy as np

    def host(x: Any) -> np.ndarray:
        if isinstance(x, jax.Array) and not x.is_fully_addressable:
            from jax.experimental import multihost_utils

            return np.asarray(multihost_utils.process_allgather(x, tiled=True))
        return np.asarray(x)

    out: dict[str, str] = {}
    for path, leaf in jax.tree_util.tree_flatten_with_path(tree)[0]:
        a = np.ascontiguousarray(host(leaf))
        h = hashlib.sha256(f"{a.dtype.str}{a.shape}".encode())
        h.update(a.tobytes())
        out[jax.tree_util.keystr(path) or "<root>"] = h.hexdigest()
    return out


def _file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_file_digests(step_dir: Path) -> None:
    """`FILES_NAME` in a finished checkpoint: the SHA-256 of every file Orbax wrote there,
    written to a temporary name and renamed, so it is whole or absent."""
    digests = {
        p.relative_to(step_dir).as_posix(): _file_digest(p)
        for p in sorted(step_dir.rglob("*"))
        if p.is_file() and p.name != FILES_NAME
    }
    tmp = step_dir / (FILES_NAME + ".tmp")
    tmp.write_text(json.dumps(digests, indent=0, sort_keys=True) + "\n")
    os.replace(tmp, step_dir / FILES_NAME)


def check_file_digests(step_dir: Path) -> bool:
    """Check every file against `FILES_NAME`; raises `CheckpointDamaged` naming the first file
    missing or changed. False if the checkpoint has no such list (a save cut short between
    Orbax's commit and the list, or a checkpoint that predates it)."""
    path = step_dir / FILES_NAME
    if not path.exists():
        return False
    try:
        digests = json.loads(path.read_text())
        assert isinstance(digests, dict) and all(isinstance(v, str) for v in digests.values())
    except (OSError, ValueError, AssertionError):
        raise CheckpointDamaged(f"its {FILES_NAME} does not read") from None
    for rel, digest in digests.items():
        file = step_dir / rel
        if not file.is_file():
            raise CheckpointDamaged(f"its file {rel} is missing")
        if _file_digest(file) != digest:
            raise CheckpointDamaged(f"its file {rel} changed since it was written")
    return True


def _note_digest(note: Mapping[str, Any]) -> str:
    """The self-digest of a JSON note: canonical JSON of every field but `sha256`."""
    body = {k: v for k, v in note.items() if k != "sha256"}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _trainer_counters(state: Any) -> set[int] | None:
    """The values of the trainer's own `update` field (a dict key or an attribute), if any."""
    import numpy as np

    field = state.get("update") if isinstance(state, Mapping) else getattr(state, "update", None)
    if field is None or not hasattr(field, "dtype"):
        return None
    return {int(v) for v in np.asarray(field).ravel()}


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence Orbax's and absl's error logging while a checkpoint is tried: a damaged one
    ends as one warning line, not pages of logged tracebacks."""
    loggers = [logging.getLogger(n) for n in ("absl", "orbax", "jax", "asyncio", "")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def _short(exc: BaseException) -> str:
    """An exception as a few words on one line (Orbax's messages run to many lines)."""
    text = " ".join(str(exc).split())
    text = text if len(text) <= 160 else text[:157] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# ------------------------------------------------------------------ the checkpointer


@dataclasses.dataclass
class Loaded:
    """A verified checkpoint: its state (shaped like the target), its note (`update`,
    `frames`, ...), its update, and the newer checkpoints skipped on the way with the reason."""

    state: Any
    meta: dict[str, Any]
    update: int
    skipped: list[tuple[int, str]]
    note: str | None = None  # a warning about the checkpoint used (e.g. loaded unverified)

    def warnings(self, directory: Path, moved: list[Path | None] | None = None) -> list[str]:
        """One line per checkpoint skipped (and where it was moved), one for the note."""
        lines = []
        for i, (step, why) in enumerate(self.skipped):
            dest = moved[i] if moved and i < len(moved) else None
            where = f"; moved to {dest}" if dest else ""
            lines.append(f"skipping checkpoint {step} ({directory / str(step)}): {why}{where}")
        if self.note:
            lines.append(f"checkpoint {self.update} ({directory / str(self.update)}): {self.note}")
        return lines


class Checkpointer:
    """Orbax `CheckpointManager` over `RUN/checkpoints/<update>/{state,meta}`: arrays via
    `StandardSave` (the state and its update counter), the note via `JsonSave` (update,
    frames, digests). Saves are synchronous and atomic. `read_only`: for loading only
    (evaluation, introspection): nothing is created, pruned or moved."""

    def __init__(
        self, run_dir: str | Path, max_to_keep: int = 3, *, read_only: bool = False
    ) -> None:
        import orbax.checkpoint as ocp

        self.ocp = ocp
        self.run_dir = Path(run_dir)
        self.directory = (self.run_dir / CKPT_DIR).absolute()
        self.read_only = read_only
        if read_only:
            options = ocp.CheckpointManagerOptions(
                read_only=True, create=False, save_interval_steps=0
            )
        else:
            options = ocp.CheckpointManagerOptions(
                max_to_keep=max_to_keep, create=True, enable_async_checkpointing=False
            )
        with _quiet():  # read-only: Orbax logs that it will not write
            self.manager = ocp.CheckpointManager(self.directory, options=options)

    def steps(self) -> list[int]:
        """Every finished checkpoint's update, newest first (verified or not)."""
        if self.read_only and not self.directory.is_dir():
            return []
        return sorted(self.manager.all_steps(), reverse=True)

    def latest(self) -> int | None:
        """The newest finished checkpoint's update (verified or not)."""
        steps = self.steps()
        return steps[0] if steps else None

    def save(self, update: int, state: Any, meta: Mapping[str, Any]) -> None:
        """Save `state` at `update` with the JSON note `meta` (digests and counter added)."""
        import numpy as np

        ocp = self.ocp
        if update in self.manager.all_steps():
            return
        tree = {"state": to_saveable(state), "update": np.asarray(update, np.int32)}
        note = {**meta, "update": int(update), "format": FORMAT, "digests": digest_tree(tree)}
        note["sha256"] = _note_digest(note)
        self.manager.save(
            update,
            args=ocp.args.Composite(
                state=ocp.args.StandardSave(tree), meta=ocp.args.JsonSave(note)
            ),
            force=True,
        )
        self.manager.wait_until_finished()
        if _is_lead():
            write_file_digests(self.directory / str(update))

    def _note(self, update: int) -> dict[str, Any]:
        out = self.manager.restore(
            update, args=self.ocp.args.Composite(meta=self.ocp.args.JsonRestore())
        )
        note = out.meta
        if not isinstance(note, dict):
            raise CheckpointDamaged("its note is not a JSON object")
        return note

    def verify(self, like: Any, update: int) -> tuple[Any, dict[str, Any], str | None]:
        """The state and note of checkpoint `update`, checked; raises `CheckpointDamaged`.
        The third value is a warning for a checkpoint that predates digests (else None)."""
        import numpy as np

        ocp = self.ocp
        saveable = to_saveable(like)
        listed = check_file_digests(self.directory / str(update))
        with _quiet():
            try:
                note = self._note(update)
            except CheckpointDamaged:
                raise
            except Exception as exc:
                raise CheckpointDamaged(f"its note does not load ({_short(exc)})") from None
            fmt = note.get("format")
            legacy = fmt is None and "digests" not in note and "sha256" not in note
            if not legacy:
                if fmt != FORMAT or not isinstance(note.get("digests"), dict):
                    raise CheckpointDamaged("its note has no valid format or digests")
                if note.get("sha256") != _note_digest(note):
                    raise CheckpointDamaged("its note was changed after it was written")
            meta_update = note.get("update")
            if not isinstance(meta_update, int) or isinstance(meta_update, bool):
                raise CheckpointDamaged(f"its note's update is {meta_update!r}, not a count")
            if meta_update != update:
                raise CheckpointDamaged(
                    f"its note says update {meta_update}, its folder says {update}"
                )
            if legacy:
                target: Any = abstract_of(saveable)
            else:
                # the counter comes back as a host scalar, the same in every process
                target = {"state": abstract_of(saveable), "update": np.zeros((), np.int32)}
            try:
                out = self.manager.restore(
                    update,
                    args=ocp.args.Composite(state=ocp.args.StandardRestore(target)),
                )
            except Exception as exc:
                raise CheckpointDamaged(f"its state does not load ({_short(exc)})") from None
        tree = out.state
        public = {k: v for k, v in note.items() if k not in _INTERNAL}
        if legacy:
            state = from_saveable(tree, like)
            counters = _trainer_counters(state)
            if counters is not None and counters != {update}:
                raise CheckpointDamaged(
                    f"its state is at update {sorted(counters)}, its note says {update}"
                )
            return state, public, "written before checkpoints carried digests: loaded unverified"
        digests = digest_tree(tree)
        expected = note["digests"]
        bad = sorted(set(digests) ^ set(expected)) or [
            k for k in digests if digests[k] != expected[k]
        ]
        if bad:
            more = f" and {len(bad) - 1} more" if len(bad) > 1 else ""
            raise CheckpointDamaged(f"digest mismatch in {bad[0]}{more}")
        saved_update = int(tree["update"])
        if saved_update != update:
            raise CheckpointDamaged(
                f"its state is at update {saved_update}, its note says {update}"
            )
        unlisted = None
        if not listed:
            unlisted = f"no {FILES_NAME} (cut short or deleted): verified by its content digests"
        return from_saveable(tree["state"], like), public, unlisted

    def load(self, like: Any, update: int | None = None, warn: Warn | None = warn_stderr) -> Loaded:
        """The newest intact checkpoint (or exactly `update`), shaped and placed like `like`.
        Each checkpoint skipped on the way is one `warn` line naming it (given once an intact
        one is found); none intact (or `update` damaged or missing) is a one-line `RunError`
        and no warnings."""
        steps = self.steps()
        if update is not None:
            if update not in steps:
                raise RunError(f"no checkpoint of update {update} in {self.directory}")
            steps = [update]
        if not steps:
            raise RunError(f"no checkpoint in {self.directory}")
        skipped: list[tuple[int, str]] = []
        for step in steps:
            try:
                state, meta, note = self.verify(like, step)
            except CheckpointDamaged as exc:
                skipped.append((step, str(exc)))
                continue
            loaded = Loaded(state, meta, step, skipped, note)
            for line in loaded.warnings(self.directory):
                (warn or _silent)(line)
            return loaded
        if update is not None:
            raise RunError(f"checkpoint {update} in {self.directory} is damaged: {skipped[0][1]}")
        listing = "; ".join(f"{s}: {why}" for s, why in skipped)
        raise RunError(f"no intact checkpoint in {self.directory} ({listing})")

    def restore(self, like: Any, update: int | None = None) -> tuple[Any, dict[str, Any]]:
        """The state and note of the newest intact checkpoint (or exactly `update`)."""
        loaded = self.load(like, update)
        return loaded.state, loaded.meta

    def set_aside(self, updates: list[int]) -> list[Path | None]:
        """Move the given (damaged) checkpoints to `RUN/checkpoints-damaged/` so the run can
        write those updates again; nothing is deleted. Returns where each one went (None:
        it was gone already)."""
        if self.read_only:
            raise RunError("a read-only checkpointer moves nothing")
        moved: list[Path | None] = []
        for step in updates:
            src = self.directory / str(step)
            if not src.exists():
                moved.append(None)
                continue
            dest_dir = self.run_dir.absolute() / DAMAGED_DIR
            dest_dir.mkdir(parents=True, exist_ok=True)
            dest, n = dest_dir / str(step), 1
            while dest.exists():
                dest, n = dest_dir / f"{step}-{n}", n + 1
            shutil.move(os.fspath(src), os.fspath(dest))
            moved.append(dest)
        self.manager.reload()
        return moved

    def close(self) -> None:
        self.manager.close()


def _is_lead() -> bool:
    import jax

    return jax.process_index() == 0


def checkpoint_meta(update: int, per_update: int) -> dict[str, int]:
    """The note saved beside a checkpoint's state: the update and the frames (per seed) it
    reached."""
    return {"update": update, "frames": update * per_update}


def resume_state(checkpointer: Checkpointer, like: Any, lead: bool, multi: bool) -> tuple[int, Any]:
    """The newest intact checkpoint's update and state. Damaged ones newer than it (each one
    warning line) are moved aside, not deleted, so the run can write those updates again."""
    from . import distributed as dist

    loaded = checkpointer.load(like, warn=None)
    moved = checkpointer.set_aside([s for s, _ in loaded.skipped]) if lead else []
    if multi:
        dist.any_process(False)  # every process waits for the move, then sees it
        checkpointer.manager.reload()
    if lead:
        for line in loaded.warnings(checkpointer.directory, moved):
            warn_stderr(line)
    return loaded.update, loaded.state

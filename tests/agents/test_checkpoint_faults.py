"""Fault injection into checkpoints: bit flips, truncations, deleted files and edited notes in
the latest checkpoint each fall back to the previous intact one with one warning line naming
it, or fail with one `arcade: error` line when none is intact; nothing intact is lost, and a
resume leaves no bogus row in `metrics.csv`.

One tiny PQN run (2 envs x 4 steps, 6 updates, checkpoints at 2, 4 and 6) is shared by the
module; each case damages a copy of it."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import jax
import numpy as np
import pytest

from arcade_agents.train import checkpoint, run
from arcade_agents.train.logging import read_metrics
from arcade_core.tools.cli import main

LATEST, PREVIOUS = 6, 4
Damage = Callable[[Path], None]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> run.RunResult:
    from arcade_agents.train.api import PQNConfig

    cfg = PQNConfig(
        num_envs=2, num_steps=4, total_frames=8 * LATEST, features=16, num_minibatches=2,
        num_epochs=1,
    )  # fmt: skip
    out = tmp_path_factory.mktemp("faults") / "run"
    return run.train(cfg, out, chunk=1, checkpoint_every=2, progress=False, verbose=False)


@pytest.fixture(scope="module")
def states(pristine: run.RunResult) -> dict[int, object]:
    return {u: run.restore(pristine.run_dir, update=u).state for u in (2, 4, 6)}


@pytest.fixture
def copy(pristine: run.RunResult, tmp_path: Path) -> Path:
    out = tmp_path / "run"
    shutil.copytree(pristine.run_dir, out)
    return out


def ckpt(run_dir: Path, update: int = LATEST) -> Path:
    return run_dir / checkpoint.CKPT_DIR / str(update)


def fingerprint(directory: Path) -> dict[str, str]:
    """Every file under `directory` (relative path -> SHA-256), to show nothing changed."""
    return {
        p.relative_to(directory).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def same_state(a: object, b: object) -> bool:
    for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b), strict=True):
        if jax.dtypes.issubdtype(x.dtype, jax.dtypes.prng_key):
            x, y = jax.random.key_data(x), jax.random.key_data(y)
        if not np.array_equal(np.asarray(x), np.asarray(y)):
            return False
    return True


def largest_data_file(step_dir: Path) -> Path:
    return max((p for p in step_dir.rglob("d/*") if p.is_file()), key=lambda p: p.stat().st_size)


def flip(where: str, fraction: float, bit: int) -> Damage:
    def damage(run_dir: Path) -> None:
        step = ckpt(run_dir)
        path = largest_data_file(step) if where == "data" else step / where
        data = bytearray(path.read_bytes())
        data[int(fraction * (len(data) - 1))] ^= 1 << bit
        path.write_bytes(bytes(data))

    return damage


def truncate(where: str) -> Damage:
    def damage(run_dir: Path) -> None:
        step = ckpt(run_dir)
        path = largest_data_file(step) if where == "data" else step / where
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])

    return damage


def delete(where: str) -> Damage:
    def damage(run_dir: Path) -> None:
        step = ckpt(run_dir)
        path = largest_data_file(step) if where == "data" else step / where
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()

    return damage


def edit_note(note: dict[str, object], relist: bool = False) -> Damage:
    """Overwrite the checkpoint's JSON note; `relist`: also re-make its file digests, so
    only the note's own checks (self-digest, counter in the state) stand in the way."""

    def damage(run_dir: Path) -> None:
        step = ckpt(run_dir)
        (step / "meta" / "metadata").write_text(json.dumps(note))
        if relist:
            checkpoint.write_file_digests(step)

    return damage


def older_state_relabelled(run_dir: Path) -> None:
    """Checkpoint 4's arrays under 6's name, with every digest redone to match: only the
    update counter saved inside the state tells."""
    step, older = ckpt(run_dir), ckpt(run_dir, PREVIOUS)
    shutil.rmtree(step / "state")
    shutil.copytree(older / "state", step / "state")
    note = json.loads((older / "meta" / "metadata").read_text())
    note["update"], note["frames"] = LATEST, LATEST * 8
    note["sha256"] = checkpoint._note_digest(note)
    (step / "meta" / "metadata").write_text(json.dumps(note))
    checkpoint.write_file_digests(step)


def edit_note_without_lists(run_dir: Path) -> None:
    """The note made to look like one from before digests, and the file digests deleted:
    the state's saved tree (with its counter) no longer fits a pre-digest checkpoint."""
    (ckpt(run_dir) / checkpoint.FILES_NAME).unlink()
    (ckpt(run_dir) / "meta" / "metadata").write_text('{"update": 6, "frames": 48}')


def flip_then_relist(run_dir: Path) -> None:
    """A flipped bit in the data that the file digests missed (as if the disk changed it
    before they were taken): the digests of the saved arrays still catch it."""
    step = ckpt(run_dir)
    zarr_dir = step / "state"
    path = largest_data_file(zarr_dir)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x10
    path.write_bytes(bytes(data))
    checkpoint.write_file_digests(step)


# each fault, and the words of the check that catches it
DAMAGE: dict[str, tuple[Damage, str]] = {
    "flip data start": (flip("data", 0.0, 0), "changed since it was written"),
    "flip data middle": (flip("data", 0.5, 3), "changed since it was written"),
    "flip data end": (flip("data", 1.0, 7), "changed since it was written"),
    "flip tree metadata": (flip("state/_METADATA", 0.5, 1), "state/_METADATA changed"),
    "flip note": (flip("meta/metadata", 0.3, 2), "meta/metadata changed"),
    "flip file digests": (flip(checkpoint.FILES_NAME, 0.5, 0), "its file"),
    "truncate data": (truncate("data"), "changed since it was written"),
    "truncate ocdbt manifest": (truncate("state/manifest.ocdbt"), "manifest.ocdbt changed"),
    "truncate note": (truncate("meta/metadata"), "meta/metadata changed"),
    "delete data file": (delete("data"), "is missing"),
    "delete tree metadata": (delete("state/_METADATA"), "state/_METADATA is missing"),
    "delete note": (delete("meta/metadata"), "meta/metadata is missing"),
    "delete state folder": (delete("state"), "is missing"),
    "note says update 0": (edit_note({"update": 0}), "meta/metadata changed"),
    "note says update 99999": (edit_note({"update": 99999}), "meta/metadata changed"),
    "note says update 0, files relisted": (
        edit_note({"update": 0}, relist=True),
        "its note says update 0, its folder says 6",
    ),
    "note says update 99999, files relisted": (
        edit_note({"update": 99999}, relist=True),
        "its note says update 99999",
    ),
    "note made pre-digest, file digests deleted": (
        edit_note_without_lists,
        "its state does not load",
    ),
    "flip in data behind relisted files": (flip_then_relist, "digest mismatch in ['state']"),
    "older state relabelled": (older_state_relabelled, "its state is at update 4, its note says 6"),
}


@pytest.mark.parametrize("name", list(DAMAGE))
def test_damaged_latest_falls_back_to_the_previous_with_one_line(
    name: str, copy: Path, states: dict[int, object], capsys: pytest.CaptureFixture[str]
) -> None:
    damage, reason = DAMAGE[name]
    intact = {u: fingerprint(ckpt(copy, u)) for u in (2, 4)}
    damage(copy)
    damaged = fingerprint(ckpt(copy))
    loaded = run.restore(copy)
    assert loaded.updates == PREVIOUS
    assert same_state(loaded.state, states[PREVIOUS])
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith(f"arcade: warning: skipping checkpoint {LATEST} (")
    assert str(ckpt(copy)) in err[0] and reason in err[0]
    # loading is read-only: the intact checkpoints and the damaged one are as they were
    assert {u: fingerprint(ckpt(copy, u)) for u in (2, 4)} == intact
    assert fingerprint(ckpt(copy)) == damaged


def test_an_intact_run_loads_its_latest_silently(
    copy: Path, states: dict[int, object], capsys: pytest.CaptureFixture[str]
) -> None:
    loaded = run.restore(copy)
    assert loaded.updates == LATEST and same_state(loaded.state, states[LATEST])
    assert capsys.readouterr().err == ""


def test_missing_file_digests_fall_back_to_the_content_digests(
    copy: Path, states: dict[int, object], capsys: pytest.CaptureFixture[str]
) -> None:
    """A kill between Orbax's commit and the file digests leaves a checkpoint whose arrays
    are still checked: it loads, with one line saying so."""
    (ckpt(copy) / checkpoint.FILES_NAME).unlink()
    loaded = run.restore(copy)
    assert loaded.updates == LATEST and same_state(loaded.state, states[LATEST])
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"arcade: warning: checkpoint {LATEST} (") and "content" in line


def test_two_damaged_fall_back_twice_one_line_each(
    copy: Path, states: dict[int, object], capsys: pytest.CaptureFixture[str]
) -> None:
    flip("data", 0.5, 3)(copy)
    (ckpt(copy, PREVIOUS) / "meta" / "metadata").write_text('{"update": 0}')
    loaded = run.restore(copy)
    assert loaded.updates == 2 and same_state(loaded.state, states[2])
    err = capsys.readouterr().err.strip().splitlines()
    assert [line.split(" (")[0] for line in err] == [
        "arcade: warning: skipping checkpoint 6",
        "arcade: warning: skipping checkpoint 4",
    ]


def test_an_asked_for_damaged_checkpoint_is_an_error(copy: Path) -> None:
    truncate("data")(copy)
    with pytest.raises(run.RunError, match=f"checkpoint {LATEST} in .* is damaged"):
        run.restore(copy, update=LATEST)
    assert run.restore(copy, update=PREVIOUS).updates == PREVIOUS


def _damage_all(run_dir: Path) -> None:
    for u in (2, 4, 6):
        path = largest_data_file(ckpt(run_dir, u))
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 1
        path.write_bytes(bytes(data))


def test_none_intact_is_one_error_line_from_eval_and_resume(
    copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _damage_all(copy)
    before = fingerprint(copy)
    with pytest.raises(run.RunError, match="no intact checkpoint"):
        run.restore(copy)
    capsys.readouterr()
    for argv in (["eval", str(copy), "--episodes", "1"], ["train", "--resume", str(copy)]):
        assert main([*argv, "--no-progress"] if argv[0] == "train" else argv) == 2
        captured = capsys.readouterr()
        err = captured.err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("arcade: error: "), err
        assert "no intact checkpoint" in err[0] and "Traceback" not in captured.out
    assert fingerprint(copy) == before  # nothing moved, nothing written


def test_eval_skips_a_damaged_latest_with_one_line(
    copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    flip("data", 0.5, 5)(copy)
    assert main(["eval", str(copy), "--episodes", "1", "--max-steps", "4"]) == 0
    captured = capsys.readouterr()
    # one warning; the other lines on stderr are the evaluation's compile time and counter
    (line,) = [ln for ln in captured.err.strip().splitlines() if ln.startswith("arcade:")]
    assert line.startswith(f"arcade: warning: skipping checkpoint {LATEST} (")
    assert f"after {PREVIOUS * 8:,} frames" in captured.out


def _tear_metrics(run_dir: Path) -> None:
    """A kill mid-write: the last row cut off half-way, with no newline."""
    path = run_dir / "metrics.csv"
    text = path.read_text()
    last = text.splitlines()[-1]
    path.write_text(text + last[: len(last) // 2])


@pytest.mark.parametrize("name", ["flip data middle", "note says update 0"])
def test_resume_from_a_damaged_latest_loses_nothing_and_ends_as_the_uninterrupted_run(
    name: str, copy: Path, pristine: run.RunResult, capsys: pytest.CaptureFixture[str]
) -> None:
    """The resume goes on from update 4 (not 0, not 99999), sets the damaged checkpoint aside
    (not deleted), keeps 2 and 4 byte for byte, cuts `metrics.csv` back to update 4 (the torn
    row too), and ends with the state and log of the run that was never damaged."""
    DAMAGE[name][0](copy)
    _tear_metrics(copy)
    damaged = fingerprint(ckpt(copy))
    intact = {u: fingerprint(ckpt(copy, u)) for u in (2, 4)}
    argv = ["--log-every", "1", "--checkpoint-every", "2", "--no-progress"]  # as the first run
    assert main(["train", "--resume", str(copy), *argv]) == 0
    captured = capsys.readouterr()
    (line,) = captured.err.strip().splitlines()
    aside = copy / checkpoint.DAMAGED_DIR / str(LATEST)
    assert line.startswith(f"arcade: warning: skipping checkpoint {LATEST} (")
    assert line.endswith(f"moved to {aside.absolute()}")
    assert f"resuming {copy} at update {PREVIOUS}/{LATEST}" in captured.out
    assert fingerprint(aside) == damaged
    assert {u: fingerprint(ckpt(copy, u)) for u in (2, 4)} == intact
    done = run.restore(copy)
    assert done.updates == LATEST and same_state(done.state, pristine.state)
    rows, want = read_metrics(copy), read_metrics(pristine.run_dir)
    assert [(r["update"], r["seed"]) for r in rows] == [(r["update"], r["seed"]) for r in want]
    np.testing.assert_allclose([r["loss"] for r in rows], [r["loss"] for r in want])


def test_resume_of_an_intact_run_drops_a_torn_metrics_row(copy: Path) -> None:
    want = (copy / "metrics.csv").read_text()
    _tear_metrics(copy)
    assert main(["train", "--resume", str(copy), "--no-progress"]) == 0
    assert (copy / "metrics.csv").read_text() == want


def _legacy_save(run_dir: Path, update: int, state: object, note: dict[str, int]) -> None:
    """A checkpoint as the runner wrote them before digests: the state and a JSON note."""
    import orbax.checkpoint as ocp

    shutil.rmtree(ckpt(run_dir, update), ignore_errors=True)
    options = ocp.CheckpointManagerOptions(enable_async_checkpointing=False)
    with ocp.CheckpointManager(
        (run_dir / checkpoint.CKPT_DIR).absolute(), options=options
    ) as manager:
        args = ocp.args.Composite(
            state=ocp.args.StandardSave(checkpoint.to_saveable(state)),
            meta=ocp.args.JsonSave(note),
        )
        manager.save(update, args=args, force=True)
        manager.wait_until_finished()


def test_a_checkpoint_from_before_digests_loads_unverified_with_one_line(
    copy: Path, states: dict[int, object], capsys: pytest.CaptureFixture[str]
) -> None:
    """Runs saved before checkpoints carried digests still load, once their note, folder
    name and the trainer's own update counter agree; one that disagrees is skipped."""
    _legacy_save(copy, PREVIOUS, states[PREVIOUS], {"update": PREVIOUS, "frames": 32})
    _legacy_save(copy, LATEST, states[LATEST], {"update": LATEST, "frames": 48})
    loaded = run.restore(copy)
    assert loaded.updates == LATEST and same_state(loaded.state, states[LATEST])
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"arcade: warning: checkpoint {LATEST} (")
    assert line.endswith("loaded unverified")
    for note, state, why in (
        ({"update": 0}, states[LATEST], "its note says update 0, its folder says 6"),
        ({"update": LATEST}, states[PREVIOUS], "its state is at update [4], its note says 6"),
    ):
        _legacy_save(copy, LATEST, state, note)
        loaded = run.restore(copy)
        assert loaded.updates == PREVIOUS and same_state(loaded.state, states[PREVIOUS])
        lines = capsys.readouterr().err.strip().splitlines()
        assert len(lines) == 2 and lines[0].endswith(why) and "unverified" in lines[1], lines

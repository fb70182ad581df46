"""`arcade record`: jitted, vmapped rollouts cut at each episode's end, MDP | POMDP side by
side, GIF and MP4 files read back, and the one-line errors of the CLI. Every rollout here uses
the same step cap so the compiled functions are shared."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import jax.numpy as jnp
import numpy as np
import pytest

from arcade_core.media import LABEL_RGB, frame_shape, label_views
from arcade_core.policy import Policy
from arcade_core.render.font import LETTERS
from arcade_core.tools import record
from arcade_core.tools.cli import main
from arcade_core.tools.record import DIVIDER_PX, rollout

ENV = "CartPoleEasy"  # reward 1/200 per step; random episodes end within ~40 steps
CAP = 48
PY = sys.executable


@pytest.fixture(scope="module")
def pomdp() -> list[record.Episode]:
    return rollout(ENV, 3, partial=True, max_steps=CAP, seed=5)


@pytest.fixture(scope="module")
def both() -> list[record.Episode]:
    return rollout(ENV, 3, both=True, max_steps=CAP, seed=5)


def test_episodes_run_from_reset_to_their_last_frame(pomdp: list[record.Episode]) -> None:
    from arcade_core.registry import make

    env, params = make(ENV, partial_obs=True)
    assert [ep.index for ep in pomdp] == [0, 1, 2]
    for ep in pomdp:
        assert ep.frames.dtype == np.uint8 and ep.frames.shape[1:] == (128, 128, 3)
        assert len(ep.frames) == ep.length + 1 and len(ep.rewards) == ep.length
        assert 1 <= ep.length <= CAP
        assert ep.ret == pytest.approx(ep.length / 200)  # CartPole pays 1/T per step
        if ep.done:  # the last frame is the pre-reset state, not the next episode's start
            assert not np.array_equal(ep.frames[-1], ep.frames[0])
    assert len({ep.length for ep in pomdp}) > 1  # episodes differ: one key each


def test_side_by_side_is_mdp_beside_pomdp_of_the_same_states(
    pomdp: list[record.Episode], both: list[record.Episode], monkeypatch: pytest.MonkeyPatch
) -> None:
    # a 2-episode batch for 3 episodes: the padded batch path must give the same episodes
    per_episode = (CAP + 1) * 128 * 128 * 3
    monkeypatch.setattr(record, "BATCH_BYTES", 2 * per_episode)
    mdp = rollout(ENV, 3, partial=False, max_steps=CAP, seed=5)
    for m, p, b in zip(mdp, pomdp, both, strict=True):
        assert m.length == p.length == b.length
        assert b.frames.shape == (m.length + 1, 128, 2 * 128 + DIVIDER_PX, 3)
        np.testing.assert_array_equal(b.frames[:, :, :128], m.frames)
        np.testing.assert_array_equal(b.frames[:, :, 128 + DIVIDER_PX :], p.frames)
        np.testing.assert_array_equal(b.rewards, m.rewards)
        assert not np.array_equal(m.frames[1:], p.frames[1:])  # the POMDP hides something


def test_cli_writes_readable_gifs(pomdp: list[record.Episode], tmp_path: Path, capsys) -> None:
    iio = pytest.importorskip("imageio.v3")
    args = ["record", ENV, "--episodes", "3", "--partial", "--max-steps", str(CAP), "--seed", "5"]
    assert main([*args, "--out", str(tmp_path), "--format", "gif"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f"{ENV}_pomdp_ep{i}.gif" for i in range(3)
    ]
    for ep in pomdp:
        frames = iio.imread(tmp_path / f"{ENV}_pomdp_ep{ep.index}.gif")
        np.testing.assert_array_equal(frames, ep.frames)  # few colours: GIF is lossless here
    assert f"{len(pomdp[0].frames)} frames" in capsys.readouterr().out


@pytest.mark.filterwarnings("ignore:os.fork:RuntimeWarning")  # reading spawns ffmpeg
def test_cli_writes_readable_side_by_side_mp4s(both: list[record.Episode], tmp_path: Path) -> None:
    iio = pytest.importorskip("imageio.v3")
    pytest.importorskip("imageio_ffmpeg")
    args = ["record", ENV, "--episodes", "3", "--side-by-side", "--max-steps", str(CAP)]
    args += ["--seed", "5", "--scale", "2", "--out", str(tmp_path), "--format", "mp4"]
    assert main(args) == 0
    for ep in both:
        frames = iio.imread(tmp_path / f"{ENV}_side_ep{ep.index}.mp4")
        # the 16 px label band above the frames, then everything upscaled 2x
        assert frames.shape == (len(ep.frames), 2 * (16 + 128), 2 * (256 + DIVIDER_PX), 3)
        # lossy, but close to the upscaled original
        want = record.upscale(label_views(ep.frames), 2).astype(np.float32)
        assert np.abs(frames.astype(np.float32) - want).mean() < 8


def test_side_by_side_halves_are_labelled_above_the_frames(both: list[record.Episode]) -> None:
    """A band on top names each half in the bitmap font (cell 2 px at 128 px): "MDP" centred
    over the left frame, "POMDP" over the right; no game pixel is covered."""
    frames = both[0].frames
    out = label_views(frames)
    assert out.shape == (len(frames), 16 + 128, 2 * 128 + DIVIDER_PX, 3)
    np.testing.assert_array_equal(out[:, 16:], frames)
    band = out[0, :16]
    lit = np.all(band == LABEL_RGB, axis=-1)
    for text, x0 in (("MDP", 0), ("POMDP", 128 + DIVIDER_PX)):
        width = 6 * 2 * len(text) - 2  # 5 cells a glyph, one cell between glyphs
        cols = np.nonzero(lit[:, x0 : x0 + 128].any(axis=0))[0]
        assert (cols.min(), cols.max()) == ((128 - width) // 2, (128 - width) // 2 + width - 1)
        assert np.nonzero(lit[:, x0 : x0 + 128].any(axis=1))[0].tolist() == list(range(3, 13))
    want = np.kron(LETTERS["M"], np.ones((2, 2), bool))  # the first glyph, pixel for pixel
    left = (128 - (6 * 2 * 3 - 2)) // 2
    np.testing.assert_array_equal(lit[3:13, left : left + 10], want)


def test_frame_shape_is_what_label_views_makes() -> None:
    """The memory checks size videos by `frame_shape`: it must be the labelled frame's shape."""
    for size in (128, 256):
        frames = np.zeros((2, size, 2 * size + DIVIDER_PX, 3), np.uint8)
        assert label_views(frames).shape[1:3] == frame_shape(size, True)
        assert frame_shape(size, True, labelled=False) == frames.shape[1:3]
        assert frame_shape(size, False) == (size, size)


def test_write_video_rejects_other_formats(tmp_path: Path) -> None:
    with pytest.raises(record.RecordError, match=".gif or .mp4"):
        record.write_video(tmp_path / "x.avi", np.zeros((2, 8, 8, 3), np.uint8), 10)


def test_rollout_plays_a_policy_function() -> None:
    # always "fire": a CartPole no-op, so the pole falls as it would untouched
    fire = Policy(lambda carry, obs, start, key: (jnp.int32(4), carry + start), lambda: 0)
    (ep,) = rollout(ENV, 1, max_steps=CAP, seed=5, policy=fire)
    assert ep.frames.shape[0] == ep.length + 1 and ep.frames.dtype == np.uint8
    assert ep.length <= CAP


# ---------------------------------------------------------------------- the CLI, as users run it
def cli(*args: str, pre: str = "") -> subprocess.CompletedProcess:
    code = f"import sys; {pre}from arcade_core.tools.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [PY, "-c", code, *args], env=dict(os.environ), capture_output=True, text=True
    )


def assert_one_line_error(proc: subprocess.CompletedProcess, *needles: str) -> None:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("arcade: error: "), proc.stderr
    for needle in needles:
        assert needle in lines[0]


def test_cli_unknown_id_is_one_line(tmp_path: Path) -> None:
    proc = cli("record", ENV, "Tetriss", "--out", str(tmp_path))
    assert_one_line_error(proc, "Tetriss")
    assert not list(tmp_path.iterdir())  # nothing written before every id was checked


def test_cli_policy_that_is_not_a_run_dir_is_one_line(tmp_path: Path) -> None:
    # `--policy RUN_DIR` plays a trained agent (tests/agents/test_train_cli.py); anything
    # else is refused before a rollout
    proc = cli("record", ENV, "--policy", str(tmp_path / "ckpt"), "--out", str(tmp_path))
    assert_one_line_error(proc, "not a training run directory", "random")


def test_cli_missing_viz_extra_is_one_line(tmp_path: Path) -> None:
    proc = cli("record", ENV, "--out", str(tmp_path), pre="sys.modules['imageio'] = None; ")
    assert_one_line_error(proc, "pip install 'pomdp-arcade[viz]'")


# ---------------------------------------------------------------------- the gallery
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def gallery():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_gallery", ROOT / "docs/make_gallery.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gallery_grid_has_a_row_per_game_and_a_column_per_level(gallery, tmp_path: Path) -> None:
    img = tmp_path / "docs" / "img"
    img.mkdir(parents=True)
    for env_id in ("CartPoleEasy", "CartPoleHard"):
        (img / f"{env_id}.gif").write_bytes(b"GIF89a")
    text = gallery.gallery_markdown(tmp_path / "README.md", img)
    assert text.startswith(gallery.START) and text.endswith(gallery.END)
    rows = [line for line in text.splitlines() if line.startswith("| **")]
    assert rows == [
        "| **CartPole** | ![CartPoleEasy](docs/img/CartPoleEasy.gif)<br>`CartPoleEasy` |  | "
        "![CartPoleHard](docs/img/CartPoleHard.gif)<br>`CartPoleHard` |"
    ]
    assert "| Game | Easy | Medium | Hard |" in text


def test_gallery_rewrites_only_between_the_markers(gallery, tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    gallery.rewrite_readme(readme, f"{gallery.START}\nA\n{gallery.END}")  # no README yet
    assert readme.read_text() == f"{gallery.START}\nA\n{gallery.END}\n"
    readme.write_text(f"# Title\n\n{gallery.START}\nold\n{gallery.END}\n\n## After\n")
    gallery.rewrite_readme(readme, f"{gallery.START}\nnew\n{gallery.END}")
    assert readme.read_text() == f"# Title\n\n{gallery.START}\nnew\n{gallery.END}\n\n## After\n"
    readme.write_text("# Title\n")  # a README without markers gains the section at the end
    gallery.rewrite_readme(readme, f"{gallery.START}\nB\n{gallery.END}")
    assert readme.read_text() == f"# Title\n\n{gallery.START}\nB\n{gallery.END}\n"


def test_committed_gallery_shows_every_builtin_env(gallery) -> None:
    from arcade_core.registry import registry

    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index(gallery.START) : readme.index(gallery.END)]
    builtin = [s.id for s in registry().specs.values() if s.package == gallery.BUILTIN]
    missing = [
        env_id
        for env_id in builtin
        if f"docs/img/{env_id}.gif" not in section
        or not all(
            (ROOT / "docs" / "img" / f"{env_id}{suffix}").exists()
            for suffix in (".gif", "_mdp.png", "_pomdp.png")
        )
    ]
    assert not missing, f"run `python docs/make_gallery.py {' '.join(missing)}`"

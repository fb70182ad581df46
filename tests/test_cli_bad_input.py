"""Every bad input to every `arcade` subcommand is one line before any work: a property test
drives the CLI in-process with generated bad arguments (numbers out of bounds or not numbers,
output paths through a file, onto a folder or a read-only file system, unknown ids and
flags) and checks a non-zero exit, exactly one `arcade: error` line, no traceback, and an
answer within a few seconds."""

from __future__ import annotations

import contextlib
import io
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arcade_core.argtypes import (
    MAX_ENVS,
    MAX_EPISODES,
    MAX_FPS,
    MAX_RECORD_EPISODES,
    MAX_REPEATS,
    MAX_SCALE,
    MAX_SEED,
    MAX_SOAK_STEPS,
    MAX_STEPS,
    MAX_TOTAL_STEPS,
)
from arcade_core.registry import list_envs
from arcade_core.tools.cli import main

RUN = "no-such-run"  # a run directory: never read, every error comes first
SECONDS = 5.0  # "within a few seconds", on a loaded machine


def count(hi: int, lo: int = 1) -> st.SearchStrategy[str]:
    """Integers outside [lo, hi], and text that is no integer."""
    return st.one_of(
        st.integers(max_value=lo - 1),
        st.integers(min_value=hi + 1),
        st.sampled_from(["1.5", "nan", "inf", "-inf", "1e400", "1e30", "", "ten", "0x10"]),
    ).map(str)


def number(hi: float | None, lo: float = 0.0, lo_open: bool = True) -> st.SearchStrategy[str]:
    """Numbers outside (lo, hi] ([lo, hi] unless `lo_open`), infinities, NaN and junk."""
    below = st.floats(max_value=lo if lo_open else lo - 1e-6, allow_nan=False)
    above = st.floats(min_value=hi, exclude_min=True) if hi is not None else st.nothing()
    return st.one_of(
        below.map(repr), above.map(repr), st.sampled_from(["nan", "inf", "-inf", "x", "1e400"])
    )


ENV_IDS = set(list_envs())
bad_id = st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1,
                 max_size=20).filter(lambda s: s not in ENV_IDS)  # fmt: skip


def commands(bad_dir: st.SearchStrategy[str], bad_file: st.SearchStrategy[str]) -> list:
    """(argv before the flag, flag, bad values) for every numeric, path and id argument."""
    seed = count(MAX_SEED, 0)
    fps = number(MAX_FPS)
    sizes = st.sampled_from(["0", "-128", "64", "127", "512", "128.5", "x"])
    cases = {
        ("check", "CartPoleEasy"): {"--episodes": count(MAX_EPISODES), "--obs-size": sizes},
        ("soak", "CartPoleEasy"): {
            "--steps": count(MAX_SOAK_STEPS), "--num-envs": count(MAX_ENVS), "--seed": seed,
            "--obs-size": sizes,
        },
        ("bench", "CartPoleEasy"): {
            "--num-envs": count(MAX_ENVS), "--steps": count(MAX_STEPS),
            "--repeats": count(MAX_REPEATS),
        },
        ("play", "CartPoleEasy"): {
            "--scale": count(MAX_SCALE), "--fps": fps, "--seed": seed, "--frames": count(MAX_STEPS),
            "--record": bad_file,
        },
        ("record", "CartPoleEasy"): {
            "--episodes": count(MAX_RECORD_EPISODES), "--scale": count(MAX_SCALE), "--fps": fps,
            "--max-steps": count(MAX_STEPS), "--seed": seed, "--out": bad_dir,
        },
        ("new-plugin", "Blip"): {"--dir": bad_dir},
        ("train",): {
            "--num-envs": count(MAX_ENVS), "--num-steps": count(MAX_STEPS),
            "--total-frames": count(MAX_TOTAL_STEPS), "--seeds": count(1024),
            "--features": count(65_536), "--seed": seed, "--lr": number(1.0),
            "--gamma": number(1.0, lo_open=False), "--log-every": count(10**8),
            "--checkpoint-every": count(10**8), "--num-processes": count(65_536),
            "--process-id": count(65_535, 0), "--out": bad_dir, "--obs-size": sizes,
            "--devices": st.sampled_from(["0", "-2", "x", "1.5"]), "--env": bad_id,
            "--set": st.sampled_from(
                ["total_frames=1e30", "num_envs=0", "num_steps=-4", "seeds=1e8", "lr=nan"]
            ),
        },
        ("eval", RUN): {
            "--episodes": count(MAX_EPISODES), "--agent": count(1023, 0),
            "--max-steps": count(MAX_STEPS), "--seed": seed, "--fps": fps,
            "--scale": count(MAX_SCALE), "--record": bad_file,
        },
        ("introspect", "saliency", RUN): {
            "--steps": count(4096), "--tiles": count(4096), "--fps": fps,
            "--scale": count(MAX_SCALE), "--agent": count(1023, 0), "--seed": seed,
            "--out": bad_dir,
        },
        ("introspect", "density", RUN): {
            "--steps": count(4096), "--episodes": count(MAX_EPISODES), "--out": bad_dir,
        },
        ("introspect", "contamination", RUN): {
            "--steps": count(4096), "--sigma": number(255.0, lo_open=False),
            "--tol": number(None, lo_open=False),
        },
        ("introspect", "gap", RUN): {
            "--episodes": count(MAX_EPISODES), "--max-steps": count(MAX_STEPS), "--seed": seed,
            "--out": bad_dir,
        },
        ("sweep",): {
            "--seeds": count(1024), "--eval-episodes": count(MAX_EPISODES),
            "--max-concurrent": count(65_536), "--cpus-per-trial": number(65_536.0),
            "--gpus-per-trial": number(65_536.0, lo_open=False),
            "--max-retries": count(1_000, 0), "--out": bad_dir,
        },
        ("report", RUN): {"--out": bad_dir},
    }  # fmt: skip
    out = [
        (list(argv), flag, values)
        for argv, flags in cases.items()
        for flag, values in flags.items()
    ]
    # ids, before anything compiles
    out += [(["info"], "", bad_id), (["check"], "", bad_id), (["bench", "--floor"], "", bad_id),
            (["soak"], "", bad_id), (["play"], "", bad_id), (["record"], "", bad_id)]  # fmt: skip
    # an unknown flag, on every command (and the commands' own arguments missing)
    for argv in [
        ["list"],
        ["plugins"],
        ["models"],
        ["check-model", "MLP"],
        ["info", "CartPoleEasy"],
        *(a for a, *_ in out),
    ]:
        out.append((argv, "--no-such-flag", st.sampled_from(["1", "x"])))
    out += [(["info"], "", st.just("")), (["introspect"], "", st.just("")),
            (["eval"], "", st.just("")), (["no-such-command"], "", st.just("")),
            (["check-model"], "", st.sampled_from(["", "gruu", "memax:"])),
            (["train", "--resume", RUN, "--total-frames"], "", st.sampled_from(["0", "1e30", "1000"]))]  # fmt: skip
    return out


@pytest.fixture(scope="module")
def paths(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], list[str]]:
    """Bad output folders and files: through a file, a file or folder in the way, a wrong
    suffix, and a read-only file system (/proc, which even root cannot write)."""
    root = tmp_path_factory.mktemp("bad-paths")
    a_file = root / "a-file"
    a_file.write_text("in the way")
    (root / "a-folder.gif").mkdir()
    dirs = [str(a_file / "out"), str(a_file), "/proc/arcade-out", "/proc/arcade-out/deeper"]
    files = [str(a_file / "x.gif"), str(root / "a-folder.gif"), "/proc/x.gif",
             str(root / "video.avi"), str(a_file / "deeper" / "x.mp4")]  # fmt: skip
    return dirs, files


def run(argv: list[str]) -> tuple[object, str, str, float]:
    """`arcade ARGV` in-process: exit status, stdout, stderr and seconds."""
    out, err = io.StringIO(), io.StringIO()
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code: object = main(argv)
        except SystemExit as exc:
            code = exc.code
    return code, out.getvalue(), err.getvalue(), time.perf_counter() - t0


def assert_one_line_error(argv: list[str]) -> None:
    code, out, err, seconds = run(argv)
    assert code not in (0, None), (argv, out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("arcade: error: "), (argv, err)
    assert "Traceback" not in out + err, (argv, out, err)
    assert seconds < SECONDS, (argv, seconds)


def test_every_subcommand_answers_bad_input_with_one_line(paths) -> None:
    bad_dirs, bad_files = paths
    cases = commands(st.sampled_from(bad_dirs), st.sampled_from(bad_files))
    for argv, flag, _ in cases:  # once each, unhurried: imports what each command needs
        run([*argv, f"{flag}=/proc/x"] if flag else [*argv, "NoSuchEnv0"])

    @settings(max_examples=300, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(st.sampled_from(cases).flatmap(lambda c: st.tuples(st.just(c), c[2])))
    def check(case_and_value: tuple) -> None:
        (argv, flag, _), value = case_and_value
        if flag:
            assert_one_line_error([*argv, f"{flag}={value}"])
        else:
            assert_one_line_error([*argv, value] if value else argv)

    check()


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["train", "--total-frames", "1e30"], "--total-frames: must be an integer in [1,"),
        (["train", "--set", "total_frames=1e30"], "total_frames must be at most"),
        (["train", "--total-frames", "1e12", "--num-envs", "1"], "updates"),
        (["eval", RUN, "--episodes", "1e8"], "--episodes: must be an integer in [1,"),
        (["introspect", "saliency", RUN, "--steps", "0"], "--steps: must be an integer in [1,"),
        (["introspect", "saliency", RUN, "--steps", "1e8"], "--steps: must be an integer in [1,"),
        (["bench", "CartPoleEasy", "--repeats", "0"], "--repeats: must be an integer in [1,"),
        (["bench", "CartPoleEasy", "--num-envs", "-4"], "--num-envs: must be an integer in [1,"),
        (["bench", "CartPoleEasy", "--num-envs", "1e8"], "--num-envs: must be an integer in [1,"),
        (["bench", "CartPoleEasy", "--num-envs", "0"], "--num-envs: must be an integer in [1,"),
        (["bench", "CartPoleEasy", "--steps", "0"], "--steps: must be an integer in [1,"),
        (["bench", "CartPoleEsay", "--floor"], "Did you mean: CartPoleEasy"),
        (["check", "CartPoleEasy", "--episodes", "0"], "--episodes: must be an integer in [1,"),
        (["record", "CartPoleHard", "--episodes", "1000"], "GiB of frames"),
        (
            ["record", "CartPoleEasy", "--episodes", "1", "--max-steps", "1e5", "--scale", "8"],
            "at --scale 8",
        ),
    ],
)
def test_the_reported_bad_inputs(argv: list[str], words: str) -> None:
    code, out, err, seconds = run(argv)
    (line,) = err.strip().splitlines()
    assert code == 2 and line.startswith("arcade: error: ") and words in line, err
    assert seconds < SECONDS


def test_output_paths_are_checked_before_anything_renders(tmp_path: Path) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    for argv in (
        ["record", "CartPoleEasy", "--out", str(a_file / "videos")],
        ["play", "CartPoleEasy", "--record", str(a_file / "x.gif")],
        ["eval", RUN, "--record", "/proc/x.gif"],
        ["new-plugin", "Blip", "--dir", "/proc/plugins"],
        ["train", "--out", str(a_file)],
    ):
        code, _, err, _ = run(argv)
        assert code == 2 and "cannot write" in err, (argv, err)
    assert a_file.read_text() == "" and sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]

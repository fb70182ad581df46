"""`arcade play`: a PlaySession driven headless by injected key presses, the pygame loop under
SDL's dummy video driver, the key-map hook, and the one-line errors of the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import jax
import numpy as np
import pytest

from arcade_core.tools import play
from arcade_core.tools.play import PlaySession, key_map_for

ENV = "CartPoleEasy"  # real-time; reward 1/200 per step
PY = sys.executable


def reference(seed: int, actions: list[int]) -> tuple[list[np.ndarray], float, list[bool]]:
    """Frames, return and dones of `actions` played straight through the env API with the
    session's key protocol (next subkey of `key(seed)` for the reset and each step)."""
    env, params, reset, step, _ = play._compiled(ENV, False, 128)
    key = jax.random.key(seed)
    key, sub = jax.random.split(key)
    obs, state = reset(sub, params)
    frames, ret, dones = [np.asarray(obs)], 0.0, []
    for a in actions:
        key, sub = jax.random.split(key)
        obs, state, reward, done, info = step(sub, state, np.int32(a), params)
        frames.append(np.asarray(info["final_observation"] if done else obs))
        ret += float(reward)
        dones.append(bool(done))
    return frames, ret, dones


@pytest.fixture
def session() -> PlaySession:
    return PlaySession(ENV, seed=3)


def test_scripted_sequence_gives_the_env_frames_and_return(session: PlaySession) -> None:
    assert session.realtime is True  # from the spec
    script = [("press", "right"), ("tick",), ("tick",), ("release", "right"), ("tick",)]
    script += [
        ("press", "a"),
        ("release", "a"),
        ("tick",),
        ("tick",),
        ("press", "space"),
        ("tick",),
    ]
    for op, *arg in script:
        getattr(session, op)(*arg)
    # held right twice, idle, tapped left once, idle, fire
    assert session.actions == [3, 3, 4, 2, 4, 4]
    frames, ret, dones = reference(3, session.actions)
    assert not any(dones)
    assert session.steps == 6 and len(session.frames) == 7
    for got, want in zip(session.frames, frames, strict=True):
        np.testing.assert_array_equal(got, want)
    assert session.episode_return == pytest.approx(ret) == pytest.approx(6 / 200)
    assert session.frame.shape == (128, 128, 3) and session.frame.dtype == np.uint8


def test_realtime_ticks_with_the_idle_action_when_no_key_is_held(session: PlaySession) -> None:
    for _ in range(3):
        assert session.tick()
    assert session.actions == [4, 4, 4] and session.steps == 3


def test_turn_based_advances_only_on_a_key_press() -> None:
    s = PlaySession(ENV, seed=1, realtime=False)
    assert not s.tick() and not s.tick()
    assert s.steps == 0 and len(s.frames) == 1
    s.press("left")  # held, but a turn-based game takes one step per press
    assert s.tick() and not s.tick() and not s.tick()
    s.release("left")
    s.press("right"), s.release("right"), s.press("d"), s.release("d")
    assert s.tick() and s.tick() and not s.tick()
    assert s.actions == [2, 3, 3]


def test_backspace_starts_a_new_episode(session: PlaySession) -> None:
    session.press("right")
    for _ in range(4):
        session.tick()
    before = session.frame
    session.press("backspace")
    assert session.steps == 0 and session.episode_return == 0.0
    assert session.returns == []  # an abandoned episode is not a finished one
    assert not np.array_equal(session.frame, before)
    assert session.tick() and session.actions[-1] == 4  # held keys were forgotten


def test_p_pauses_and_resumes(session: PlaySession) -> None:
    session.press("p")
    assert session.paused
    session.press("left")  # ignored while paused
    assert not session.tick() and session.steps == 0
    assert "PAUSED" in session.status()[1]
    session.press("p")
    assert session.tick() and session.actions == [4]


def test_escape_stops_the_session(session: PlaySession) -> None:
    session.tick()
    session.press("escape")
    assert not session.running
    session.press("right")
    assert not session.tick() and session.steps == 1


def test_game_over_holds_the_last_frame_until_a_key(session: PlaySession) -> None:
    session.press("right")  # pushing one way topples the pole within a few dozen steps
    for _ in range(200):
        if not session.tick():
            break
    assert session.over and len(session.returns) == 1
    steps = session.steps
    frames, ret, dones = reference(3, session.actions)
    assert dones[-1] and not any(dones[:-1])
    np.testing.assert_array_equal(session.frame, frames[-1])  # the pre-reset frame
    assert session.returns[0] == pytest.approx(ret) == pytest.approx(steps / 200)
    assert "GAME OVER" in session.status()[1]
    assert not session.tick() and session.steps == steps  # held: the clock does not step
    session.press("left")  # dismisses GAME OVER, takes no action
    assert not session.over and session.steps == 0 and len(session.actions) == steps
    assert not np.array_equal(session.frame, frames[-1])
    assert session.tick() and session.actions[-1] == 4


def test_key_maps_merge_plugin_entries_over_the_default() -> None:
    maps = [{"CartPole": {"x": 4, "up": 2, "idle": 0, "escape": 1, "q": 9}}, {"Other": {"z": 1}}]
    keys, idle = key_map_for("CartPole", maps)
    assert keys["x"] == 4 and keys["up"] == 2 and idle == 0
    assert "escape" not in keys and "q" not in keys and "z" not in keys
    assert keys["left"] == 2 and keys["space"] == 4
    assert key_map_for("Tetris", maps) == (play.DEFAULT_KEY_MAP, play.DEFAULT_IDLE)


def test_key_maps_come_from_the_hook() -> None:
    from arcade_core.hookspecs import hookimpl
    from arcade_core.plugins import register_plugin, unregister_plugin

    class Keys:
        @hookimpl
        def arcade_key_maps(self) -> dict[str, dict[str, int]]:
            return {"CartPole": {"j": 2, "l": 3, "idle": 1}}

    class Broken:
        @hookimpl
        def arcade_key_maps(self) -> dict[str, dict[str, int]]:
            raise RuntimeError("boom")

    register_plugin(Keys(), "test-keys")
    register_plugin(Broken(), "test-broken-keys")
    try:
        keys, idle = key_map_for("CartPole")
        assert keys["j"] == 2 and keys["l"] == 3 and idle == 1
        s = PlaySession(ENV, seed=0)
        s.press("l"), s.release("l")
        s.tick(), s.tick()
        assert s.actions == [3, 1]
    finally:
        unregister_plugin("test-keys")
        unregister_plugin("test-broken-keys")


def test_pygame_loop_runs_headless_on_injected_events(monkeypatch: pytest.MonkeyPatch) -> None:
    pygame = pytest.importorskip("pygame")
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    down = lambda k: pygame.event.Event(pygame.KEYDOWN, key=k)  # noqa: E731
    up = lambda k: pygame.event.Event(pygame.KEYUP, key=k)  # noqa: E731
    script = [
        [down(pygame.K_RIGHT)],
        [],
        [up(pygame.K_RIGHT)],
        [down(pygame.K_p)],
        [],
        [down(pygame.K_p)],
        [down(pygame.K_ESCAPE)],
        [down(pygame.K_LEFT)],  # never reached: ESC ended the loop
    ]
    s = PlaySession(ENV, seed=3)
    s.run(scale=2, fps=1000, inject=script)
    assert not s.running
    assert s.actions == [3, 3, 4, 4]  # held twice, idle, two paused frames, idle
    frames, ret, _ = reference(3, s.actions)
    np.testing.assert_array_equal(s.frame, frames[-1])
    assert s.episode_return == pytest.approx(ret)
    assert not pygame.display.get_init()  # the window was closed


def test_run_stops_after_max_frames_and_on_window_close(monkeypatch: pytest.MonkeyPatch) -> None:
    pygame = pytest.importorskip("pygame")
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    s = PlaySession(ENV, seed=0, realtime=False)
    s.run(scale=1, fps=1000, max_frames=3)
    assert s.running and s.steps == 0  # turn-based, no keys: nothing happened
    s.run(scale=1, fps=1000, inject=[[pygame.event.Event(pygame.QUIT)]])
    assert not s.running


def test_check_display_rule() -> None:
    with pytest.raises(play.PlayError, match="SDL_VIDEODRIVER=dummy"):
        play.check_display({}, "linux")
    play.check_display({"DISPLAY": ":0"}, "linux")
    play.check_display({"WAYLAND_DISPLAY": "wayland-0"}, "linux")
    play.check_display({"SDL_VIDEODRIVER": "dummy"}, "linux")
    play.check_display({}, "darwin")
    play.check_display({}, "win32")


# ---------------------------------------------------------------------- the CLI, as users run it
def cli(
    *args: str, env: dict[str, str] | None = None, pre: str = ""
) -> subprocess.CompletedProcess:
    code = f"import sys; {pre}from arcade_core.tools.cli import main; sys.exit(main(sys.argv[1:]))"
    base = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    base.pop("SDL_VIDEODRIVER", None)
    return subprocess.run(
        [PY, "-c", code, *args], env={**base, **(env or {})}, capture_output=True, text=True
    )


def assert_one_line_error(proc: subprocess.CompletedProcess, *needles: str) -> None:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("arcade: error: "), proc.stderr
    for needle in needles:
        assert needle in lines[0]


def test_cli_unknown_id_is_one_line() -> None:
    assert_one_line_error(cli("play", "CartPoleEsy"), "CartPoleEsy", "Did you mean", ENV)


def test_cli_missing_human_extra_is_one_line() -> None:
    proc = cli("play", ENV, pre="sys.modules['pygame'] = None; ")
    assert_one_line_error(proc, "pip install 'pomdp-arcade[human]'")


def test_cli_no_display_is_one_line() -> None:
    pytest.importorskip("pygame")
    assert_one_line_error(cli("play", ENV), "no display", "SDL_VIDEODRIVER=dummy")


def test_cli_bad_record_name_is_one_line() -> None:
    assert_one_line_error(cli("play", ENV, "--record", "out.avi"), ".gif or .mp4")


def test_cli_plays_headless_and_records(tmp_path: Path) -> None:
    pytest.importorskip("pygame")
    iio = pytest.importorskip("imageio.v3")
    out = tmp_path / "play.gif"
    args = ("play", ENV, "--frames", "5", "--fps", "500", "--record", str(out))
    proc = cli(*args, env={"SDL_VIDEODRIVER": "dummy"})
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    frames = iio.imread(out)
    assert frames.shape == (6, 128, 128, 3)  # the reset frame and five idle steps
    want, _, _ = reference(0, [4] * 5)
    np.testing.assert_array_equal(frames, np.stack(want))


def test_side_by_side_shows_mdp_and_pomdp_of_the_state_played(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same game as a single-view session (actions, rewards, randomness); each frame is
    the labelled MDP | POMDP of the state reached, the MDP half equal to the MDP frame; the
    window is as wide as both views. Played to GAME OVER, the held frame is the last state's."""
    from arcade_core.media import DIVIDER_PX, label_views

    pygame = pytest.importorskip("pygame")
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    s = PlaySession(ENV, seed=3, side_by_side=True)
    s.run(scale=1, fps=1000, max_frames=2)
    assert pygame.display.get_init() is False
    for _ in range(60):  # CartPole falls over within 60 idle steps
        if s.over:
            break
        s.tick()
    assert s.over
    frames, ret, dones = reference(3, s.actions)
    assert dones[-1] and s.returns == [pytest.approx(ret)]
    band = 16
    assert s.frame.shape == (band + 128, 2 * 128 + DIVIDER_PX, 3)
    for got, want in zip(s.frames, frames, strict=True):
        np.testing.assert_array_equal(got[band:, :128], want)
    env, params, _, _, render = play._compiled(ENV, False, 128, True)
    np.testing.assert_array_equal(s.frames[0], label_views(render(_first_state(3), params)))
    assert "MDP | POMDP" in s.status()[0]
    s.press("left")  # leaves GAME OVER: the next episode's first frame, both views
    assert s.frame.shape == (band + 128, 2 * 128 + DIVIDER_PX, 3)


def _first_state(seed: int) -> object:
    env, params, reset, _, _ = play._compiled(ENV, False, 128)
    _, sub = jax.random.split(jax.random.key(seed))
    return reset(sub, params)[1]


def test_cli_side_by_side_with_partial_is_one_line() -> None:
    assert_one_line_error(
        cli("play", ENV, "--side-by-side", "--partial", env={"SDL_VIDEODRIVER": "dummy"}),
        "drop --partial",
    )


def test_a_recording_stops_at_its_memory_budget_and_the_game_goes_on(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import arcade_core.tools.play as play

    frame_bytes = 128 * 128 * 3
    monkeypatch.setattr(play, "MAX_FRAME_BYTES", 2 * 3 * frame_bytes)  # 3 frames kept
    s = PlaySession(ENV, seed=0)
    for _ in range(5):
        assert s.tick()
    assert s.steps == 5 and len(s.frames) == 3
    err = capsys.readouterr().err
    assert err.count("recording stopped at 3 frames") == 1

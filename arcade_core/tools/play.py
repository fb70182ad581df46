"""`arcade play`: a human plays an env in a pygame window (the `human` extra).

    arcade play BreakoutEasy [--partial | --side-by-side] [--obs-size 128|256] [--scale K]
                             [--fps F] [--record out.gif]

`--side-by-side` shows the MDP and the POMDP view of the same state in one window, each half
labelled, while the player plays (both variants step together from one state; partial
observability is drawing only).

Keys: arrows or WASD are up/down/left/right (actions 0-3), space or Return is fire (4); a game
plugin may add or change keys through the `arcade_key_maps` hook. ESC quits, Backspace starts a
new episode, P pauses. These three cannot be remapped.

Timing rule, from each env's spec (`EnvSpec.realtime`):

* real-time games (CartPole, Breakout, Tetris, ...) step once per frame at `--fps`: the action
  is a key tapped since the last frame, else the key held longest-recently, else the game's idle
  action (4, fire, which is a no-op in every real-time built-in; a key map may set `"idle"`);
* turn-based games (BattleShip, MineSweeper, CountRecall, ...) step once per key press and
  never on their own; holding a key repeats it.

When an episode ends the window holds its last frame ("GAME OVER") until a key is pressed. The
logic lives in `PlaySession`, which takes key names and has no pygame in it, so tests drive it
headless; `PlaySession.run` owns the window and turns pygame events into those calls.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from collections import deque
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..argtypes import (
    MAX_FPS,
    MAX_FRAME_BYTES,
    MAX_SCALE,
    MAX_STEPS,
    positive_float,
    positive_int,
    seed_int,
    writable_file,
)
from ..errors import UserError

if TYPE_CHECKING:
    import numpy as np


HUMAN_HINT = "pip install 'pomdp-arcade[human]'"
DEFAULT_KEY_MAP: dict[str, int] = {
    "up": 0,
    "w": 0,
    "down": 1,
    "s": 1,
    "left": 2,
    "a": 2,
    "right": 3,
    "d": 3,
    "space": 4,
    "return": 4,
    "enter": 4,  # keypad Enter
}
IDLE = "idle"  # reserved key-map entry: a real-time game's action when no key is held
DEFAULT_IDLE = 4
QUIT, RESET, PAUSE = "escape", "backspace", "p"
CONTROL_KEYS = (QUIT, RESET, PAUSE)
HUD_LINES = 2
MAX_PENDING = 8  # key presses queued beyond this are dropped (no runaway lag)


class PlayError(UserError):
    """A problem the user can fix (missing extra, no display, bad option): one line."""


def key_map_for(
    game: str, plugin_maps: Iterable[Mapping[str, Mapping[str, int]]] | None = None
) -> tuple[dict[str, int], int]:
    """`(key name -> action, idle action)` for `game`: the default map, then every plugin's
    entry for `game` (from the `arcade_key_maps` hook) merged over it in plugin order. Invalid
    entries (unknown actions, control keys) are skipped with a warning on stderr."""
    if plugin_maps is None:
        from ..plugins import get_plugin_manager
        from . import hookspecs

        plugins = get_plugin_manager()
        plugins.add_hookspecs(hookspecs)
        plugin_maps = [m for _, m in plugins.call("arcade_key_maps")]
    keys, idle = dict(DEFAULT_KEY_MAP), DEFAULT_IDLE
    for maps in plugin_maps:
        for name, action in dict(maps.get(game) or {}).items():
            name = str(name).lower()
            ok = isinstance(action, int) and not isinstance(action, bool) and 0 <= action < 5
            if not ok or name in CONTROL_KEYS:
                print(f"arcade: warning: ignoring key map {name!r}: {action!r}", file=sys.stderr)
            elif name == IDLE:
                idle = action
            else:
                keys[name] = action
    return keys, idle


@functools.lru_cache(maxsize=8)
def _compiled(
    env_id: str, partial: bool, obs_size: int, both: bool = False
) -> tuple[Any, Any, Any, Any, Any]:
    """`(env, params, jit(reset), jit(step), jit(render) or None)`, compiled once per process
    and per variant: the first step is compiled here, before any window opens, so the game
    never freezes. With `both`, the env steps the MDP and the POMDP variant together and
    `render` draws MDP | POMDP of a state."""
    import jax
    import numpy as np

    from ..media import BothViews, make_env

    env, params = make_env(env_id, partial, obs_size)
    render = None
    if both:
        env = BothViews(
            make_env(env_id, False, obs_size)[0], make_env(env_id, True, obs_size)[0], partial
        )
        render = jax.jit(env.render)
    reset, step = jax.jit(env.reset), jax.jit(env.step)
    key = jax.random.key(0)
    _, state = reset(key, params)
    jax.block_until_ready(step(key, state, np.int32(DEFAULT_IDLE), params))
    if render is not None:
        jax.block_until_ready(render(state, params))
    jax.block_until_ready(jax.random.split(key))
    return env, params, reset, step, render


class PlaySession:
    """One player at one env: feed it key presses (`press`, `release`, or pygame events via
    `handle`), call `tick` once per frame, read `frame`, `steps`, `episode_return`, `returns`
    and, with `keep_frames`, every frame shown in `frames`.

    Randomness: every reset and every step takes the next subkey of `jax.random.key(seed)`
    (`key, sub = split(key)`), so a session is reproducible from its seed and its actions.

    With `side_by_side`, each frame is the MDP view beside the POMDP view of the same state,
    under a band that labels them (`arcade_core.media.label_views`); the game, its rewards and
    its randomness are those of the single-view session with the same seed."""

    def __init__(
        self,
        env_id: str,
        *,
        partial: bool = False,
        obs_size: int = 128,
        seed: int = 0,
        realtime: bool | None = None,
        key_map: tuple[dict[str, int], int] | None = None,
        keep_frames: bool = True,
        side_by_side: bool = False,
    ) -> None:
        import jax

        from ..registry import spec

        self.spec = spec(env_id)
        self.env_id, self.partial, self.obs_size = env_id, partial, obs_size
        self.side_by_side = bool(side_by_side)
        self.realtime = self.spec.realtime if realtime is None else bool(realtime)
        self.key_map, self.idle_action = key_map or key_map_for(self.spec.game)
        both = (True,) if self.side_by_side else ()  # one cache entry per variant
        self.env, self.params, self._reset_fn, self._step_fn, self._render_fn = _compiled(
            env_id, partial, obs_size, *both
        )
        self._key = jax.random.key(seed)
        self.keep_frames = keep_frames
        self.recording_full = False  # kept frames reached their memory budget
        self.frames: list[np.ndarray] = []
        self.returns: list[float] = []  # returns of the episodes that ended
        self.actions: list[int] = []  # every action taken, in order
        self.running = True
        self.paused = False
        self.reset()

    # ------------------------------------------------------------------ state changes
    def _next_key(self) -> Any:
        import jax

        self._key, key = jax.random.split(self._key)
        return key

    def _show(self, frame: Any) -> None:
        import numpy as np

        from ..media import label_views

        self.frame = label_views(frame) if self.side_by_side else np.asarray(frame)
        if not self.keep_frames:
            self.frames = [self.frame]
        elif (len(self.frames) + 1) * self.frame.nbytes <= MAX_FRAME_BYTES // 2:
            self.frames.append(self.frame)  # half the budget: the video stacks a copy
        elif not self.recording_full:
            self.recording_full = True
            print(
                f"recording stopped at {len(self.frames):,} frames "
                f"({MAX_FRAME_BYTES // 2 / 2**30:.0f} GiB); the game goes on",
                file=sys.stderr,
                flush=True,
            )

    def _new_episode(self) -> None:
        self.steps = 0
        self.episode_return = 0.0
        self.last_reward = 0.0
        self.over = False
        self._held: list[str] = []
        self._pending: deque[int] = deque(maxlen=MAX_PENDING)

    def reset(self) -> None:
        """Abandon the current episode and start a fresh one (Backspace)."""
        obs, self.state = self._reset_fn(self._next_key(), self.params)
        self._new_episode()
        self._next_obs: Any = None
        self._show(self._view(obs))

    def _view(self, obs: Any) -> Any:
        """What the window shows of the current state: `obs`, or MDP | POMDP of it."""
        return obs if self._render_fn is None else self._render_fn(self.state, self.params)

    def step(self, action: int) -> None:
        """Take one env step; on `done` hold the episode's last frame until a key is pressed."""
        import numpy as np

        obs, self.state, reward, done, info = self._step_fn(
            self._next_key(), self.state, np.int32(action), self.params
        )
        self.actions.append(int(action))
        self.steps += 1
        self.last_reward = float(reward)
        self.episode_return += self.last_reward
        if bool(done):
            self.returns.append(self.episode_return)
            self.over = True
            self._next_obs = self._view(obs)  # the fresh episode, shown when the player goes on
            final = info.get("video_frame", info.get("final_observation"))
            self._show(self._next_obs if final is None else final)
        else:
            self._show(info["video_frame"] if self.side_by_side else obs)

    def _continue(self) -> None:
        """Leave the GAME OVER screen: show the already reset next episode."""
        self._new_episode()
        self._show(self._next_obs)
        self._next_obs = None

    # ------------------------------------------------------------------ input
    def press(self, name: str) -> None:
        """A key went down (pygame key name, e.g. 'left', 'space', 'escape')."""
        name = name.lower()
        if not self.running:
            return
        if name == QUIT:
            self.running = False
        elif name == RESET:
            self.paused = False
            self.reset()
        elif name == PAUSE:
            self.paused = not self.paused
        elif name in self.key_map and not self.paused:
            if self.over:
                self._continue()  # the key that dismisses GAME OVER takes no action
                return
            self._pending.append(self.key_map[name])
            if name not in self._held:
                self._held.append(name)

    def release(self, name: str) -> None:
        """A key went up."""
        name = name.lower()
        if name in self._held:
            self._held.remove(name)

    def quit(self) -> None:
        """The window was closed."""
        self.running = False

    def handle(self, event: Any) -> None:
        """Dispatch one pygame event (KEYDOWN, KEYUP, QUIT); others are ignored."""
        import pygame

        if event.type == pygame.QUIT:
            self.quit()
        elif event.type == pygame.KEYDOWN:
            self.press(pygame.key.name(event.key))
        elif event.type == pygame.KEYUP:
            self.release(pygame.key.name(event.key))

    def next_action(self) -> int | None:
        """The action for this frame, or None when a turn-based game has no key press."""
        if self._pending:
            return self._pending.popleft()
        if not self.realtime:
            return None
        if self._held:
            return self.key_map[self._held[-1]]
        return self.idle_action

    def tick(self) -> bool:
        """One frame of the game clock; True when the env stepped."""
        if not self.running or self.paused or self.over:
            self._pending.clear()
            return False
        action = self.next_action()
        if action is None:
            return False
        self.step(action)
        return True

    # ------------------------------------------------------------------ window
    def status(self) -> tuple[str, str]:
        """The two HUD lines: numbers, then what the player can do now."""
        view = "MDP | POMDP" if self.side_by_side else ("POMDP" if self.partial else "MDP")
        numbers = (
            f"{self.env_id} {view}  step {self.steps}  reward {self.last_reward:+.3f}"
            f"  return {self.episode_return:+.3f}"
        )
        if self.over:
            hint = f"GAME OVER  return {self.returns[-1]:+.3f}  -  press a key"
        elif self.paused:
            hint = "PAUSED  -  P resumes"
        else:
            mode = "real-time" if self.realtime else "turn-based"
            hint = f"{mode}  arrows/WASD, space  P pause  Bksp reset  Esc quit"
        return numbers, hint

    def run(
        self,
        *,
        scale: int = 4,
        fps: float = 15.0,
        max_frames: int | None = None,
        inject: Iterable[Iterable[Any]] | None = None,
    ) -> None:
        """Open the window and play until ESC, closing it, or `max_frames` frames. `inject`
        yields, per frame, extra pygame events handled after the real ones (scripted runs)."""
        pg = require_pygame()
        pg.display.init()
        try:
            height, width = (n * scale for n in self.frame.shape[:2])
            font = _font(pg, max(12, min(20, self.obs_size * scale // 28)))
            hud = (font.get_linesize() * HUD_LINES + 8) if font else 0
            try:
                screen = pg.display.set_mode((width, height + hud))
            except pg.error as exc:
                raise PlayError(f"cannot open a window ({exc}); {DISPLAY_HINT}") from None
            if not self.realtime:
                pg.key.set_repeat(300, 80)  # holding a key repeats the move in turn-based games
            clock = pg.time.Clock()
            script = iter(inject) if inject is not None else None
            frame_no = 0
            while self.running and (max_frames is None or frame_no < max_frames):
                for event in pg.event.get():
                    self.handle(event)
                if script is not None:
                    for event in next(script, ()):
                        self.handle(event)
                self.tick()
                self._draw(pg, screen, font, scale)
                clock.tick(fps)
                frame_no += 1
        finally:
            pg.display.quit()

    def _draw(self, pg: Any, screen: Any, font: Any, scale: int) -> None:
        import numpy as np

        frame = np.ascontiguousarray(self.frame.swapaxes(0, 1))  # pygame surfaces are (w, h)
        surf = pg.surfarray.make_surface(frame)
        height, width = (n * scale for n in self.frame.shape[:2])
        screen.fill((0, 0, 0))
        screen.blit(pg.transform.scale(surf, (width, height)), (0, 0))
        lines = self.status()
        pg.display.set_caption(f"arcade play  {lines[0]}")
        if font is not None:
            y = height + 4
            for text, colour in zip(lines, [(230, 230, 230), (0, 255, 128)], strict=True):
                screen.blit(font.render(text, True, colour), (6, y))
                y += font.get_linesize()
        pg.display.flip()


def _font(pg: Any, size: int) -> Any:
    """pygame's default font, or None where pygame was built without font support."""
    try:
        pg.font.init()
        return pg.font.Font(None, size)
    except Exception:
        return None


DISPLAY_HINT = (
    "run it on a desktop or over `ssh -X`, or set SDL_VIDEODRIVER=dummy to run without a window"
)


def require_pygame() -> Any:
    """`pygame`, or a `PlayError` naming the extra to install."""
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    try:
        import pygame
    except ImportError:
        raise PlayError(f"arcade play needs pygame-ce: {HUMAN_HINT}") from None
    return pygame


def check_display(environ: Mapping[str, str] | None = None, platform: str | None = None) -> None:
    """Fail early (before compiling anything) on a Unix machine with no display: SDL would
    otherwise fail or hang when the window opens."""
    environ = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    if environ.get("SDL_VIDEODRIVER"):
        return
    if platform.startswith(("win", "darwin", "cygwin")):
        return
    if not (environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY")):
        raise PlayError(f"no display found (DISPLAY and WAYLAND_DISPLAY are unset): {DISPLAY_HINT}")


def cmd_play(args: argparse.Namespace) -> int:
    """Check what can fail cheaply (id, extras, display, options), compile, then open the
    window; write `--record` at the end."""
    import numpy as np

    from ..errors import CLIError, RecordError
    from ..media import FORMATS, require_imageio, write_video
    from ..registry import spec

    try:
        spec(args.env_id)
    except ValueError as exc:  # unknown id, with a did-you-mean
        raise CLIError(str(exc)) from None
    try:
        if args.scale is not None and args.scale < 1:
            raise PlayError("--scale must be at least 1")
        if args.fps <= 0:
            raise PlayError("--fps must be positive")
        if args.side_by_side and args.partial:
            raise PlayError("--side-by-side shows both views already: drop --partial")
        if args.record:
            fmt = Path(args.record).suffix.lower().lstrip(".")
            if fmt not in FORMATS:
                raise PlayError(f"--record {args.record}: use a .gif or .mp4 file name")
            require_imageio()
        require_pygame()
        check_display()
        print(f"compiling {args.env_id} ...", file=sys.stderr, flush=True)
        session = PlaySession(
            args.env_id,
            partial=args.partial,
            obs_size=args.obs_size,
            seed=args.seed,
            keep_frames=bool(args.record),
            side_by_side=args.side_by_side,
        )
        # default: a 512 px game (4x at 128, 2x at 256), or 384 px per view side by side
        scale = args.scale or max(1, (384 if args.side_by_side else 512) // args.obs_size)
        session.run(scale=scale, fps=args.fps, max_frames=args.frames)
        if session.returns:
            returns = ", ".join(f"{r:+.3f}" for r in session.returns)
            print(f"{len(session.returns)} episode(s) finished, returns: {returns}")
        if args.record:
            path = write_video(args.record, np.stack(session.frames), args.fps)
            print(f"wrote {path} ({len(session.frames)} frames)")
    except (PlayError, RecordError) as exc:
        raise CLIError(str(exc)) from None
    return 0


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Add `arcade play` to the CLI's sub-parsers."""
    p = sub.add_parser(
        "play",
        help="play an env with the keyboard (pygame window)",
        description=(
            "Play an env: arrows/WASD move, space/Return fire, P pauses, Backspace resets, "
            "ESC quits. Real-time games tick at --fps; turn-based games wait for a key."
        ),
    )
    p.add_argument("env_id", metavar="ID")
    p.add_argument("--partial", action="store_true", help="play the POMDP variant")
    p.add_argument(
        "--side-by-side",
        action="store_true",
        help="show the MDP and the POMDP view of the same state in one window, labelled "
        "(--record then saves both)",
    )
    p.add_argument("--obs-size", type=int, default=128, choices=[128, 256])
    p.add_argument(
        "--scale", type=positive_int(MAX_SCALE), default=None,
        help="window pixels per frame pixel (default: 4 at 128 px, 2 at 256; side by side 3 "
        "and 1)",
    )  # fmt: skip
    p.add_argument(
        "--fps", type=positive_float(MAX_FPS), default=15.0,
        help="frames (real-time steps) per second",
    )  # fmt: skip
    p.add_argument(
        "--record", type=writable_file(".gif", ".mp4"), metavar="OUT.gif|OUT.mp4",
        help="save every frame shown",
    )  # fmt: skip
    p.add_argument("--seed", type=seed_int, default=0)
    p.add_argument(
        "--frames", type=positive_int(MAX_STEPS), default=None,
        help="stop after this many frames (scripted runs)",
    )  # fmt: skip
    p.set_defaults(func=cmd_play)
    return p

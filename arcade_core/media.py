"""Frames to files: recorded episodes, MDP | POMDP frames side by side, and GIF/MP4 writing.

The media library of every layer: `arcade record` and `arcade play --record` use it, and so do
the agents' evaluation and introspection. NumPy and JAX are imported only inside functions, and
imageio only when a video is written (the `viz` extra).
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import RecordError

if TYPE_CHECKING:
    import numpy as np

VIZ_HINT = "pip install 'pomdp-arcade[viz]'"
FORMATS = ("gif", "mp4")
DIVIDER_PX = 2  # grey columns between the MDP and the POMDP frame (keeps the width even)
DIVIDER_RGB = (128, 128, 128)


@dataclass
class Episode:
    """One recorded episode: `frames` uint8[L+1, H, W, 3] from reset to last state, the
    per-step `rewards` float32[L], and whether it ended (`done`) within the step cap."""

    env_id: str
    index: int
    frames: np.ndarray
    rewards: np.ndarray
    done: bool

    @property
    def length(self) -> int:
        return len(self.rewards)

    @property
    def ret(self) -> float:
        return float(self.rewards.sum())


def cut_episode(
    env_id: str, index: int, first: Any, frames: Any, rewards: Any, dones: Any
) -> Episode:
    """An `Episode` from one rollout: its reset frame, then the per-step `frames`, `rewards`
    and `dones` (time first), cut after the first `done` (kept whole if none)."""
    import numpy as np

    dones = np.asarray(dones)
    ended = bool(dones.any())
    length = int(np.argmax(dones)) + 1 if ended else len(dones)
    shown = np.concatenate([np.asarray(first)[None], np.asarray(frames)[:length]])
    return Episode(env_id, index, shown, np.asarray(rewards[:length], np.float32), ended)


def require_imageio() -> Any:
    """`imageio.v3`, or a `RecordError` naming the extra to install."""
    try:
        import imageio.v3 as iio
    except ImportError:
        raise RecordError(f"writing videos needs imageio: {VIZ_HINT}") from None
    return iio


def make_env(env_id: str, partial: bool, obs_size: int) -> tuple[Any, Any]:
    """`make` with the pre-reset frame in `info` (so a video shows how an episode ended); a
    third-party env whose constructor lacks `final_observation` is made without it."""
    from .registry import make

    try:
        return make(env_id, partial_obs=partial, obs_size=obs_size, final_observation=True)
    except TypeError:
        return make(env_id, partial_obs=partial, obs_size=obs_size)


def last_frame(obs: Any, done: Any, info: dict[str, Any]) -> Any:
    """The frame of the state a step reached: the pre-reset frame when `done` (if the env
    provides it), else `obs`."""
    import jax.numpy as jnp

    final = info.get("final_observation")
    return obs if final is None else jnp.where(done, final, obs)


class BothViews:
    """The MDP and the POMDP env of one game stepped together, from one state with the same
    key and action (partial observability is drawing only, so they stay in step): it acts as
    the view `partial` selects (its frames are what a policy sees), `render` draws MDP | POMDP,
    and each step's `info["video_frame"]` is MDP | POMDP of the state it reached (pre-reset
    when done, where the envs give `final_observation`)."""

    def __init__(self, mdp: Any, pomdp: Any, partial: bool) -> None:
        self.envs = (mdp, pomdp)
        self.seen = int(bool(partial))

    @property
    def default_params(self) -> Any:
        return self.envs[0].default_params

    def reset(self, key: Any, params: Any) -> tuple[Any, Any]:
        return self.envs[self.seen].reset(key, params)

    def step(self, key: Any, state: Any, action: Any, params: Any) -> tuple[Any, ...]:
        outs = [e.step(key, state, action, params) for e in self.envs]
        obs, _, reward, done, info = outs[self.seen]
        frame = side_by_side(*(last_frame(o[0], o[3], o[4]) for o in outs))
        return obs, outs[0][1], reward, done, {**info, "video_frame": frame}

    def render(self, state: Any, params: Any) -> Any:
        return side_by_side(*(e.render(state, params) for e in self.envs))


def video_frame(obs: Any, done: Any, info: dict[str, Any]) -> Any:
    """The frame a video shows for a step: `BothViews`' MDP | POMDP, else `last_frame`."""
    frame = info.get("video_frame")
    return last_frame(obs, done, info) if frame is None else frame


def side_by_side(mdp: Any, pomdp: Any) -> Any:
    """MDP frame | grey divider | POMDP frame, along the width (works on numpy and jax)."""
    import numpy as np

    if isinstance(mdp, np.ndarray):
        xp: Any = np
    else:
        import jax.numpy as xp
    div = xp.broadcast_to(
        xp.asarray(DIVIDER_RGB, xp.uint8), (*mdp.shape[:-2], DIVIDER_PX, mdp.shape[-1])
    )
    return xp.concatenate([mdp, div, pomdp], axis=-2)


LABELS = ("MDP", "POMDP")
LABEL_BG = (24, 24, 24)  # the band above the frames
LABEL_RGB = (255, 255, 255)


def label_band(size: int) -> int:
    """Height of the band `label_views` puts above side-by-side frames of `size`-px views: 8
    font cells of `size // 64` px (16 px at 128, 32 at 256)."""
    return 8 * max(1, size // 64)


def frame_shape(size: int, side_by_side: bool, labelled: bool = True) -> tuple[int, int]:
    """`(height, width)` of a video frame of `size`-px views before upscaling: one view, or
    MDP | POMDP with the divider between them and, when `labelled`, the band above."""
    if not side_by_side:
        return size, size
    return size + (label_band(size) if labelled else 0), 2 * size + DIVIDER_PX


def label_views(frames: np.ndarray, labels: tuple[str, str] = LABELS) -> np.ndarray:
    """Side-by-side frames (`[..., H, 2S + DIVIDER_PX, 3]`, as `side_by_side` makes them) with
    a dark band on top naming each half ("MDP" over the left, "POMDP" over the right) in the
    project's 5x5 bitmap font; no game pixel is covered. The font cell is `S // 64` pixels
    (2 at 128 px, 4 at 256), so the band is 16 or 32 px high; upscale after labelling."""
    import numpy as np

    from .render.font import glyph_mask

    frames = np.asarray(frames)
    width = frames.shape[-2]
    half = (width - DIVIDER_PX) // 2
    band_h = label_band(half)
    cell = band_h // 8  # 5 cells of glyph, 1.5 above and below
    band = np.empty((band_h, width, 3), np.uint8)
    band[:] = LABEL_BG
    band[:, half : half + DIVIDER_PX] = DIVIDER_RGB
    for text, x0 in zip(labels, (0, half + DIVIDER_PX), strict=True):
        masks = [glyph_mask(ch, cell, cell) for ch in text]
        gap = np.zeros((5 * cell, cell), bool)
        mask = np.concatenate([m for g in masks for m in (g, gap)][:-1], axis=1)
        if mask.shape[1] > half:  # too narrow to label: leave the band plain
            continue
        top, left = (band_h - mask.shape[0]) // 2, x0 + (half - mask.shape[1]) // 2
        region = band[top : top + mask.shape[0], left : left + mask.shape[1]]
        region[mask] = LABEL_RGB
    band = np.broadcast_to(band, (*frames.shape[:-3], *band.shape))
    return np.concatenate([band, frames], axis=-3)


def upscale(frames: np.ndarray, scale: int) -> np.ndarray:
    """Nearest-neighbour upscaling by an integer factor (pixel art stays crisp)."""
    if scale == 1:
        return frames
    return frames.repeat(scale, axis=-3).repeat(scale, axis=-2)


def write_video(path: str | os.PathLike[str], frames: np.ndarray, fps: float) -> Path:
    """Write uint8[T, H, W, 3] frames as a looping GIF or an H.264 MP4, by the file suffix."""
    import numpy as np

    iio = require_imageio()
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise RecordError(f"cannot write {path.name!r}: use a .gif or .mp4 file name")
    frames = np.ascontiguousarray(frames, np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "gif":
        iio.imwrite(path, frames, extension=".gif", duration=1000.0 / fps, loop=0)
    else:
        try:
            with warnings.catch_warnings():  # ffmpeg runs as a subprocess: fork, then exec
                warnings.filterwarnings("ignore", "os.fork", RuntimeWarning)
                iio.imwrite(
                    path, frames, extension=".mp4", fps=fps, codec="libx264", macro_block_size=1
                )
        except (ImportError, RuntimeError) as exc:
            first = (str(exc).strip().splitlines() or [""])[0]
            raise RecordError(f"cannot write MP4 ({first}): {VIZ_HINT} installs ffmpeg") from None
    return path

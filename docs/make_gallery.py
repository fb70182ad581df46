"""Regenerate the env gallery: for every registered env (plugins included), the first frame of
the MDP and of the POMDP as PNG (`docs/img/<id>_mdp.png`, `<id>_pomdp.png`) and a short GIF of a
random policy with the MDP beside the POMDP (`docs/img/<id>.gif`); then rewrite the README's
gallery section, between `<!-- gallery:start -->` and `<!-- gallery:end -->`, as a grid with
one row per game and one column per difficulty.

    python docs/make_gallery.py                 # every registered env
    python docs/make_gallery.py CartPoleEasy    # some envs (the grid keeps the others' images)
    python docs/make_gallery.py --readme-only   # only rewrite the README from docs/img

Needs the `viz` extra. Each GIF is 128 px high, `--frames` long (episodes follow one another
when one ends early), so the whole gallery stays a few MB.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- gallery:start -->", "<!-- gallery:end -->"
LEVELS = ("Easy", "Medium", "Hard")
BUILTIN = "pomdp-arcade"


def gallery_frames(env_id: str, frames: int, seed: int) -> np.ndarray:
    """`frames` side-by-side frames (MDP | POMDP) of random play, episode after episode."""
    from arcade_core.tools.record import rollout

    episodes = rollout(env_id, 8, both=True, max_steps=frames, seed=seed)
    clip = np.concatenate([ep.frames for ep in episodes])
    return clip[:frames]


def make_images(env_id: str, out: Path, frames: int, fps: float, seed: int) -> list[Path]:
    """Write the two first-frame PNGs and the side-by-side GIF of one env."""
    import imageio.v3 as iio

    from arcade_core.tools.record import DIVIDER_PX, write_video

    clip = gallery_frames(env_id, frames, seed)
    size = clip.shape[1]  # frames are square
    mdp, pomdp = clip[0, :, :size], clip[0, :, size + DIVIDER_PX :]
    paths = [out / f"{env_id}_mdp.png", out / f"{env_id}_pomdp.png", out / f"{env_id}.gif"]
    iio.imwrite(paths[0], mdp, optimize=True)
    iio.imwrite(paths[1], pomdp, optimize=True)
    write_video(paths[2], clip, fps)
    return paths


def gallery_markdown(readme: Path, out: Path) -> str:
    """The gallery section: one row per game, one column per difficulty, for every registered
    env whose GIF exists under `out`."""
    from arcade_core.registry import registry

    specs = [s for s in registry().specs.values() if (out / f"{s.id}.gif").exists()]
    specs.sort(key=lambda s: (s.package != BUILTIN, s.package, s.game))  # built-ins first
    games: dict[str, dict[str, str]] = {}
    for s in specs:
        games.setdefault(s.game, {})[s.difficulty] = s.id
    extra = sorted({d for row in games.values() for d in row} - set(LEVELS))
    levels = [*LEVELS, *extra]
    rel = Path(os.path.relpath(out, readme.parent)).as_posix()
    lines = [
        START,
        "## Gallery",
        "",
        "Random play in every env: the MDP (left) beside the POMDP (right), the same state drawn "
        "both ways, so you see what a memoryless agent cannot. Regenerate with "
        "`python docs/make_gallery.py`; play one with `arcade play ID`.",
        "",
        "| Game | " + " | ".join(levels) + " |",
        "|---|" + "---|" * len(levels),
    ]
    for game, row in games.items():
        cells = [
            f"![{row[d]}]({rel}/{row[d]}.gif)<br>`{row[d]}`" if d in row else "" for d in levels
        ]
        lines.append(f"| **{game}** | " + " | ".join(cells) + " |")
    lines += ["", END]
    return "\n".join(lines)


def rewrite_readme(readme: Path, section: str) -> None:
    """Replace the text between the markers (markers included); append the section if the
    README has none, create the README if there is none."""
    text = readme.read_text() if readme.exists() else ""
    if START in text and END in text and text.index(START) < text.index(END):
        head, rest = text.split(START, 1)
        tail = rest.split(END, 1)[1]
        text = head + section + tail
    else:
        text = (text.rstrip() + "\n\n" if text.strip() else "") + section + "\n"
    readme.write_text(text)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("env_ids", nargs="*", metavar="ID", help="default: every registered env")
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    p.add_argument("--readme", type=Path, default=ROOT / "README.md")
    p.add_argument("--frames", type=int, default=60, help="frames per GIF")
    p.add_argument("--fps", type=float, default=12.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--readme-only", action="store_true", help="only rewrite the README")
    args = p.parse_args(argv)

    from arcade_core.registry import registry

    ids = args.env_ids or list(registry().specs)
    failed = []
    if not args.readme_only:
        args.out.mkdir(parents=True, exist_ok=True)
        for env_id in ids:
            t0 = time.perf_counter()
            try:
                paths = make_images(env_id, args.out, args.frames, args.fps, args.seed)
            except Exception as exc:  # one broken env must not stop the gallery
                failed.append(env_id)
                print(f"FAILED {env_id}: {type(exc).__name__}: {exc}", file=sys.stderr)
                continue
            kb = sum(p.stat().st_size for p in paths) / 1024
            print(f"{env_id:24} {kb:7.1f} KB  {time.perf_counter() - t0:5.1f} s", flush=True)
    rewrite_readme(args.readme, gallery_markdown(args.readme, args.out))
    total = sum(f.stat().st_size for f in args.out.glob("*") if f.is_file()) / 2**20
    print(f"gallery: {args.out} holds {total:.2f} MB; rewrote {args.readme}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

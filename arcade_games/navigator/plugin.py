"""Entry point of the Navigator plugin: metadata only, no JAX, nothing built."""

from arcade_core.hookspecs import hookimpl
from arcade_core.specs import Difficulty, GameSpec

from .constants import BOARD_SIZE


@hookimpl
def arcade_games() -> list[GameSpec]:
    return [
        GameSpec(
            name="Navigator",
            rules="arcade_games.navigator:navigator.md",
            entry="arcade_games.navigator.game:Navigator",
            difficulties={
                level: Difficulty(max_steps=n * n, kwargs={"board_size": n})
                for level, n in BOARD_SIZE.items()
            },
            return_range=(-1.0, 1.0),
            description="Walk to the treasure avoiding TNT, then dig; the POMDP shows the board "
            "only on the first frame.",
            realtime=False,
            plain_renderer="arcade_games.navigator.plain:draw",
        )
    ]

"""Entry point of the Skittles plugin: metadata only, no JAX, nothing built."""

from arcade_core.hookspecs import hookimpl
from arcade_core.specs import Difficulty, GameSpec

from .constants import COLUMNS, TIME_LIMIT


@hookimpl
def arcade_games() -> list[GameSpec]:
    return [
        GameSpec(
            name="Skittles",
            rules="arcade_games.skittles:skittles.md",
            entry="arcade_games.skittles.game:Skittles",
            difficulties={
                level: Difficulty(max_steps=TIME_LIMIT, kwargs={"columns": cols})
                for level, cols in COLUMNS.items()
            },
            return_range=(0.0, 1.0),
            description="Dodge falling blocks in the bottom row; the POMDP shows each cell "
            "with probability 1/2 per frame.",
            realtime=True,
            plain_renderer="arcade_games.skittles.plain:draw",
        )
    ]

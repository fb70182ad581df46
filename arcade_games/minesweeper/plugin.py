"""Entry point of the MineSweeper plugin: metadata only, no JAX, nothing built."""

from arcade_core.hookspecs import hookimpl
from arcade_core.specs import Difficulty, GameSpec

from .constants import BOARD_SIZE, time_limit


@hookimpl
def arcade_games() -> list[GameSpec]:
    return [
        GameSpec(
            name="MineSweeper",
            rules="arcade_games.minesweeper:minesweeper.md",
            entry="arcade_games.minesweeper.game:MineSweeper",
            difficulties={
                level: Difficulty(max_steps=time_limit(n), kwargs={"board_size": n})
                for level, n in BOARD_SIZE.items()
            },
            return_range=(-1.0, 1.0),
            description="Reveal every safe cell of a minefield with a cursor; the POMDP shows "
            "only the cursor cell's number.",
            realtime=False,
            plain_renderer="arcade_games.minesweeper.plain:draw",
        )
    ]

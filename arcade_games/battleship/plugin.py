"""Entry point of the BattleShip plugin: metadata only, no JAX, nothing built."""

from arcade_core.hookspecs import hookimpl
from arcade_core.specs import Difficulty, GameSpec

from .constants import BOARD_SIZE, time_limit


@hookimpl
def arcade_games() -> list[GameSpec]:
    return [
        GameSpec(
            name="BattleShip",
            rules="arcade_games.battleship:battleship.md",
            entry="arcade_games.battleship.game:BattleShip",
            difficulties={
                level: Difficulty(max_steps=time_limit(n), kwargs={"board_size": n})
                for level, n in BOARD_SIZE.items()
            },
            return_range=(-1.0, 1.0),
            description="Move a cursor and fire to sink four hidden ships; the POMDP shows only "
            "the cursor cell's mark.",
            realtime=False,
            plain_renderer="arcade_games.battleship.plain:draw",
        )
    ]

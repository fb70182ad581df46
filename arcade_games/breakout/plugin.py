"""Entry point of the Breakout plugin: metadata only, no JAX, nothing built."""

from arcade_core.hookspecs import hookimpl
from arcade_core.specs import Difficulty, GameSpec

from .constants import PADDLE_WIDTH, TIME_LIMIT


@hookimpl
def arcade_games() -> list[GameSpec]:
    return [
        GameSpec(
            name="Breakout",
            rules="arcade_games.breakout:breakout.md",
            entry="arcade_games.breakout.game:Breakout",
            difficulties={
                level: Difficulty(max_steps=TIME_LIMIT, kwargs={"paddle_width": w})
                for level, w in PADDLE_WIDTH.items()
            },
            return_range=(-1.0, 1.0),
            description="MinAtar-style Breakout; the POMDP hides the trail and the falling ball.",
            realtime=True,
            plain_renderer="arcade_games.breakout.plain:draw",
        )
    ]

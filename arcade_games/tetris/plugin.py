"""Entry point of the Tetris plugin: metadata only, no JAX, nothing built."""

from arcade_core.hookspecs import hookimpl
from arcade_core.specs import Difficulty, GameSpec

from .constants import AUTO_FALL, PREVIEW, SOFT_DROP, TIME_LIMIT


@hookimpl
def arcade_games() -> list[GameSpec]:
    return [
        GameSpec(
            name="Tetris",
            rules="arcade_games.tetris:tetris.md",
            entry="arcade_games.tetris.game:Tetris",
            difficulties={
                level: Difficulty(
                    max_steps=TIME_LIMIT,
                    kwargs={
                        "preview": PREVIEW[level],
                        "auto_fall": AUTO_FALL[level],
                        "soft_drop": SOFT_DROP[level],
                    },
                )
                for level in PREVIEW
            },
            return_range=(-1.0, 1.0),
            description="Clear 10 lines; the POMDP hides the locked cells.",
            realtime=True,
            plain_renderer="arcade_games.tetris.plain:draw",
        )
    ]

"""Entry point of the CountRecall plugin: metadata only, no JAX, nothing built."""

from arcade_core.hookspecs import hookimpl
from arcade_core.specs import Difficulty, GameSpec

from .constants import DECKS, SUIT_TYPES, time_limit


@hookimpl
def arcade_games() -> list[GameSpec]:
    return [
        GameSpec(
            name="CountRecall",
            rules="arcade_games.countrecall:countrecall.md",
            entry="arcade_games.countrecall.game:CountRecall",
            difficulties={
                level: Difficulty(
                    max_steps=time_limit(d), kwargs={"decks": d, "suit_types": SUIT_TYPES[level]}
                )
                for level, d in DECKS.items()
            },
            return_range=(0.0, 1.0),
            description="Count the dealt cards of the asked suit; the POMDP hides the history.",
            realtime=False,
            plain_renderer="arcade_games.countrecall.plain:draw",
        )
    ]

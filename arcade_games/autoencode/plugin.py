"""Entry point of the AutoEncode plugin: metadata only, no JAX, nothing built."""

from arcade_core.hookspecs import hookimpl
from arcade_core.specs import Difficulty, GameSpec

from .constants import DECKS, time_limit


@hookimpl
def arcade_games() -> list[GameSpec]:
    return [
        GameSpec(
            name="AutoEncode",
            rules="arcade_games.autoencode:autoencode.md",
            entry="arcade_games.autoencode.game:AutoEncode",
            difficulties={
                level: Difficulty(max_steps=time_limit(d), kwargs={"decks": d})
                for level, d in DECKS.items()
            },
            return_range=(0.0, 1.0),
            description="Watch a sequence of cards, then recall it in reverse; the POMDP hides "
            "the sequence.",
            realtime=False,
            plain_renderer="arcade_games.autoencode.plain:draw",
        )
    ]

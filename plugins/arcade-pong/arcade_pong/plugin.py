"""Entry point of the Pong plugin: metadata only — no JAX imported, nothing built."""

from arcade_core.hookspecs import hookimpl
from arcade_core.specs import Difficulty, GameSpec

from .constants import DIFFICULTY, MAX_STEPS


@hookimpl
def arcade_games() -> list[GameSpec]:
    return [
        GameSpec(
            name="Pong",
            entry="arcade_pong.game:Pong",
            difficulties={
                level: Difficulty(
                    max_steps=MAX_STEPS[level], kwargs={**knobs, "max_steps": MAX_STEPS[level]}
                )
                for level, knobs in DIFFICULTY.items()
            },
            return_range=(-1.0, 1.0),
            rules="arcade_pong:pong.md",  # the rules page `arcade info` prints (package data)
            description="One-player Pong against a simple AI; the POMDP ball flickers.",
        )
    ]

"""Entry point of the CartPole plugin: metadata only, no JAX, nothing built."""

from arcade_core.hookspecs import hookimpl
from arcade_core.specs import Difficulty, GameSpec

from .constants import NOISE_SIGMA, TIME_LIMIT


@hookimpl
def arcade_games() -> list[GameSpec]:
    return [
        GameSpec(
            name="CartPole",
            rules="arcade_games.cartpole:cartpole.md",
            entry="arcade_games.cartpole.game:CartPole",
            difficulties={
                level: Difficulty(max_steps=t, kwargs={"time_limit": t})
                for level, t in TIME_LIMIT.items()
            },
            return_range=(0.0, 1.0),
            description="Balance a pole on a cart; the POMDP shows only the velocity arrows.",
            plain_renderer="arcade_games.cartpole.plain:draw",
        ),
        GameSpec(
            name="NoisyCartPole",
            rules="arcade_games.cartpole:noisycartpole.md",
            entry="arcade_games.cartpole.game:NoisyCartPole",
            difficulties={
                level: Difficulty(max_steps=200, kwargs={"time_limit": 200, "noise_sigma": sigma})
                for level, sigma in NOISE_SIGMA.items()
            },
            return_range=(0.0, 1.0),
            description="CartPole with Gaussian noise on everything drawn (MDP and POMDP).",
            plain_renderer="arcade_games.cartpole.plain:draw",
        ),
    ]

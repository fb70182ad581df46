"""A tiny game for the core's tests: a dot walks a 4 x 4 board to the bottom-right corner.

Small enough to compile in a second, complete enough to pass the conformance suite; `Broken`
breaks two rules on purpose (returns above 1, a POMDP that hides nothing) so tests can show
the suite catches them, and `Sloppy` breaks what the soak counts. `plain_draw` is Dot's plain
renderer (`make(..., renderer="plain")`); `leaky_plain_draw` one that shows the POMDP too much.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from arcade_core.env import Environment
from arcade_core.hookspecs import hookimpl
from arcade_core.render import Board, FrameLayout, plain
from arcade_core.specs import Difficulty, GameSpec
from arcade_core.struct import dataclass

MOVES = jnp.asarray([[0, -1], [0, 1], [-1, 0], [1, 0], [0, 0]])


@dataclass
class DotState:
    pos: jax.Array
    time: jax.Array


@dataclass
class DotParams:
    max_steps_in_episode: int = 20


class Dot(Environment[DotState, DotParams]):
    """Walk to (3, 3): reward 1 on arrival. The POMDP hides the dot after the first frame."""

    name = "Dot"
    reward = 1.0

    def __init__(self, *, max_steps: int = 20, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.max_steps = max_steps
        side = 2 + 4 * 12
        self.layout = FrameLayout(
            self.obs_size, name="DOT", background=(0, 0, 0), name_colour=(255, 255, 255),
            score_colour=(255, 255, 0), area_side=side,
        )  # fmt: skip
        o = self.layout.offset
        tiles = np.asarray([[40, 40, 40], [255, 0, 0]])
        self.board = Board(4, 4, 10, 2, tiles, (90, 90, 90), o, o, width=self.obs_size)

    @property
    def default_params(self) -> DotParams:
        return DotParams(self.max_steps)

    def init(self, key: jax.Array, params: DotParams) -> DotState:
        return DotState(jax.random.randint(key, (2,), 0, 3), jnp.int32(0))

    def transition(self, key: jax.Array, state: DotState, action: jax.Array, params: DotParams):
        pos = jnp.clip(state.pos + MOVES[action], 0, 3)
        arrived = jnp.all(pos == 3)
        return state.replace(pos=pos), jnp.where(arrived, self.reward, 0.0), arrived

    def hidden(self, state: DotState, view) -> jax.Array:
        return ~jnp.asarray(view.shows(state))

    def draw(self, state: DotState, params: DotParams, view) -> jax.Array:
        kinds = jnp.zeros((4, 4), jnp.int32).at[state.pos[1], state.pos[0]].set(1)
        kinds = jnp.where(self.hidden(state, view), 0, kinds)
        return self.layout.render({self.board.window: self.board.pixels(kinds)}, score=state.time)


class Broken(Dot):
    """Pays 2 on arrival (outside [0, 1]) and shows everything in the POMDP."""

    reward = 2.0

    def hidden(self, state: DotState, view) -> jax.Array:
        return jnp.bool_(False)


class Sloppy(Dot):
    """Breaks what `arcade soak` counts: an invalid action moves the dot (clipped to 0..4) and
    every step pays 0.5 (returns above 1), and the 7th step of an episode pays NaN."""

    def transition_checked(self, key: jax.Array, state: DotState, action: jax.Array, params):
        action = jnp.clip(jnp.asarray(action, jnp.int32), 0, 4)
        new, reward, terminated = self.transition(key, state, action, params)
        reward = jnp.where(state.time == 6, jnp.nan, reward + 0.5).astype(jnp.float32)
        return new.replace(time=state.time + 1), reward, jnp.asarray(terminated, jnp.bool_)


def plain_draw(env: Dot, state: DotState, params: DotParams, view, leak: bool = False) -> jax.Array:
    """Dot's frame, plainly: the board grey, each cell's interior dark or red where the dot is
    (unless hidden), the time as the score."""
    img = plain.frame(env.obs_size, name="DOT", background=(0, 0, 0), name_colour=(255, 255, 255),
                      area_side=50)  # fmt: skip
    o = plain.area_offset(env.obs_size, 50)
    xs, ys = plain.coords(img)
    img = plain.rect(img, (o, o, o + 50, o + 50), (90, 90, 90))
    col, row = (xs - o - 2) // 12, (ys - o - 2) // 12
    interior = (xs >= o + 2) & (ys >= o + 2) & ((xs - o - 2) % 12 < 10) & ((ys - o - 2) % 12 < 10)
    cells = interior & (col < 4) & (row < 4)
    img = plain.paint(img, cells, (40, 40, 40))
    shown = True if leak else ~env.hidden(state, view)
    dot = cells & (col == state.pos[0]) & (row == state.pos[1]) & shown
    img = plain.paint(img, dot, (255, 0, 0))
    return plain.score(img, state.time, (255, 255, 0), max_digits=4)


def leaky_plain_draw(env: Dot, state: DotState, params: DotParams, view) -> jax.Array:
    """A wrong plain renderer: it shows the dot in every POMDP frame."""
    return plain_draw(env, state, params, view, leak=True)


def game_spec(name: str = "Dot", entry: str = "fakegame:Dot", plain_renderer: str = "") -> GameSpec:
    return GameSpec(
        name=name,
        entry=entry,
        difficulties={"Easy": Difficulty(max_steps=20, kwargs={"max_steps": 20})},
        return_range=(0.0, 1.0),
        realtime=False,
        plain_renderer=plain_renderer,
    )


class Plugin:
    """A plugin object registering the Dot game (and optionally Broken)."""

    def __init__(self, *specs: GameSpec) -> None:
        self.specs = list(specs) or [game_spec()]

    @hookimpl
    def arcade_games(self) -> list[GameSpec]:
        return self.specs

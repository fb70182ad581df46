"""AutoEncode rules (docs/games/autoencode.md) with the suite's fixes: five actions, and the episode
ends on the step that gives the N-th answer (no extra paid step)."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from arcade_core.env import Environment
from arcade_core.observability import View
from arcade_core.struct import dataclass
from arcade_games.cards.rules import NextDecks, share_reward, shuffled_decks

from . import constants as C
from .draw import AutoEncodeRenderer


@dataclass
class AutoEncodeState:
    cards: jax.Array  # int32[N]: the sequence shown, one card per step for t = 0..N-1
    count: jax.Array  # answers given so far
    sel: jax.Array  # selected suit, 0..3
    score: jax.Array  # correct answers so far
    time: jax.Array  # steps taken (the spec's t)
    next_decks: jax.Array  # int32[1, N]: the next episode's sequence (`NextDecks`)


@dataclass
class AutoEncodeParams:
    max_steps_in_episode: int = 260


class AutoEncode(NextDecks, Environment[AutoEncodeState, AutoEncodeParams]):
    """Watch N cards, then reproduce them in reverse order.

    Watch stage: frame t = 0..N-1 shows `cards[t]` at the top-left. Left (2) / right (3) move
    the selected suit (shown top-right) by +1 / -1 mod 4 at any time; up and down do nothing.
    The step taken from t = N fires the first answer by itself [KEEP], after that step's
    selection change; from then on fire (4) answers. Answer c (0-based) pays 1/N iff the
    selection is `cards[N-1-c]`.

    Suite choices: `Discrete(5)` actions [FIX]; the episode terminates on the step that gives
    the N-th answer and is truncated at t = 10 N [FIX], so returns lie in [0, 1]. The
    answer count is not drawn [KEEP]. The MDP shows every card with index < t on the game area
    (9 per row); the POMDP leaves it empty.
    """

    name = "AutoEncode"

    def __init__(
        self,
        *,
        decks: int = 1,
        partial_obs: bool = False,
        obs_size: int = 128,
        final_observation: bool = False,
    ) -> None:
        super().__init__(
            partial_obs=partial_obs, obs_size=obs_size, final_observation=final_observation
        )
        self.num_cards = C.num_cards(decks)
        self.time_limit = C.time_limit(decks)
        self.renderer = AutoEncodeRenderer(self.obs_size, self.num_cards)

    @property
    def default_params(self) -> AutoEncodeParams:
        return AutoEncodeParams(max_steps_in_episode=self.time_limit)

    def init(self, key: jax.Array, params: AutoEncodeParams) -> AutoEncodeState:
        return self._episode(shuffled_decks(key, 1, self.num_cards, C.SUIT_TYPES))

    def _episode(self, decks: jax.Array) -> AutoEncodeState:
        """A fresh episode showing `decks[0]`; the next episode's cards start unshuffled
        (`NextDecks`: an episode lasts at least 2N steps, N shown and N answers)."""
        zero = jnp.int32(0)
        deck = jnp.arange(self.num_cards, dtype=jnp.int32) % C.SUIT_TYPES
        return AutoEncodeState(
            cards=decks[0], count=zero, sel=zero, score=zero, time=zero, next_decks=deck[None]
        )

    def transition(
        self,
        key: jax.Array,
        state: AutoEncodeState,
        action: jax.Array,
        params: AutoEncodeParams,
    ) -> tuple[AutoEncodeState, jax.Array, jax.Array]:
        N, t = self.num_cards, state.time
        sel = (state.sel + (action == 2) - (action == 3)) % C.SUIT_TYPES
        answer = (t >= N) & ((action == 4) | (t == N)) & (state.count < N)
        due = state.cards[jnp.clip(N - 1 - state.count, 0, N - 1)]
        correct = answer & (sel == due)
        new = state.replace(
            count=state.count + answer,
            sel=sel.astype(jnp.int32),
            score=state.score + correct,
        )
        reward = share_reward(state.score, correct, N)
        return new, reward, new.count >= N

    def draw(self, state: AutoEncodeState, params: AutoEncodeParams, view: View) -> jax.Array:
        return self.renderer(state, view.partial)

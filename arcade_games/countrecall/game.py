"""CountRecall rules (docs/games/countrecall.md), with the suite's fix: the counter stops at 0."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from arcade_core.env import Environment
from arcade_core.observability import View
from arcade_core.struct import dataclass
from arcade_games.cards.rules import NextDecks, share_reward, shuffled_decks

from . import constants as C
from .draw import CountRecallRenderer


@dataclass
class CountRecallState:
    value_cards: jax.Array  # int32[N]: suit of the card dealt at each index
    query_cards: jax.Array  # int32[N]: suit asked about at each index
    i: jax.Array  # index of the current card, 0..N (N: all answered)
    counts: jax.Array  # int32[types]: how many of each suit were dealt before card i
    counter: jax.Array  # the agent's answer dial (>= 0 unless clamp_counter=False)
    score: jax.Array  # rewarded answers so far
    time: jax.Array  # steps taken (the reference's `moves`)
    next_decks: jax.Array  # int32[2, N]: the next episode's value and query decks (`NextDecks`)


@dataclass
class CountRecallParams:
    max_steps_in_episode: int = 126


class CountRecall(NextDecks, Environment[CountRecallState, CountRecallParams]):
    """Count the cards of the query suit dealt so far.

    Each step a card (`value_cards[i]`, top-left) is dealt and a query suit (`query_cards[i]`,
    top-right) is asked. Up (0) and down (1) move the counter; fire (4) answers: 1/N if the
    counter equals the number of *earlier* cards (`value_cards[:i]`) of the query suit — the
    card dealt this step is not counted, so the first answer is always 0 [KEEP] — then the
    card joins the history and the next one is dealt. The counter is not reset between
    answers. Left and right do nothing. Terminated after N answers, truncated after N + 100
    steps; returns lie in [0, 1].

    Suite choices: the counter is clamped at 0 ([FIX]; down at 0 is a no-op), so it is always
    drawn as its true value; `clamp_counter=False` restores the reference's unbounded counter
    (a negative value is drawn as the one digit `counter mod 10`), for parity studies. The
    clamp changes what a random policy earns (0.111 / 0.058 / 0.061 instead of the spec's
    0.070 / 0.036 / 0.036 for Easy / Medium / Hard), not the optimum. The MDP shows the dealt
    cards in order (9 per row) on the game area; the POMDP leaves the game area empty.
    Turn-based: nothing happens between key presses.
    """

    name = "CountRecall"

    def __init__(
        self,
        *,
        decks: int = 1,
        suit_types: int = 2,
        clamp_counter: bool = True,
        partial_obs: bool = False,
        obs_size: int = 128,
        final_observation: bool = False,
    ) -> None:
        super().__init__(
            partial_obs=partial_obs, obs_size=obs_size, final_observation=final_observation
        )
        self.num_cards = C.num_cards(decks)
        self.suit_types = int(suit_types)
        self.clamp_counter = bool(clamp_counter)
        self.time_limit = C.time_limit(decks)
        self.renderer = CountRecallRenderer(self.obs_size, self.num_cards)

    @property
    def default_params(self) -> CountRecallParams:
        return CountRecallParams(max_steps_in_episode=self.time_limit)

    def init(self, key: jax.Array, params: CountRecallParams) -> CountRecallState:
        return self._episode(shuffled_decks(key, 2, self.num_cards, self.suit_types))

    def _episode(self, decks: jax.Array) -> CountRecallState:
        """A fresh episode dealing the value and query `decks` (int[2, N]); the next
        episode's decks start unshuffled (`NextDecks`: an episode lasts at least N steps)."""
        zero = jnp.int32(0)
        deck = jnp.arange(self.num_cards, dtype=jnp.int32) % self.suit_types
        return CountRecallState(
            value_cards=decks[0],
            query_cards=decks[1],
            i=zero,
            counts=jnp.zeros(self.suit_types, jnp.int32),
            counter=zero,
            score=zero,
            time=zero,
            next_decks=jnp.stack([deck, deck]),
        )

    def transition(
        self,
        key: jax.Array,
        state: CountRecallState,
        action: jax.Array,
        params: CountRecallParams,
    ) -> tuple[CountRecallState, jax.Array, jax.Array]:
        N = self.num_cards
        counter = state.counter + (action == 0) - (action == 1)
        if self.clamp_counter:  # [FIX] no negative counter
            counter = jnp.maximum(counter, 0)
        counter = counter.astype(jnp.int32)
        fire = (action == 4) & (state.i < N)
        i = jnp.minimum(state.i, N - 1)
        target = state.counts[state.query_cards[i]]  # earlier cards of the query suit
        correct = fire & (counter == target)
        dealt = jnp.arange(self.suit_types) == state.value_cards[i]
        new = state.replace(
            i=state.i + fire,
            counts=state.counts + (fire & dealt),
            counter=counter,
            score=state.score + correct,
        )
        reward = share_reward(state.score, correct, N)
        return new, reward, new.i >= N

    def draw(self, state: CountRecallState, params: CountRecallParams, view: View) -> jax.Array:
        return self.renderer(state, view.partial)

"""CountRecall frames (GAMES.md §3.3 Rendering): the dealt card and the query card at the top
corners, the score and the counter, and in the MDP the history of dealt cards."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from arcade_core.render import FrameLayout, number_window
from arcade_core.render.frame import DIGIT_W
from arcade_games.cards.draw import HistoryGrid, SuitStamp
from arcade_games.cards.suits import CLUB, SPADE

from . import constants as C


def card_boxes(tall: tuple[int, int, int, int], short: tuple[int, int, int, int], dx: int = 0):
    """Per suit, the box it is drawn in: spade and club in the shorter box, shifted by dx."""
    boxes = [short if s in (SPADE, CLUB) else tall for s in range(4)]
    return [(x0 + dx, y0, x1 + dx, y1) for x0, y0, x1, y1 in boxes]


class CountRecallRenderer:
    """Draws a CountRecall state at one observation size."""

    def __init__(self, obs_size: int, num_cards: int) -> None:
        L = C.LAYOUT[obs_size]
        self.num_cards = num_cards
        self.layout = layout = FrameLayout(
            obs_size,
            name="COUNTRECALL",
            background=C.BACKGROUND,
            name_colour=C.NAME,
            score_colour=C.SCORE,
            area_side=L["area"],
            area_colour=C.AREA,
            low_name=True,
            max_score_digits=len(str(num_cards)),
        )
        large = obs_size == 256
        self.card = SuitStamp(layout, card_boxes(L["card_tall"], L["card_short"]), large)
        self.query = SuitStamp(
            layout, card_boxes(L["card_tall"], L["card_short"], L["query_dx"]), large
        )
        # the counter never exceeds the time limit (it moves by at most one per step)
        self.counter_digits = len(str(C.SPARE_STEPS + num_cards))
        self.counter_box = L["counter_box"]
        self.counter = number_window(self.counter_box, DIGIT_W[obs_size], self.counter_digits)
        self.history = HistoryGrid(layout, num_cards, L["pitch"], L["slot_w"], L["slot_h"])

    def __call__(self, state: Any, partial: bool) -> jax.Array:
        """The frame of `state`; `partial` (static) leaves the game area empty."""
        N, layout = self.num_cards, self.layout
        live = state.i < N
        i = jnp.minimum(state.i, N - 1)
        windows = {
            self.card.window: self.card.pixels(state.value_cards[i], live),
            self.query.window: self.query.pixels(state.query_cards[i], live),
            self.counter: layout.number(
                layout.pixels(self.counter),
                state.counter,
                self.counter_box,
                C.COUNTER,
                max_digits=self.counter_digits,
            ),
        }
        if not partial:  # the POMDP's game area stays empty
            dealt = jnp.arange(N) < state.i
            windows[self.history.window] = self.history.pixels(state.value_cards, dealt)
        return layout.render(windows, score=state.score)

"""CountRecall frames (docs/games/countrecall.md §Drawing): the dealt card and the query card at the
top corners, the score and the counter, and in the MDP the history of dealt cards.

Everything is drawn as layers over full-width row bands (`arcade_core.render.layered_windows`): the
two cards in one pass, the numbers and the history each over their own rows."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from arcade_core.render import FrameLayout, Layer, layered_windows, number_layer, score_layer
from arcade_games.cards.draw import HistoryGrid, SuitStamp, stamps
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
        self.history = HistoryGrid(layout, num_cards, L["pitch"], L["slot_w"], L["slot_h"])

    def __call__(self, state: Any, partial: bool) -> jax.Array:
        """The frame of `state`; `partial` (static) leaves the game area empty."""
        N, layout = self.num_cards, self.layout
        live = state.i < N
        i = jnp.minimum(state.i, N - 1)
        cards = [(self.card, state.value_cards[i], live), (self.query, state.query_cards[i], live)]
        top = min(self.card.window.y0, self.query.window.y0)
        bottom = max(self.card.window.y1, self.query.window.y1)
        layers = [
            Layer(top, bottom, lambda px, a, b: stamps(px, a, b, cards)),
            score_layer(layout, state.score),
            number_layer(layout, state.counter, self.counter_box, C.COUNTER, self.counter_digits),
        ]
        if not partial:  # the POMDP's game area stays empty
            dealt = jnp.arange(N) < state.i
            h = self.history
            layers.append(
                Layer(
                    h.window.y0,
                    h.window.y1,
                    lambda px, a, b: h.draw(px, a, b, state.value_cards, dealt),
                )
            )
        return layout.render(layered_windows(layout, layers))

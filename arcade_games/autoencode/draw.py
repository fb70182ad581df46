"""AutoEncode frames (docs/games/autoencode.md §Drawing): the card being shown (watch stage) at the
top-left, the selected suit at the top-right, the score, and in the MDP the cards shown so far.

Everything is drawn as layers over full-width row bands (`arcade_core.render.layered_windows`): the
two suits in one pass, the score and the history each over their own rows."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from arcade_core.render import FrameLayout, Layer, layered_windows, score_layer
from arcade_games.cards.draw import HistoryGrid, SuitStamp, stamps
from arcade_games.cards.suits import CLUB, SPADE

from . import constants as C


class AutoEncodeRenderer:
    """Draws an AutoEncode state at one observation size."""

    def __init__(self, obs_size: int, num_cards: int) -> None:
        L = C.LAYOUT[obs_size]
        self.num_cards = num_cards
        self.layout = layout = FrameLayout(
            obs_size,
            name="AUTOENCODE",
            background=C.BACKGROUND,
            name_colour=C.NAME,
            score_colour=C.SCORE,
            area_side=L["area"],
            area_colour=C.BACKGROUND,
            low_name=True,
            max_score_digits=len(str(num_cards)),
        )
        large = obs_size == 256
        card = [L["card_short"] if s in (SPADE, CLUB) else L["card_tall"] for s in range(4)]
        self.card = SuitStamp(layout, card, large)
        self.select = SuitStamp(layout, [L["select_box"]] * 4, large)
        self.history = HistoryGrid(layout, num_cards, L["pitch"], L["slot_w"], L["slot_h"])

    def __call__(self, state: Any, partial: bool) -> jax.Array:
        """The frame of `state`; `partial` (static) leaves the game area empty."""
        N, t, layout = self.num_cards, state.time, self.layout
        suits = [
            (self.card, state.cards[jnp.minimum(t, N - 1)], t < N),
            (self.select, state.sel, True),
        ]
        top = min(self.card.window.y0, self.select.window.y0)
        bottom = max(self.card.window.y1, self.select.window.y1)
        layers = [
            Layer(top, bottom, lambda px, a, b: stamps(px, a, b, suits)),
            score_layer(layout, state.score),
        ]
        if not partial:
            shown = jnp.arange(N) < t
            h = self.history
            layers.append(
                Layer(
                    h.window.y0,
                    h.window.y1,
                    lambda px, a, b: h.draw(px, a, b, state.cards, shown),
                )
            )
        return layout.render(layered_windows(layout, layers))

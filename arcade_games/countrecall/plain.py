"""CountRecall's plain renderer: the frame of docs/games/countrecall.md (Drawing) as code, one
function per thing drawn. `make("CountRecallEasy", renderer="plain")` plays with it; it gives
the very frames of the tuned renderer in `draw.py` (the conformance kit checks them
pixel-equal)."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from arcade_core.observability import View
from arcade_core.render import plain
from arcade_core.render.frame import DIGIT_W
from arcade_games.cards import plain as cards
from arcade_games.cards.suits import CLUB, SPADE

from . import constants as C


def draw(env: Any, state: Any, params: Any, view: View) -> jax.Array:
    """The frame of `state`: the card dealt now (top left) and the suit asked about (top
    right), the score and the counter, and in the MDP the cards dealt so far on the game
    area (the POMDP's game area stays empty)."""
    S, L, N = env.obs_size, C.LAYOUT[env.obs_size], env.num_cards
    img = plain.frame(S, name="COUNTRECALL", background=C.BACKGROUND, name_colour=C.NAME,
                      area_side=L["area"], area_colour=C.AREA, low_name=True)  # fmt: skip
    img = dealt_and_query(img, L, state, N, large=S == 256)
    img = plain.score(img, state.score, C.SCORE, max_digits=len(str(N)))
    img = counter(img, L, state.counter, N)
    if not view.partial:
        o = plain.area_offset(S, L["area"])
        area = (o, o, o + L["area"], o + L["area"])
        img = cards.history(img, state.value_cards, state.i, area, L["pitch"],
                            (L["slot_w"], L["slot_h"]), large=S == 256)  # fmt: skip
    return img


def card_boxes(L: dict, dx: int = 0) -> list[tuple[int, int, int, int]]:
    """Per suit, the box a card shows it in at the top left (shifted `dx` right): spade and
    club in a shorter box than heart and diamond."""
    boxes = [L["card_short"] if s in (SPADE, CLUB) else L["card_tall"] for s in range(4)]
    return [(x0 + dx, y0, x1 + dx, y1) for x0, y0, x1, y1 in boxes]


def dealt_and_query(img: Any, L: dict, state: Any, N: int, large: bool) -> jax.Array:
    """The card dealt at index i (top left) and the suit asked about (top right); both gone
    once all N cards are answered."""
    live = state.i < N
    i = jnp.minimum(state.i, N - 1)
    img = cards.suit(img, state.value_cards[i], card_boxes(L), live, large)
    return cards.suit(img, state.query_cards[i], card_boxes(L, L["query_dx"]), live, large)


def counter(img: jax.Array, L: dict, value: jax.Array, N: int) -> jax.Array:
    """The agent's counter, in its box at the top, up to as many digits as the time limit
    has (the counter moves by at most one per step)."""
    digits = len(str(C.time_limit(N // C.DECK)))
    return plain.number(img, value, L["counter_box"], C.COUNTER, digit_w=DIGIT_W[img.shape[0]],
                        max_digits=digits)  # fmt: skip

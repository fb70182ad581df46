"""AutoEncode's plain renderer: the frame of docs/games/autoencode.md (Rendering) as code,
one function per thing drawn. `make("AutoEncodeEasy", renderer="plain")` plays with it; it
gives the very frames of the tuned renderer in `draw.py` (the conformance kit checks them
pixel-equal)."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from arcade_core.observability import View
from arcade_core.render import plain
from arcade_games.cards import plain as cards
from arcade_games.cards.suits import CLUB, SPADE

from . import constants as C


def draw(env: Any, state: Any, params: Any, view: View) -> jax.Array:
    """The frame of `state`: the card shown at this step of the watch stage (top left), the
    selected suit (top right), the score, and in the MDP the cards shown so far on the game
    area (the POMDP's game area stays empty)."""
    S, L, N = env.obs_size, C.LAYOUT[env.obs_size], env.num_cards
    large = S == 256
    img = plain.frame(S, name="AUTOENCODE", background=C.BACKGROUND, name_colour=C.NAME,
                      area_side=L["area"], area_colour=C.BACKGROUND, low_name=True)  # fmt: skip
    img = shown_card(img, L, state, N, large)
    img = cards.suit(img, state.sel, [L["select_box"]] * 4, True, large)  # the selection
    img = plain.score(img, state.score, C.SCORE, max_digits=len(str(N)))
    if not view.partial:
        o = plain.area_offset(S, L["area"])
        area = (o, o, o + L["area"], o + L["area"])
        img = cards.history(img, state.cards, state.time, area, L["pitch"],
                            (L["slot_w"], L["slot_h"]), large)  # fmt: skip
    return img


def shown_card(img: Any, L: dict, state: Any, N: int, large: bool) -> jax.Array:
    """Card t of the sequence at the top left while t < N (the watch stage); spade and club
    in a shorter box than heart and diamond."""
    boxes = [L["card_short"] if s in (SPADE, CLUB) else L["card_tall"] for s in range(4)]
    t = state.time
    return cards.suit(img, state.cards[jnp.minimum(t, N - 1)], boxes, t < N, large)

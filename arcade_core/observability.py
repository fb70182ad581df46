"""MDP and POMDP views of one state.

Partial observability is rendering only: a game's `draw(state, params, view)` draws the full frame
and asks its `View` what the partial view hides. Both variants of a game share one state type and
one dynamics, so a state produced by one steps in the other (docs/games/conventions.md §The POMDP).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jax.numpy as jnp


@dataclass(frozen=True)
class View:
    """Which variant a frame is drawn for. Static: branch on `partial` in Python."""

    partial: bool

    @property
    def name(self) -> str:
        return "POMDP" if self.partial else "MDP"

    def shows(self, state: Any, *, reveal_first: bool = True) -> Any:
        """Whether a component the POMDP hides is visible in this frame.

        MDP: always (Python `True`, so callers may skip work at trace time). POMDP: only on the
        first frame of an episode (`state.time == 0`) for the "t = 0 reveal" games, never
        otherwise.
        """
        if not self.partial:
            return True
        if reveal_first:
            return jnp.asarray(state.time) == 0
        return False


MDP = View(partial=False)
POMDP = View(partial=True)


def view_for(partial_obs: bool) -> View:
    """The view of the MDP (`False`) or the POMDP (`True`) variant."""
    return POMDP if partial_obs else MDP

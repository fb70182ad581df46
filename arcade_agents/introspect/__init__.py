"""Memory introspection: what a trained agent remembers, and what memory is worth.

* `saliency(apply, params, obs, actions, t)`: the gradient of the chosen action's value at
  step `t` with respect to every frame 0..t (Q-value for PQN/DQN, policy logit for PPO);
  `density` / `thirds`: the recall density, where in time that gradient mass falls.
* `contamination(...)` with `perturb(...)`: how long perturbed past frames move later values.
* `observability_gap(rows)` / `memory_bias(rows)`: MDP − POMDP return, and memory − MLP
  return on the MDP, with 95% intervals over seeds, from a table of returns; `aggregate(stats)`
  over all envs (each seed averaged over the envs, the interval over seeds).

The core functions take a generic `apply(params, obs, prev_actions, starts) -> values [T, A]`
(`network_apply(net)` builds one from any network of the zoo); `run_saliency`,
`run_recall_density` and `run_contamination` work from a run directory. `arcade introspect`
is the command line. Names load lazily, so importing this package imports no JAX.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "core": (
        "ApplyFn", "PERTURBATIONS", "Saliency", "Contamination", "saliency", "gradient_mass",
        "density", "binned", "thirds", "perturb", "contamination", "persistence",
        "prev_actions_of",
    ),
    "agent": (
        "Episodes", "network_apply", "greedy_episodes", "run_saliency", "run_recall_density",
        "run_contamination",
    ),
    "tables": (
        "Stat", "observability_gap", "memory_bias", "gap_and_bias", "returns_by_view",
        "aggregate", "read_table", "returns_from_runs",
    ),
}  # fmt: skip
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

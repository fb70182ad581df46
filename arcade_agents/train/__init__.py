"""Training algorithms (PQN, PPO, DQN), each with or without memory, behind one interface
(`api.py`): `make_train(config) -> Trainer` with pure `init` / `update` / `act`, and
`train(config, key)` for the whole run as one jittable function. Algorithms are found through
the `arcade_algorithms` hook, so a plugin can add one.

Importing this package imports no JAX; the algorithm modules load when a trainer is built.
"""

from .api import (
    Algorithm,
    DQNConfig,
    PPOConfig,
    PQNConfig,
    TrainConfig,
    Trainer,
    UnknownAlgorithmError,
    algorithm_registry,
    coerce_config,
    config_for,
    get_algorithm,
    list_algorithms,
    make_train,
    train,
)

__all__ = [
    "Algorithm",
    "DQNConfig",
    "PPOConfig",
    "PQNConfig",
    "TrainConfig",
    "Trainer",
    "UnknownAlgorithmError",
    "algorithm_registry",
    "coerce_config",
    "config_for",
    "get_algorithm",
    "list_algorithms",
    "make_train",
    "train",
]

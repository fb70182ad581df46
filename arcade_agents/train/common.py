"""The pieces every algorithm shares, under their old address: they live by purpose in
`rollout.py` (acting), `targets.py` (λ-returns, GAE), `optim.py` (optimizer, minibatches,
SGD epochs), `trainer.py` (train state, `BaseTrainer`, `ValueTrainer`) and, for the networks,
`arcade_agents.networks`. Import from those; this module keeps older imports working."""

from ..networks import (
    FeedForward,
    FeedForwardActorCritic,
    FeedForwardQNetwork,
    actor_critic,
    has_memory,
    init_network,
    q_network,
)
from .api import Metrics, Params
from .optim import make_optimizer, sgd_epochs, shuffle_envs, unroll_sgd
from .rollout import (
    AgentCarry,
    Policy,
    Runner,
    Transition,
    episode_metrics,
    epsilon_greedy,
    linear_epsilon,
    make_env,
    reset_runner,
    rollout,
)
from .targets import discounts, gae, lambda_returns, next_values
from .trainer import BaseTrainer, TrainState, ValueTrainer, count_params, raw_key

__all__ = [
    "AgentCarry",
    "BaseTrainer",
    "FeedForward",
    "FeedForwardActorCritic",
    "FeedForwardQNetwork",
    "Metrics",
    "Params",
    "Policy",
    "Runner",
    "TrainState",
    "Transition",
    "ValueTrainer",
    "actor_critic",
    "count_params",
    "discounts",
    "episode_metrics",
    "epsilon_greedy",
    "gae",
    "has_memory",
    "init_network",
    "lambda_returns",
    "linear_epsilon",
    "make_env",
    "make_optimizer",
    "next_values",
    "q_network",
    "raw_key",
    "reset_runner",
    "rollout",
    "sgd_epochs",
    "shuffle_envs",
    "unroll_sgd",
]

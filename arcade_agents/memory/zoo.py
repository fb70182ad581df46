"""The built-in memory models, by name: what the agents plugin returns from the
`arcade_memory_models` hook (names are matched case-insensitively)."""

from __future__ import annotations

from .base import MemoryModel
from .delta import DeltaNet
from .linear import FFM, MinGRU, MinLSTM
from .memax_models import FART, GRU, LRU, S6
from .rnn import LSTM, MGU, Elman, IndRNN
from .simple import MLP, FrameStack

BUILTIN_MODELS: dict[str, type[MemoryModel]] = {
    "MLP": MLP,
    "FrameStack": FrameStack,
    "Elman": Elman,
    "LSTM": LSTM,
    "GRU": GRU,
    "MGU": MGU,
    "IndRNN": IndRNN,
    "MinGRU": MinGRU,
    "MinLSTM": MinLSTM,
    "FFM": FFM,
    "LRU": LRU,
    "S6": S6,
    "FART": FART,
    "DeltaNet": DeltaNet,
}

"""The built-in memory models, by name: what the agents plugin returns from the
`arcade_memory_models` hook (names are matched case-insensitively).

Our own Flax models first, then every memax 0.1.1 equinox model through the adapter. Where
we have a model of the same name (GRU, LRU, ...), ours keeps the name and memax's is
`memax:NAME`; the others (NMax, Attention-RoPE, ...) go by memax's name.
"""

from __future__ import annotations

from .base import MemoryModel
from .delta import DeltaNet
from .linear import FFM, MinGRU, MinLSTM
from .memax_adapter import MEMAX_MODELS, memax_model
from .memax_models import FART, GRU, LRU, S6
from .rnn import LSTM, MGU, Elman, IndRNN
from .simple import MLP, FrameStack

NATIVE_MODELS: dict[str, type[MemoryModel]] = {
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

MEMAX_PREFIX = "memax:"


def _memax_name(name: str) -> str:
    taken = {n.casefold() for n in NATIVE_MODELS}
    return MEMAX_PREFIX + name if name.casefold() in taken else name


# memax's models, adapted (nothing is traced or imported from equinox until one is used)
ADAPTED_MODELS: dict[str, type[MemoryModel]] = {
    _memax_name(name): memax_model(name) for name in MEMAX_MODELS
}

BUILTIN_MODELS: dict[str, type[MemoryModel]] = {**NATIVE_MODELS, **ADAPTED_MODELS}

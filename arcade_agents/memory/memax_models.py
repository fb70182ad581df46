"""The four `memax.linen` models (LRU, S6, FART, GRU) wrapped to the `MemoryModel` interface.

memax models take one unbatched sequence and return every recurrent state; the wrapper adds
an input projection to `features` (memax wants input width == state width), any number of
batch dims (through `nn.vmap`, parameters shared) and returns the final carry only. The carry
is memax's own: `(state, reset_flag)`.
"""

from __future__ import annotations

from typing import Any, ClassVar

import flax.linen as nn
import jax
from memax.linen.groups import BinaryAlgebra, Resettable
from memax.linen.scans import semigroup_scan, set_action_scan
from memax.linen.semigroups.fart import FART as _FART
from memax.linen.semigroups.fart import FARTSemigroup as _FARTSemigroup
from memax.linen.semigroups.lru import LRU as _LRU
from memax.linen.semigroups.lru import LRUSemigroup
from memax.linen.semigroups.s6 import S6 as _S6
from memax.linen.semigroups.s6 import S6Semigroup
from memax.linen.set_actions.gru import GRU as _GRU
from memax.linen.set_actions.gru import GRUSetAction

from .base import Carry, MemoryModel, ScanKind, broadcast_carry


class FARTSemigroupFixed(_FARTSemigroup):
    """memax 0.1.1's FART semigroup returns the newest key instead of the key sum, so its
    normaliser is `q·k_t` rather than linear attention's `q·Σk`; this sums both parts."""

    @nn.compact
    def __call__(self, carry: Any, input: Any) -> Any:
        return carry[0] + input[0], carry[1] + input[1]


class MemaxModel(MemoryModel):
    """Base of the memax wrappers: subclasses name the memax class and its algebra."""

    memax_class: ClassVar[type]
    algebra_class: ClassVar[type]
    source: ClassVar[str] = "arcade (memax.linen cell)"

    @nn.nowrap
    def recurrent_size(self) -> int:
        return self.features

    @nn.nowrap
    def memax_kwargs(self) -> dict[str, Any]:
        return {"hidden_size": self.features, "recurrent_size": self.recurrent_size()}

    @nn.nowrap
    def make_algebra(self) -> BinaryAlgebra:
        inner = self.algebra_class(recurrent_size=self.recurrent_size(), parent=None)
        return Resettable(inner, parent=None)

    def setup(self) -> None:
        parallel = self.scan_kind == "associative" and not self.sequential
        batched = nn.vmap(
            self.memax_class,
            in_axes=(0, (0, 0)),
            out_axes=0,
            variable_axes={"params": None},
            split_rngs={"params": False},
        )
        self.proj = nn.Dense(self.features)
        self.core = batched(
            algebra=self.make_algebra(),
            scan=semigroup_scan if parallel else set_action_scan,
            **self.memax_kwargs(),
        )

    @nn.nowrap
    def initialize_carry(self, input_shape: tuple[int, ...]) -> Carry:
        return broadcast_carry(self.make_algebra().initialize_carry(), tuple(input_shape[:-1]))

    def __call__(self, carry: Carry, inputs: tuple[jax.Array, jax.Array]) -> tuple[Carry, Any]:
        x, start = inputs
        batch, T = start.shape[:-1], start.shape[-1]
        nb = len(batch)
        flat_carry = jax.tree.map(lambda a: a.reshape((-1,) + a.shape[nb:]), carry)
        z = self.proj(x).reshape((-1, T, self.features))
        states, y = self.core(flat_carry, (z, start.reshape((-1, T)).astype(bool)))
        last = jax.tree.map(lambda a: a[:, -1].reshape(batch + a.shape[2:]), states)
        return last, y.reshape(batch + (T, y.shape[-1]))


class LRU(MemaxModel):
    """memax's Linear Recurrent Unit (Orvieto et al., 2023): a complex diagonal linear
    recurrence with stable exponential parameterisation; parallel scan."""

    memax_class: ClassVar[type] = _LRU
    algebra_class: ClassVar[type] = LRUSemigroup
    scan_kind: ClassVar[ScanKind] = "associative"


class S6(MemaxModel):
    """memax's diagonal S6 (Mamba's selective SSM, Gu & Dao, 2023): input-dependent step size
    and input matrix; parallel scan."""

    memax_class: ClassVar[type] = _S6
    algebra_class: ClassVar[type] = S6Semigroup
    scan_kind: ClassVar[ScanKind] = "associative"


class FART(MemaxModel):
    """memax's Fast AutoRegressive Transformer, linear attention (Katharopoulos et al., 2020)
    with `key_size`-wide keys, its normaliser fixed to `q·Σk` (see `FARTSemigroupFixed`)."""

    key_size: int = 0  # 0: features // 4, at least 4

    memax_class: ClassVar[type] = _FART
    algebra_class: ClassVar[type] = FARTSemigroupFixed
    scan_kind: ClassVar[ScanKind] = "associative"

    @nn.nowrap
    def recurrent_size(self) -> int:
        return self.key_size or max(4, self.features // 4)


class GRU(MemaxModel):
    """memax's gated recurrent unit (Cho et al., 2014); sequential scan."""

    memax_class: ClassVar[type] = _GRU
    algebra_class: ClassVar[type] = GRUSetAction
    scan_kind: ClassVar[ScanKind] = "sequential"

    @nn.nowrap
    def memax_kwargs(self) -> dict[str, Any]:
        return {"recurrent_size": self.features}

"""The training loop's machinery: how many updates one jitted call runs (a chunk), how a
chunk runs (a `lax.scan` over updates on accelerators, a loop of calls on CPU), and Ctrl-C
that stops at a chunk boundary.

Chunks always start at multiples of the chunk length counted from update 0, so a resumed run
replays exactly the computations of an uninterrupted one and ends with the same parameters.
"""

from __future__ import annotations

import math
from typing import Any

LOG_POINTS = 100  # aim for about this many logged chunks per run
CHECKPOINTS = 10  # and about this many interval checkpoints


def chunk_length(num_updates: int, target: int) -> int:
    """Updates per jitted call: a divisor of `num_updates` near `target` when one exists (one
    compiled shape for the whole run), else `target` (the last chunk compiles apart)."""
    target = max(1, min(target, num_updates))
    for d in range(target, max(1, target // 2) - 1, -1):
        if num_updates % d == 0:
            return d
    return target


def default_chunk(num_updates: int) -> int:
    return max(1, math.ceil(num_updates / LOG_POINTS))


def scan_updates() -> bool:
    """Whether chunks run as one `lax.scan` over updates (accelerators: no dispatch between
    updates) or as a Python loop over one jitted update (CPU). XLA:CPU runs a convolution's
    backward pass inside a `while` loop many times slower than outside one (see
    `optim.unroll_sgd`); a loop of calls costs only microseconds of dispatch per update."""
    import jax

    return jax.default_backend() != "cpu"


class Updates:
    """Runs `n` updates from a state: `(state, n) -> (state, metrics [n, seeds])`, consuming
    the state passed in (donated to the compiled update). Rolled:
    one compiled `lax.scan` per chunk length; else one compiled update, called `n` times.
    Either way every update is the same computation, so chunking never changes the result."""

    def __init__(self, trainer: Any, rolled: bool) -> None:
        self.trainer, self.rolled = trainer, rolled
        self.compiled: dict[int, Any] = {}

    def ready(self, n: int) -> bool:
        """Whether chunks of `n` are compiled already."""
        return (n if self.rolled else 1) in self.compiled

    def compile(self, state: Any, n: int) -> bool:
        """Compile for chunks of `n` (if not yet); True if this call compiled something."""
        import jax

        key = n if self.rolled else 1
        if key in self.compiled:
            return False
        if self.rolled:
            update = self.trainer.update
            fn = lambda s: jax.lax.scan(lambda c, _: update(c), s, None, length=n)  # noqa: E731
        else:
            fn = self.trainer.update
        # the state is donated: the update writes the new state over the old one's buffers
        # (DQN's replay ring is updated in place instead of copied every update); callers
        # must use only the returned state, as `train` does (its checkpoints are synchronous)
        self.compiled[key] = jax.jit(fn, donate_argnums=0).lower(state).compile()
        return True

    def __call__(self, state: Any, n: int) -> tuple[Any, Any]:
        import jax
        import jax.numpy as jnp

        if self.rolled:
            return self.compiled[n](state)
        step, metrics = self.compiled[1], []
        for _ in range(n):
            state, m = step(state)
            metrics.append(m)
        return state, jax.tree.map(lambda *xs: jnp.stack(xs), *metrics)


class DeferredInterrupt:
    """Within `with`: the first Ctrl-C only sets `requested` (the runner stops at the next
    chunk boundary and checkpoints there, so state and update counter stay consistent); a
    second one interrupts at once. Outside the main thread it does nothing."""

    def __init__(self) -> None:
        self.requested = False
        self._old: Any = None

    def _handler(self, signum: int, frame: Any) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        print("\nstopping after this chunk (Ctrl-C again to abort now) ...", flush=True)

    def __enter__(self) -> DeferredInterrupt:
        import signal
        import threading

        if threading.current_thread() is threading.main_thread():
            self._old = signal.signal(signal.SIGINT, self._handler)
        return self

    def __exit__(self, *exc: object) -> None:
        import signal

        if self._old is not None:
            signal.signal(signal.SIGINT, self._old)
            self._old = None

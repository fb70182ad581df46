"""The random-action soak: every env id, both views, a long run of random actions with
invalid ones mixed in, and counters for what must hold at every step. Part of the
conformance kit (`arcade check` proves the rules on short rollouts; the soak looks for the
rare step that breaks them), and behind `arcade soak [IDS] --steps N`.

Pure JAX: `num_envs` envs under `vmap`, chunks of steps in one `lax.scan`, counters summed on
the device; the host sees one small dict per chunk. One compiled program per id steps the
MDP and the POMDP env from the same state with the same keys and actions. It counts:

* `types` — uint8 frames of the declared shape, float32 rewards, bool flags (traced once);
* `returns` — every finished episode's return lies in the spec's declared range;
* `lengths` — no episode outlasts `max_steps`, and a time-out truncates exactly at it;
* `finite` — rewards, discounts and every float in the state are finite;
* `invalid_actions` — an action outside 0..4 (-1, 5, 7, 1000, -2**31, 2**31 - 1) is a no-op:
  reward 0, no termination, the state unchanged but for `time` (and the env's
  `next_episode_fields`);
* `done_flags` — `done == terminated | truncated`, `discount == 0` exactly where terminated
  (else 1); the state returned with `done` is a fresh episode (`time == 0`), otherwise
  `time` counts up by one;
* `views` — both views step to the same state, reward and flags;
* `frames` — no frame of either view is a single colour.

Compiled programs are cached per (id, size, envs, chunk length), so repeated soaks in one
process (a test, the CLI) compile each once.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .argtypes import MAX_ENVS, MAX_SOAK_STEPS, positive_int, seed_int
from .registry import make, registry, spec

INVALID_ACTIONS = (-1, 5, 7, 1000, 2**31 - 1, -(2**31))  # ±2**31 as int32 holds them
INVALID_FRACTION = 0.2
SOAK_CHECKS = (
    "types", "returns", "lengths", "finite", "invalid_actions", "done_flags", "views", "frames",
)  # fmt: skip
MAX_CHUNK = 1024  # steps per compiled scan
RETURN_EPS = 1e-4

_COUNTERS = (
    "steps", "episodes", "returns_bad", "invalid", "invalid_bad", "nonfinite", "flags_bad", "time_bad",
    "too_long", "trunc_bad", "views_bad", "blank",
)  # fmt: skip


@dataclass
class SoakReport:
    """One env id's soak: its counters, which checks failed and why, and the time it took."""

    env_id: str
    return_range: tuple[float, float]
    max_steps: int
    frames: bool = True  # both views stepped and drawn (else the dynamics alone)
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_COUNTERS, 0))
    ret_lo: float = math.inf
    ret_hi: float = -math.inf
    len_lo: int = 0
    len_hi: int = 0
    type_error: str = ""
    seconds: float = 0.0  # wall time, compilation included
    compile_seconds: float = 0.0  # of the first chunk, compilation included
    timed_steps: int = 0  # steps of the later chunks, which time the throughput
    timed_seconds: float = 0.0

    def add(self, chunk: dict[str, Any]) -> None:
        """Fold one chunk's counters in."""
        for k in _COUNTERS:
            self.counts[k] += int(chunk[k])
        if int(chunk["episodes"]):
            self.ret_lo = min(self.ret_lo, float(chunk["ret_lo"]))
            self.ret_hi = max(self.ret_hi, float(chunk["ret_hi"]))
            lo = int(chunk["len_lo"])
            self.len_lo = lo if self.len_lo == 0 else min(self.len_lo, lo)
            self.len_hi = max(self.len_hi, int(chunk["len_hi"]))

    @property
    def steps_per_second(self) -> float:
        """Steps per second after compilation (over the whole soak if it was one chunk)."""
        if self.timed_steps and self.timed_seconds > 0:
            return self.timed_steps / self.timed_seconds
        return self.counts["steps"] / self.seconds if self.seconds > 0 else 0.0

    def failures(self) -> dict[str, str]:
        """Failed check -> why."""
        lo, hi = self.return_range
        c, out = self.counts, {}
        if self.type_error:
            out["types"] = self.type_error
        if c["returns_bad"]:
            out["returns"] = (
                f"{c['returns_bad']} of {c['episodes']} outside the range (NaN included), "
                f"the others span [{self.ret_lo:.4g}, {self.ret_hi:.4g}]"
            )
        too_long, early = c["too_long"], c["trunc_bad"]
        if too_long or early:
            out["lengths"] = (
                f"{too_long} episode(s) longer than {self.max_steps}, "
                f"{early} truncation(s) off the time limit"
            )
        if c["nonfinite"]:
            out["finite"] = f"{c['nonfinite']} step(s) with a NaN or inf"
        if c["invalid_bad"]:
            out["invalid_actions"] = f"{c['invalid_bad']} of {c['invalid']} were not no-ops"
        if c["flags_bad"] or c["time_bad"]:
            out["done_flags"] = (
                f"{c['flags_bad']} step(s) with inconsistent done/truncated/discount, "
                f"{c['time_bad']} with a wrong time"
            )
        if c["views_bad"]:
            out["views"] = f"MDP and POMDP differ at {c['views_bad']} step(s)"
        if c["blank"]:
            out["frames"] = f"{c['blank']} frame(s) of one colour"
        return out

    @property
    def ok(self) -> bool:
        return not self.failures()

    def summary(self) -> str:
        """One line: verdict, id, steps, episodes, the returns and lengths seen, steps/s."""
        c = self.counts
        lo, hi = self.return_range
        if c["episodes"] and math.isinf(self.ret_lo):
            ranges = "every return NaN"
        elif c["episodes"]:
            ranges = (
                f"return [{self.ret_lo:+.3f}, {self.ret_hi:+.3f}] in [{lo:g}, {hi:g}], "
                f"length {self.len_lo}..{self.len_hi} of {self.max_steps}"
            )
        else:
            ranges = "no episode ended"
        views = "MDP+POMDP" if self.frames else "dynamics"
        line = (
            f"{'OK  ' if self.ok else 'FAIL'} {self.env_id:<20} {views}: {c['steps']:,} steps, "
            f"{c['episodes']:,} episodes, {ranges}, {c['invalid']:,} invalid actions, "
            + (
                f"{self.steps_per_second:,.0f} steps/s"
                if self.timed_steps
                else f"{self.seconds:.1f} s with compilation"
            )
        )
        failures = self.failures()
        if failures:
            line += " -- " + "; ".join(f"{k}: {why}" for k, why in failures.items())
        return line


# ------------------------------------------------------------------ the compiled chunk


def _actions(key: Any, n: int) -> Any:
    """Random actions, `INVALID_FRACTION` of them drawn from `INVALID_ACTIONS`."""
    import jax
    import jax.numpy as jnp

    k_valid, k_bad, k_which = jax.random.split(key, 3)
    valid = jax.random.randint(k_valid, (n,), 0, 5, dtype=jnp.int32)
    pool = jnp.asarray(INVALID_ACTIONS, jnp.int32)
    bad = pool[jax.random.randint(k_bad, (n,), 0, len(INVALID_ACTIONS))]
    return jnp.where(jax.random.uniform(k_which, (n,)) < INVALID_FRACTION, bad, valid)


def _all_finite(tree: Any) -> Any:
    """Per env (leading axis): every floating leaf of `tree` is finite."""
    import jax
    import jax.numpy as jnp

    oks = [
        jnp.all(jnp.isfinite(x).reshape(x.shape[0], -1), axis=1)
        for x in jax.tree.leaves(tree)
        if jnp.issubdtype(x.dtype, jnp.floating) and x.ndim >= 1
    ]
    return jnp.all(jnp.stack(oks), axis=0) if oks else jnp.bool_(True)


def _same(a: Any, b: Any) -> Any:
    """Per env (leading axis): `a` and `b` are equal leaf for leaf (NaN equal to NaN)."""
    import jax
    import jax.numpy as jnp

    eqs = [
        jnp.all(((x == y) | ((x != x) & (y != y))).reshape(x.shape[0], -1), axis=1)
        for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b), strict=True)
        if x.ndim >= 1
    ]
    return jnp.all(jnp.stack(eqs), axis=0) if eqs else jnp.bool_(True)


def _type_errors(outs: Sequence[Any], obs_size: int, n: int) -> list[str]:
    """The static part, read off the traced step of each view: frame, reward and flag types."""
    import jax.numpy as jnp

    problems = []
    for obs, _, reward, done, info in outs:
        if obs.shape != (n, obs_size, obs_size, 3) or obs.dtype != jnp.uint8:
            shape = list(obs.shape[1:])
            problems.append(f"frames {obs.dtype}{shape}, not uint8[{obs_size}, {obs_size}, 3]")
        if reward.dtype != jnp.float32:
            problems.append(f"reward {reward.dtype}, not float32")
        if done.dtype != jnp.bool_:
            problems.append(f"done {done.dtype}, not bool")
        want = {"terminated": jnp.bool_, "truncated": jnp.bool_, "discount": jnp.float32}
        for k, dt in want.items():
            if k not in info or info[k].dtype != dt:
                problems.append(f"info[{k!r}] missing or not {jnp.dtype(dt).name}")
    return list(dict.fromkeys(problems))


def _zeros(s: Any) -> Any:
    """A concrete placeholder for an abstract leaf (typed PRNG keys included)."""
    import jax
    import jax.numpy as jnp

    if jax.dtypes.issubdtype(s.dtype, jax.dtypes.prng_key):
        return jax.random.wrap_key_data(jnp.zeros((*s.shape, 2), jnp.uint32))
    return jnp.zeros(s.shape, s.dtype)


def _chunk_fn(
    envs: Sequence[Any],
    params: Any,
    n: int,
    length: int,
    max_steps: int,
    return_range: tuple[float, float],
) -> tuple[Callable[..., Any], list[str]]:
    """`(carry, key) -> (carry, counters)`: `length` steps of `n` envs in one scan, each step
    taken in every view of `envs` (MDP first) from the same state, keys and actions; a
    carry marked fresh is reset first. Also the list the types verdict goes to, once traced.

    Its own scan, not `arcade_core.rollout.rollout`: episodes run on across chunks (a rollout
    starts from a reset), and every step checks each view's raw outputs."""
    import jax
    import jax.numpy as jnp

    steps = [jax.vmap(env.step, in_axes=(0, 0, 0, None)) for env in envs]
    reset = jax.vmap(envs[0].reset, in_axes=(0, None))
    prepared = tuple(envs[0].next_episode_fields)
    obs_size = envs[0].obs_size
    lo, hi = return_range[0] - RETURN_EPS, return_range[1] + RETURN_EPS

    def body(carry: Any, key: jax.Array) -> Any:
        state, ret, length_, acc = carry
        k_act, k_step = jax.random.split(key)
        action = _actions(k_act, n)
        keys = jax.random.split(k_step, n)
        outs = [step(keys, state, action, params) for step in steps]
        if not type_errors:  # traced once: the types are static
            type_errors.append("; ".join(_type_errors(outs, obs_size, n)))
        obs, new, reward, done, info = outs[0]
        term, trunc, discount = info["terminated"], info["truncated"], info["discount"]
        invalid = (action < 0) | (action > 4)
        ret, length_ = ret + reward, length_ + 1
        # an invalid action's no-op: compare with the state it left, where no reset hides it
        kept = state.replace(time=new.time, **{f: getattr(new, f) for f in prepared})
        noop = (reward == 0) & ~term & (done | _same(kept, new))
        finite = jnp.isfinite(reward) & jnp.isfinite(discount) & _all_finite(new)
        flags = (done == (term | trunc)) & (discount == jnp.where(term, 0.0, 1.0))
        t_ok = jnp.where(done, new.time == 0, new.time == state.time + 1)
        views_agree, blank = jnp.ones(n, bool), jnp.zeros(n, jnp.int32)
        for other in outs[1:]:  # every view steps to the same state, reward and flags
            views_agree &= _same((new, reward, done, info), other[1:])
        if len(outs) > 1:  # frames asked for: a frame of one colour is no drawing at all
            for frames in (o[0] for o in outs):
                frames = jax.lax.optimization_barrier(frames)  # no folding of static pixels
                blank += frames.max(axis=(1, 2, 3)) == frames.min(axis=(1, 2, 3))
        acc = dict(
            steps=acc["steps"] + n,
            episodes=acc["episodes"] + done.sum(),
            returns_bad=acc["returns_bad"] + (done & ~((ret >= lo) & (ret <= hi))).sum(),
            invalid=acc["invalid"] + invalid.sum(),
            invalid_bad=acc["invalid_bad"] + (invalid & ~noop).sum(),
            nonfinite=acc["nonfinite"] + (~finite).sum(),
            flags_bad=acc["flags_bad"] + (~flags).sum(),
            time_bad=acc["time_bad"] + (~t_ok).sum(),
            too_long=acc["too_long"] + (done & (length_ > max_steps)).sum(),
            trunc_bad=acc["trunc_bad"] + (trunc & ~term & (length_ != max_steps)).sum(),
            views_bad=acc["views_bad"] + (~views_agree).sum(),
            blank=acc["blank"] + blank.sum(),
            ret_lo=jnp.fmin(acc["ret_lo"], jnp.nanmin(jnp.where(done, ret, jnp.inf))),
            ret_hi=jnp.fmax(acc["ret_hi"], jnp.nanmax(jnp.where(done, ret, -jnp.inf))),
            len_lo=jnp.minimum(acc["len_lo"], jnp.min(jnp.where(done, length_, 2**30))),
            len_hi=jnp.maximum(acc["len_hi"], jnp.max(jnp.where(done, length_, 0))),
        )
        ret, length_ = jnp.where(done, 0.0, ret), jnp.where(done, 0, length_)
        return (new, ret, length_, acc), None

    def chunk(carry: Any, key: jax.Array) -> Any:
        state, ret, length_, fresh = carry
        k_reset, key = jax.random.split(key)
        first = reset(jax.random.split(k_reset, n), params)[1]  # used where `fresh` only
        state = jax.tree.map(lambda a, b: jnp.where(fresh, a, b), first, state)
        ret, length_ = jnp.where(fresh, 0.0, ret), jnp.where(fresh, 0, length_)
        acc = {k: jnp.int32(0) for k in _COUNTERS}
        acc.update(ret_lo=jnp.float32(jnp.inf), ret_hi=jnp.float32(-jnp.inf))
        acc.update(len_lo=jnp.int32(2**30), len_hi=jnp.int32(0))
        (state, ret, length_, acc), _ = jax.lax.scan(
            body, (state, ret, length_, acc), jax.random.split(key, length)
        )
        return (state, ret, length_, jnp.bool_(False)), acc

    type_errors: list[str] = []
    return chunk, type_errors


_COMPILED: dict[tuple[Any, ...], tuple[Any, Any, int, str]] = {}
QUICK_COMPILE = {"xla_backend_optimization_level": 0}


def _compiled(
    env_id: str, obs_size: int, n: int, length: int, frames: bool, quick: bool
) -> tuple[Any, Any, int, str]:
    """The first carry (placeholders: the first chunk resets) and compiled chunk of one id,
    its step limit and the types verdict; cached per id, size, envs, chunk length, frames
    and `quick`."""
    import jax
    import jax.numpy as jnp

    k = (env_id, obs_size, n, length, frames, quick)
    if k not in _COMPILED:
        mdp, params = make(env_id, partial_obs=False, obs_size=obs_size)
        envs = [mdp]
        if frames:
            envs.append(make(env_id, partial_obs=True, obs_size=obs_size)[0])
        max_steps = int(params.max_steps_in_episode)
        rr = spec(env_id).return_range
        fn, type_errors = _chunk_fn(envs, params, n, length, max_steps, (rr[0], rr[1]))
        state = jax.eval_shape(
            lambda k: jax.vmap(mdp.init, in_axes=(0, None))(jax.random.split(k, n), params),
            jax.random.key(0),
        )
        carry = (
            jax.tree.map(_zeros, state), jnp.zeros(n, jnp.float32), jnp.zeros(n, jnp.int32),
            jnp.bool_(True),
        )  # fmt: skip
        lowered = jax.jit(fn).lower(carry, jax.random.key(0))
        chunk = lowered.compile(QUICK_COMPILE) if quick else lowered.compile()
        _COMPILED[k] = (carry, chunk, max_steps, type_errors[0])
    return _COMPILED[k]


def clear_cache() -> None:
    """Drop the compiled soak functions (they hold compiled XLA programs)."""
    _COMPILED.clear()


# ------------------------------------------------------------------ running it


def plan(steps: int, num_envs: int) -> tuple[int, int]:
    """`(chunk length, chunks)` for at least `steps` env steps over `num_envs` envs."""
    per_env = math.ceil(steps / num_envs)
    chunks = math.ceil(per_env / MAX_CHUNK)
    return math.ceil(per_env / chunks), chunks


def check_arguments(steps: int, num_envs: int, obs_size: int) -> None:
    """Bounds of the soak's numbers, as one-line `ValueError`s before anything compiles."""
    if not 1 <= steps <= MAX_SOAK_STEPS:
        raise ValueError(f"--steps must lie in [1, {MAX_SOAK_STEPS:,}], got {steps}")
    if not 1 <= num_envs <= MAX_ENVS:
        raise ValueError(f"--num-envs must lie in [1, {MAX_ENVS:,}], got {num_envs}")
    if obs_size not in (128, 256):
        raise ValueError(f"--obs-size must be 128 or 256, got {obs_size}")


def soak_env(
    env_id: str,
    steps: int = 100_000,
    *,
    num_envs: int = 64,
    obs_size: int = 128,
    seed: int = 0,
    frames: bool = True,
    quick: bool = False,
) -> SoakReport:
    """Soak `env_id` for at least `steps` steps (rounded up to whole chunks of `num_envs`
    envs): random actions, a fifth of them invalid, each step taken in both views from the
    same state (`frames=False`: the MDP's dynamics alone, nothing drawn). `quick`: compile
    with XLA's backend optimizations off, for brief soaks. A failed check does not raise;
    the report lists it."""
    import jax

    check_arguments(steps, num_envs, obs_size)
    sp = spec(env_id)  # unknown ids fail here, with suggestions
    length, chunks = plan(steps, num_envs)
    t0 = time.perf_counter()
    carry, chunk, max_steps, types = _compiled(env_id, obs_size, num_envs, length, frames, quick)
    report = SoakReport(env_id, tuple(sp.return_range), max_steps, frames, type_error=types)
    key = jax.random.key(seed)
    for i in range(chunks):
        t1 = time.perf_counter()
        carry, counts = chunk(carry, jax.random.fold_in(key, i))
        report.add(jax.device_get(counts))
        if i == 0:  # the first chunk pays for compilation (when not cached)
            report.compile_seconds = time.perf_counter() - t0
        else:
            report.timed_steps += num_envs * length
            report.timed_seconds += time.perf_counter() - t1
    report.seconds = time.perf_counter() - t0
    return report


def soak(
    env_ids: Sequence[str] = (),
    steps: int = 100_000,
    *,
    num_envs: int = 64,
    obs_size: int = 128,
    seed: int = 0,
    frames: bool = True,
    quick: bool = False,
    echo: Callable[[str], None] | None = print,
) -> list[SoakReport]:
    """Soak each id (default: every registered one); `echo` gets one summary line per id as
    it finishes. Ids and numbers are checked before anything compiles."""
    check_arguments(steps, num_envs, obs_size)
    ids = list(env_ids) or list(registry().specs)
    for env_id in ids:
        spec(env_id)
    reports = []
    for env_id in ids:
        report = soak_env(
            env_id, steps, num_envs=num_envs, obs_size=obs_size, seed=seed, frames=frames,
            quick=quick,
        )  # fmt: skip
        reports.append(report)
        if echo:
            echo(report.summary())
    return reports


def add_arguments(p: Any) -> None:
    """The flags of `arcade soak` (on an argparse parser)."""
    p.add_argument("env_ids", nargs="*", metavar="ID", help="env ids [every registered one]")
    p.add_argument(
        "--steps", type=positive_int(MAX_SOAK_STEPS), default=100_000,
        help="steps per id and view [100000]",
    )  # fmt: skip
    p.add_argument(
        "--num-envs", type=positive_int(MAX_ENVS), default=64, help="envs stepped together [64]"
    )
    p.add_argument(
        "--obs-size", type=int, default=128, choices=[128, 256], help="frame size, 128 or 256 [128]"
    )
    p.add_argument("--seed", type=seed_int, default=0, help="seed of the random actions [0]")
    p.add_argument(
        "--no-frames", dest="frames", action="store_false",
        help="step the dynamics alone: nothing drawn, one view (faster)",
    )  # fmt: skip
    p.add_argument(
        "--quick", action="store_true",
        help="compile without XLA's backend optimizations: for brief soaks",
    )  # fmt: skip


def run(args: Any) -> int:
    """`arcade soak`: one line per id, then the verdict; exit status 1 on any failed check.
    Bad ids or numbers raise a one-line `ValueError` before anything compiles."""
    check_arguments(args.steps, args.num_envs, args.obs_size)
    for env_id in args.env_ids:
        spec(env_id)  # an unknown id fails here, before the rounding notice and any compile
    length, chunks = plan(args.steps, args.num_envs)
    if (used := length * chunks * args.num_envs) != args.steps:
        print(
            f"steps {args.steps:,} rounded up to {used:,} per env id (whole chunks of "
            f"num_envs = {args.num_envs:,} envs x {length:,} steps)"
        )
    reports = soak(
        args.env_ids, args.steps, num_envs=args.num_envs, obs_size=args.obs_size,
        seed=args.seed, frames=args.frames, quick=args.quick,
    )  # fmt: skip
    failed = [r.env_id for r in reports if not r.ok]
    verdict = f"FAILED ({', '.join(failed)})" if failed else "OK"
    print(f"\n{verdict}: {len(failed)} of {len(reports)} env(s) failed the soak")
    return 1 if failed else 0

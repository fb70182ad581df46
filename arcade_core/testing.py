"""The conformance suite every game runs on itself: `check_env(env_id)`, `arcade check`, and
`conformance(env_id)` for a one-line pytest file (see `arcade_core.pytest_plugin`).

What it checks, for each observation size asked (default 128) and both variants:

* `spaces` — `Discrete(5)` actions; `Box(0, 255, (S, S, 3), uint8)` frames; `num_actions == 5`.
* `types` — under `jit` + `vmap`: uint8 `(S, S, 3)` frames, float32 finite rewards, bool `done`,
  and exactly the `info` of docs/games/conventions.md §Steps and info (`terminated`, `truncated`,
  `discount`), with `done == terminated | truncated` and `discount == 0` exactly where terminated.
* `determinism` — the same key and actions give the same frames, states and rewards.
* `auto_reset` — `time` counts steps and is 0 right after `done`; every frame is the render of
  the state returned with it (one render, of the selected state).
* `invalid_actions` — actions outside 0..4 (-1, 5, 99) are a defined no-op: state unchanged
  except `time` (and the env's `next_episode_fields`), reward 0, no termination, no NaN.
* `returns` — over many random-policy episodes, every return lies in the spec's declared range
  and every episode lasts at most `max_steps` steps.
* `interchange` — MDP and POMDP share the state type and, for the same keys and actions,
  produce identical states, rewards and `done`s (partial observability is rendering only).
* `pomdp_hides` — some POMDP frame differs from the MDP frame of the same state.
* `obs_size` — a size other than 128/256 is a `ValueError`.
* `plain_renderer` — if the game offers a plain renderer (`make(id, renderer="plain")`), its
  frames equal the tuned renderer's pixel for pixel, in both views and at both obs sizes, on
  states reached by random play from several seeds (fresh episodes included). A game
  without one passes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .policy import RANDOM
from .registry import make, spec
from .rollout import Step, rollout, scripted, vmap_policy
from .spaces import OBS_SIZES

CHECKS = (
    "spaces",
    "types",
    "determinism",
    "auto_reset",
    "invalid_actions",
    "returns",
    "interchange",
    "pomdp_hides",
    "obs_size",
    "plain_renderer",
)
INVALID_ACTIONS = (-1, 5, 99)
INFO_KEYS = {"terminated", "truncated", "discount"}


@dataclass
class CheckResult:
    name: str
    ok: bool
    detail: str = ""
    seconds: float = 0.0


@dataclass
class ConformanceReport:
    """The outcome of every check on one env id."""

    env_id: str
    results: list[CheckResult] = field(default_factory=list)
    stats: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)

    def summary(self) -> str:
        head = f"{'PASS' if self.ok else 'FAIL'} {self.env_id}"
        if self.stats:
            head += "  (" + ", ".join(f"{k} {v:.3g}" for k, v in self.stats.items()) + ")"
        lines = [head]
        for r in self.results:
            if not r.ok:
                lines.append(f"  FAIL {r.name}: {r.detail}")
        return "\n".join(lines)


class ConformanceError(AssertionError):
    """Raised by `check_env` when a check fails."""


# ------------------------------------------------------------------------ shared context


class _Probe:
    """Compiled rollouts for one env id and size, shared by all checks (each compiles once)."""

    N, T = 8, 40  # envs x steps of the rendered probe rollout

    def __init__(self, env_id: str, obs_size: int, episodes: int, seed: int) -> None:
        self.env_id, self.obs_size, self.episodes, self.seed = env_id, obs_size, episodes, seed
        self.spec = spec(env_id)
        self.mdp, self.params = make(env_id, partial_obs=False, obs_size=obs_size)
        self.pomdp, self.pomdp_params = make(env_id, partial_obs=True, obs_size=obs_size)
        self._cache: dict[str, Any] = {}

    def actions(self, seed: int | None = None) -> jax.Array:
        """Random valid actions with invalid ones at every 7th step."""
        key = jax.random.key((self.seed if seed is None else seed) + 1)
        acts = jax.random.randint(key, (self.T, self.N), 0, 5)
        bad = jnp.asarray(INVALID_ACTIONS)[jnp.arange(self.T) % len(INVALID_ACTIONS)]
        return jnp.where((jnp.arange(self.T) % 7 == 3)[:, None], bad[:, None], acts)

    def rollout(self, partial: bool) -> dict[str, Any]:
        """reset + T vmapped `step`s of the MDP (which also renders each returned state's POMDP
        view) or of the POMDP env. Each compiles once; the extra view costs one render."""
        name = f"rollout_{partial}"
        if name not in self._cache:
            env = self.pomdp if partial else self.mdp
            self._cache[name] = jax.jit(
                _rollout_fn(env, self.params, self.N, other_view=not partial)
            )
        key = jax.random.key(self.seed)
        return jax.tree.map(np.asarray, self._cache[name](key, self.actions()))

    def sample(self, seeds: int, every: int) -> tuple[Any, dict[bool, np.ndarray]]:
        """States of the MDP rollout played from `seeds` keys (the probe's seed first), and
        their frames in each view (`{partial: uint8[n, S, S, 3]}`): each rollout's reset
        states and its states after every `every`-th step."""
        self.rollout(False)  # compiled once, then replayed with other keys and actions
        states, frames = [], {False: [], True: []}
        for k in range(seeds):
            seed = self.seed + 7919 * k
            r = self._cache["rollout_False"](jax.random.key(seed), self.actions(seed))
            tr = jax.tree.map(lambda x: np.asarray(x)[every - 1 :: every], r["traj"])
            flat = jax.tree.map(lambda x: x.reshape(-1, *x.shape[2:]), tr)
            states += [jax.tree.map(np.asarray, r["state0"]), flat["state"]]
            frames[False] += [np.asarray(r["render0"]), flat["full"]]
            frames[True] += [np.asarray(r["render0_partial"]), flat["partial"]]
        batch = jax.tree.map(lambda *xs: np.concatenate(xs), *states)
        return batch, {v: np.concatenate(f) for v, f in frames.items()}

    def random_episodes(self) -> dict[str, np.ndarray]:
        """Dynamics only (no frames): `episodes` envs for max_steps + 1 random steps."""
        if "episodes" not in self._cache:
            fn = jax.jit(
                _episodes_fn(self.mdp, self.params, self.episodes, self.spec.max_steps + 1)
            )
            self._cache["episodes"] = jax.tree.map(np.asarray, fn(jax.random.key(self.seed + 2)))
        return self._cache["episodes"]


def _rollout_fn(
    env: Any, params: Any, n: int, other_view: bool
) -> Callable[[jax.Array, jax.Array], Any]:
    v_partial = jax.vmap(lambda s: env.render(s, params, True))
    v_full = jax.vmap(lambda s: env.render(s, params, False))

    def keep(acc: None, s: Step) -> tuple[None, dict[str, Any]]:
        out = dict(obs=s.next_obs, state=s.next_state, prev=s.state, reward=s.reward,
                   done=s.done, info=s.info)  # fmt: skip
        if other_view:  # an independent render of each returned state, in both views
            out["full"], out["partial"] = v_full(s.next_state), v_partial(s.next_state)
        return acc, out

    def run(key: jax.Array, actions: jax.Array) -> dict[str, Any]:
        r = rollout(env, params, scripted(actions), actions.shape[0], key, num_envs=n, observe=keep)
        out = dict(obs0=r.first_obs, state0=r.first_state, traj=r.steps)
        if other_view:
            out["render0"], out["render0_partial"] = v_full(r.first_state), v_partial(r.first_state)
        return out

    return run


def _episodes_fn(env: Any, params: Any, n: int, steps: int) -> Callable[[jax.Array], Any]:
    def keep(carry: Any, s: Step) -> tuple[Any, None]:
        ret, length, stats = carry
        done, r = s.done, s.reward
        ret, length = ret + r, length + 1
        lo = jnp.min(jnp.where(done, ret, jnp.inf))
        hi = jnp.max(jnp.where(done, ret, -jnp.inf))
        stats = dict(
            lo_hi=jnp.stack([jnp.minimum(stats["lo_hi"][0], lo), jnp.maximum(stats["lo_hi"][1], hi)]),
            max_len=jnp.maximum(stats["max_len"], jnp.max(jnp.where(done, length, 0))),
            episodes=stats["episodes"] + done.sum(),
            ret_sum=stats["ret_sum"] + jnp.where(done, ret, 0.0).sum(),
            nonfinite=stats["nonfinite"] | ~jnp.all(jnp.isfinite(r)),
            first_ret_sum=stats["first_ret_sum"] + jnp.where(done & ~stats["seen"], ret, 0.0).sum(),
            seen=stats["seen"] | done,
        )  # fmt: skip
        ret, length = jnp.where(done, 0.0, ret), jnp.where(done, 0, length)
        return (ret, length, stats), None

    def run(key: jax.Array) -> dict[str, Any]:
        lo_hi = jnp.asarray([jnp.inf, -jnp.inf], jnp.float32)
        stats = dict(lo_hi=lo_hi, max_len=jnp.int32(0), episodes=jnp.int32(0), ret_sum=jnp.float32(0),
                     nonfinite=jnp.bool_(False), first_ret_sum=jnp.float32(0), seen=jnp.zeros(n, bool))  # fmt: skip
        init = (jnp.zeros(n, jnp.float32), jnp.zeros(n, jnp.int32), stats)
        policy = vmap_policy(RANDOM, n)
        r = rollout(
            env, params, policy, steps, key, num_envs=n, frames=False, observe=keep, init=init
        )
        return r.acc[2]

    return run


# ------------------------------------------------------------------------ the checks


def _tree_equal(a: Any, b: Any) -> bool:
    la, lb = jax.tree.leaves(a), jax.tree.leaves(b)
    return len(la) == len(lb) and all(
        np.array_equal(np.asarray(x), np.asarray(y)) for x, y in zip(la, lb, strict=True)
    )


def check_spaces(p: _Probe) -> None:
    for env in (p.mdp, p.pomdp):
        a = env.action_space(p.params)
        assert getattr(a, "n", None) == 5, f"action space must be Discrete(5), got {a}"
        o = env.observation_space(p.params)
        assert tuple(o.shape) == (p.obs_size, p.obs_size, 3), f"observation shape {o.shape}"
        assert np.dtype(o.dtype) == np.uint8, f"observation dtype {o.dtype}"
        assert (o.low, o.high) == (0, 255), f"observation bounds {(o.low, o.high)}"
        assert env.num_actions == 5, f"num_actions is {env.num_actions}, not 5"


def check_types(p: _Probe) -> None:
    S, N = p.obs_size, p.N
    for partial in (False, True):
        r = p.rollout(partial)
        obs, tr = r["obs0"], r["traj"]
        assert obs.dtype == np.uint8 and obs.shape == (N, S, S, 3), (
            f"reset obs {obs.dtype} {obs.shape}"
        )
        assert tr["obs"].dtype == np.uint8 and tr["obs"].shape[1:] == (N, S, S, 3), (
            f"step obs {tr['obs'].dtype} {tr['obs'].shape}"
        )
        assert tr["reward"].dtype == np.float32, f"reward dtype {tr['reward'].dtype}"
        assert np.all(np.isfinite(tr["reward"])), "non-finite reward"
        assert tr["done"].dtype == np.bool_, f"done dtype {tr['done'].dtype}"
        info = tr["info"]
        assert set(info) == INFO_KEYS, f"info keys {sorted(info)} (want {sorted(INFO_KEYS)})"
        assert info["terminated"].dtype == np.bool_ and info["truncated"].dtype == np.bool_
        assert info["discount"].dtype == np.float32, f"discount dtype {info['discount'].dtype}"
        assert np.array_equal(tr["done"], info["terminated"] | info["truncated"]), (
            "done != terminated | truncated"
        )
        assert np.array_equal(info["discount"] == 0, info["terminated"]), (
            "discount must be 0 exactly where terminated"
        )


def check_determinism(p: _Probe) -> None:
    for partial in (False, True):
        a, b = p.rollout(partial), p.rollout(partial)
        assert _tree_equal(a, b), "the same key and actions gave different results"


def check_auto_reset(p: _Probe) -> None:
    r = p.rollout(False)
    tr = r["traj"]
    t_prev, t_new = np.asarray(tr["prev"].time), np.asarray(tr["state"].time)
    assert np.all(np.asarray(r["state0"].time) == 0), "reset state must have time 0"
    done = tr["done"]
    assert np.all(t_new[done] == 0), "the state returned with done must be a fresh episode (time 0)"
    assert np.all(t_new[~done] == t_prev[~done] + 1), "time must count steps"
    assert np.array_equal(r["obs0"], r["render0"]), (
        "reset obs must be the render of the reset state"
    )
    assert np.array_equal(tr["obs"], tr["full"]), (
        "each step's obs must be the render of the state returned with it"
    )
    rp = p.rollout(True)
    assert np.array_equal(rp["traj"]["obs"], tr["partial"]), (
        "POMDP obs must be the POMDP render of the returned state"
    )


def check_invalid_actions(p: _Probe) -> None:
    r = p.rollout(False)
    tr = r["traj"]
    steps = [t for t in range(p.T) if t % 7 == 3]
    for t in steps:
        done = tr["done"][t]
        assert np.all(tr["reward"][t] == 0), f"invalid action paid a reward at step {t}"
        assert not np.any(tr["info"]["terminated"][t]), f"invalid action terminated at step {t}"
        live = ~done
        prev = jax.tree.map(lambda x, t=t, live=live: np.asarray(x)[t][live], tr["prev"])
        new = jax.tree.map(lambda x, t=t, live=live: np.asarray(x)[t][live], tr["state"])
        assert np.all(new.time == prev.time + 1), "time must advance on an invalid action"
        prepared = {f: getattr(new, f) for f in p.mdp.next_episode_fields}
        assert _tree_equal(prev.replace(time=new.time, **prepared), new), (
            f"invalid action changed the state at step {t}"
        )


def check_returns(p: _Probe) -> dict[str, float]:
    s = p.random_episodes()
    lo, hi = (float(v) for v in p.spec.return_range)
    got_lo, got_hi = (float(v) for v in s["lo_hi"])
    eps = 1e-4
    assert not bool(s["nonfinite"]), "non-finite reward under random play"
    assert int(s["episodes"]) >= p.episodes, (
        f"only {int(s['episodes'])} of {p.episodes} episodes ended within max_steps + 1 steps"
    )
    assert got_lo >= lo - eps and got_hi <= hi + eps, (
        f"random returns span [{got_lo:.4f}, {got_hi:.4f}], outside the declared [{lo}, {hi}]"
    )
    assert int(s["max_len"]) <= p.spec.max_steps, (
        f"an episode lasted {int(s['max_len'])} steps > max_steps {p.spec.max_steps}"
    )
    return {"random return": float(s["first_ret_sum"]) / p.episodes, "max len": float(s["max_len"])}


def check_interchange(p: _Probe) -> None:
    a, b = p.rollout(False), p.rollout(True)
    assert jax.tree.structure(a["state0"]) == jax.tree.structure(b["state0"]), (
        "MDP and POMDP state types differ"
    )
    for k in ("state", "reward", "done"):
        assert _tree_equal(a["traj"][k], b["traj"][k]), (
            f"MDP and POMDP {k}s differ for the same keys and actions"
        )
    assert _tree_equal(a["state0"], b["state0"]), (
        "MDP and POMDP reset states differ for the same key"
    )


def check_pomdp_hides(p: _Probe) -> None:
    r = p.rollout(False)
    assert not np.array_equal(r["traj"]["obs"], r["traj"]["partial"]), (
        "no POMDP frame differs from its MDP frame"
    )


def check_obs_size(p: _Probe) -> None:
    for bad in (64, 100, 512):
        try:
            make(p.env_id, obs_size=bad)
        except ValueError:
            continue
        raise AssertionError(f"obs_size={bad} did not raise ValueError")


# the plain renderer's states: the probe's rollout from this many seeds, every k-th step
PLAIN_SEEDS, PLAIN_EVERY = 3, 5


def compare_renderers(
    env_id: str, states: Any, obs_size: int, tuned: dict[bool, np.ndarray] | None = None
) -> list[str]:
    """Where `env_id`'s plain and tuned renderers disagree on `states` (a stacked batch) at
    `obs_size`, in either view: one line per view with differing frames (none: agree).
    `tuned`, if given, holds the tuned frames already drawn (`{partial: frames}`)."""
    plain, params = make(env_id, obs_size=obs_size, renderer="plain")
    draw = {False: plain}
    if tuned is None:
        draw[True] = make(env_id, obs_size=obs_size)[0]

    def frames(state: Any) -> dict[bool, list[jax.Array]]:
        # {tuned?: [MDP frame, POMDP frame]}
        return {k: [env.render(state, params, v) for v in (False, True)] for k, env in draw.items()}

    got = jax.tree.map(np.asarray, jax.jit(jax.vmap(frames))(states))
    want = got[True] if tuned is None else [tuned[False], tuned[True]]
    lines = []
    for k, view in enumerate(("MDP", "POMDP")):
        a, b = want[k], got[False][k]
        differ = np.any(a != b, axis=-1)  # [n, S, S]
        bad = np.flatnonzero(differ.any(axis=(1, 2)))
        if bad.size == 0:
            continue
        i = int(bad[0])
        y, x = np.argwhere(differ[i])[0]
        lines.append(
            f"{view} at {obs_size} px: {bad.size} of {len(a)} frames differ; state #{i} "
            f"(time {int(np.asarray(states.time)[i])}) in {int(differ[i].sum())} pixels, first at "
            f"(x={x}, y={y}): tuned {tuple(int(c) for c in a[i, y, x])}, "
            f"plain {tuple(int(c) for c in b[i, y, x])}"
        )
    return lines


def check_plain_renderer(p: _Probe) -> None:
    if not p.spec.plain_renderer:
        return
    states, tuned = p.sample(PLAIN_SEEDS, PLAIN_EVERY)
    problems = compare_renderers(p.env_id, states, p.obs_size, tuned)
    for size in OBS_SIZES:
        if size != p.obs_size:
            problems += compare_renderers(p.env_id, states, size)
    assert not problems, "plain and tuned renderers differ: " + "; ".join(problems)


_CHECK_FNS: dict[str, Callable[[_Probe], Any]] = {
    "spaces": check_spaces,
    "types": check_types,
    "determinism": check_determinism,
    "auto_reset": check_auto_reset,
    "invalid_actions": check_invalid_actions,
    "returns": check_returns,
    "interchange": check_interchange,
    "pomdp_hides": check_pomdp_hides,
    "obs_size": check_obs_size,
    "plain_renderer": check_plain_renderer,
}

_PROBES: dict[tuple[str, int, int, int], _Probe] = {}


def _probe(env_id: str, obs_size: int, episodes: int, seed: int) -> _Probe:
    k = (env_id, obs_size, episodes, seed)
    if k not in _PROBES:
        _PROBES[k] = _Probe(env_id, obs_size, episodes, seed)
    return _PROBES[k]


def run_check(
    env_id: str, name: str, *, obs_size: int = 128, episodes: int = 64, seed: int = 0
) -> Any:
    """Run one named check (raises `AssertionError` on failure). Compiled rollouts are shared
    between checks of the same env, size and seed."""
    if name not in _CHECK_FNS:
        raise ValueError(f"unknown check {name!r}; checks: {', '.join(CHECKS)}")
    return _CHECK_FNS[name](_probe(env_id, obs_size, episodes, seed))


def check_env(
    env_id: str,
    *,
    obs_sizes: tuple[int, ...] = (128,),
    episodes: int = 64,
    seed: int = 0,
    checks: tuple[str, ...] = CHECKS,
    raise_on_failure: bool = True,
) -> ConformanceReport:
    """Run the conformance suite on `env_id`; raise `ConformanceError` listing every failure
    (or return the report with `raise_on_failure=False`)."""
    spec(env_id)  # unknown ids fail here, with suggestions
    report = ConformanceReport(env_id)
    for size in obs_sizes:
        for name in checks:
            t0 = time.perf_counter()
            try:
                stats = run_check(env_id, name, obs_size=size, episodes=episodes, seed=seed)
                report.results.append(
                    CheckResult(f"{name}@{size}", True, seconds=time.perf_counter() - t0)
                )
                if isinstance(stats, dict):
                    report.stats.update(stats)
            except Exception as exc:  # a crashing check is a failed check, reported by name
                detail = (
                    str(exc) if isinstance(exc, AssertionError) else f"{type(exc).__name__}: {exc}"
                )
                report.results.append(
                    CheckResult(
                        f"{name}@{size}",
                        False,
                        detail.splitlines()[0] if detail else "",
                        time.perf_counter() - t0,
                    )
                )
        for k in [k for k in _PROBES if k[0] == env_id and k[1] == size]:
            del _PROBES[k]  # free compiled functions once an env is done
    if raise_on_failure and not report.ok:
        raise ConformanceError(report.summary())
    return report


def conformance(
    env_id: str, *, obs_sizes: tuple[int, ...] = (128,), episodes: int = 64
) -> Callable[..., None]:
    """A pytest test function running every check on `env_id`, one test per check:

    from arcade_core.testing import conformance
    test_conformance = conformance("PongEasy")
    """
    import pytest

    cases = [(name, size) for size in obs_sizes for name in CHECKS]

    @pytest.mark.parametrize(
        ("check", "obs_size"), cases, ids=[f"{env_id}-{n}-{s}" for n, s in cases]
    )
    def test_conformance(check: str, obs_size: int) -> None:
        run_check(env_id, check, obs_size=obs_size, episodes=episodes)

    return test_conformance


# ------------------------------------------------------------------------ helpers for game tests


def stack(states: list[Any]) -> Any:
    """Stack a list of states (pytrees of one shape) into one batched state."""
    return jax.tree.map(lambda *xs: jnp.stack(xs), *states)


def spec_score(canvas: np.ndarray, value: int, colour: tuple[int, int, int]) -> np.ndarray:
    """Draw `value` in the standard score box, pixel by pixel from docs/games/conventions.md §The
    frame and §Drawing primitives (independent of the renderer, for tests that rebuild a frame from
    the spec)."""
    from .render.font import DIGITS
    from .render.frame import SCORE_BOX

    S = canvas.shape[0]
    x0, y0, x1, y1 = SCORE_BOX[S]
    dw, digits = (15 if S == 256 else 10), [int(c) for c in str(int(value))]
    left = x0 + ((x1 - x0) - (len(digits) * dw + (len(digits) - 1) * 2)) // 2
    cell_h = (y1 - y0 - 2) // 5
    for k, d in enumerate(digits):
        for r, c in zip(*np.nonzero(DIGITS[d]), strict=True):
            x = left + k * (dw + 2) + c * (dw // 5)
            canvas[y0 + 1 + r * cell_h : y0 + 1 + (r + 1) * cell_h, x : x + dw // 5] = colour
    return canvas


def spec_frame(
    sub: np.ndarray,
    S: int,
    *,
    name: str,
    background: tuple[int, int, int],
    name_colour: tuple[int, int, int],
    score: int,
    score_colour: tuple[int, int, int],
    low_name: bool = False,
) -> np.ndarray:
    """The shared frame of docs/games/conventions.md §The frame around a game area `sub`:
    background, `sub` pasted at the centre, the name at the bottom, the score at the top."""
    from .render.frame import LETTER, name_box
    from .render.static import new_canvas, paste, text

    canvas = paste(np.asarray(sub, np.uint8), new_canvas(S, S, background))
    text(canvas, name, name_box(S, low_name), name_colour, **LETTER[S])
    return spec_score(canvas, score, score_colour)


def random_returns(
    env: Any, params: Any, key: jax.Array, episodes: int, steps: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`(returns, lengths, alive)` of the first episode of each of `episodes` uniformly random
    players of `env`: dynamics only (`advance`, no frames), one jitted scan of `steps` steps
    (default: the time limit); `alive` marks the episodes still running at the end."""
    steps = int(steps or params.max_steps_in_episode)

    def keep(carry: Any, s: Step) -> tuple[Any, None]:
        ret, length, alive = carry
        ret, length = ret + jnp.where(alive, s.reward, 0.0), length + alive
        return (ret, length, alive & ~s.done), None

    @jax.jit
    def run(key: jax.Array) -> tuple[jax.Array, jax.Array, jax.Array]:
        zeros = jnp.zeros(episodes)
        init = (zeros, zeros.astype(jnp.int32), jnp.ones(episodes, bool))
        policy = vmap_policy(RANDOM, episodes)
        r = rollout(
            env,
            params,
            policy,
            steps,
            key,
            num_envs=episodes,
            frames=False,
            observe=keep,
            init=init,
        )
        return r.acc

    return tuple(np.asarray(v) for v in run(key))  # type: ignore[return-value]


def random_policy_return(
    env_id: str, *, episodes: int = 2000, seed: int = 0, max_steps: int | None = None
) -> tuple[float, float]:
    """Mean return (and its standard error) of the first episode of each of `episodes` envs
    under a uniform random policy — dynamics only, no frames, one jitted scan."""
    env, params = make(env_id)
    steps = max_steps or spec(env_id).max_steps
    ret, _, _ = random_returns(env, params, jax.random.key(seed), episodes, steps)
    return float(ret.mean()), float(ret.std() / np.sqrt(episodes))


def game_envs(game: str, *, render: bool = False) -> Callable[..., tuple[Any, ...]]:
    """`get(level="Easy", partial=False, size=128) -> (env, params, jit(step)[, jit(render)])`
    for `{game}{level}`, each built once: a game's tests share it as a module-scoped fixture."""
    cache: dict[tuple[str, bool, int], tuple[Any, ...]] = {}

    def get(level: str = "Easy", partial: bool = False, size: int = 128) -> tuple[Any, ...]:
        if (level, partial, size) not in cache:
            env, params = make(f"{game}{level}", partial_obs=partial, obs_size=size)
            fns = (jax.jit(env.step), jax.jit(env.render)) if render else (jax.jit(env.step),)
            cache[level, partial, size] = (env, params, *fns)
        return cache[level, partial, size]

    return get


def batch_render(env_id: str, obs_size: int = 128) -> Callable[[Any, bool], jax.Array]:
    """A jitted `render(states, partial)` of `env_id` over a batch of states (`stack`)."""
    env, params = make(env_id, obs_size=obs_size)
    return jax.jit(
        jax.vmap(lambda st, p: env.render(st, params, p), in_axes=(0, None)), static_argnums=1
    )


def view_drawers(env_id: str, sizes: tuple[int, ...] = (128, 256)) -> dict[tuple[int, bool], Any]:
    """`{(size, partial): jit(state -> frame)}`: `env_id`'s `draw` of either view per size."""
    from .observability import view_for

    out = {}
    for size in sizes:
        env, params = make(env_id, obs_size=size)
        for partial in (False, True):
            view = view_for(partial)
            out[size, partial] = jax.jit(lambda s, env=env, p=params, v=view: env.draw(s, p, v))
    return out


def play(
    step: Callable[..., Any], state: Any, params: Any, actions: list[int]
) -> tuple[list[float], list[bool], list[dict[str, bool]], list[Any]]:
    """Step through `actions` from `state` (step k with key 100 + k): the rewards, dones,
    infos (without `discount`) and states after each."""
    rewards, dones, infos, states = [], [], [], []
    for k, a in enumerate(actions):
        _, state, r, d, info = step(jax.random.key(100 + k), state, a, params)
        rewards.append(float(r))
        dones.append(bool(d))
        infos.append({k: bool(v) for k, v in info.items() if k != "discount"})
        states.append(state)
    return rewards, dones, infos, states

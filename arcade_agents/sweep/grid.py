"""The sweep grid: a sweep file, presets and flags merged into a list of validated trials.

A sweep file (TOML or YAML) uses the field names of `arcade train`'s config; a field given a
list varies, and the grid is the cartesian product of every list:

    algo = "pqn"
    env_id = ["CartPoleEasy", "CountRecallEasy"]   # `env` works too, as in `arcade train`
    partial = [false, true]                        # or "both"
    memory = ["MLP", "GRU"]
    seeds = 5                                      # seeds of one trial train together (vmapped)
    total_frames = 20_000_000
    lr = 5e-5

    [by_env.CartPole]             # a game name covers its ids; an env id beats its game
    total_frames = 10_000_000

`[by_env.KEY]`, `[by_algo.NAME]` and `[by_memory.NAME]` tables set fields for the trials of
one env or game, algorithm or memory model (precedence: the top level < by_algo < by_memory <
by_env game < by_env id), one value per field. Layers merge as defaults < `--preset` <
`--config` < flags; a field set by a later layer also drops that field from the earlier
layers' `by_*` tables, so `--preset paper --total-frames 1e6` runs every trial for 1e6 frames.
The `[[trial]]` entries of a sweep directory's `sweep.toml` record what the grid expanded to
and are ignored when the file is read back as a sweep file.

Trials are named `ALGO_MEMORY_ENV_VIEW` (e.g. `pqn_GRU_CartPoleEasy_pomdp`), plus
`_FIELD-VALUE` for every other field that varies in the grid (a short hash instead when that
gets long). Expanding a grid imports no JAX, except to check memory-model names (the zoo is
Flax code): `expand(..., check_memory=False)` skips that check, for `--dry-run`.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import itertools
import json
import math
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..train import config_io

AXES = ("env_id", "partial", "memory", "algo")  # the product's outer loops, in this order
BY_TABLES = {"by_env": "env_id", "by_algo": "algo", "by_memory": "memory"}
RECORD_KEY = "trial"  # `[[trial]]` of a written sweep.toml: a record, ignored on reading
MAX_NAME = 100
PAPER_SHORT_GAMES = ("CartPole", "NoisyCartPole", "AutoEncode")  # 1e7 frames; the rest 2e7


class SweepError(ValueError):
    """A sweep the user can fix (bad file, field or value); the message is one line."""


@dataclass
class SweepSpec:
    """A grid before expansion: field -> values (a list, even for one value) and the `by_*`
    tables (table -> selector -> {field: value})."""

    grid: dict[str, list[Any]] = field(default_factory=dict)
    by: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)

    def merged(self, top: SweepSpec) -> SweepSpec:
        """`top` layered over this spec: its fields win, also over this spec's `by_*` tables."""
        grid = {k: list(v) for k, v in self.grid.items()}
        by = copy.deepcopy(self.by)
        for key, values in top.grid.items():
            grid[key] = list(values)
            for table in by.values():
                for fields in table.values():
                    fields.pop(key, None)
        for name, table in top.by.items():
            for sel, fields in table.items():
                by.setdefault(name, {}).setdefault(sel, {}).update(fields)
        by = {n: {s: f for s, f in t.items() if f} for n, t in by.items()}
        return SweepSpec(grid, {n: t for n, t in by.items() if t})


@dataclass(frozen=True)
class Trial:
    """One point of the grid: its name (its folder under `DIR/trials/`) and validated config."""

    name: str
    config: Any
    config_hash: str

    @property
    def view(self) -> str:
        return "pomdp" if self.config.partial else "mdp"

    @property
    def frames(self) -> int:
        """The frame budget per seed (`total_frames`)."""
        return int(self.config.total_frames)


# ------------------------------------------------------------------ reading


def _literal(text: str) -> Any:
    """A flag's value as TOML reads it (1e-4 -> float, 8 -> int, true -> bool), else the text."""
    try:
        return tomllib.loads(f"v = {text.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        return text.strip()


def _values(key: str, value: Any, where: str) -> list[Any]:
    if key == "partial" and isinstance(value, str) and value.strip().lower() == "both":
        return [False, True]
    if isinstance(value, list | tuple):
        if not value:
            raise SweepError(f"{where}: {key} is an empty list")
        bad = [v for v in value if isinstance(v, dict | list | tuple)]
        if bad:
            raise SweepError(
                f"{where}: {key}: expected a value or a list of values, got {bad[0]!r}"
            )
        return list(value)
    return [value]


def spec_from_mapping(data: Mapping[str, Any], where: str) -> SweepSpec:
    """A `SweepSpec` from a sweep file's table (`where` names it in errors)."""
    spec = SweepSpec()
    for raw_key, value in data.items():
        key = config_io.normalize_key(str(raw_key))
        if key == RECORD_KEY:
            continue
        if key in BY_TABLES:
            if not isinstance(value, dict):
                raise SweepError(f"{where}: {key} must be a table ([{key}.NAME] sections)")
            for sel, fields in value.items():
                if not isinstance(fields, dict):
                    raise SweepError(f"{where}: [{key}.{sel}] must be a table of KEY = VALUE")
                table = spec.by.setdefault(key, {}).setdefault(str(sel), {})
                for f, v in fields.items():
                    fk = config_io.normalize_key(str(f))
                    if fk in AXES:
                        raise SweepError(
                            f"{where}: [{key}.{sel}] sets {fk}, a grid axis; list it at the top"
                        )
                    if isinstance(v, dict | list | tuple):
                        raise SweepError(
                            f"{where}: [{key}.{sel}] {fk}: one value here (lists go at the top level)"
                        )
                    table[fk] = v
        elif isinstance(value, dict):
            raise SweepError(
                f"{where}: unknown section [{raw_key}]; a sweep file has KEY = VALUE or "
                "KEY = [VALUES] and [by_env.*], [by_algo.*], [by_memory.*] tables"
            )
        else:
            spec.grid[key] = _values(key, value, where)
    return spec


def load_sweep_file(path: str | Path) -> SweepSpec:
    """The grid of a `.toml`, `.yaml` or `.yml` sweep file."""
    try:
        data = config_io.read_mapping(path, "sweep")
    except config_io.ConfigError as exc:
        raise SweepError(str(exc)) from None
    return spec_from_mapping(data, Path(path).name)


def spec_from_flags(
    *,
    env: Sequence[str] | None = None,
    view: str | None = None,
    memory: Sequence[str] | None = None,
    algo: Sequence[str] | None = None,
    seeds: int | None = None,
    total_frames: Sequence[str] | None = None,
    overrides: Sequence[str] = (),
) -> SweepSpec:
    """The layer of command-line flags. `view`: "mdp", "pomdp" or "both"; `overrides`:
    `KEY=VALUE` with `KEY=V1,V2` for a list (repeating a key adds values too)."""
    grid: dict[str, list[Any]] = {}
    if env:
        grid["env_id"] = list(env)
    if view is not None:
        grid["partial"] = {"mdp": [False], "pomdp": [True], "both": [False, True]}[view]
    if memory:
        grid["memory"] = list(memory)
    if algo:
        grid["algo"] = list(algo)
    if seeds is not None:
        grid["seeds"] = [seeds]
    if total_frames:
        grid["total_frames"] = [_literal(v) for v in total_frames]
    seen: set[str] = set()
    for item in overrides:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise SweepError(f"--set {item!r}: expected KEY=VALUE (KEY=V1,V2 for a list)")
        key = config_io.normalize_key(key)
        if key in BY_TABLES or key == RECORD_KEY:
            raise SweepError(f"--set {key}: {key} tables are set in a sweep file")
        parts = [_literal(v) for v in value.split(",") if v.strip()] or [""]
        if key == "partial" and value.strip().lower() == "both":
            parts = [False, True]
        grid[key] = (grid[key] if key in seen else []) + parts
        seen.add(key)
    return SweepSpec(grid)


# ------------------------------------------------------------------ presets


def builtin_env_ids() -> list[str]:
    """The built-in games' env ids (Easy, Medium, Hard of each), plugins' left out."""
    from arcade_core.registry import registry

    return [s.id for s in registry().specs.values() if s.entry.startswith("arcade_games.")]


def _paper() -> SweepSpec:
    """The benchmark of the POPGym Arcade paper: PQN with five memory models on every built-in
    env, MDP and POMDP, five seeds; 1e7 frames for CartPole, NoisyCartPole and AutoEncode,
    2e7 for the rest; epsilon falls from 1 to 0.05 over the first 10% of a run (1e6 / 2e6).
    The memory-less baseline is the zoo's `MLP` (an MLP in the memory's place, the same
    inputs and heads), so that only the memory differs between the five models."""
    grid: dict[str, list[Any]] = {
        "algo": ["pqn"],
        "env_id": builtin_env_ids(),
        "partial": [False, True],
        "memory": ["MLP", "LRU", "MinGRU", "GRU", "FART"],
        "seeds": [5],
        "total_frames": [20_000_000],
        "num_envs": [16],
        "num_steps": [128],
        "lr": [5e-5],
        "num_epochs": [4],
        "num_minibatches": [16],
        "gamma": [0.99],
        "lam": [0.95],
        "eps_start": [1.0],
        "eps_finish": [0.05],
        "eps_decay": [0.1],
    }
    by = {"by_env": {g: {"total_frames": 10_000_000} for g in PAPER_SHORT_GAMES}}
    return SweepSpec(grid, by)


def _smoke() -> SweepSpec:
    """Every built-in game's Easy id, both views, no memory and GRU, PQN, one seed and a tiny
    budget: checks the whole pipeline (train, checkpoint, evaluate, results) in minutes."""
    from arcade_core.registry import registry

    easy = [
        s.id
        for s in registry().specs.values()
        if s.entry.startswith("arcade_games.") and s.difficulty == "Easy"
    ]
    grid: dict[str, list[Any]] = {
        "algo": ["pqn"],
        "env_id": easy,
        "partial": [False, True],
        "memory": ["none", "GRU"],
        "seeds": [1],
        "total_frames": [2048],
        "num_envs": [4],
        "num_steps": [16],
        "features": [16],
        "num_epochs": [1],
        "num_minibatches": [2],
        "lr": [2.5e-4],
    }
    return SweepSpec(grid)


PRESETS: dict[str, Callable[[], SweepSpec]] = {"paper": _paper, "smoke": _smoke}
PRESET_HELP = {
    "paper": "PQN x {MLP, LRU, MinGRU, GRU, FART} x 30 built-in envs x MDP/POMDP, 5 seeds, 1e7/2e7 frames",
    "smoke": "PQN x {none, GRU} x every game's Easy id x MDP/POMDP, 1 seed, 2,048 frames",
}


def resolve_spec(
    preset: str | None = None,
    config_file: str | Path | None = None,
    flags: SweepSpec | None = None,
) -> SweepSpec:
    """The sweep's grid: `preset` < `config_file` < `flags`."""
    spec = SweepSpec()
    if preset is not None:
        if preset not in PRESETS:
            raise SweepError(f"unknown preset {preset!r}; known: {', '.join(PRESETS)}")
        spec = spec.merged(PRESETS[preset]())
    if config_file is not None:
        spec = spec.merged(load_sweep_file(config_file))
    if flags is not None:
        spec = spec.merged(flags)
    return spec


# ------------------------------------------------------------------ expansion


def config_hash(config: Any) -> str:
    """sha256 of the config's TOML (`config_io.to_toml`), first 12 hex digits."""
    return hashlib.sha256(config_io.to_toml(config).encode()).hexdigest()[:12]


def _whole(value: Any) -> Any:
    """A large whole float (`total_frames = 1e5` reads as one from TOML) as the int it stands
    for; anything else as it is."""
    if isinstance(value, float) and value.is_integer() and abs(value) >= 1e4:
        return int(value)
    return value


def _fmt(value: Any) -> str:
    value = _whole(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.+_-]", "-", text)


def _as_bool(value: Any) -> Any:
    try:
        return config_io.coerce("partial", value, bool)
    except config_io.ConfigError:
        return value


def trial_name(values: Mapping[str, Any], varying: Sequence[str]) -> str:
    """`ALGO_MEMORY_ENV_VIEW`, plus `_FIELD-VALUE` per other varying field (or a hash of them
    once the name would pass 100 characters)."""
    defaults = _train_defaults()
    get = lambda k: values.get(k, defaults[k])  # noqa: E731
    partial = _as_bool(get("partial"))
    view = ("pomdp" if partial else "mdp") if isinstance(partial, bool) else _fmt(partial)
    base = "_".join(_safe(str(p)) for p in (get("algo"), get("memory"), get("env_id"), view))
    extras = [_safe(f"{k}-{_fmt(values[k])}") for k in varying]
    if not extras:
        return base
    tail = "_".join(extras)
    if len(base) + 1 + len(tail) > MAX_NAME:
        text = json.dumps([[k, _fmt(values[k])] for k in varying])
        tail = "h" + hashlib.sha256(text.encode()).hexdigest()[:8]
    return f"{base}_{tail}"


def _train_defaults() -> dict[str, Any]:
    from ..train.api import TrainConfig

    return {f.name: f.default for f in dataclasses.fields(TrainConfig)}


def _game_of(env_id: Any) -> str | None:
    from arcade_core.registry import registry

    spec = registry().specs.get(env_id) if isinstance(env_id, str) else None
    return spec.game if spec is not None else None


def _check_selectors(spec: SweepSpec) -> None:
    """Every `by_*` selector names something: an env id or game, an algorithm, a memory model
    of the grid (memory names are checked against the grid: the zoo would need JAX)."""
    from arcade_core.registry import did_you_mean, registry

    from ..train.api import get_algorithm

    reg = registry()
    games = {s.game for s in reg.specs.values()}
    for sel in spec.by.get("by_env", {}):
        if sel not in reg.specs and sel not in games:
            known = [*reg.specs, *sorted(games)]
            raise SweepError(
                f"[by_env.{sel}]: no env id or game {sel!r}.{did_you_mean(sel, known)}"
            )
    for sel in spec.by.get("by_algo", {}):
        try:
            get_algorithm(sel)
        except ValueError as exc:
            raise SweepError(f"[by_algo.{sel}]: {exc}") from None
    memories = {str(m).casefold() for m in spec.grid.get("memory", ["none"])}
    for sel in spec.by.get("by_memory", {}):
        if sel.casefold() not in memories:
            raise SweepError(f"[by_memory.{sel}]: no trial of the grid uses memory {sel!r}")


def _with_by(values: dict[str, Any], by: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> dict:
    """`values` with the `by_*` fields of its algorithm, memory, game and env id applied."""
    defaults = _train_defaults()
    out = dict(values)
    algo = str(values.get("algo", defaults["algo"])).casefold()
    memory = str(values.get("memory", defaults["memory"])).casefold()
    env_id = values.get("env_id", defaults["env_id"])
    for sel, fields in by.get("by_algo", {}).items():
        if sel.casefold() == algo:
            out.update(fields)
    for sel, fields in by.get("by_memory", {}).items():
        if sel.casefold() == memory:
            out.update(fields)
    game = _game_of(env_id)
    for key in (game, env_id):
        if key is not None and key in by.get("by_env", {}):
            out.update(by["by_env"][key])
    return out


def _build(values: dict[str, Any], check_memory: bool) -> Any:
    from ..train.api import get_algorithm

    algorithm = get_algorithm(str(values.get("algo", _train_defaults()["algo"])))
    values = {**values, "algo": values.get("algo", algorithm.name)}
    memory = values.get("memory", "none")
    if check_memory or (isinstance(memory, str) and memory.casefold() == "none"):
        return config_io.build_config(algorithm.config_cls, values)
    if not isinstance(memory, str) or not memory:
        raise config_io.ConfigError(f"memory must be a model name or 'none'; got {memory!r}")
    config = config_io.build_config(algorithm.config_cls, {**values, "memory": "none"})
    return dataclasses.replace(config, memory=memory)


def expand(spec: SweepSpec, *, check_memory: bool = True) -> list[Trial]:
    """Every trial of the grid, validated (`config_io.build_config`): a bad field is a
    `SweepError` naming the trial. Order: env, view, memory, algorithm, then the rest."""
    grid = spec.grid
    axes = [k for k in AXES if k in grid] + [k for k in grid if k not in AXES]
    varying = [k for k in grid if k not in AXES and len(grid[k]) > 1]
    _check_selectors(spec)
    trials: list[Trial] = []
    for combo in itertools.product(*(grid[k] for k in axes)):
        values = dict(zip(axes, combo, strict=True))
        name = trial_name(values, varying)
        try:
            config = _build(_with_by(values, spec.by), check_memory)
        except ValueError as exc:  # ConfigError, unknown algorithm / env / memory model
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise SweepError(f"trial {name}: {first}") from None
        trials.append(Trial(name, config, config_hash(config)))
    return _unique(trials)


def _unique(trials: list[Trial]) -> list[Trial]:
    """Names made unique (case-insensitively, for case-insensitive file systems) with the
    config hash; the same config twice is an error."""
    groups: dict[str, list[int]] = {}
    for i, t in enumerate(trials):
        groups.setdefault(t.name.casefold(), []).append(i)
    out = list(trials)
    for idx in groups.values():
        if len(idx) < 2:
            continue
        hashes = [trials[i].config_hash for i in idx]
        if len(set(hashes)) < len(hashes):
            raise SweepError(f"the grid lists trial {trials[idx[0]].name} twice (same config)")
        for i in idx:
            t = trials[i]
            out[i] = dataclasses.replace(t, name=f"{t.name}_{t.config_hash[:6]}")
    return out


# ------------------------------------------------------------------ writing


def _toml_value(value: Any) -> str:
    value = _whole(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value:_}" if abs(value) >= 100_000 else str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if value is None:
        return '"none"'
    return json.dumps(str(value))


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)


def to_toml(spec: SweepSpec, trials: Iterable[Trial] | None = None) -> str:
    """The spec as a sweep file (reads back to the same grid), and with `trials` the record of
    what it expanded to (`[[trial]]` entries, ignored on reading)."""
    lines = ["# arcade sweep: the resolved grid; run it with `arcade sweep --config THIS_FILE`"]
    for key, values in spec.grid.items():
        lines.append(f"{_toml_key(key)} = {_toml_value(values[0] if len(values) == 1 else values)}")
    for table, entries in spec.by.items():
        for sel, fields in entries.items():
            lines += ["", f"[{table}.{_toml_key(sel)}]"]
            lines += [f"{_toml_key(f)} = {_toml_value(v)}" for f, v in fields.items()]
    for t in trials or ():
        c = t.config
        lines += [
            "",
            "[[trial]]",
            f"name = {json.dumps(t.name)}",
            f"env_id = {json.dumps(c.env_id)}",
            f"partial = {_toml_value(bool(c.partial))}",
            f"memory = {json.dumps(c.memory)}",
            f"algo = {json.dumps(c.algo)}",
            f"seeds = {c.seeds}",
            f"total_frames = {_toml_value(int(c.total_frames))}",
            f"config_hash = {json.dumps(t.config_hash)}",
        ]
    return "\n".join(lines) + "\n"


def describe(trials: Sequence[Trial]) -> str:
    """One line per trial (name, env, view, memory, algo, seeds, frames) and the total."""
    header = ["trial", "env", "view", "memory", "algo", "seeds", "frames"]
    rows = [
        [t.name, t.config.env_id, t.view, t.config.memory, t.config.algo, str(t.config.seeds),
         f"{t.frames:,}"]
        for t in trials
    ]  # fmt: skip
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(r: list[str]) -> str:
        cells = [
            c.rjust(w) if i >= 5 else c.ljust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ]
        return "  ".join(cells).rstrip()

    per_seed = sum(t.frames for t in trials)
    all_seeds = sum(t.frames * int(t.config.seeds) for t in trials)
    out = [line(header), *map(line, rows)]
    out.append(
        f"{len(trials)} trial(s): {per_seed:,} frames per seed, {all_seeds:,} frames with all seeds"
    )
    return "\n".join(out)

"""Entry point of the agents plugin: the memory-model zoo, the algorithms, the agents'
commands (`arcade models`, `train`, `eval`, ...), the memory-model template of `arcade
new-plugin` and the policy of `arcade record --policy RUN_DIR` — all through the plugin system,
as any third party would add them.

Imports no JAX or Flax: the zoo is imported only when the `arcade_memory_models` hook is
called, and the commands only when they run, so `arcade list` stays fast.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from arcade_core.hookspecs import hookimpl


@hookimpl
def arcade_memory_models() -> dict[str, Any]:
    from .memory.zoo import BUILTIN_MODELS

    return dict(BUILTIN_MODELS)


@hookimpl
def arcade_algorithms() -> dict[str, Any]:
    from .train.api import Algorithm, DQNConfig, PPOConfig, PQNConfig

    def lazy(module: str) -> Any:
        def make_train(config: Any) -> Any:  # the algorithm module (and JAX) load on first use
            import importlib

            return importlib.import_module(f"arcade_agents.train.{module}").make_train(config)

        return make_train

    return {
        "pqn": Algorithm("pqn", PQNConfig, lazy("pqn"), "PQN: Q(lambda), LayerNorm, no target net"),
        "ppo": Algorithm("ppo", PPOConfig, lazy("ppo"), "PPO: GAE, clipped objective"),
        "dqn": Algorithm("dqn", DQNConfig, lazy("dqn"), "DQN: replay, target net, Double-DQN"),
    }


@hookimpl
def arcade_registries() -> list[Any]:
    """The agents' registries, for `arcade plugins` (importing them imports JAX)."""
    from .memory.registry import MemoryRegistry
    from .train.api import AlgorithmRegistry

    return [MemoryRegistry, AlgorithmRegistry]


@hookimpl
def arcade_record_policy(source: str) -> Any:
    """A run directory of `arcade train` as the policy of its agent (seed 0, greedy)."""
    from pathlib import Path

    if not Path(source, "config.toml").is_file():
        return None  # not a run directory: another plugin's source, or none
    from arcade_core.errors import RecordError

    from .train import evaluate, run

    try:
        loaded = run.restore(source)
    except (ValueError, run.RunError) as exc:
        raise RecordError(f"--policy {source}: {exc}") from None
    return evaluate.policy(loaded)


def _memory_clashes(name: str) -> str:
    """Why a memory model called `name` clashes with a registered one ('' if it does not)."""
    from .memory.registry import memory_registry

    entry = memory_registry().get(name)
    if entry is None:
        return ""
    return f"a memory model named {entry.name!r} is already registered by {entry.package}"


@hookimpl
def arcade_plugin_templates() -> dict[str, Any]:
    from arcade_core.specs import PluginTemplate

    memory = PluginTemplate(
        "memory", "arcade_agents", "templates/memory", "arcade-memory-", "models", "{name}",
        _memory_clashes,
    )  # fmt: skip
    return {"memory": memory}


@hookimpl
def arcade_cli(subcommands: Any) -> None:
    p = subcommands.add_parser(
        "models", help="list memory models: name, package, parallel scan, source"
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_models)
    p = subcommands.add_parser(
        "check-model",
        help="run the memory-model kit on registered models (non-zero exit on failure)",
        description="Run the memory-model kit (arcade_agents.testing) on each named model, at "
        "a tiny size: one line per check, PASS, FAIL with the reason, or SKIP where a check "
        "does not apply. The first check of a model includes its compile.",
    )
    p.add_argument("names", nargs="+", metavar="NAME", help="registered memory model names")
    p.set_defaults(func=cmd_check_model)
    from .cli_train import add_parsers  # `arcade train` and `arcade eval` (imports no JAX)

    add_parsers(subcommands)
    from .introspect.cli import add_parsers as add_introspect  # imports no JAX

    add_introspect(subcommands)
    from .sweep.cli import add_parsers as add_sweep  # `arcade sweep` (imports no JAX or Ray)

    add_sweep(subcommands)
    from .sweep.report import add_parsers as add_report  # imports no JAX

    add_report(subcommands)


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(r: list[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


_PARALLEL = {"associative": "yes", "sequential": "no", "none": "n/a (no recurrence)"}


def cmd_models(args: argparse.Namespace) -> int:
    """`arcade models [--json]`: every registered memory model and any plugin problem."""
    from .memory.registry import memory_registry

    reg = memory_registry()
    entries = list(reg.models.values())
    if args.json:
        out = {
            "models": [e.as_dict() for e in entries],
            "problems": [p.as_dict() for p in reg.problems],
        }
        print(json.dumps(out, indent=1))
        return 0
    rows = [[e.name, e.package, _PARALLEL.get(e.scan_kind, e.scan_kind), e.source] for e in entries]
    print(_table(rows, ["model", "package", "parallel scan", "source"]))
    print(f"\n{len(rows)} memory models")
    if reg.problems:
        print(f"\n{len(reg.problems)} plugin problem(s):")
        for p in reg.problems:
            print(f"  {p.status} {p}")
    return 0


def cmd_check_model(args: argparse.Namespace) -> int:
    """`arcade check-model NAME...`: the memory-model kit, one line per check."""
    from arcade_core.errors import CLIError

    from .memory.registry import memory_registry

    reg = memory_registry()
    try:
        names = [reg.lookup(name).name for name in args.names]  # before anything compiles
    except ValueError as exc:  # unknown, or claimed by two plugins
        raise CLIError(str(exc).splitlines()[0]) from None
    from .testing import CHECKS, check_memory_model

    width = max(map(len, CHECKS))
    failed = 0
    for name in names:
        print(f"{name}: compiling and checking (first check includes the compile) ...", flush=True)

        def show(r: Any) -> None:
            detail = f"  {r.detail}" if r.detail else ""
            print(f"  {r.status.upper():4} {r.name:{width}} {r.seconds:6.1f} s{detail}", flush=True)

        report = check_memory_model(name, raise_on_failure=False, on_result=show)
        failed += not report.ok
        print(f"{'PASS' if report.ok else 'FAIL'} {name}")
    if len(names) > 1:
        print(f"\n{'FAILED' if failed else 'OK'}: {failed} of {len(names)} model(s) failed")
    return 1 if failed else 0

"""The `arcade` command. `arcade list` imports no JAX; the other commands load it on demand.

    arcade list [--json]            every registered env, and any broken plugin with its error
    arcade info ID                  one env's spec, spaces and rules page
    arcade check ID... | --all      the conformance suite (non-zero exit on failure)
    arcade soak [ID...] --steps N   random actions, invalid ones too: counters, non-zero exit
    arcade bench ID... [--floor]    frames/s of a jitted scan of vmapped steps, compile apart
    arcade plugins                  the plugins found and their status
    arcade new-plugin NAME          write a ready-to-edit game (or --kind memory) plugin

Plugins add commands through the `arcade_cli` hook.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from typing import Any, NoReturn

from ..argtypes import MAX_ENVS, MAX_EPISODES, MAX_REPEATS, MAX_STEPS, duration, positive_int
from ..errors import CLIError, UserError, missing_extra_hint
from ..plugin_registry import PluginRegistry
from ..plugins import PluginInfo, PluginProblem, get_plugin_manager
from ..registry import Registry, registry
from . import hookspecs

__all__ = ["CLIError", "build_parser", "main"]


def _fmt_range(rr: Sequence[float]) -> str:
    return f"[{rr[0]:g}, {rr[1]:g}]"


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = lambda r: "  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


def _print_problems(problems: Sequence[PluginProblem]) -> None:
    if problems:
        print(f"\n{len(problems)} plugin problem(s):")
        for p in problems:
            print(f"  {p.status} {p}")


def cmd_list(args: argparse.Namespace) -> int:
    reg = registry()
    if args.json:
        out = {
            "envs": [s.as_dict() for s in reg.specs.values()],
            "problems": [p.as_dict() for p in reg.problems],
        }
        print(json.dumps(out, indent=1))
        return 0
    rows = [
        [s.id, s.game, s.difficulty, s.package, str(s.max_steps), _fmt_range(s.return_range)]
        for s in reg.specs.values()
    ]
    print(_table(rows, ["id", "game", "difficulty", "package", "max steps", "return"]))
    print(f"\n{len(rows)} envs")
    _print_problems(reg.problems)
    return 0


def plugin_problems() -> list[PluginProblem]:
    """Every problem of every plugin: at import, in the registries (the envs', and those
    plugins name through `arcade_registries`) and in every other hook that takes no
    arguments, each called once."""
    plugins = get_plugin_manager()
    plugins.add_hookspecs(hookspecs)
    problems = list(plugins.problems)
    kinds: list[tuple[PluginInfo | None, type[PluginRegistry[Any]]]] = [(None, Registry)]
    for info, result in plugins.call("arcade_registries", problems=problems):
        ok = [k for k in result if isinstance(k, type) and issubclass(k, PluginRegistry)]
        kinds += [(info, k) for k in ok]
    for info, kind in kinds:
        try:
            problems += kind.current().problems
        except Exception as exc:  # a plugin's own registry that cannot build
            if info is None:
                raise
            plugins.hook_failed(info.name, "arcade_registries", exc, problems)
    called = {k.hook for _, k in kinds} | {"arcade_registries"}
    for name, caller in list(vars(plugins.pm.hook).items()):
        spec = getattr(caller, "spec", None)
        if spec is not None and not spec.argnames and name not in called:
            list(plugins.call(name, problems=problems))
    return list(dict.fromkeys(problems))


def cmd_plugins(args: argparse.Namespace) -> int:
    """`arcade plugins`: every plugin found, and its state: ok, BROKEN (failed to load, or a
    hook of it raised) or REFUSED (a name it claims belongs to another plugin)."""
    plugins = get_plugin_manager()
    problems = plugin_problems()

    def status(info: Any) -> str:
        if info.error:
            return f"BROKEN: {info.error}"
        own = [f"{p.status}: {p.reason}" for p in problems if p.plugin == info.name]
        return "; ".join(own) or "ok"

    rows = [[p.name, p.package, p.version, p.module, status(p)] for p in plugins.plugins]
    print(_table(rows, ["plugin", "package", "version", "module", "status"]))
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    sp = _spec(args.env_id)
    for k, v in sp.as_dict().items():
        print(f"{k:12} {_fmt_range(v) if k == 'return_range' else v}")
    from ..registry import make

    env, params = make(args.env_id)
    print(f"{'actions':12} {env.action_space(params)}  (0 up, 1 down, 2 left, 3 right, 4 fire)")
    print(f"{'observation':12} Box(0, 255, (S, S, 3), uint8), S in (128, 256)")
    print(f"{'params':12} {params}")
    page = _rules_page(sp)
    doc = page or (type(env).__doc__ or "").strip()
    if doc:
        print("\n" + doc)
    return 0


def _rules_page(sp: Any) -> str:
    """The env's rules page (stripped), or '' with a note on stderr when it cannot be read:
    the spec's other facts and the game's docstring still show."""
    from ..specs import rules_text

    try:
        return rules_text(sp).strip()
    except (OSError, ImportError, UnicodeDecodeError) as exc:
        print(f"arcade: note: rules page {sp.rules!r} unreadable: {exc}", file=sys.stderr)
        return ""


def _spec(env_id: str) -> Any:
    try:
        return registry().lookup(env_id)
    except ValueError as exc:
        raise CLIError(str(exc)) from None


def _env_ids(args: argparse.Namespace) -> list[str]:
    ids = list(registry().specs) if getattr(args, "all", False) else list(args.env_ids)
    if not ids:
        raise CLIError("name at least one env id, or --all")
    for env_id in ids:
        _spec(env_id)
    return ids


def cmd_check(args: argparse.Namespace) -> int:
    env_ids = _env_ids(args)  # before JAX is imported
    from ..testing import check_env

    failed = 0
    t0 = time.perf_counter()
    for i, env_id in enumerate(env_ids):
        if len(env_ids) > 1:  # a counter with an ETA on stderr (the reports go to stdout)
            print(_counter_line(i, len(env_ids), time.perf_counter() - t0, env_id),
                  file=sys.stderr, flush=True)  # fmt: skip
        t_env = time.perf_counter()
        report = check_env(
            env_id, obs_sizes=tuple(args.obs_size), episodes=args.episodes, raise_on_failure=False
        )
        print(report.summary(), flush=True)
        took = time.perf_counter() - t_env
        print(f"checked {env_id} in {took:.1f} s (compiles included)", file=sys.stderr, flush=True)
        failed += not report.ok
    print(f"\n{'FAILED' if failed else 'OK'}: {failed} of {len(env_ids)} env(s) failed")
    return 1 if failed else 0


def _counter_line(done: int, total: int, elapsed: float, what: str) -> str:
    """`[3/37] checking X  elapsed 1m02s, ETA 11m40s` (no ETA before the first is done)."""
    eta = duration(elapsed / done * (total - done)) if done else "?"
    return f"[{done + 1}/{total}] checking {what}  elapsed {duration(elapsed)}, ETA {eta}"


def cmd_bench(args: argparse.Namespace) -> int:
    env_ids = _env_ids(args)  # before JAX is imported and the floor compiles
    if args.renderer == "plain":  # --all: the envs that have one; named ids must all have one
        specs = registry().specs
        if args.all:
            env_ids = [e for e in env_ids if specs[e].plain_renderer]
        lacking = [e for e in env_ids if not specs[e].plain_renderer]
        if lacking or not env_ids:
            from ..registry import games_with_plain_renderer

            raise CLIError(
                f"--renderer plain: no plain renderer for {', '.join(lacking) or 'any env'}; "
                f"games with one: {', '.join(games_with_plain_renderer()) or 'none'}"
            )
    from .bench import bench_env, compile_floor, floor_row, format_rows

    rows = []
    compiled_floor, floor_compile_s = (
        compile_floor(args.num_envs, args.steps, args.obs_size) if args.floor else (None, 0.0)
    )
    size = (args.num_envs, args.steps, args.obs_size)
    for env_id in env_ids:
        for partial in [False, True] if args.both else [args.partial]:
            rows.append(
                bench_env(
                    env_id,
                    *size,
                    partial,
                    args.repeats,
                    floor=compiled_floor,
                    renderer=args.renderer,
                )
            )
    floor = None
    if compiled_floor is not None:  # the floor's row: its best run over the whole bench
        best = min(r["floor_best_s"] for r in rows)
        floor = floor_row(*size, best, floor_compile_s)
    if args.json:
        print(json.dumps({"floor": floor, "results": rows}, indent=1))
    else:
        print(format_rows(rows, floor))
    return 0


def cmd_soak(args: argparse.Namespace) -> int:
    from .. import soak

    try:
        return soak.run(args)
    except ValueError as exc:  # a bad id or number, before anything compiles
        raise CLIError(str(exc).splitlines()[0]) from None


class ArgumentParser(argparse.ArgumentParser):
    """argparse's parser whose errors are one `arcade: error: ...` line (a `CLIError`), not
    a usage block and `SystemExit`; its sub-parsers are of this class too."""

    def error(self, message: str) -> NoReturn:
        command = self.prog.removeprefix("arcade").strip()
        where = f"{command}: " if command else ""
        hint = f" (see `{self.prog} --help`)"
        raise CLIError(f"{where}{message}{hint}")


def build_parser() -> argparse.ArgumentParser:
    parser = ArgumentParser(prog="arcade", description="POMDP Arcade: pixel RL tasks in JAX.")
    from .. import __version__

    parser.add_argument(
        "--version", action="version", version=f"arcade (pomdp-arcade) {__version__}"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("list", help="list registered envs (and broken plugins)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("plugins", help="list discovered plugins and their status")
    p.set_defaults(func=cmd_plugins)

    p = sub.add_parser("info", help="show one env's spec, spaces and rules page")
    p.add_argument("env_id")
    p.set_defaults(func=cmd_info)

    p = sub.add_parser("check", help="run the conformance suite on envs")
    p.add_argument("env_ids", nargs="*", metavar="ID")
    p.add_argument("--all", action="store_true", help="every registered env")
    p.add_argument("--obs-size", type=int, nargs="+", default=[128], choices=[128, 256])
    p.add_argument(
        "--episodes",
        type=positive_int(MAX_EPISODES),
        default=64,
        help="random episodes for the return check",
    )
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("soak", help="random actions, invalid ones too, on every id and view")
    from ..soak import add_arguments as add_soak_arguments

    add_soak_arguments(p)
    p.set_defaults(func=cmd_soak)

    p = sub.add_parser("bench", help="frames/s of jitted, vmapped rollouts")
    p.add_argument("env_ids", nargs="*", metavar="ID")
    p.add_argument("--all", action="store_true", help="every registered env")
    p.add_argument("--num-envs", type=positive_int(MAX_ENVS), default=64)
    p.add_argument(
        "--steps", type=positive_int(MAX_STEPS), default=128, help="steps per rollout (scan length)"
    )
    p.add_argument("--obs-size", type=int, default=128, choices=[128, 256])
    p.add_argument("--partial", action="store_true", help="the POMDP variant")
    p.add_argument("--both", action="store_true", help="MDP and POMDP")
    p.add_argument(
        "--renderer",
        choices=["tuned", "plain"],
        default="tuned",
        help="the game's tuned renderer (default) or its plain one, the same frames",
    )
    p.add_argument(
        "--floor", action="store_true", help="also time merely writing a fresh frame per step"
    )
    p.add_argument(
        "--repeats",
        type=positive_int(MAX_REPEATS),
        default=10,
        help="timed runs per env (alternated with the floor's under --floor); the best counts. "
        "On a shared machine more repeats give steadier %% of floor figures",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_bench)

    from . import newplugin, play, record  # play/record need the human/viz extras to run

    play.add_parser(sub), record.add_parser(sub), newplugin.add_parser(sub)

    # plugins add their parsers; an implementation that raises is recorded as a plugin problem
    plugins = get_plugin_manager()
    plugins.add_hookspecs(hookspecs)
    list(plugins.call("arcade_cli", subcommands=sub))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    command = "arcade"
    try:
        parser = build_parser()
        args = parser.parse_args(argv)  # every flag's bounds and output path checked here
        command = f"arcade {args.command}" if getattr(args, "command", None) else command
        if not getattr(args, "func", None):
            parser.print_help()
            return 0
        return int(args.func(args) or 0)
    except UserError as exc:  # CLIError, or a plugin's error meant for the user
        print(f"arcade: error: {exc}", file=sys.stderr)
        return 2
    except ModuleNotFoundError as exc:  # a package of an optional extra: name the install
        hint = missing_extra_hint(exc)
        if hint is None:
            raise
        print(f"arcade: error: {command} {hint}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())

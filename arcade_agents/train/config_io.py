"""Typed training configs from CLI flags, a TOML or YAML file, and `KEY=VALUE` overrides.

Precedence, lowest first: the algorithm's dataclass defaults, the `--config` file, then flags
(`--lr 1e-3`, `--set lam=0.9`). Every value is coerced to its field's declared type and the
config's own `validate()` runs before anything is compiled, so a bad value is a one-line
`ConfigError`. A run saves its config as TOML (`config.toml`) and is reloaded from it: plain
text, never pickle.
"""

from __future__ import annotations

import dataclasses
import json
import math
import tomllib
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from arcade_core.plugin_registry import did_you_mean

CONFIG_NAME = "config.toml"
# file keys accepted as aliases of field names (the CLI spells env_id `--env`)
ALIASES = {"env": "env_id", "algorithm": "algo"}
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


class ConfigError(ValueError):
    """A config value the user can fix; the message is one line."""


def field_types(cls: type) -> dict[str, Any]:
    """Field name -> resolved type annotation of a config dataclass (string annotations too)."""
    hints = typing.get_type_hints(cls)
    return {f.name: hints.get(f.name, Any) for f in dataclasses.fields(cls) if f.init}


def _scalar(name: str, value: Any, typ: Any) -> Any:
    """`value` (from a flag, a file or an override) as `typ`, else a `ConfigError`."""
    bad = ConfigError(f"{name}: expected {getattr(typ, '__name__', typ)}, got {value!r}")
    if typ is Any:
        return value
    if typ is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise bad
    if typ is int:
        if isinstance(value, bool):
            raise bad
        if isinstance(value, int):
            return value
        try:
            f = float(value) if isinstance(value, str) else value
        except ValueError:
            raise bad from None
        if isinstance(f, float) and math.isfinite(f) and f.is_integer():
            return int(f)  # "1e5" and 1e5 are fine for an int field; 1.5 is not
        raise bad
    if typ is float:
        if isinstance(value, bool):
            raise bad
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad from None
    if typ is str:
        if isinstance(value, str):
            return value
        raise bad
    return value


def coerce(name: str, value: Any, typ: Any) -> Any:
    """Coerce `value` to the field type `typ`: scalars, `X | None`, tuples and lists."""
    origin = typing.get_origin(typ)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(typ)
        if type(None) in args and (value is None or str(value).lower() in ("none", "null")):
            return None
        errors = []
        for arg in (a for a in args if a is not type(None)):
            try:
                return coerce(name, value, arg)
            except ConfigError as exc:
                errors.append(str(exc))
        raise ConfigError(errors[0] if errors else f"{name}: bad value {value!r}")
    if origin in (tuple, list):
        if isinstance(value, str):
            value = [v for v in value.strip("()[] ").split(",") if v.strip()]
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{name}: expected a list, got {value!r}")
        args = typing.get_args(typ)
        item = args[0] if args else Any
        return origin(coerce(name, v.strip() if isinstance(v, str) else v, item) for v in value)
    return _scalar(name, value, typ)


def parse_overrides(items: Sequence[str]) -> dict[str, str]:
    """`["lam=0.9", "eps-decay=0.2"]` -> `{"lam": "0.9", "eps_decay": "0.2"}`."""
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--set {item!r}: expected KEY=VALUE")
        out[normalize_key(key)] = value.strip()
    return out


def normalize_key(key: str) -> str:
    key = key.strip().replace("-", "_")
    return ALIASES.get(key, key)


def read_mapping(path: str | Path, kind: str = "config") -> dict[str, Any]:
    """The top-level table of a `.toml`, `.yaml` or `.yml` file, as parsed; a one-line
    `ConfigError` (naming the `kind` of file) if it is missing, unreadable or not a table."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{kind} file {str(path)!r} does not exist")
    suffix = path.suffix.lower()
    try:
        if suffix == ".toml":
            data: Any = tomllib.loads(path.read_text())
        elif suffix in (".yaml", ".yml"):
            try:
                import yaml
            except ImportError:
                raise ConfigError(f"YAML {kind} files need PyYAML: pip install pyyaml") from None
            data = yaml.safe_load(path.read_text()) or {}
        else:
            raise ConfigError(f"{kind} file {path.name!r}: use a .toml, .yaml or .yml file")
    except ConfigError:
        raise
    except Exception as exc:  # TOMLDecodeError, yaml.YAMLError, OSError, UnicodeError
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ConfigError(f"cannot read {path.name}: {first}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path.name}: expected a table of KEY = VALUE")
    return data


def load_file(path: str | Path) -> dict[str, Any]:
    """A flat table of config values from a `.toml`, `.yaml` or `.yml` file."""
    data = read_mapping(path)
    nested = [k for k, v in data.items() if isinstance(v, dict)]
    if nested:
        name = Path(path).name
        raise ConfigError(f"{name}: sections are not supported ([{nested[0]}]); use flat keys")
    return {normalize_key(str(k)): v for k, v in data.items()}


def build_config(cls: type, values: Mapping[str, Any]) -> Any:
    """An instance of the config dataclass `cls` from raw `values`, coerced and validated."""
    types_ = field_types(cls)
    kwargs = {}
    for key, value in values.items():
        if key not in types_:
            hint = did_you_mean(key, list(types_), quote=True)
            raise ConfigError(f"unknown config key {key!r} for {cls.__name__}.{hint}")
        kwargs[key] = coerce(key, value, types_[key])
    try:
        config = cls(**kwargs)
        validate = getattr(config, "validate", None)
        if validate is not None:
            validate()
    except ConfigError:
        raise
    except (TypeError, ValueError) as exc:
        first = (str(exc).strip().splitlines() or [""])[0]
        raise ConfigError(first) from None
    return config


def resolve(
    get_algorithm: Callable[[str], Any],
    *,
    flags: Mapping[str, Any] | None = None,
    overrides: Sequence[str] = (),
    config_file: str | Path | None = None,
) -> Any:
    """The run's config: algorithm defaults < `config_file` < `flags` and `overrides`.

    `flags` maps field names to values the user gave explicitly (unset flags left out)."""
    values: dict[str, Any] = {}
    if config_file is not None:
        values.update(load_file(config_file))
    values.update({k: v for k, v in (flags or {}).items() if v is not None})
    values.update(parse_overrides(overrides))
    algo = str(values.get("algo", "pqn"))
    values["algo"] = algo
    algorithm = get_algorithm(algo)
    return build_config(algorithm.config_cls, values)


def _toml_value(value: Any) -> str:
    if value is None:
        return '"none"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string for everything json escapes
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise ConfigError(f"cannot write {value!r} ({type(value).__name__}) to TOML")


SAVED_HEADER = ": reload with `arcade train --config THIS_FILE`"


def to_toml(config: Any) -> str:
    """The config as flat TOML, one `key = value` per field, in declaration order."""
    lines = [f"# {type(config).__name__}{SAVED_HEADER}"]
    for f in dataclasses.fields(config):
        lines.append(f"{f.name} = {_toml_value(getattr(config, f.name))}")
    return "\n".join(lines) + "\n"


def save_config(config: Any, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(to_toml(config))
    tmp.replace(path)
    return path


def load_config(path: str | Path, get_algorithm: Callable[[str], Any]) -> Any:
    """A saved run's config (its `config.toml`, or the run directory holding one)."""
    path = Path(path)
    if path.is_dir():
        path = path / CONFIG_NAME
    if not path.is_file():
        raise ConfigError(f"{str(path)!r} not found: not a training run directory")
    values = load_file(path)
    return build_config(get_algorithm(str(values.get("algo", "pqn"))).config_cls, values)


def fields_missing(config_cls: type, saved: Mapping[str, Any]) -> list[str]:
    """The fields of `config_cls` that a run's saved config (which writes every field) lacks:
    fields added since the run was saved, which today's defaults fill in on loading."""
    return [f.name for f in dataclasses.fields(config_cls) if f.name not in saved]


def predates_note(path: str | Path, config: Any) -> str:
    """One line when `path` is a config file saved by a run that predates fields of `config`'s
    class (`fields_missing`): a rerun from it may differ from that run ('' otherwise)."""
    with open(path) as f:
        if SAVED_HEADER not in f.readline():
            return ""  # a hand-written file names only what it changes
    missing = fields_missing(type(config), load_file(path))
    if not missing:
        return ""
    values = ", ".join(f"{name}={getattr(config, name)!r}" for name in missing)
    return (
        f"{Path(path).name} was saved before {', '.join(missing)} existed: today's defaults "
        f"fill in {values}; set them to reproduce that run exactly"
    )

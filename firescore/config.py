"""firescore.toml: where the scheme, registries, inbox, outputs and warehouse are."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

CONFIG_NAME = "firescore.toml"


class ConfigError(Exception):
    """The configuration cannot be used; the message is Chinese and names the key."""


@dataclass(frozen=True)
class Config:
    """Resolved paths and limits of one installation."""

    scheme: Path
    units: Path
    tasks: Path
    history: Path
    inbox: Path
    out: Path
    warehouse: Path
    max_file_bytes: int = 20_000_000
    max_sheet_rows: int = 200_000
    max_sheet_cells: int = 5_000_000
    batch_size: int = 200

    def with_overrides(self, **paths: Path | None) -> Config:
        """Return a copy with the given non-empty paths replaced (CLI flags)."""
        return replace(self, **{k: Path(v) for k, v in paths.items() if v is not None})


_PATH_KEYS = ["scheme", "units", "tasks", "history", "inbox", "out", "warehouse"]
_LIMIT_KEYS = {
    "max_file_bytes": int,
    "max_sheet_rows": int,
    "max_sheet_cells": int,
    "batch_size": int,
}


def find_config(explicit: Path | None = None) -> Path:
    """Return the config file: the flag, else $FIRESCORE_CONFIG, else ./firescore.toml."""
    if explicit is not None:
        return explicit
    if os.environ.get("FIRESCORE_CONFIG"):
        return Path(os.environ["FIRESCORE_CONFIG"])
    return Path.cwd() / CONFIG_NAME


def load_config(path: Path | None = None) -> Config:
    """Load a config file; relative paths are relative to the file's folder."""
    path = find_config(path)
    if not path.is_file():
        raise ConfigError(f"找不到配置文件 {path}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"配置文件 {path} 格式错误：{exc}") from exc
    unknown = set(data) - {"paths", "limits"}
    if unknown:
        raise ConfigError(f"配置文件 {path} 中有未知的节：{'、'.join(sorted(unknown))}")
    paths = data.get("paths", {})
    limits = data.get("limits", {})
    for key in set(paths) - set(_PATH_KEYS):
        raise ConfigError(f"配置文件 {path} 中有未知的键 paths.{key}")
    for key in set(limits) - set(_LIMIT_KEYS):
        raise ConfigError(f"配置文件 {path} 中有未知的键 limits.{key}")
    base = path.resolve().parent
    resolved = {}
    for key in _PATH_KEYS:
        if not isinstance(paths.get(key), str):
            raise ConfigError(f"配置文件 {path} 缺少键 paths.{key}（应为路径字符串）")
        resolved[key] = (base / paths[key]).resolve()
    for key, kind in _LIMIT_KEYS.items():
        if key in limits:
            if not isinstance(limits[key], kind) or limits[key] <= 0:
                raise ConfigError(f"配置文件 {path} 中的键 limits.{key} 应为正整数")
            resolved[key] = limits[key]
    return Config(**resolved)

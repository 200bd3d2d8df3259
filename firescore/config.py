"""firescore.toml: where the scheme, registries, inbox, outputs and warehouse are; who issues;
where the batches of a run are worked (local processes or a Dask cluster)."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

CONFIG_NAME = "firescore.toml"
LOG_NAME = "firescore.log"
LOG_DIR = "logs"  # under the output folder: out/logs/firescore.log


class ConfigError(Exception):
    """The configuration cannot be used; the message is Chinese and names the key."""


@dataclass(frozen=True)
class Limits:
    """How much of a file is read at most, and how many files one read task takes."""

    max_file_bytes: int = 20_000_000  # a larger file is refused unread
    max_sheet_rows: int = 200_000  # a sheet with more data rows is refused
    max_sheet_cells: int = 5_000_000  # a sheet with a larger used range is refused unparsed
    batch_size: int = 200  # files per read task, units per feedback-writing task


LOCAL, DASK = "local", "dask"


@dataclass(frozen=True)
class Runner:
    """Where the batches of a run (reading, feedback writing) are worked: [runner] of the config."""

    kind: str = LOCAL  # local: processes of this machine; dask: a Dask cluster
    workers: int | None = None  # local: worker processes; None: the cores this process may use
    address: str | None = None  # dask: the scheduler of a running cluster (tcp://host:8786)
    n_workers: int | None = None  # dask: a LocalCluster of this many worker processes

    @property
    def processes(self) -> int:
        """Return how many local worker processes to use (the cores available by default)."""
        return self.workers or available_cores()


def available_cores() -> int:
    """Return the number of cores this process may run on (its CPU affinity, else all)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


@dataclass(frozen=True)
class Config:
    """Resolved paths, limits and issuing office of one installation."""

    scheme: Path
    units: Path
    tasks: Path
    history: Path
    inbox: Path
    out: Path
    warehouse: Path
    limits: Limits = Limits()
    runner: Runner = Runner()
    office: str = ""  # issuing office, under every sheet's title (渝中区消防安全委员会办公室)
    attachment: str | None = None  # 附件 label top left of the leaders' workbooks (附件1)
    log: Path | None = None  # the engineers' log file; None: <out>/logs/firescore.log

    @property
    def log_file(self) -> Path:
        """Return where tracebacks and library log lines go (never the office's console)."""
        return self.log if self.log is not None else self.out / LOG_DIR / LOG_NAME

    def with_overrides(self, **paths: Path | None) -> Config:
        """Return a copy with the given non-empty paths replaced (CLI flags)."""
        return replace(self, **{k: Path(v) for k, v in paths.items() if v is not None})


_PATH_KEYS = ["scheme", "units", "tasks", "history", "inbox", "out", "warehouse"]
_OPTIONAL_PATH_KEYS = ["log"]
_LIMIT_KEYS = ["max_file_bytes", "max_sheet_rows", "max_sheet_cells", "batch_size"]
_OFFICE_KEYS = {"name": "office", "attachment": "attachment"}  # [office] key -> Config field
_RUNNER_KEYS = {LOCAL: {"kind", "workers"}, DASK: {"kind", "address", "n_workers"}}
ADDRESS = re.compile(r"(tcp|tls|inproc|ucx)://\S+")  # a Dask scheduler address
MAX_OFFICE_TEXT = 60  # characters: the office line must fit above a printed table


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
    except UnicodeDecodeError:
        raise ConfigError(
            f"配置文件 {path} 不是 UTF-8 编码的文本（可能是 GBK），请用UTF-8保存后重试"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"配置文件 {path} 格式错误：{exc}") from exc
    unknown = set(data) - {"paths", "limits", "office", "runner"}
    if unknown:
        raise ConfigError(f"配置文件 {path} 中有未知的节：{'、'.join(sorted(unknown))}")
    paths = data.get("paths", {})
    limits = data.get("limits", {})
    office = data.get("office", {})
    runner = data.get("runner", {})
    sections = (("paths", paths), ("limits", limits), ("office", office), ("runner", runner))
    for section, value in sections:
        if not isinstance(value, dict):
            raise ConfigError(f"配置文件 {path} 中的 {section} 应为一节（[{section}]）")
    for key in set(paths) - set(_PATH_KEYS) - set(_OPTIONAL_PATH_KEYS):
        raise ConfigError(f"配置文件 {path} 中有未知的键 paths.{key}")
    for key in set(limits) - set(_LIMIT_KEYS):
        raise ConfigError(f"配置文件 {path} 中有未知的键 limits.{key}")
    for key in set(office) - set(_OFFICE_KEYS):
        raise ConfigError(f"配置文件 {path} 中有未知的键 office.{key}")
    base = path.resolve().parent
    resolved = {}
    for key in _PATH_KEYS:
        if not isinstance(paths.get(key), str):
            raise ConfigError(f"配置文件 {path} 缺少键 paths.{key}（应为路径字符串）")
        resolved[key] = (base / paths[key]).resolve()
    for key in _OPTIONAL_PATH_KEYS:
        if key in paths:
            if not isinstance(paths[key], str):
                raise ConfigError(f"配置文件 {path} 中的键 paths.{key} 应为路径字符串")
            resolved[key] = (base / paths[key]).resolve()
    for key, value in limits.items():
        # TOML's true/false are Python bools, which are ints: refuse them explicitly.
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            shown = str(value).lower() if isinstance(value, bool) else repr(value)
            raise ConfigError(
                f"配置文件 {path} 中的键 limits.{key} 为 {shown}，应为正整数（不加引号）"
            )
    resolved["limits"] = Limits(**limits)
    for key, field_name in _OFFICE_KEYS.items():
        if key in office:
            resolved[field_name] = _office_text(path, key, office[key])
    resolved["runner"] = _runner(path, runner)
    return Config(**resolved)


def _runner(path: Path, section: dict) -> Runner:
    """Return the [runner] section: local processes (default) or a Dask cluster."""
    kind = section.get("kind", LOCAL)
    if kind not in _RUNNER_KEYS:
        raise ConfigError(
            f'配置文件 {path} 中的键 runner.kind 为 {kind!r}，应为 "{LOCAL}"（本机多进程）'
            f'或 "{DASK}"（Dask 集群）'
        )
    for key in sorted(set(section) - _RUNNER_KEYS[LOCAL] - _RUNNER_KEYS[DASK]):
        raise ConfigError(f"配置文件 {path} 中有未知的键 runner.{key}")
    for key in sorted(set(section) - _RUNNER_KEYS[kind]):
        raise ConfigError(
            f'配置文件 {path} 中的键 runner.{key} 不适用于 kind = "{kind}"，'
            f"可用的键：{'、'.join(sorted(_RUNNER_KEYS[kind]))}"
        )
    for key in ("workers", "n_workers"):
        value = section.get(key)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value <= 0
        ):
            shown = str(value).lower() if isinstance(value, bool) else repr(value)
            raise ConfigError(
                f"配置文件 {path} 中的键 runner.{key} 为 {shown}，应为正整数（不加引号）"
            )
    address = section.get("address")
    if address is not None and (not isinstance(address, str) or not ADDRESS.fullmatch(address)):
        raise ConfigError(
            f"配置文件 {path} 中的键 runner.address 为 {address!r}，"
            '应为 Dask 调度器的地址，如 "tcp://10.0.0.5:8786"'
        )
    if address is not None and "n_workers" in section:
        raise ConfigError(
            f"配置文件 {path} 中的键 runner.address 与 runner.n_workers 只能选一个："
            "address 连接已有的 Dask 集群，n_workers 在本机启动一个集群"
        )
    return Runner(
        kind=kind,
        workers=section.get("workers"),
        address=address,
        n_workers=section.get("n_workers"),
    )


def _office_text(path: Path, key: str, value: object) -> str:
    """Return an [office] value: a one-line, non-empty text short enough to print."""
    if not isinstance(value, str) or not value.strip() or "\n" in value:
        raise ConfigError(f"配置文件 {path} 中的键 office.{key} 应为一行非空文字")
    if len(value.strip()) > MAX_OFFICE_TEXT:
        raise ConfigError(
            f"配置文件 {path} 中的键 office.{key} 过长（{len(value.strip())}个字），"
            f"应不超过{MAX_OFFICE_TEXT}个字"
        )
    return value.strip()

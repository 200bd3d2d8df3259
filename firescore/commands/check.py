"""`firescore check`: a unit's self-check with exactly the run's rules, no Prefect, no warehouse."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from firescore.config import Config
from firescore.intake.contracts import BASIC_SHEET
from firescore.intake.discover import Submission, modified_at, not_a_submission, submission_of
from firescore.intake.pipeline import Earlier, intake, read_files
from firescore.issues import Issue
from firescore.registry import Registries
from firescore.scheme import Quarter, Scheme


@dataclass
class CheckReport:
    """The issues of one checked file."""

    path: Path
    issues: list[Issue]


def _submission(path: Path, unit_code: str, quarter: str, tz: ZoneInfo) -> Submission:
    """Describe a file to check as if its 基本信息's unit had sent it for its quarter."""
    received = [(modified_at(path, tz), "文件修改时间")]
    return submission_of([path], quarter, unit_code, path.name, received, origin="check")


def check_file(path: Path, config: Config, scheme: Scheme, registries: Registries) -> CheckReport:
    """Check one file: unit and quarter are taken from its 基本信息."""
    tz = ZoneInfo(scheme.timezone)
    if not path.exists() and not path.is_symlink():
        return CheckReport(path, [Issue(str(path), "error", "file_missing", f"找不到文件 {path}")])
    reason = not_a_submission(path)
    if reason is not None:
        # The run would not read it either: it would be listed as ignored, never scored.
        message = f"{path.name}：{reason}（正式运行时同样不会读取）"
        return CheckReport(path, [Issue(str(path), "error", "not_a_submission", message)])
    (probe,) = read_files(
        [_submission(path, "?", "?", tz)], scheme, registries, config.limits, sheets=[BASIC_SHEET]
    )
    basic = probe.typed.get(BASIC_SHEET)
    if basic is None or basic.is_empty():
        return CheckReport(path, probe.issues)
    unit = basic.get_column("unit_code")[0] or "?"
    quarter = Quarter.parse(basic.get_column("quarter")[0]) or "?"
    sub = _submission(path, unit, quarter, tz)
    if quarter == "?":
        (read,) = read_files([sub], scheme, registries, config.limits)
        return CheckReport(path, read.issues)
    (read,) = intake(
        [sub], quarter, scheme, registries, config.limits, Earlier.none(), engine="polars"
    )
    return CheckReport(path, read.issues)


def check_files(
    paths: list[Path], config: Config, scheme: Scheme, registries: Registries
) -> list[CheckReport]:
    """Check several files, each on its own."""
    return [check_file(p, config, scheme, registries) for p in paths]

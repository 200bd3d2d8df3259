"""`firescore check`: a unit's self-check with exactly the run's rules, no Prefect, no warehouse."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl

from firescore.config import Config
from firescore.intake.discover import Submission, sha256_of
from firescore.intake.pipeline import optional_sheets, read_submission, validate_quarter
from firescore.issues import Issue
from firescore.registry import Registries
from firescore.scheme import Quarter, Scheme


@dataclass
class CheckReport:
    """The issues of one checked file."""

    path: Path
    issues: list[Issue]


def _submission(path: Path, unit_code: str, quarter: str, tz: ZoneInfo) -> Submission:
    """Describe a file to check as if it had arrived in the inbox of its own unit."""
    return Submission(
        quarter=quarter,
        unit_code=unit_code,
        paths=(path,),
        rel_path=path.name,
        file_name=path.name,
        sha256=sha256_of(path),
        size_bytes=path.stat().st_size,
        received_at=datetime.fromtimestamp(path.stat().st_mtime, tz),
        received_source="文件修改时间",
        file_format=path.suffix.lower().lstrip(".")
        if path.suffix.lower() in {".xlsx", ".xlsm", ".xls", ".csv"}
        else "unknown",
    )


def check_file(path: Path, config: Config, scheme: Scheme, registries: Registries) -> CheckReport:
    """Check one file: unit and quarter are taken from its 基本信息."""
    tz = ZoneInfo(scheme.timezone)
    if not path.is_file():
        return CheckReport(path, [Issue(str(path), "error", "file_missing", f"找不到文件 {path}")])
    probe = read_submission(
        _submission(path, "?", "?", tz),
        scheme,
        config.max_file_bytes,
        config.max_sheet_rows,
        sheets=["基本信息"],
    )
    basic = probe.typed.get("基本信息")
    if basic is None or basic.is_empty():
        return CheckReport(path, probe.issues)
    unit = basic.get_column("unit_code")[0] or "?"
    quarter = Quarter.parse(basic.get_column("quarter")[0]) or "?"
    read = read_submission(
        _submission(path, unit, quarter, tz),
        scheme,
        config.max_file_bytes,
        config.max_sheet_rows,
        optional=optional_sheets(unit, registries),
        max_cells=config.max_sheet_cells,
    )
    if quarter != "?":
        no_fires = pl.DataFrame(schema={"fire_id": pl.Utf8, "quarter": pl.Utf8})
        validate_quarter([read], quarter, scheme, registries, no_fires, engine="polars")
    return CheckReport(path, read.issues)


def check_files(
    paths: list[Path], config: Config, scheme: Scheme, registries: Registries
) -> list[CheckReport]:
    """Check several files, each on its own."""
    return [check_file(p, config, scheme, registries) for p in paths]

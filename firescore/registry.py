"""The office's registries: 单位名册 and 任务分解表, read through the same reader and contracts."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property
from pathlib import Path

import polars as pl

from firescore.config import Limits
from firescore.intake.casting import cast_sheet
from firescore.intake.contracts import TASKS_SHEET, UNITS_SHEET, contract
from firescore.intake.expectations import validate_sheets
from firescore.intake.reader import read_csv, read_excel
from firescore.intake.values import UNPARSABLE, fold, parse_date
from firescore.issues import ERROR, Issue

_MONTH = re.compile(r"^(\d{4})年(\d{1,2})月(?:底|末)?(?:前|以前|之前)?$")
_YEAR_END = re.compile(r"^(\d{4})年(?:年)?(?:底|末)(?:前|以前|之前)?$")
_SPLIT = re.compile(r"[、，,;；\s]+")


class RegistryError(Exception):
    """A registry cannot be used; lines are Chinese messages naming file and cell."""

    def __init__(self, lines: list[str]):
        super().__init__("\n".join(lines))
        self.lines = lines


@dataclass(frozen=True)
class Registries:
    """Units, tasks and who is named on each task."""

    units: pl.DataFrame
    tasks: pl.DataFrame
    assignments: pl.DataFrame

    @cached_property
    def named_units(self) -> frozenset[str]:
        """Return the units named on a task (asked once per submission: a set, not a filter)."""
        return frozenset(self.assignments.get_column("unit_code").to_list())


def parse_deadline(text: str) -> tuple[date | None, bool] | None:
    """Return (deadline, ongoing) from 完成时限; a month means its last day. None if unreadable."""
    key = fold(text) or ""
    if "持续" in key or "长期" in key or "常态" in key:
        return None, True
    if match := _MONTH.match(key):
        year, month = int(match[1]), int(match[2])
        if 1 <= month <= 12:
            return date(year, month, calendar.monthrange(year, month)[1]), False
        return None
    if match := _YEAR_END.match(key):
        return date(int(match[1]), 12, 31), False
    parsed = parse_date(key.removesuffix("前").removesuffix("之"))
    if parsed is None or parsed is UNPARSABLE:
        return None
    return parsed, False


def _read_typed(path: Path, sheet: str, limits: Limits) -> tuple[pl.DataFrame, list[str]]:
    """Read, cast and validate one registry file; return its rows and error messages."""
    spec = contract(sheet)
    if not path.is_file():
        raise RegistryError([f"找不到{sheet}文件 {path}"])
    # A registry is one sheet in its own file (not a submission bundle): read it directly.
    if path.suffix.lower() == ".csv":
        result = read_csv(path, sheet, spec)
    else:
        result = read_excel(path, sheet, [spec], limits)
    issues: list[Issue] = list(result.issues)
    if sheet not in result.sheets:
        raise RegistryError([f"{path.name}：{i.message}" for i in issues if i.severity == ERROR])
    data = result.sheets[sheet]
    typed, cast_issues, failed = cast_sheet(data)
    issues += cast_issues
    # Registries are small and read by every command: the polars engine keeps start-up fast.
    issues += validate_sheets(spec, typed, {sheet: data}, failed, engine="polars")
    return typed, [f"{path.name}：{i.message}" for i in issues if i.severity == ERROR]


def load_registries(units_path: Path, tasks_path: Path, limits: Limits) -> Registries:
    """Read both registries; raise RegistryError listing every problem."""
    units, errors = _read_typed(units_path, UNITS_SHEET, limits)
    tasks, task_errors = _read_typed(tasks_path, TASKS_SHEET, limits)
    errors += task_errors
    if errors:
        raise RegistryError(errors)
    units = units.select(
        "unit_code",
        "unit_name",
        "grp",
        pl.col("region"),
        pl.col("place_types")
        .fill_null("")
        .str.split("、")
        .list.eval(pl.element().str.strip_chars().filter(pl.element() != ""))
        .alias("place_types"),
        "ranked",
    )
    by_name = {fold(n): c for c, n in units.select("unit_code", "unit_name").iter_rows()}
    codes = set(units.get_column("unit_code"))
    task_rows, assignments = [], {}
    for row in tasks.iter_rows(named=True):
        where = f"{tasks_path.name}：任务分解表!第{row['excel_row']}行"
        deadline = parse_deadline(row["deadline_text"])
        if deadline is None:
            errors.append(
                f"{where}「完成时限」为“{row['deadline_text']}”，"
                "应为：日期、“2026年6月底前”、“2026年12月”或“持续开展”"
            )
            continue
        task_rows.append(
            {
                "task_id": row["task_id"],
                "title": row["title"],
                "detail": row["detail"],
                "deadline": deadline[0],
                "deadline_text": row["deadline_text"],
                "ongoing": deadline[1],
                "weight": row["weight"] if row["weight"] is not None else Decimal(1),
            }
        )
        # 配合 first, then 牵头 overwrites: a unit named as both counts as 牵头.
        for role, field in (("配合", "support"), ("牵头", "lead")):
            for token in _SPLIT.split(row[field] or ""):
                if not token:
                    continue
                code = token.upper() if token.upper() in codes else by_name.get(fold(token))
                if code is None:
                    errors.append(
                        f"{where}「{'牵头单位' if role == '牵头' else '配合单位'}」中的“{token}”不在单位名册中"
                    )
                    continue
                assignments[(row["task_id"], code)] = role
    if errors:
        raise RegistryError(errors)
    return Registries(
        units=units,
        tasks=pl.DataFrame(
            task_rows,
            schema={
                "task_id": pl.Utf8,
                "title": pl.Utf8,
                "detail": pl.Utf8,
                "deadline": pl.Date,
                "deadline_text": pl.Utf8,
                "ongoing": pl.Boolean,
                "weight": pl.Decimal(38, 12),
            },
        ),
        assignments=pl.DataFrame(
            [
                {"task_id": t, "unit_code": u, "role": r}
                for (t, u), r in sorted(assignments.items())
            ],
            schema={"task_id": pl.Utf8, "unit_code": pl.Utf8, "role": pl.Utf8},
        ),
    )

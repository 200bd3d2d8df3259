"""Tiny hand-made warehouses for the scoring tests: a real in-memory DuckDB from warehouse/schema.sql.

Helpers insert registry rows, submitted files and their rows the way the loader would, with
the column letters of the generated templates, so ledger rows carry real cell references.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import yaml

from firescore.scheme import Scheme

ROOT = Path(__file__).resolve().parents[1]
DDL = ROOT / "firescore" / "warehouse" / "schema.sql"
SAMPLE_SCHEME = ROOT / "data_samples" / "scheme.yaml"

# Column letters as a generated template lays the sheets out.
LETTERS = {
    "任务进展": {"task_id": "A", "title": "B", "status": "C", "done_date": "D", "times": "E"},
    "工作指标": {"indicator_id": "A", "name": "B", "value": "C", "denominator": "D"},
    "加减分": {"unit_code": "A", "item": "B", "points": "C", "reason": "D"},
    "火灾情况": {"fire_id": "A", "fire_time": "B", "street_code": "C"},
}

# A department's indicator rows that meet every target (I02, I08 rates; I03, I05 counts; I09).
FULL_DEPARTMENT_INDICATORS = {
    "I02": (1, 1),
    "I03": (1, None),
    "I05": (2, None),
    "I08": (1, 1),
    "I09": (1, None),
}
# A street's, with I01 at 100% (meets any region's target).
FULL_STREET_INDICATORS = {
    "I01": (10, 10),
    "I02": (1, 1),
    "I03": (1, None),
    "I04": (3, None),
    "I05": (2, None),
    "I06": (1, 1),
    "I07": (2, None),
}


@cache
def _sample_data() -> str:
    return SAMPLE_SCHEME.read_text(encoding="utf-8")


def scheme(edit: Callable[[dict[str, Any]], None] | None = None) -> Scheme:
    """The sample scheme, optionally with one edit applied to its YAML data."""
    data = yaml.safe_load(_sample_data())
    if edit is not None:
        edit(data)
    return Scheme.model_validate(data)


def warehouse() -> duckdb.DuckDBPyConnection:
    """A fresh in-memory warehouse with the project's DDL."""
    con = duckdb.connect(":memory:")
    con.execute(DDL.read_text(encoding="utf-8"))
    return con


def add_unit(
    con: duckdb.DuckDBPyConnection,
    code: str,
    grp: str = "镇街组",
    *,
    name: str | None = None,
    region: str | None = None,
    place_types: Iterable[str] = (),
    ranked: bool = True,
) -> None:
    """Register a unit in `units`."""
    con.execute(
        "INSERT INTO units VALUES (?, ?, ?, ?, ?, ?)",
        [code, name or f"{code}单位", grp, region, list(place_types), ranked],
    )


def add_task(
    con: duckdb.DuckDBPyConnection,
    task_id: str,
    deadline: date | None,
    *,
    title: str | None = None,
    weight: str = "1",
    ongoing: bool = False,
    deadline_text: str | None = None,
) -> None:
    """Register a task of the 任务分解表 (deadline already resolved to a date)."""
    con.execute(
        "INSERT INTO tasks VALUES (?, ?, NULL, ?, ?, ?, ?)",
        [
            task_id,
            title or f"{task_id}任务",
            deadline,
            deadline_text or ("持续开展" if ongoing else str(deadline)),
            ongoing,
            Decimal(weight),
        ],
    )


def assign(con: duckdb.DuckDBPyConnection, task_id: str, unit: str, role: str = "牵头") -> None:
    """Name a unit on a task."""
    con.execute("INSERT INTO task_assignments VALUES (?, ?, ?)", [task_id, unit, role])


def add_file(
    con: duckdb.DuckDBPyConnection,
    quarter: str,
    unit: str,
    received_at: str = "2026-07-05 10:00:00+08:00",
    *,
    valid: bool = True,
    tag: str = "",
) -> str:
    """Register a received file; return its sha256 (derived from quarter, unit, time, tag)."""
    sha = hashlib.sha256(f"{quarter}|{unit}|{received_at}|{tag}|{valid}".encode()).hexdigest()
    name = f"{unit}_{quarter}{tag}.xlsx"
    con.execute(
        "INSERT INTO raw_files VALUES (?, ?, ?, ?, ?, ?::TIMESTAMPTZ, '收件登记', 1000, 'xlsx', "
        "NULL, ?, 'test-run', ?::TIMESTAMPTZ)",
        [sha, quarter, unit, f"{quarter}/{unit}/{name}", name, received_at, valid, received_at],
    )
    for sheet, fields in LETTERS.items():
        for field, letter in fields.items():
            con.execute("INSERT INTO raw_columns VALUES (?, ?, ?, ?)", [sha, sheet, field, letter])
    return sha


def task_row(
    con: duckdb.DuckDBPyConnection,
    sha: str,
    excel_row: int,
    task_id: str,
    status: str | None,
    done_date: date | None = None,
    times: int | None = None,
    evidence: str | None = None,
) -> None:
    """A 任务进展 row of a file."""
    con.execute(
        "INSERT INTO raw_task_rows VALUES (?, ?, ?, ?, ?, ?, NULL, ?)",
        [sha, excel_row, task_id, status, done_date, times, evidence],
    )


def indicator_row(
    con: duckdb.DuckDBPyConnection,
    sha: str,
    excel_row: int,
    indicator_id: str,
    value: Any,
    denominator: Any = None,
) -> None:
    """A 工作指标 row of a file."""
    con.execute(
        "INSERT INTO raw_indicator_rows VALUES (?, ?, ?, ?, ?, NULL)",
        [
            sha,
            excel_row,
            indicator_id,
            None if value is None else Decimal(str(value)),
            None if denominator is None else Decimal(str(denominator)),
        ],
    )


def indicator_rows(con: duckdb.DuckDBPyConnection, sha: str, rows: dict[str, tuple]) -> None:
    """Several 工作指标 rows from {indicator_id: (value, denominator)}, from Excel row 3."""
    for n, (ind, (value, denominator)) in enumerate(rows.items()):
        indicator_row(con, sha, 3 + n, ind, value, denominator)


def fire_row(
    con: duckdb.DuckDBPyConnection,
    sha: str,
    excel_row: int,
    fire_id: str,
    when: str,
    street: str,
    place_type: str = "住宅",
    deaths: int = 0,
    injuries: int = 0,
    loss: str = "1",
    grade: str = "一般",
) -> None:
    """A 火灾情况 row of a detachment file."""
    con.execute(
        "INSERT INTO raw_fire_rows VALUES (?, ?, ?, ?::TIMESTAMP, ?, ?, '电气', ?, ?, ?, ?)",
        [sha, excel_row, fire_id, when, street, place_type, deaths, injuries, Decimal(loss), grade],
    )


def history_fire(
    con: duckdb.DuckDBPyConnection,
    fire_id: str,
    when: str,
    street: str,
    place_type: str = "住宅",
    deaths: int = 0,
    injuries: int = 0,
    loss: str = "1",
) -> None:
    """A fire of the history files."""
    con.execute(
        "INSERT INTO history_fires VALUES ('history/2025.xlsx', 2, ?, ?::TIMESTAMP, ?, ?, '电气', "
        "?, ?, ?, '一般')",
        [fire_id, when, street, place_type, deaths, injuries, Decimal(loss)],
    )


def adjustment_row(
    con: duckdb.DuckDBPyConnection,
    sha: str,
    excel_row: int,
    unit: str,
    item: str,
    points: str | None = None,
    reason: str | None = None,
) -> None:
    """A 加减分 row of the office's file."""
    con.execute(
        "INSERT INTO raw_adjustment_rows VALUES (?, ?, ?, ?, ?, ?, NULL, NULL)",
        [sha, excel_row, unit, item, None if points is None else Decimal(points), reason],
    )


def full_marks_unit(
    con: duckdb.DuckDBPyConnection,
    code: str,
    grp: str = "部门组",
    quarter: str = "2026Q2",
    received_at: str = "2026-07-05 10:00:00+08:00",
) -> str:
    """A unit with no tasks, no fire block (departments) and every indicator met, on time."""
    add_unit(con, code, grp)
    sha = add_file(con, quarter, code, received_at)
    indicator_rows(
        con, sha, FULL_DEPARTMENT_INDICATORS if grp == "部门组" else FULL_STREET_INDICATORS
    )
    return sha


def office_file(con: duckdb.DuckDBPyConnection, quarter: str = "2026Q2", tag: str = "") -> str:
    """The office (XAB, not ranked) and its accepted 加减分 file for a quarter."""
    if not con.execute("SELECT 1 FROM units WHERE unit_code = 'XAB'").fetchall():
        add_unit(con, "XAB", "部门组", name="区消安委办", ranked=False)
    return add_file(con, quarter, "XAB", tag=tag)


def detachment_file(
    con: duckdb.DuckDBPyConnection, quarter: str, received_at: str = "2026-07-05 10:00:00+08:00"
) -> str:
    """The fire detachment (ZD01, not ranked) and its accepted 火灾情况 file for a quarter."""
    if not con.execute("SELECT 1 FROM units WHERE unit_code = 'ZD01'").fetchall():
        add_unit(con, "ZD01", "部门组", name="区消防救援支队", ranked=False)
    return add_file(con, quarter, "ZD01", received_at)


def q6(value: Any) -> Decimal | None:
    """A DECIMAL rounded half-up to 6 places, for comparing computed values."""
    if value is None:
        return None
    return Decimal(value).quantize(Decimal("0.000001"), rounding="ROUND_HALF_UP")


def ledger_rows(
    con: duckdb.DuckDBPyConnection, unit: str, block: str, quarter: str = "2026Q2"
) -> list[tuple[Any, ...]]:
    """(item_id, max_points, points, rule_id, source_cell) of a unit's block, by item id."""
    rows = con.execute(
        "SELECT item_id, max_points, points, rule_id, source_cell FROM ledger "
        "WHERE quarter = ? AND unit_code = ? AND block = ? ORDER BY item_id",
        [quarter, unit, block],
    ).fetchall()
    return [(i, q6(m), q6(p), r, c) for i, m, p, r, c in rows]


def reasons(
    con: duckdb.DuckDBPyConnection, unit: str, block: str, quarter: str = "2026Q2"
) -> dict[str, str]:
    """item_id -> Chinese reason of a unit's block."""
    return dict(
        con.execute(
            "SELECT item_id, reason FROM ledger WHERE quarter = ? AND unit_code = ? AND block = ?",
            [quarter, unit, block],
        ).fetchall()
    )


SCORE_COLUMNS = (
    "tasks_score, indicators_score, fire_score, reporting_score, "
    "tasks_max, indicators_max, fire_max, reporting_max, base, bonus, deductions, adjustment"
)


def score(con: duckdb.DuckDBPyConnection, unit: str, quarter: str = "2026Q2") -> dict[str, Any]:
    """A unit's unit_scores row as a dict, decimals rounded to 6 places (total kept as is)."""
    cursor = con.execute(
        "SELECT * FROM unit_scores WHERE quarter = ? AND unit_code = ?", [quarter, unit]
    )
    names = [c[0] for c in cursor.description]
    row = cursor.fetchone()
    assert row is not None, f"no score for {unit}"
    out = dict(zip(names, row, strict=True))
    for key in SCORE_COLUMNS.split(", "):
        out[key] = q6(out[key])
    return out


def at(text: str) -> datetime:
    """An aware datetime from ISO text."""
    return datetime.fromisoformat(text)

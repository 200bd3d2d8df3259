"""Thin runner: scoring/sql/NN_*.sql in name order with bound parameters, then assert_*.sql.

The whole quarter is rebuilt in one transaction: a failure anywhere (a SQL error or an
invariant that returns rows) rolls back, so the previous results of the quarter stay intact.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from firescore.scheme import Quarter, QuarterError, Scheme, load_scheme_tables, year_quarters

log = logging.getLogger(__name__)

SQL_DIR = Path(__file__).resolve().parent / "sql"
DERIVED_TABLES = ("ledger", "unit_scores", "submissions")
MAX_ROWS_SHOWN = 20


class ScoringError(Exception):
    """The quarter could not be scored; the previous results were kept."""


def stage_files(sql_dir: Path = SQL_DIR) -> list[Path]:
    """The stage files NN_*.sql in name order."""
    return sorted(p for p in sql_dir.glob("*.sql") if p.name[:2].isdigit())


def assert_files(sql_dir: Path = SQL_DIR) -> list[Path]:
    """The invariant files assert_*.sql in name order."""
    return sorted(sql_dir.glob("assert_*.sql"))


def scoring_params(scheme: Scheme, quarter: str) -> dict[str, Any]:
    """Every value a stage may bind, for one quarter of the scheme's year."""
    try:
        q = Quarter(quarter)
    except QuarterError as exc:
        raise ScoringError(str(exc)) from None
    if q.year != scheme.year:
        raise ScoringError(f"考核季度 {q} 不属于考核方案的年度 {scheme.year}")
    previous = q.previous
    return {
        "quarter": str(q),
        "year": q.year,
        "quarter_no": q.number,
        "quarter_label": q.label,
        "quarter_start": q.first_day,
        "quarter_end": q.last_day,
        "ytd_start": date(q.year, 1, 1),
        "ytd_quarters": [str(p) for p in q.year_so_far()],
        "ly_start": date(q.year - 1, 1, 1),
        "ly_end": q.last_day.replace(year=q.year - 1),
        "ly_quarters": [str(p) for p in year_quarters(q.year - 1)],
        "prev_quarter": str(previous) if previous else None,
        "deadline": scheme.report_deadline(q),
        "tz": scheme.timezone,
        "fire_unit": scheme.fire_source_unit,
        "adj_unit": scheme.adjustment_source_unit,
    }


def run_file(
    con: duckdb.DuckDBPyConnection, path: Path, params: dict[str, Any]
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run every statement of a file, each bound to the parameters it names.

    Returns the column names and rows of the last statement (empty for DDL/INSERT).
    """
    columns: list[str] = []
    rows: list[tuple[Any, ...]] = []
    for statement in con.extract_statements(path.read_text(encoding="utf-8")):
        names = statement.named_parameters
        unknown = names - params.keys()
        if unknown:
            raise ScoringError(f"{path.name}: unknown parameters {sorted(unknown)}")
        cursor = con.execute(statement, {n: params[n] for n in names})
        columns = [c[0] for c in cursor.description] if cursor.description else []
        rows = cursor.fetchall() if columns else []
    return columns, rows


def _check_invariants(con: duckdb.DuckDBPyConnection, params: dict[str, Any]) -> None:
    """Run every assert_*.sql; raise ScoringError listing the offending rows of each."""
    failures = []
    for path in assert_files():
        columns, rows = run_file(con, path, params)
        if rows:
            shown = "\n".join(
                "    " + ", ".join(f"{c}={v!r}" for c, v in zip(columns, row, strict=True))
                for row in rows[:MAX_ROWS_SHOWN]
            )
            more = (
                f"\n    … {len(rows) - MAX_ROWS_SHOWN} more" if len(rows) > MAX_ROWS_SHOWN else ""
            )
            failures.append(f"{path.name}: {len(rows)} offending row(s)\n{shown}{more}")
    if failures:
        raise ScoringError(
            f"评分校验未通过，{params['quarter']} 的评分结果未更新（保留上次结果）。\n"
            + "\n".join(failures)
        )


def run_scoring(con: duckdb.DuckDBPyConnection, scheme: Scheme, quarter: str) -> None:
    """Rebuild ledger, unit_scores and submissions of a quarter in one transaction."""
    params = scoring_params(scheme, quarter)
    con.execute("BEGIN TRANSACTION")
    try:
        load_scheme_tables(con, scheme)
        for table in DERIVED_TABLES:
            con.execute(
                f"DELETE FROM {table} WHERE quarter = $quarter", {"quarter": params["quarter"]}
            )
        for path in stage_files():
            log.debug("scoring stage %s", path.name)
            run_file(con, path, params)
        _check_invariants(con, params)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    log.info("scored %s", params["quarter"])

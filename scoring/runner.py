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
from firescore.sql_runner import assert_files, run_file, run_stages, transaction
from firescore.sql_runner import stage_files as sql_stage_files

log = logging.getLogger(__name__)

SQL_DIR = Path(__file__).resolve().parent / "sql"
MACROS_FILE = SQL_DIR / "00_macros.sql"  # shared with the annual roll-up
DERIVED_TABLES = (
    "ledger",
    "shown_ledger",
    "unit_scores",
    "submissions",
    "follow_up",
    "appeal_outcomes",
)
# 申诉更正 of an input value: the corrected items are scored again by these stage files, with
# the corrected inputs (scoring/rescore/), before the stage that turns rulings into ledger rows.
RESCORE_DIR = Path(__file__).resolve().parent / "rescore"
RESCORED_STAGES = ("20_tasks.sql", "30_indicators.sql")
RESCORE_BEFORE = "65_appeals.sql"


class ScoringError(Exception):
    """The quarter could not be scored; the previous results were kept."""


def stage_files() -> list[Path]:
    """Return the quarter's stage files scoring/sql/NN_*.sql in run order."""
    return sql_stage_files(SQL_DIR)


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


def run_scoring(con: duckdb.DuckDBPyConnection, scheme: Scheme, quarter: str) -> None:
    """Rebuild ledger, unit_scores and submissions of a quarter in one transaction."""
    params = scoring_params(scheme, quarter)
    before = temp_tables(con)
    with transaction(con):
        load_scheme_tables(con, scheme)
        for table in DERIVED_TABLES:
            con.execute(
                f"DELETE FROM {table} WHERE quarter = $quarter", {"quarter": params["quarter"]}
            )
        stages = stage_files()
        cut = [p.name for p in stages].index(RESCORE_BEFORE)
        run_stages(con, stages[:cut], [], params)
        rescore_corrected_inputs(con, params)
        failures = run_stages(con, stages[cut:], assert_files(SQL_DIR), params)
        if failures:
            quarter = params["quarter"]
            raise ScoringError(
                f"评分校验未通过，{quarter} 的评分结果未更新（保留上次结果）。\n{failures}"
            )
    # The stages' working tables (TEMP: stg_*, calc_*) stay in memory until dropped: at 30,000
    # units, memory that publishing would otherwise carry.
    for table in sorted(temp_tables(con) - before):
        con.execute(f"DROP TABLE {table}")
    log.info("scored %s", params["quarter"])


def temp_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Return the names of the connection's temporary tables."""
    rows = con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()
    return {name for (name,) in rows}


def rescore_corrected_inputs(con: duckdb.DuckDBPyConnection, params: dict[str, Any]) -> None:
    """Score the items whose filed value a ruling corrects again, by the quarter's own stage
    files on the corrected inputs, into calc_rescored; the filed scores are left as they were."""
    run_file(con, RESCORE_DIR / "10_corrected_inputs.sql", params)
    corrections = con.execute("SELECT count(*) FROM value_rulings").fetchone()[0]
    if corrections:  # the two stages again only when a ruling corrects an input
        for name in RESCORED_STAGES:
            run_file(con, SQL_DIR / name, params)
    run_file(con, RESCORE_DIR / "20_rescored.sql", params)

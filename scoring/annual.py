"""Annual roll-up runner: scoring/annual/NN_*.sql with bound parameters, then assert_*.sql.

The year is rebuilt in one transaction from the quarters' `unit_scores` (SCORING.md §7), by
the same SQL runner as a quarter: rules joined in as the scheme_* tables, the shared macros of
scoring/sql/00_macros.sql (grade, 一票否决, competition rank), values bound as $params,
invariants that must return no rows.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import duckdb

from firescore.scheme import Scheme, load_scheme_tables, year_quarters
from firescore.sql_runner import assert_files, run_stages, stage_files, transaction
from scoring.runner import MACROS_FILE

log = logging.getLogger(__name__)

ANNUAL_DIR = Path(__file__).resolve().parent / "annual"


class AnnualError(Exception):
    """The year cannot be rolled up; the message is Chinese. Earlier results are kept."""


def annual_params(year: int) -> dict[str, Any]:
    """Return the values the annual stages bind: the year and its four quarters."""
    return {"year": year, **{f"q{q.number}": str(q) for q in year_quarters(year)}}


def scored_quarters(con: duckdb.DuckDBPyConnection, year: int) -> list[str]:
    """Return the quarters of ``year`` that have been scored, in order."""
    params = annual_params(year)
    rows = con.execute(
        "SELECT DISTINCT quarter FROM unit_scores WHERE quarter IN ($q1, $q2, $q3, $q4) "
        "ORDER BY quarter",
        {k: v for k, v in params.items() if k != "year"},
    ).fetchall()
    return [r[0] for r in rows]


def run_annual(con: duckdb.DuckDBPyConnection, scheme: Scheme, year: int) -> list[str]:
    """Rebuild ``annual_scores`` of a year in one transaction; return the quarters it used."""
    if year != scheme.year:
        raise AnnualError(f"年度 {year} 与考核方案的年度 {scheme.year} 不一致")
    quarters = scored_quarters(con, year)
    if not quarters:
        raise AnnualError(
            f"数据仓库中没有 {year} 年任何季度的评分结果，请先运行 firescore run --quarter {year}Q1 等"
        )
    params = annual_params(year)
    with transaction(con):
        load_scheme_tables(con, scheme)
        con.execute("DELETE FROM annual_scores WHERE year = $year", {"year": year})
        stages = [MACROS_FILE, *stage_files(ANNUAL_DIR)]
        failures = run_stages(con, stages, assert_files(ANNUAL_DIR), params)
        if failures:
            raise AnnualError(
                f"年度汇总校验未通过，{year} 年度结果未更新（保留上次结果）。\n{failures}"
            )
    log.info("annual roll-up %d from %s", year, quarters)
    return quarters

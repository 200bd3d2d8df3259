"""The one SQL runner: files of statements bound to named $parameters, run in a transaction,
and invariants (queries that must return no rows). Used by the intake rules, the quarter's
scoring and the annual roll-up alike.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

log = logging.getLogger(__name__)

MAX_ROWS_SHOWN = 20  # offending rows listed per failed invariant


class UnknownParameter(Exception):
    """A statement names a $parameter the caller does not bind: a programmer's mistake."""


def stage_files(sql_dir: Path) -> list[Path]:
    """Return the stage files NN_*.sql of a folder in name order."""
    return sorted(p for p in sql_dir.glob("*.sql") if p.name[:2].isdigit())


def assert_files(sql_dir: Path) -> list[Path]:
    """Return the invariant files assert_*.sql of a folder in name order."""
    return sorted(sql_dir.glob("assert_*.sql"))


def run_sql(
    con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, Any], name: str
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run every statement of ``sql``, each bound to the parameters it names.

    Returns the column names and rows of the last statement (empty for DDL/INSERT).
    """
    columns: list[str] = []
    rows: list[tuple[Any, ...]] = []
    for statement in con.extract_statements(sql):
        names = statement.named_parameters
        unknown = names - params.keys()
        if unknown:
            raise UnknownParameter(f"{name}: unknown parameters {sorted(unknown)}")
        cursor = con.execute(statement, {n: params[n] for n in names})
        columns = [c[0] for c in cursor.description] if cursor.description else []
        rows = cursor.fetchall() if columns else []
    return columns, rows


def run_file(
    con: duckdb.DuckDBPyConnection, path: Path, params: Mapping[str, Any]
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run a .sql file with run_sql; return the columns and rows of its last statement."""
    return run_sql(con, path.read_text(encoding="utf-8"), params, path.name)


def run_stages(
    con: duckdb.DuckDBPyConnection,
    stages: list[Path],
    invariants: list[Path],
    params: Mapping[str, Any],
) -> str:
    """Run the stage files in order, then the invariants; return what the invariants found.

    The text lists each invariant that returned rows with those rows; empty when none did.
    """
    for path in stages:
        log.debug("stage %s", path.name)
        run_file(con, path, params)
    return "\n".join(invariant_failures(con, invariants, params))


def invariant_failures(
    con: duckdb.DuckDBPyConnection, paths: list[Path], params: Mapping[str, Any]
) -> list[str]:
    """Run invariant files; return one text per file that returned rows, listing them."""
    failures = []
    for path in paths:
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
    return failures


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Commit what the block did, or roll all of it back when anything is raised."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise

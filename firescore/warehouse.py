"""The DuckDB warehouse: one file, one writer, an append-only raw layer keyed by sha256."""

from __future__ import annotations

import logging
from datetime import datetime
from importlib import resources
from pathlib import Path

import duckdb
import polars as pl

from firescore.contracts import contract
from firescore.intake import ReadFile
from firescore.registry import Registries

log = logging.getLogger(__name__)

ROW_TABLES = {
    "任务进展": "raw_task_rows",
    "工作指标": "raw_indicator_rows",
    "火灾情况": "raw_fire_rows",
    "加减分": "raw_adjustment_rows",
}


class WarehouseBusy(Exception):
    """Another process holds the warehouse; the message is Chinese."""


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse (creating its tables); refuse at once if another run holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only and path.exists())
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise WarehouseBusy(
                f"数据仓库 {path} 正被另一个 firescore 进程使用，请等其结束后再运行"
            ) from exc
        raise
    if not read_only:
        con.execute(resources.files("firescore").joinpath("warehouse.sql").read_text("utf-8"))
    return con


def _replace(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    """Replace a registry table's rows with a frame's (columns matched by name)."""
    con.execute(f"DELETE FROM {table}")
    _append(con, table, frame)


def _append(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    """Insert a frame's columns that the table has, by name."""
    if frame.is_empty():
        return
    columns = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
    names = [c for c in columns if c in frame.columns]
    con.register("_incoming", frame.select(names))
    try:
        con.execute(
            f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(names)} FROM _incoming"
        )
    finally:
        con.unregister("_incoming")


def load_registries(
    con: duckdb.DuckDBPyConnection, registries: Registries, history: pl.DataFrame
) -> None:
    """Replace units, tasks, assignments and fire history with this run's registries."""
    con.execute("BEGIN")
    try:
        _replace(con, "units", registries.units)
        _replace(con, "tasks", registries.tasks)
        _replace(con, "task_assignments", registries.assignments)
        _replace(con, "history_fires", history)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def known_files(con: duckdb.DuckDBPyConnection, quarter: str) -> set[tuple[str, str]]:
    """Return (unit code, sha256) of every version of the quarter already in the warehouse."""
    rows = con.execute(
        "SELECT unit_code, sha256 FROM raw_files WHERE quarter = $quarter", {"quarter": quarter}
    ).fetchall()
    return {(u, s) for u, s in rows}


def accepted_fire_ids(con: duckdb.DuckDBPyConnection, fire_unit: str) -> pl.DataFrame:
    """Return (fire_id, quarter) of every fire in an accepted fire-detachment file."""
    return con.sql(
        """
        SELECT DISTINCT r.fire_id, v.quarter
        FROM raw_fire_rows AS r
        JOIN file_versions AS v ON v.sha256 = r.sha256
        WHERE v.status = 'accepted' AND v.unit_code = $fire_unit
        """,
        params={"fire_unit": fire_unit},
    ).pl()


def earlier_indicators(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Return every accepted indicator value by unit and quarter (for the far-from-earlier rule)."""
    return con.sql(
        """
        SELECT v.unit_code, v.quarter, r.indicator_id, r.value, r.denominator
        FROM raw_indicator_rows AS r
        JOIN file_versions AS v ON v.sha256 = r.sha256
        WHERE v.status = 'accepted'
        """
    ).pl()


def load_files(
    con: duckdb.DuckDBPyConnection, files: list[ReadFile], run_id: str, now: datetime
) -> None:
    """Append new file versions, their issues and (if valid) their rows, in one transaction."""
    con.execute("BEGIN")
    try:
        for read in files:
            _load_file(con, read, run_id, now)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def _load_file(con: duckdb.DuckDBPyConnection, read: ReadFile, run_id: str, now: datetime) -> None:
    """Append one file version (nothing partial: rows only when the file is valid)."""
    sub = read.submission
    con.execute(
        """
        INSERT INTO raw_files VALUES ($sha, $quarter, $unit, $rel, $name, $received, $source,
            $size, $format, $encoding, $valid, $run, $now)
        ON CONFLICT DO NOTHING
        """,
        {
            "sha": sub.sha256,
            "quarter": sub.quarter,
            "unit": sub.unit_code,
            "rel": sub.rel_path,
            "name": sub.file_name,
            "received": sub.received_at,
            "source": sub.received_source,
            "size": sub.size_bytes,
            "format": sub.file_format,
            "encoding": read.encoding,
            "valid": read.valid,
            "run": run_id,
            "now": now,
        },
    )
    issues = pl.DataFrame(
        [i.as_row() for i in read.issues],
        schema={
            k: pl.Utf8
            for k in (
                "file_id",
                "severity",
                "rule_id",
                "message",
                "sheet",
                "cell",
                "column_name",
                "value",
                "expected",
            )
        },
    ).rename({"file_id": "sha256"})
    _append(
        con,
        "raw_issues",
        issues.with_columns(
            pl.lit(sub.quarter).alias("quarter"), pl.lit(sub.unit_code).alias("unit_code")
        ),
    )
    if not read.valid:
        return
    already = con.execute(
        "SELECT count(*) FROM raw_columns WHERE sha256 = $sha", {"sha": sub.sha256}
    ).fetchone()[0]
    if already:
        return  # the same bytes were loaded before (e.g. sent for another quarter folder)
    for name, sheet in read.sheets.items():
        positions = sheet.letters if sheet.contract.layout == "table" else sheet.cells
        _append(
            con,
            "raw_columns",
            pl.DataFrame(
                {
                    "sha256": [sub.sha256] * len(positions),
                    "sheet": [name] * len(positions),
                    "field": list(positions),
                    "col_letter": list(positions.values()),
                }
            ),
        )
    basic = read.typed.get("基本信息")
    if basic is not None:
        _append(con, "raw_basic_info", basic.rename({"file_id": "sha256"}))
    for sheet, table in ROW_TABLES.items():
        if sheet in read.typed:
            rows = read.typed[sheet].rename({"file_id": "sha256"})
            if sheet == "火灾情况":
                rows = rows.with_columns(pl.coalesce("grade", "derived_grade").alias("grade"))
            _append(con, table, rows)


def history_frame(files: list[ReadFile]) -> pl.DataFrame:
    """Return the fire history rows of readable history files, with their source file name."""
    frames = [
        f.typed["火灾情况"].with_columns(
            pl.lit(f.submission.file_name).alias("source_file"),
            pl.coalesce("grade", "derived_grade").alias("grade"),
        )
        for f in files
        if "火灾情况" in f.typed
    ]
    if not frames:
        return pl.DataFrame(
            schema={
                "source_file": pl.Utf8,
                **{c.field: pl.Utf8 for c in contract("火灾情况").columns},
            }
        )
    return pl.concat(frames)

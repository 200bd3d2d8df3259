"""The DuckDB warehouse: one file, one writer, an append-only raw layer keyed by sha256."""

from __future__ import annotations

import logging
from datetime import datetime
from importlib import resources
from pathlib import Path

import duckdb
import polars as pl

from firescore.intake.contracts import BASIC_SHEET, submitted_tables
from firescore.intake.discover import InboxNote
from firescore.intake.fire_grade import as_stored
from firescore.intake.pipeline import ReadFile
from firescore.intake.reader import as_displayed
from firescore.registry import Registries
from firescore.warehouse.lock import WarehouseBusy, busy_message

log = logging.getLogger(__name__)


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse (creating its tables); refuse at once if another run holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only and path.exists())
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise WarehouseBusy(busy_message(path, None)) from exc
        raise
    # Memory DuckDB frees (the scoring's working tables) goes back to the system within
    # seconds, so the publishers' Python objects do not come on top of it.
    con.execute("SET allocator_background_threads = true")
    if not read_only:
        con.execute(
            resources.files("firescore.warehouse").joinpath("schema.sql").read_text("utf-8")
        )
    return con


def _replace(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    """Replace a registry table's rows with a frame's (columns matched by name)."""
    con.execute(f"DELETE FROM {table}")
    _append(con, table, frame)


def _append(
    con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame, on_conflict_skip: bool = False
) -> None:
    """Insert a frame's columns that the table has, by name (table names are ours, not input)."""
    if frame.is_empty():
        return
    columns = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
    names = [c for c in columns if c in frame.columns]
    # One chunk: a frame concatenated from thousands of files' frames is as many Arrow
    # chunks, and DuckDB's scan pays per chunk (17,000 indicator rows in 3,000 chunks: 1.2 s).
    con.register("_incoming", frame.select(names).rechunk())
    skip = " ON CONFLICT DO NOTHING" if on_conflict_skip else ""
    try:
        con.execute(
            f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(names)} FROM _incoming{skip}"
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


FILE_IDENTITY = "quarter/unit_code/sha256"

# The versions an older warehouse judged while one sha256 was one file across a quarter's unit
# folders: the same bytes in two folders shared their issues and parsed rows.
_SHARED_VERSIONS = """
CREATE OR REPLACE TEMP TABLE _shared AS
SELECT f.quarter, f.unit_code, f.sha256
FROM raw_files AS f
JOIN (SELECT quarter, sha256 FROM raw_files GROUP BY quarter, sha256 HAVING count(*) > 1) AS s
    ON s.quarter = f.quarter AND s.sha256 = f.sha256
"""


def adopt_file_identity(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Bring an older warehouse to the identity (quarter, unit folder, sha256); return the
    quarters whose verdicts were dropped and must be run again.

    Before, the same bytes in two unit folders of a quarter were one file: the genuine copy
    could be stored valid but without its rows, the other with both copies' issues. Those
    versions' verdicts (and rows stored without their 基本信息) are dropped, so the next run of
    their quarter reads and judges each copy again from the inbox. Done once per warehouse.
    """
    if con.execute("SELECT 1 FROM warehouse_meta WHERE key = 'file_identity'").fetchone():
        return []
    con.execute("BEGIN")
    try:
        con.execute(_SHARED_VERSIONS)
        quarters = [
            r[0] for r in con.execute("SELECT DISTINCT quarter FROM _shared ORDER BY 1").fetchall()
        ]
        for table in ("raw_issues", "raw_files"):
            con.execute(
                f"""
                DELETE FROM {table} WHERE EXISTS (
                    SELECT 1 FROM _shared AS s
                    WHERE s.quarter = {table}.quarter AND s.unit_code = {table}.unit_code
                        AND s.sha256 = {table}.sha256
                )
                """
            )
        # Every valid version has a 基本信息 row: without one, its rows were never stored.
        broken = (
            "SELECT sha256 FROM _shared WHERE sha256 NOT IN (SELECT sha256 FROM raw_basic_info)"
        )
        rows = [t for sheet, t in submitted_tables().items() if sheet != BASIC_SHEET]
        for table in ("raw_columns", "raw_cells", *rows):
            con.execute(f"DELETE FROM {table} WHERE sha256 IN ({broken})")
        con.execute(
            "INSERT INTO warehouse_meta VALUES ('file_identity', $identity)",
            {"identity": FILE_IDENTITY},
        )
        con.execute("DROP TABLE _shared")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    if quarters:
        log.warning("verdicts of files shared across unit folders dropped in %s", quarters)
    return quarters


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
    """Append new file versions, their issues and (if valid) their rows, in one transaction.

    Nothing is partial: a file's rows are loaded only when it is valid. Every table gets one
    INSERT for the whole batch, whatever the number of files.
    """
    con.execute("BEGIN")
    try:
        _append(con, "raw_files", _file_rows(files, run_id, now), on_conflict_skip=True)
        _append(con, "raw_issues", _issue_rows(files))
        loaded = {r[0] for r in con.execute("SELECT DISTINCT sha256 FROM raw_columns").fetchall()}
        # Rows are stored by content: the same bytes may have been loaded before (e.g. sent
        # again for another quarter), and are stored once.
        fresh = {
            f.submission.sha256: f for f in files if f.valid and f.submission.sha256 not in loaded
        }
        new = list(fresh.values())
        sha256 = {f.file_id: f.submission.sha256 for f in new}
        typed = _typed_by_sheet(new)
        located = _located(new)
        _append(con, "raw_columns", _column_rows(located, sha256))
        # Cells are content too: bytes stored before keep theirs (same sha256, same cells).
        cells = _cell_rows(new, located, typed, sha256)
        _append(con, "raw_cells", cells, on_conflict_skip=True)
        for sheet, table in submitted_tables().items():
            if sheet in typed:
                _append(con, table, as_stored(_by_sha256(typed[sheet], sha256)))
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def load_notes(con: duckdb.DuckDBPyConnection, quarter: str, notes: list[InboxNote]) -> None:
    """Replace the quarter's inbox notes (what was not read, and why) with this run's."""
    frame = pl.DataFrame(
        [
            {
                "quarter": n.quarter,
                "unit_code": n.unit_code,
                "rel_path": n.rel_path,
                "reason": n.reason,
            }
            for n in notes
        ],
        schema={c: pl.Utf8 for c in ("quarter", "unit_code", "rel_path", "reason")},
    )
    con.execute("BEGIN")
    try:
        con.execute("DELETE FROM inbox_notes WHERE quarter = $quarter", {"quarter": quarter})
        _append(con, "inbox_notes", frame)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def _file_rows(files: list[ReadFile], run_id: str, now: datetime) -> pl.DataFrame:
    """Return one raw_files row per file version."""
    return pl.DataFrame(
        [
            {
                "sha256": f.submission.sha256,
                "quarter": f.submission.quarter,
                "unit_code": f.submission.unit_code,
                "rel_path": f.submission.rel_path,
                "file_name": f.submission.file_name,
                "received_at": f.submission.received_at,
                "received_source": f.submission.received_source,
                "size_bytes": f.submission.size_bytes,
                "file_format": f.submission.file_format,
                "encoding": f.encoding,
                "valid": f.valid,
                "first_seen_run": run_id,
                "first_seen_at": now,
            }
            for f in files
        ]
    )


def _issue_rows(files: list[ReadFile]) -> pl.DataFrame:
    """Return one raw_issues row per issue of every file."""
    columns = ("sha256", "quarter", "unit_code", "severity", "rule_id", "sheet", "cell")
    columns += ("column_name", "value", "expected", "message")
    rows = [
        {
            **{k: v for k, v in issue.as_row().items() if k != "file_id"},
            "sha256": f.submission.sha256,
            "quarter": f.submission.quarter,
            "unit_code": f.submission.unit_code,
        }
        for f in files
        for issue in f.issues
    ]
    return pl.DataFrame(rows, schema={c: pl.Utf8 for c in columns})


def _typed_by_sheet(files: list[ReadFile]) -> dict[str, pl.DataFrame]:
    """Return each sheet's typed rows of every file at once (by file_id), in the files' order."""
    sheets = dict.fromkeys(name for f in files for name in f.typed)
    # One chunk: expressions and DuckDB's scan over thousands of small chunks pay per chunk.
    return {
        name: pl.concat([f.typed[name] for f in files if name in f.typed], rechunk=True)
        for name in sheets
    }


def _by_sha256(frame: pl.DataFrame, sha256: dict[str, str]) -> pl.DataFrame:
    """Return a frame keyed by its files' sha256 (the warehouse's key) instead of file_id."""
    return frame.with_columns(
        pl.col("file_id").replace_strict(sha256, return_dtype=pl.Utf8)
    ).rename({"file_id": "sha256"})


def _located(files: list[ReadFile]) -> pl.DataFrame:
    """Return where each contract field sat in each sheet of each file: its column letter (a
    table) or its cell (key/value), with the file's, sheet's and field's order of reading."""
    rows = []
    for file_no, f in enumerate(files):
        file_id = f.file_id
        for sheet_no, (name, sheet) in enumerate(f.sheets.items()):
            at = sheet.letters if sheet.contract.layout == "table" else sheet.cells
            rows += [
                (file_id, file_no, name, sheet_no, field, field_no, where)
                for field_no, (field, where) in enumerate(at.items())
            ]
    return pl.DataFrame(
        rows,
        schema={
            "file_id": pl.Utf8,
            "file_no": pl.Int64,
            "sheet": pl.Utf8,
            "sheet_no": pl.Int64,
            "field": pl.Utf8,
            "field_no": pl.Int64,
            "at": pl.Utf8,
        },
        orient="row",
    )


def _column_rows(located: pl.DataFrame, sha256: dict[str, str]) -> pl.DataFrame:
    """Return where each contract field sat in each sheet of each file (for cell references)."""
    return located.select(
        pl.col("file_id").replace_strict(sha256, return_dtype=pl.Utf8).alias("sha256"),
        "sheet",
        "field",
        pl.col("at").alias("col_letter"),
    )


# Python's idea of whitespace (str.strip), which also counts the separators \x1c-\x1f that
# polars' default strip_chars keeps: a cell is blank exactly as before.
_WHITESPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())
# A superset of the raw strings as_displayed changes (calamine's date cells with seconds).
_DATE_WITH_SECONDS = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:00"


def _cell_rows(
    files: list[ReadFile],
    located: pl.DataFrame,
    typed: dict[str, pl.DataFrame],
    sha256: dict[str, str],
) -> pl.DataFrame:
    """Return every non-blank cell the product read from each file, keyed by row key and field.

    A table row's key is its unique key (typed, e.g. 任务编号), else its row number, so a later
    version's cells are compared with the same row even when rows were inserted above it.
    Built per sheet over all files at once (one unpivot), in the files' order of reading.
    """
    contracts = {name: s.contract for f in files for name, s in f.sheets.items()}
    parts = []
    for name, spec in contracts.items():
        raw = pl.concat([f.sheets[name].frame for f in files if name in f.sheets], rechunk=True)
        cells = (
            raw.with_columns(pl.int_range(pl.len()).over("file_id").alias("row_no"))
            .unpivot(
                index=["file_id", "excel_row", "row_no"],
                on=spec.fields,
                variable_name="field",
                value_name="text",
            )
            .join(located.filter(pl.col("sheet") == name), on=["file_id", "field"])
        )
        if spec.layout == "table":
            keys = _row_keys(typed.get(name), spec.unique)
            if keys is not None:
                cells = cells.join(keys, on=["file_id", "excel_row"], how="left")
            else:
                cells = cells.with_columns(pl.lit(None, pl.Utf8).alias("row_key"))
            cells = cells.with_columns(
                pl.coalesce("row_key", pl.col("excel_row").cast(pl.Utf8)).alias("row_key"),
                (pl.col("at") + pl.col("excel_row").cast(pl.Utf8)).alias("cell"),
            )
        else:
            cells = cells.with_columns(
                pl.lit("").alias("row_key"),
                pl.lit(None, pl.Int32).alias("excel_row"),
                pl.col("at").alias("cell"),
            )
        parts.append(cells)
    schema = {c: pl.Utf8 for c in ("sha256", "sheet", "row_key", "field", "cell", "value")}
    if not parts:
        return pl.DataFrame(schema=schema | {"excel_row": pl.Int32})
    cells = pl.concat(parts, how="diagonal_relaxed", rechunk=True)
    # The raw string as Excel shows it: the one rule (as_displayed), on the few that can change.
    dated = cells.filter(pl.col("text").str.contains(_DATE_WITH_SECONDS)).get_column("text")
    shown = {v: as_displayed(v) for v in dated.unique().to_list()}
    return (
        cells.with_columns(pl.col("text").replace(shown))
        .filter(pl.col("text").str.strip_chars(_WHITESPACE).str.len_chars() > 0)
        .sort("file_no", "sheet_no", "row_no", "field_no")
        .select(
            pl.col("file_id").replace_strict(sha256, return_dtype=pl.Utf8).alias("sha256"),
            pl.col("sheet"),
            "row_key",
            "field",
            pl.col("excel_row").cast(pl.Int32),
            "cell",
            pl.col("text").alias("value"),
        )
    )


def _row_keys(typed: pl.DataFrame | None, unique: list[str]) -> pl.DataFrame | None:
    """Return each typed row's unique key (its values joined by /, blank as ''), or None when
    the sheet has no unique key or no typed rows."""
    if not unique or typed is None:
        return None
    return typed.select(
        "file_id",
        "excel_row",
        pl.concat_str([pl.col(c).cast(pl.Utf8).fill_null("") for c in unique], separator="/").alias(
            "row_key"
        ),
    )

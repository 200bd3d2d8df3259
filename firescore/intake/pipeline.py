"""Read and validate a quarter's submissions: per-file reading, then whole-quarter validation."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import duckdb
import polars as pl

from firescore.config import Limits
from firescore.intake.casting import Cell, cast_sheets
from firescore.intake.contracts import (
    ADJUSTMENT_SHEET,
    BASIC_SHEET,
    FIRE_SHEET,
    INDICATOR_SHEET,
    TASK_SHEET,
    contract,
    load_contracts,
    submission_contracts,
)
from firescore.intake.discover import Submission, optional_sheets, role_of
from firescore.intake.expectations import Engine, validate_sheets
from firescore.intake.fire_grade import DERIVED_SCHEMA, contract_columns, with_derived_grade
from firescore.intake.reader import SheetData, read_file
from firescore.issues import ERROR, WARNING, Issue, cell_issue, file_issue
from firescore.registry import Registries
from firescore.scheme import Quarter, Scheme
from firescore.sql_runner import run_sql

log = logging.getLogger(__name__)


@dataclass
class ReadFile:
    """One submission after reading and casting, before whole-quarter validation."""

    submission: Submission
    role: str  # units | fire | adjustments
    sheets: dict[str, SheetData] = field(default_factory=dict)
    typed: dict[str, pl.DataFrame] = field(default_factory=dict)
    failed: set[Cell] = field(default_factory=set)
    issues: list[Issue] = field(default_factory=list)
    encoding: str | None = None

    @property
    def file_id(self) -> str:
        """Return the submission's identity (quarter, unit folder, sha256) used everywhere."""
        return self.submission.file_id

    @property
    def valid(self) -> bool:
        """Return whether the file has no error (it is rejected whole otherwise)."""
        return not any(i.severity == ERROR for i in self.issues)


@dataclass(frozen=True)
class Earlier:
    """What earlier quarters hold that this quarter's rules compare against."""

    fires: pl.DataFrame  # fire_id, quarter of accepted fire-detachment files
    indicators: pl.DataFrame  # unit_code, quarter, indicator_id, value, denominator

    @classmethod
    def none(cls) -> Earlier:
        """Return the context of a first quarter (nothing earlier)."""
        return cls(pl.DataFrame(schema={"fire_id": pl.Utf8, "quarter": pl.Utf8}), EMPTY_EARLIER)


def intake(
    submissions: list[Submission],
    quarter: str,
    scheme: Scheme,
    registries: Registries,
    limits: Limits,
    earlier: Earlier,
    engine: Engine,
) -> list[ReadFile]:
    """Read, cast and validate submissions as one quarter: what status and check call.

    The run does the same in two steps (read_files per batch of files, then validate_files)
    so that reading can run as Prefect tasks.
    """
    files = read_files(submissions, scheme, registries, limits)
    validate_files(files, quarter, scheme, registries, earlier, engine)
    return files


class ReadFiles(list[ReadFile]):
    """The files read_files returns: pickled (to the run from a worker process) with each
    sheet type's frames in one piece, unpickled as zero-copy slices of it.

    Why: a file's frames hold a few kB of rows, but each frame pickled on its own carries an
    Arrow header and comes back with buffers of its own, ~60 kB a file in the run's process.
    """

    def __reduce__(self) -> tuple[Callable[..., ReadFiles], tuple[Any, ...]]:
        """Pickle as every sheet type's rows in one frame and each file without its frames."""
        pieces: dict[tuple[str, str], list[pl.DataFrame]] = {}
        heights: dict[tuple[str, str], int] = {}  # rows so far of each sheet type's frame

        def span(kind: str, name: str, frame: pl.DataFrame) -> tuple[int, int]:
            offset, height = heights.get((kind, name), 0), frame.height
            pieces.setdefault((kind, name), []).append(frame)
            heights[kind, name] = offset + height
            return offset, height

        shells = []
        for f in self:
            sheets = {
                name: (_without(sheet, "_frame", "_rows", "raw"), span("raw", name, sheet.frame))
                for name, sheet in f.sheets.items()
            }
            typed = {name: span("typed", name, frame) for name, frame in f.typed.items()}
            shells.append((_without(f, "sheets", "typed"), sheets, typed))
        whole = {
            key: pl.concat(parts, how="vertical", rechunk=True) for key, parts in pieces.items()
        }
        return _unpacked, (whole, shells)


def _without(obj: object, *names: str) -> dict[str, Any]:
    """Return a dataclass instance's fields but the named ones."""
    return {k: v for k, v in vars(obj).items() if k not in names}


def _unpacked(
    whole: dict[tuple[str, str], pl.DataFrame],
    shells: list[tuple[dict[str, Any], dict[str, tuple[dict[str, Any], tuple[int, int]]], dict]],
) -> ReadFiles:
    """Return the files of a pickled ReadFiles, each frame a slice of its sheet type's frame."""
    return ReadFiles(
        ReadFile(
            **fields,
            sheets={
                name: SheetData(**sheet, frame=whole["raw", name].slice(*at))
                for name, (sheet, at) in sheets.items()
            },
            typed={name: whole["typed", name].slice(*at) for name, at in typed.items()},
        )
        for fields, sheets, typed in shells
    )


def read_files(
    submissions: list[Submission],
    scheme: Scheme,
    registries: Registries,
    limits: Limits,
    sheets: list[str] | None = None,
) -> ReadFiles:
    """Read submissions (the sheets their sender sends, or those named), casting each sheet
    type once for all of them: the one way a file is read."""
    files = ReadFiles(_read_raw(sub, scheme, registries, limits, sheets) for sub in submissions)
    cast_files(files, scheme)
    return files


def _read_raw(
    sub: Submission,
    scheme: Scheme,
    registries: Registries,
    limits: Limits,
    sheets: list[str] | None,
) -> ReadFile:
    """Read one submission's sheets as raw strings; a sheet beyond the row limit is refused."""
    role = role_of(sub.unit_code, scheme)
    if sheets:
        wanted = [contract(s) for s in sheets]
    else:
        # 任务进展 of a unit named on no task may be left out.
        optional = optional_sheets(sub.unit_code, registries)
        wanted = [
            c.model_copy(update={"required": False}) if c.sheet in optional else c
            for c in submission_contracts(role)
        ]
    result = read_file(sub.paths, sub.file_id, wanted, limits)
    read = ReadFile(submission=sub, role=role, issues=list(result.issues), encoding=result.encoding)
    for name, sheet in result.sheets.items():
        if sheet.height > limits.max_sheet_rows:
            read.issues.append(
                file_issue(
                    sub.file_id,
                    ERROR,
                    "sheet_too_long",
                    f"工作表「{name}」有 {sheet.height} 行数据，"
                    f"超过上限 {limits.max_sheet_rows} 行",
                    sheet=name,
                )
            )
            continue
        read.sheets[name] = sheet
    return read


def cast_files(files: list[ReadFile], scheme: Scheme) -> None:
    """Cast the raw sheets of many files, one cast per sheet type for the whole batch.

    Each file's frames, raw and typed, are then zero-copy slices of the batch's frame of that
    sheet type: a small frame of its own costs far more memory than its rows.
    """
    by_id = {f.file_id: f for f in files}
    names = sorted({name for f in files for name in f.sheets})
    for name in names:
        sheets = [f.sheets[name] for f in files if name in f.sheets]
        typed, issues, failed = cast_sheets(sheets)
        if name == FIRE_SHEET:
            typed = with_derived_grade(typed, scheme)
        for file_id, part in _by_file(typed):
            by_id[file_id].typed[name] = part
        for sheet in sheets:  # a sheet with a header and no data rows is still read
            by_id[sheet.file_id].typed.setdefault(name, typed.clear())
        for issue in issues:
            by_id[issue.file_id].issues.append(issue)
        for cell in failed:
            by_id[cell[0]].failed.add(cell)


def _by_file(frame: pl.DataFrame) -> Iterator[tuple[str, pl.DataFrame]]:
    """Yield each file's rows of a frame holding them file after file, as zero-copy slices."""
    offset = 0
    for run in frame.get_column("file_id").rle().to_list():
        yield run["value"], frame.slice(offset, run["len"])
        offset += run["len"]


EMPTY_EARLIER = pl.DataFrame(
    schema={
        "unit_code": pl.Utf8,
        "quarter": pl.Utf8,
        "indicator_id": pl.Utf8,
        "value": pl.Decimal(38, 12),
        "denominator": pl.Decimal(38, 12),
    }
)


def _concat(files: list[ReadFile], sheet: str) -> pl.DataFrame:
    """Return every file's typed rows of one sheet in one frame."""
    frames = [f.typed[sheet] for f in files if sheet in f.typed]
    return pl.concat(frames, how="vertical") if frames else pl.DataFrame()


def validate_files(
    files: list[ReadFile],
    quarter: str,
    scheme: Scheme,
    registries: Registries,
    earlier: Earlier,
    engine: Engine,
    docs_run: str | None = None,
) -> None:
    """Validate all files of a quarter at once; append each file's new issues to it.

    Great Expectations runs once per sheet type over the concatenation of every file;
    cross-row and cross-file rules are SQL queries over the same frames (firescore/intake/rules/).
    With `docs_run` (GX only) the results are kept under that run name for Data Docs.
    """
    by_id = {f.file_id: f for f in files}
    for spec in load_contracts().values():
        frame = _concat(files, spec.sheet)
        if frame.is_empty():
            continue
        sheets = {f.file_id: f.sheets[spec.sheet] for f in files if spec.sheet in f.sheets}
        failed = set().union(*(f.failed for f in files))
        typed = contract_columns(frame)
        for issue in validate_sheets(spec, typed, sheets, failed, docs_run=docs_run, engine=engine):
            by_id[issue.file_id].issues.append(issue)
    for issue in run_rules(files, quarter, scheme, registries, earlier):
        by_id[issue.file_id].issues.append(issue)


def _rules() -> list[tuple[str, str, str]]:
    """Return (rule id, severity, sql) of every rule file, in name order."""
    found = []
    for entry in sorted(resources.files("firescore.intake.rules").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".sql"):
            sql = entry.read_text(encoding="utf-8")
            severity = ERROR if "-- severity: error" in sql else WARNING
            found.append((entry.name.removesuffix(".sql").split("_", 1)[1], severity, sql))
    return found


def _frame_or_empty(files: list[ReadFile], sheet: str) -> pl.DataFrame:
    """Return a sheet's rows of all files, or an empty frame with the contract's typed columns."""
    frame = _concat(files, sheet)
    if not frame.is_empty():
        return frame
    derived = DERIVED_SCHEMA if sheet == FIRE_SHEET else {}
    return pl.DataFrame(schema=contract(sheet).typed_schema() | derived)


def run_rules(
    files: list[ReadFile],
    quarter: str,
    scheme: Scheme,
    registries: Registries,
    earlier: Earlier,
) -> list[Issue]:
    """Run every cross-row/cross-file rule query; each returns the offending rows."""
    period = Quarter(quarter)
    con = duckdb.connect()
    try:
        tables = {
            "files": pl.DataFrame(
                [
                    {
                        "file_id": f.file_id,
                        "unit_code": f.submission.unit_code,
                        "role": f.role,
                        "origin": f.submission.origin,
                    }
                    for f in files
                ],
                schema={
                    "file_id": pl.Utf8,
                    "unit_code": pl.Utf8,
                    "role": pl.Utf8,
                    "origin": pl.Utf8,
                },
            ),
            "basic": _frame_or_empty(files, BASIC_SHEET),
            "task_rows": _frame_or_empty(files, TASK_SHEET),
            "indicator_rows": _frame_or_empty(files, INDICATOR_SHEET),
            "fire_rows": _frame_or_empty(files, FIRE_SHEET),
            "adjustment_rows": _frame_or_empty(files, ADJUSTMENT_SHEET),
            "units": registries.units,
            "tasks": registries.tasks,
            "task_assignments": registries.assignments,
            "other_fires": earlier.fires,
            "earlier_indicators": earlier.indicators,
            # Which sheets of which files could be read: a missing-row rule only speaks about
            # a sheet that was read (an unreadable sheet is already an error of its own).
            "read_sheets": pl.DataFrame(
                [{"file_id": f.file_id, "sheet": s} for f in files for s in f.typed],
                schema={"file_id": pl.Utf8, "sheet": pl.Utf8},
            ),
            "scheme_indicators": pl.DataFrame(
                [
                    {"grp": g, "indicator_id": i.id, "name": i.name, "kind": i.kind}
                    for g in scheme.groups
                    for i in scheme.indicators_for(g)
                ]
            ),
            "adjustment_types": pl.DataFrame({"item": list(scheme.adjustment_points)}),
        }
        for name, frame in tables.items():
            con.register(name, frame)
        outlier = contract(INDICATOR_SHEET).outlier
        params = {
            "quarter": quarter,
            "year": scheme.year,
            "quarter_start": period.first_day,
            "quarter_end": period.last_day,
            "outlier_factor": outlier.factor if outlier else None,
            "outlier_min_jump": outlier.min_jump if outlier else None,
        }
        by_id = {f.file_id: f for f in files}
        issues = []
        for rule_id, severity, sql in _rules():
            names, offending = run_sql(con, sql, params, rule_id)
            for values in offending:
                row = dict(zip(names, values, strict=True))
                read = by_id[row["file_id"]]
                # A value that could not be cast is reported once, as a type error, not again
                # as blank by a rule.
                if (read.file_id, row["excel_row"], row["field"]) in read.failed:
                    continue
                issues.append(_rule_issue(read, rule_id, severity, row))
        return issues
    finally:
        con.close()


def _rule_issue(read: ReadFile, rule_id: str, severity: str, row: dict) -> Issue:
    """Turn a rule query's offending row into an issue naming its cell."""
    sheet = row["sheet"]
    if row.get("field") is None:
        return file_issue(read.file_id, severity, rule_id, row["message"], sheet=sheet)
    column = contract(sheet).column(row["field"])
    data = read.sheets.get(sheet)
    return cell_issue(
        read.file_id,
        severity,
        rule_id,
        sheet=sheet,
        cell=data.cell(row["field"], row["excel_row"]) if data else None,
        column_name=column.header,
        # The value as typed when the rule points at a cell; else as the rule phrased it.
        value=(data.typed_as(row["field"], row["excel_row"]) if data else None) or row["value"],
        expected=row["expected"],
    )

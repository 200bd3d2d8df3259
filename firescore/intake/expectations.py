"""The contracts' column checks, run once per sheet type over all files of the quarter.

The checks are derived from schemas/*.yaml only. `firescore run` evaluates them with Great
Expectations (one validation per sheet type, over the concatenation of every file, rendering
Data Docs); `firescore check` evaluates the same checks with polars so that a unit's self-check
starts in well under a second instead of paying GX's multi-second import. A test holds the two
engines to identical findings on every sample.
"""

from __future__ import annotations

import html
import logging
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Literal

import polars as pl

from firescore.atomic import temp_path
from firescore.intake.contracts import Column, Contract, load_contracts
from firescore.intake.reader import SheetData
from firescore.issues import ERROR, Issue, cell_issue

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

INDEX = ["file_id", "excel_row"]
RESULT_FORMAT = {"result_format": "COMPLETE", "unexpected_index_column_names": INDEX}
Engine = Literal["gx", "polars"]


@dataclass(frozen=True)
class Check:
    """One column check of a contract, with what a person is told when it fails."""

    kind: Literal["required", "allowed", "range", "pattern", "unique"]
    column: Column
    expected: str
    columns: tuple[str, ...] = ()  # unique: the key within a file


def contract_checks(contract: Contract) -> list[Check]:
    """Return the checks a contract implies, in a stable order."""
    checks = []
    for column in contract.columns:
        if column.required:
            checks.append(Check("required", column, "必填，不能为空"))
        if column.type == "enum":
            checks.append(Check("allowed", column, column.expected()))
        if column.min is not None or column.max is not None:
            bounds = []
            if column.min is not None:
                bounds.append(f"不小于 {column.min:g}")
            if column.max is not None:
                bounds.append(f"不大于 {column.max:g}")
            checks.append(Check("range", column, "，".join(bounds)))
        if column.pattern:
            checks.append(Check("pattern", column, column.description))
    if contract.unique:
        key = ("file_id", *contract.unique)
        checks.append(
            Check("unique", contract.column(contract.unique[0]), "同一文件内不得重复", key)
        )
    return checks


def _gx_expectation(gx, check: Check):
    """Return the Great Expectations expectation of a check."""
    name = check.column.field
    match check.kind:
        case "required":
            return gx.expectations.ExpectColumnValuesToNotBeNull(column=name)
        case "allowed":
            return gx.expectations.ExpectColumnValuesToBeInSet(
                column=name, value_set=check.column.allowed
            )
        case "range":
            return gx.expectations.ExpectColumnValuesToBeBetween(
                column=name, min_value=check.column.min, max_value=check.column.max
            )
        case "pattern":
            return gx.expectations.ExpectColumnValuesToMatchRegex(
                column=name, regex=check.column.pattern
            )
        case "unique":
            return gx.expectations.ExpectCompoundColumnsToBeUnique(column_list=list(check.columns))
    raise ValueError(check.kind)


@cache
def _context():
    """Return one ephemeral GX context for the process, progress bars off."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    # GX announces its temporary Data Docs folder at INFO: engineers' noise, not the office's.
    for name in ("great_expectations", "great_expectations.data_context.types.base"):
        logging.getLogger(name).setLevel(logging.WARNING)
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    return gx, ctx, ctx.data_sources.add_pandas("firescore")


def _gx_started() -> bool:
    """Return whether this process has used Great Expectations (else it validated nothing)."""
    return _context.cache_info().currsize > 0


@cache
def _suite(sheet: str):
    """Return (batch definition, suite, checks in suite order) for a sheet."""
    gx, _, source = _context()
    checks = contract_checks(load_contracts()[sheet])
    asset = source.add_dataframe_asset(name=sheet)
    batch_definition = asset.add_batch_definition_whole_dataframe(f"{sheet}-all")
    suite = gx.ExpectationSuite(name=sheet)
    for check in checks:
        suite.add_expectation(_gx_expectation(gx, check))
    return batch_definition, suite, checks


@cache
def _validation_definition(sheet: str):
    """Return a stored validation definition of a sheet's suite (its results feed Data Docs)."""
    gx, ctx, _ = _context()
    batch_definition, suite, _ = _suite(sheet)
    suite = ctx.suites.add(suite)
    return ctx.validation_definitions.add(
        gx.ValidationDefinition(data=batch_definition, suite=suite, name=sheet)
    )


def export_data_docs(target: Path, run_name: str) -> Path | None:
    """Render Data Docs pages of this run's validations into target; return its index.

    Incremental: only the new validation results are rendered; the pages of earlier runs stay
    and the index lists them all (every result is kept in target/validation_results, which
    the index is built from). A process that validated nothing (every file unchanged since the
    last run) renders nothing and does not even import Great Expectations.

    Observed values are submitters' text: GX puts them into the pages as raw HTML, so they are
    HTML-escaped before they are stored. Results of an earlier attempt of this same run (same
    inputs, so same run name: one that died before its warehouse was committed) are replaced.
    The folder is replaced whole (built beside it, then swapped), so a reader never sees half
    of it.
    """
    if not _gx_started():
        return None
    _, ctx, _ = _context()
    memory = ctx.validation_results_store
    new = []
    for key in memory.list_keys():
        if key.run_id.run_name == run_name:
            new.append((key, _escaped(memory.get(key))))
        memory.remove_key(key)  # results of another run of this process are not shown here
    if not new:
        return None
    built = temp_path(target)
    if target.exists():
        shutil.copytree(target, built)
    try:
        _render(ctx, built, run_name, new)
        old = temp_path(target)
        if target.exists():
            target.rename(old)
        built.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(built, ignore_errors=True)
    return target / "index.html"


RESULTS_FOLDER = "validation_results"  # inside the Data Docs folder: what its pages show
SITE = "firescore"  # the Data Docs site (and its results store) of one export


def _render(ctx, site: Path, run_name: str, new: list) -> None:
    """Store the new results beside the site's earlier ones; render their pages and the index."""
    stored = ctx.add_store(
        SITE,
        {
            "class_name": "ValidationResultsStore",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(site / RESULTS_FOLDER),
            },
        },
    )
    section = {"source_store_name": SITE}
    ctx.add_data_docs_site(
        SITE,
        {
            "class_name": "SiteBuilder",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(site),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            "site_section_builders": {"validations": section, "profiling": section},
        },
    )
    try:
        for key in stored.list_keys():
            if key.run_id.run_name == run_name:
                stored.remove_key(key)
        for key, result in new:
            stored.set(key, result)
        # Every contract's suite is known, so the index keeps the pages of suites not
        # validated this time; only the suites of the new results are rendered again.
        for sheet in load_contracts():
            _validation_definition(sheet)
        suites = {
            key.expectation_suite_identifier.name: key.expectation_suite_identifier
            for key, _ in new
        }
        ctx.build_data_docs(
            site_names=[SITE], resource_identifiers=[*(key for key, _ in new), *suites.values()]
        )
    finally:
        ctx.delete_data_docs_site(SITE)
        ctx.delete_store(SITE)


def _escaped(result):
    """Return a validation result whose observed values are HTML-escaped text."""
    for outcome in result.results:
        outcome.result = _escape_values(outcome.result)
    return result


def _escape_values(value):
    """Return value with every string inside it HTML-escaped (dicts and lists walked)."""
    if isinstance(value, str):
        return html.escape(value)
    if isinstance(value, dict):
        return {key: _escape_values(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_escape_values(item) for item in value]
    return value


def _to_pandas(frame: pl.DataFrame):
    """Return the frame for GX: decimals as floats (only ranges are checked on them)."""
    return frame.with_columns(pl.col(pl.Decimal).cast(pl.Float64)).to_pandas()


def _gx_hits(sheet: str, frame: pl.DataFrame, docs_run: str | None) -> list[tuple[Check, str, int]]:
    """Run a sheet's suite with Great Expectations; return (check, file_id, excel_row) hits."""
    batch_definition, suite, checks = _suite(sheet)
    data = {"dataframe": _to_pandas(frame)}
    if docs_run is not None:
        from great_expectations.core.run_identifier import RunIdentifier

        # The run time is given: without it GX parses the run name as a date, and some run
        # ids (hex digits, e.g. ad5736686512) overflow its parser and stop the run.
        run_id = RunIdentifier(run_name=docs_run, run_time=datetime.now(UTC))
        result = _validation_definition(sheet).run(
            batch_parameters=data, result_format=RESULT_FORMAT, run_id=run_id
        )
    else:
        result = batch_definition.get_batch(batch_parameters=data).validate(
            suite, result_format=RESULT_FORMAT
        )
    hits = []
    # Results come back in suite order, one per expectation.
    for check, outcome in zip(checks, result.results, strict=True):
        if outcome.exception_info and outcome.exception_info.get("raised_exception"):
            raise RuntimeError(f"GX expectation failed to run: {outcome.exception_info}")
        for hit in outcome.result.get("unexpected_index_list") or []:
            hits.append((check, hit["file_id"], int(hit["excel_row"])))
    return hits


def _polars_hits(sheet: str, frame: pl.DataFrame) -> list[tuple[Check, str, int]]:
    """Evaluate a sheet's checks with polars; return (check, file_id, excel_row) hits."""
    hits = []
    for check in contract_checks(load_contracts()[sheet]):
        value = pl.col(check.column.field)
        match check.kind:
            case "required":
                bad = value.is_null()
            case "allowed":
                bad = value.is_not_null() & ~value.is_in(check.column.allowed)
            case "range":
                number = value.cast(pl.Float64)
                low = number < check.column.min if check.column.min is not None else pl.lit(False)
                high = number > check.column.max if check.column.max is not None else pl.lit(False)
                bad = value.is_not_null() & (low | high)
            case "pattern":
                bad = value.is_not_null() & ~value.str.contains(check.column.pattern)
            case "unique":
                bad = pl.struct(list(check.columns)).is_duplicated()
        for file_id, excel_row in frame.filter(bad).select(INDEX).iter_rows():
            hits.append((check, file_id, excel_row))
    return hits


def validate_sheets(
    contract: Contract,
    frame: pl.DataFrame,
    sheets: dict[str, SheetData],
    skip_cells: set[tuple[str, int, str]],
    docs_run: str | None = None,
    engine: Engine = "gx",
) -> list[Issue]:
    """Check all files' rows of one sheet type at once; map each failure to its cell.

    `frame` is the concatenation of every file's typed rows; `skip_cells` holds
    (file_id, excel_row, field) already reported as type errors, so a value that could not be
    cast is not reported a second time as empty. With `docs_run` (GX only), the validation
    is stored under that run name for Data Docs (see export_data_docs).
    """
    if frame.is_empty():
        return []
    if engine == "gx":
        hits = _gx_hits(contract.sheet, frame, docs_run)
    else:
        hits = _polars_hits(contract.sheet, frame)
    issues = []
    for check, file_id, excel_row in hits:
        column = check.column
        if (file_id, excel_row, column.field) in skip_cells:
            continue
        issues.append(
            cell_issue(
                file_id,
                ERROR,
                f"{check.kind}_{column.field}",
                sheet=contract.sheet,
                cell=sheets[file_id].cell(column.field, excel_row),
                column_name=column.header,
                value=sheets[file_id].typed_as(column.field, excel_row),
                expected=check.expected,
            )
        )
    return issues

"""Great Expectations suites built from the contracts, run once per sheet type over all files."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from urllib.parse import urlparse

import polars as pl

from firescore.contracts import Column, Contract, load_contracts
from firescore.issues import ERROR, Issue, cell_issue
from firescore.reader import SheetData

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

INDEX = ["file_id", "excel_row"]
RESULT_FORMAT = {"result_format": "COMPLETE", "unexpected_index_column_names": INDEX}


def _column_expectations(gx, column: Column) -> Iterable[tuple[object, str, str]]:
    """Yield (expectation, rule id, expected text) for one contract column."""
    name = column.field
    if column.required:
        yield gx.expectations.ExpectColumnValuesToNotBeNull(column=name), "required", "必填，不能为空"
    if column.type == "enum":
        yield (
            gx.expectations.ExpectColumnValuesToBeInSet(column=name, value_set=column.allowed),
            "allowed",
            column.expected(),
        )
    if column.min is not None or column.max is not None:
        bounds = []
        if column.min is not None:
            bounds.append(f"不小于 {column.min:g}")
        if column.max is not None:
            bounds.append(f"不大于 {column.max:g}")
        yield (
            gx.expectations.ExpectColumnValuesToBeBetween(
                column=name, min_value=column.min, max_value=column.max
            ),
            "range",
            "，".join(bounds),
        )
    if column.pattern:
        yield (
            gx.expectations.ExpectColumnValuesToMatchRegex(column=name, regex=column.pattern),
            "pattern",
            f"{column.description}",
        )


def _key(expectation_type: str, column: str | None) -> tuple[str, str | None]:
    """Return how a suite's expectation is found again in its validation result."""
    return expectation_type, column


@cache
def _context():
    """Return one ephemeral GX context for the process, progress bars off."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    return gx, ctx, ctx.data_sources.add_pandas("firescore")


@cache
def _checkpoint(sheet: str):
    """Return a checkpoint for a sheet's suite that also renders Data Docs."""
    gx, ctx, _ = _context()
    from great_expectations.checkpoint import UpdateDataDocsAction

    batch_definition, suite, _ = _suite(sheet)
    suite = ctx.suites.add(suite)
    definition = ctx.validation_definitions.add(
        gx.ValidationDefinition(data=batch_definition, suite=suite, name=sheet)
    )
    return ctx.checkpoints.add(
        gx.Checkpoint(
            name=f"{sheet}-quarter",
            validation_definitions=[definition],
            actions=[UpdateDataDocsAction(name="data-docs")],
            result_format=RESULT_FORMAT,
        )
    )


def export_data_docs(target: Path) -> Path | None:
    """Copy the Data Docs rendered by this process's validations to target; return its index."""
    _, ctx, _ = _context()
    for site in ctx.get_docs_sites_urls(only_if_exists=False):
        source = Path(urlparse(site["site_url"] or "").path).parent
        # Nothing rendered when nothing was validated (every file unchanged since the last run).
        if (source / "validations").is_dir():
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(source, target)
            return target / "index.html"
    return None


@cache
def _suite(sheet: str):
    """Return (batch definition, suite, expectation id -> (column, rule, expected)) for a sheet."""
    contract = load_contracts()[sheet]
    gx, ctx, source = _context()
    asset = source.add_dataframe_asset(name=contract.sheet)
    batch_definition = asset.add_batch_definition_whole_dataframe(f"{contract.sheet}-all")
    suite = gx.ExpectationSuite(name=contract.sheet)
    meaning = {}
    for column in contract.columns:
        for expectation, rule, expected in _column_expectations(gx, column):
            suite.add_expectation(expectation)
            meaning[_key(expectation.expectation_type, expectation.column)] = (column, rule, expected)
    if contract.unique:
        suite.add_expectation(
            gx.expectations.ExpectCompoundColumnsToBeUnique(column_list=["file_id", *contract.unique])
        )
        meaning[_key("expect_compound_columns_to_be_unique", None)] = (
            contract.column(contract.unique[0]),
            "unique",
            "同一文件内不得重复",
        )
    return batch_definition, suite, meaning


def _to_pandas(frame: pl.DataFrame):
    """Return the frame for GX: decimals as floats (only ranges are checked on them)."""
    return frame.with_columns(pl.col(pl.Decimal).cast(pl.Float64)).to_pandas()


def validate_sheets(
    contract: Contract,
    frame: pl.DataFrame,
    sheets: dict[str, SheetData],
    skip_cells: set[tuple[str, int, str]],
    data_docs: bool = False,
) -> list[Issue]:
    """Validate all files' rows of one sheet type in one GX run; map failures to cells.

    `frame` is the concatenation of every file's typed rows; `skip_cells` holds
    (file_id, excel_row, field) already reported as type errors, so a value that could
    not be cast is not reported a second time as empty. With `data_docs`, the run goes
    through a checkpoint that also renders Great Expectations Data Docs (export_data_docs).
    """
    if frame.is_empty():
        return []
    batch_definition, suite, meaning = _suite(contract.sheet)
    data = {"dataframe": _to_pandas(frame)}
    if data_docs:
        (result,) = _checkpoint(contract.sheet).run(batch_parameters=data).run_results.values()
    else:
        batch = batch_definition.get_batch(batch_parameters=data)
        result = batch.validate(suite, result_format=RESULT_FORMAT)
    raw = {(r["file_id"], r["excel_row"]): r for r in frame.iter_rows(named=True)}
    issues = []
    for outcome in result.results:
        if outcome.success:
            continue
        if outcome.exception_info and outcome.exception_info.get("raised_exception"):
            raise RuntimeError(f"GX expectation failed to run: {outcome.exception_info}")
        config = outcome.expectation_config
        column, rule, expected = meaning[_key(config.type, config.kwargs.get("column"))]
        for hit in outcome.result.get("unexpected_index_list") or []:
            file_id, excel_row = hit["file_id"], int(hit["excel_row"])
            if (file_id, excel_row, column.field) in skip_cells:
                continue
            value = raw[(file_id, excel_row)][column.field]
            issues.append(
                cell_issue(
                    file_id,
                    ERROR,
                    f"{rule}_{column.field}",
                    sheet=contract.sheet,
                    cell=sheets[file_id].cell(column.field, excel_row),
                    column_name=column.header,
                    value=value,
                    expected=expected,
                )
            )
    return issues

"""Cast a sheet's raw strings to typed columns by its contract; what cannot be cast is an issue."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import polars as pl

from firescore.intake.contracts import DTYPES, Column
from firescore.intake.reader import SheetData, frame_sheets
from firescore.intake.values import (
    UNPARSABLE,
    Unparsable,
    clean_text,
    fold,
    parse_bool,
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_integer,
)
from firescore.issues import ERROR, Issue, cell_issue
from firescore.scheme.calendar import Quarter


def parse_quarter(text: str | None) -> str | None | Unparsable:
    """Parse 2026Q2, 2026q2, 2026年第二季度, 2026年第2季度 into 2026Q2."""
    key = fold(text)
    if key is None:
        return None
    quarter = Quarter.parse(key)
    return str(quarter) if quarter is not None else UNPARSABLE


def _parser(column: Column) -> Callable[[str | None], object]:
    """Return the parser of a column type (its result's dtype is DTYPES[column.type])."""
    match column.type:
        case "code":
            return lambda v: fold(v).upper() if fold(v) else None
        case "text":
            return clean_text
        case "enum":
            # Synonyms map to the canonical spelling; an unknown choice is kept (folded) so the
            # Great Expectations value-set check reports it with the value the person typed.
            table = {fold(a): a for a in column.allowed} | {
                fold(k): v for k, v in column.synonyms.items()
            }
            return lambda v: table.get(fold(v), fold(v)) if fold(v) else None
        case "date":
            return parse_date
        case "datetime":
            return parse_datetime
        case "integer":
            return parse_integer
        case "decimal":
            return lambda v: _quantize(parse_decimal(v))
        case "bool":
            return parse_bool
        case "quarter":
            return parse_quarter
    raise ValueError(f"unknown column type {column.type}")


def parse_value(column: Column, text: str | None) -> object:
    """Return a text typed as a cell of the column would be: None when blank, UNPARSABLE when it
    is not of the column's type, an enum choice not allowed or a number out of range."""
    value = _parser(column)(text)
    if value is None or value is UNPARSABLE:
        return value
    if column.type == "enum" and value not in column.allowed:
        return UNPARSABLE
    numeric = isinstance(value, int | Decimal) and not isinstance(value, bool)
    if numeric and column.min is not None and value < column.min:
        return UNPARSABLE
    if numeric and column.max is not None and value > column.max:
        return UNPARSABLE
    return value


def _quantize(value: object) -> object:
    """Fit a Decimal into DECIMAL(38,12)."""
    if isinstance(value, Decimal):
        return value.quantize(Decimal("1e-12"))
    return value


Cell = tuple[str, int, str]  # (file_id, excel_row, field)


def cast_sheet(sheet: SheetData) -> tuple[pl.DataFrame, list[Issue], set[Cell]]:
    """Return the sheet with typed columns, an issue per value not of its type, and those cells."""
    return cast_sheets([sheet])


def cast_sheets(sheets: list[SheetData]) -> tuple[pl.DataFrame, list[Issue], set[Cell]]:
    """Cast the same sheet of many files at once (one parse per distinct value of a column).

    Returns the typed rows of all files, an issue per value not of its type, and those cells.
    """
    contract = sheets[0].contract
    by_id = {s.file_id: s for s in sheets}
    frame = frame_sheets(sheets)
    # Trailing or spacer rows with nothing in any contract column are not data.
    frame = frame.filter(
        pl.any_horizontal(pl.col(f).str.strip_chars().fill_null("") != "" for f in contract.fields)
    )
    issues: list[Issue] = []
    failed: set[Cell] = set()
    typed = [frame.get_column("file_id"), frame.get_column("excel_row")]
    for column in contract.columns:
        parse, dtype = _parser(column), DTYPES[column.type]
        distinct = frame.get_column(column.field).unique().to_list()
        parsed = {v: parse(v) for v in distinct}
        bad = [v for v, p in parsed.items() if p is UNPARSABLE]
        if bad:
            for file_id, excel_row, value in (
                frame.filter(pl.col(column.field).is_in(bad))
                .select("file_id", "excel_row", column.field)
                .iter_rows()
            ):
                failed.add((file_id, excel_row, column.field))
                issues.append(
                    cell_issue(
                        file_id,
                        ERROR,
                        f"type_{column.type}",
                        sheet=contract.sheet,
                        cell=by_id[file_id].cell(column.field, excel_row),
                        column_name=column.header,
                        value=value,
                        expected=column.expected(),
                    )
                )
        # Map each distinct raw string to its value through a join (vectorised for any dtype).
        keys = [v for v in distinct if v is not None]
        lookup = pl.DataFrame(
            {
                column.field: pl.Series(keys, dtype=pl.Utf8),
                "_typed": pl.Series(
                    [None if parsed[k] is UNPARSABLE else parsed[k] for k in keys], dtype=dtype
                ),
            }
        )
        values = frame.select(column.field).join(
            lookup, on=column.field, how="left", maintain_order="left"
        )
        typed.append(values.get_column("_typed").alias(column.field))
    return pl.DataFrame(typed), issues, failed

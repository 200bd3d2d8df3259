"""`firescore check` (polars engine) and `firescore run` (Great Expectations) find the same problems."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import polars as pl
import pytest

from firescore.intake.contracts import Column, load_contracts
from firescore.intake.expectations import contract_checks, validate_sheets
from firescore.intake.reader import SheetData

# Per type: values that break something (blank, out of range or set, bad pattern) and a good one.
SAMPLES = {
    "code": [None, "JD01", "JD01", "坏 代码", "T-1"],
    "text": [None, "文字", "=1+1", "", "x"],
    "enum": [None, "已完", "已完成", "推进中", "xx"],
    "date": [None, date(2026, 6, 30), date(2026, 1, 1), date(2026, 6, 30), None],
    "datetime": [
        None,
        datetime(2026, 5, 1, 9),
        datetime(2026, 5, 1, 9),
        None,
        datetime(2026, 4, 1),
    ],
    "integer": [None, -1, 0, 3, 100001],
    "decimal": [None, Decimal("-0.5"), Decimal("0"), Decimal("120"), Decimal("85.5")],
    "bool": [None, True, False, True, None],
    "quarter": [None, "2026Q2", "2026Q2", "2026Q1", None],
}
DTYPES = {
    "date": pl.Date,
    "datetime": pl.Datetime("us"),
    "integer": pl.Int64,
    "decimal": pl.Decimal(38, 12),
    "bool": pl.Boolean,
}


def adversarial_frame(columns: list[Column]) -> pl.DataFrame:
    """Return five rows in two files, each column cycling through values that break its checks."""
    data = {
        "file_id": ["f1", "f1", "f1", "f2", "f2"],
        "excel_row": pl.Series([3, 4, 5, 3, 4], dtype=pl.Int32),
    }
    for i, column in enumerate(columns):
        values = SAMPLES[column.type]
        shift = i % len(values)
        data[column.field] = pl.Series(
            values[shift:] + values[:shift], dtype=DTYPES.get(column.type, pl.Utf8)
        )
    return pl.DataFrame(data)


@pytest.mark.parametrize("sheet", sorted(load_contracts()))
def test_both_engines_find_the_same_issues(sheet):
    contract = load_contracts()[sheet]
    frame = adversarial_frame(contract.columns)
    sheets = {
        f: SheetData(
            file_id=f,
            contract=contract,
            frame=frame,
            letters={c.field: "A" for c in contract.columns},
        )
        for f in ("f1", "f2")
    }
    if contract.layout == "key_value":
        for data in sheets.values():
            data.cells = {c.field: f"B{i + 3}" for i, c in enumerate(contract.columns)}
    by_gx = validate_sheets(contract, frame, sheets, set(), engine="gx")
    by_polars = validate_sheets(contract, frame, sheets, set(), engine="polars")
    assert sorted(i.message for i in by_polars) == sorted(i.message for i in by_gx)
    kinds = {check.kind for check in contract_checks(contract)}
    assert len(by_gx) >= len(kinds), "every kind of check fires at least once on this frame"

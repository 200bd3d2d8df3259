"""TableWorksheet: a table's rows rendered once as XML give the workbook written cell by cell."""

from __future__ import annotations

import math
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from xlsxwriter import Workbook

from firescore.publish import formats
from firescore.publish.formats import Formats
from firescore.publish.sheets import Column, Heading, Section, write_sections, write_table
from firescore.publish.table_sheet import TableWorksheet

COLUMNS = [
    Column("单位代码", "center", 12),
    Column("说明", "wrap", 30),
    Column("得分", "score", 10),
    Column("系数", "factor", 10),
    Column("名次", "integer", 8),
    Column("接收时间", "datetime", 18),
    Column("日期", "date", 10),
    Column("一票否决", "center", 10, alert=frozenset({"是"})),
    Column("级别", "center", 8, alert=frozenset({"错误"})),
]
LONG_CJK = "长" * 40_000  # longer than Excel's 32,767 units: xlsxwriter cuts it
LONG_LATIN = "x" * 20_000  # longer than the short path, shorter than the limit
ROWS = [
    (
        "JD01",
        "完成<全部>任务 & 指标",
        Decimal("12.50"),
        Decimal("1.176471"),
        1,
        None,
        None,
        "是",
        "",
    ),
    (
        "JD02",
        "多行\n说明\x07",
        3.25,
        0.5,
        2,
        datetime(2026, 7, 10, 9, 30),
        date(2026, 7, 14),
        "否",
        "错误",
    ),
    ("JD03", LONG_CJK, -0.0, 1e-12, 10**15, None, None, None, "警告"),
    ("JD01", LONG_LATIN, 0, None, None, None, None, "是", "错误"),
    ("JD04", Path("a/b.xlsx"), None, None, None, None, None, "", None),
    ("JD05", " 首尾空格 ", Decimal("-3"), 2.0, 3, None, None, "否", "警告"),
]
HEADING = Heading(
    "渝中区2026年第二季度消防工作考核结果——测试",
    "渝中区消防安全委员会办公室",
    "数据截至：2026年7月14日",
)


def write_book(path: Path, worksheet_class: type | None) -> dict[str, bytes]:
    """Write a table sheet and a sheet of two tables; return the workbook's parts."""
    options = formats.workbook_options()
    with Workbook(path, options) as workbook:
        workbook.set_properties(formats.workbook_properties("测试", datetime(2026, 7, 14, 10, 5)))
        fmt = Formats.create(workbook)
        write_table(workbook.add_worksheet("表", worksheet_class), fmt, HEADING, COLUMNS, ROWS)
        sections = [Section(COLUMNS, ROWS[:2], "镇街组"), Section(COLUMNS, [], "部门组")]
        sections.append(Section(COLUMNS, ROWS[3:] * 20, "其他"))
        write_sections(workbook.add_worksheet("分组", worksheet_class), fmt, HEADING, sections)
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def test_rendered_rows_give_the_same_workbook_as_cells(tmp_path: Path) -> None:
    cells = write_book(tmp_path / "cells.xlsx", None)
    rendered = write_book(tmp_path / "rendered.xlsx", TableWorksheet)
    assert list(rendered) == list(cells)
    for name, data in cells.items():
        assert rendered[name] == data, name
    # The comparison covers what it should: the cut text, an alert and a date are in the file.
    shared = cells["xl/sharedStrings.xml"].decode()
    assert "长" * 32_767 in shared and "长" * 32_768 not in shared
    assert LONG_LATIN in shared and "&lt;全部&gt;" in shared
    assert b"<v>46213.39583333334</v>" in cells["xl/worksheets/sheet1.xml"]


@pytest.mark.parametrize("value", [math.nan, math.inf, True])
def test_a_value_excel_cannot_show_fails_in_both(tmp_path: Path, value: object) -> None:
    for worksheet_class in (None, TableWorksheet):
        rows = [("JD01", "x", value, None, None, None, None, None, None)]
        with pytest.raises(TypeError), Workbook(tmp_path / "bad.xlsx") as workbook:
            fmt = Formats.create(workbook)
            write_table(workbook.add_worksheet("表", worksheet_class), fmt, HEADING, COLUMNS, rows)


def test_a_chart_over_rendered_rows_is_refused(tmp_path: Path) -> None:
    workbook = Workbook(tmp_path / "chart.xlsx", formats.workbook_options())
    fmt = Formats.create(workbook)
    ws = workbook.add_worksheet("表", TableWorksheet)
    placed = write_table(ws, fmt, HEADING, COLUMNS, ROWS)
    chart = workbook.add_chart({"type": "column"})
    chart.add_series({"values": ["表", placed.first_row, 2, placed.last_row, 2]})
    ws.insert_chart(placed.last_row + 2, 0, chart)
    # A chart caches its data from the cells; rendered rows have none to give.
    with pytest.raises(ValueError, match="rendered table rows"):
        workbook.close()

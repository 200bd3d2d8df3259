"""Shared layout of a printed table sheet: title row, header, typed cells, widths, page set-up."""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from firescore.publish import formats
from firescore.publish.formats import Formats

Kind = Literal["text", "center", "wrap", "label", "score", "integer", "datetime", "date"]

TITLE_ROW = 0
HEADER_ROW = 1
FIRST_DATA_ROW = 2
TITLE_HEIGHT = 32
MIN_WIDTH = 6
WIDTH_PADDING = 2
DATETIME_WIDTH = 16  # "2026-07-10 09:30"
DATE_WIDTH = 10


@dataclass(frozen=True)
class Column:
    """One column of a table: its header, how its cells are written, and its widest width."""

    header: str
    kind: Kind = "text"
    max_width: int = 40
    alert: frozenset[str] = frozenset()  # values shown in the alert style (一票否决「是」、错误)


@functools.lru_cache(maxsize=65536)
def display_width(text: str) -> int:
    """Return the width of ``text`` in Excel character units, a CJK character counting as 2.

    xlsxwriter's autofit() counts a CJK character like a Latin one, so Chinese columns come
    out too narrow (STACK.md §5); multi-line text is as wide as its widest line.
    """
    if text.isascii():
        return max(map(len, text.split("\n")))
    return max(
        sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
        for line in text.split("\n")
    )


def shown_text(value: Any, kind: Kind) -> str:
    """Return the text a cell shows, to size its column."""
    if value is None:
        return ""
    if kind == "score":
        return f"{value:.2f}"
    if kind == "datetime":
        return "0" * DATETIME_WIDTH
    if kind == "date":
        return "0" * DATE_WIDTH
    return str(value)


def column_widths(columns: Sequence[Column], rows: Sequence[Sequence[Any]]) -> list[int]:
    """Return each column's width: its widest header or cell, within [MIN_WIDTH, max_width]."""
    widths = []
    for index, column in enumerate(columns):
        widest = max(
            [display_width(column.header)]
            + [display_width(shown_text(row[index], column.kind)) for row in rows]
        )
        widths.append(max(MIN_WIDTH, min(column.max_width, widest + WIDTH_PADDING)))
    return widths


def cell_format(fmt: Formats, column: Column, value: Any) -> Format:
    """Return the format of one cell of ``column``."""
    if value in column.alert:
        return fmt.alert
    return getattr(fmt, column.kind)


def write_cell(ws: Worksheet, row: int, col: int, value: Any, column: Column, fmt: Formats) -> None:
    """Write one value with the writer its type needs; text always as a string, never a formula."""
    style = cell_format(fmt, column, value)
    if value is None or value == "":
        ws.write_blank(row, col, None, style)
    elif isinstance(value, bool):
        raise TypeError("booleans must be turned into 是/否 text before writing")
    elif isinstance(value, Decimal | int | float):
        ws.write_number(row, col, float(value), style)
    elif isinstance(value, datetime):
        ws.write_datetime(row, col, value, style)
    elif isinstance(value, date):
        ws.write_datetime(row, col, datetime(value.year, value.month, value.day), style)
    else:
        ws.write_string(row, col, str(value), style)


def write_title(ws: Worksheet, fmt: Formats, title: str, last_col: int) -> None:
    """Write the title row, merged across the table's columns."""
    ws.set_row(TITLE_ROW, TITLE_HEIGHT)
    if last_col > 0:
        ws.merge_range(TITLE_ROW, 0, TITLE_ROW, last_col, title, fmt.title)
    else:
        ws.write_string(TITLE_ROW, 0, title, fmt.title)


def write_table(
    ws: Worksheet,
    fmt: Formats,
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    *,
    autofilter: bool = True,
) -> list[int]:
    """Write title, header and rows, size the columns, set up printing; return the widths."""
    rows = list(rows)
    last_col = len(columns) - 1
    write_title(ws, fmt, title, last_col)

    # Header: as tall as its tallest (wrapped) header text.
    lines = max(column.header.count("\n") + 1 for column in columns)
    ws.set_row(HEADER_ROW, 15 * lines + 3)
    for col, column in enumerate(columns):
        ws.write_string(HEADER_ROW, col, column.header, fmt.header)

    for offset, values in enumerate(rows):
        for col, column in enumerate(columns):
            write_cell(ws, FIRST_DATA_ROW + offset, col, values[col], column, fmt)

    widths = column_widths(columns, rows)
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    if autofilter:
        ws.autofilter(HEADER_ROW, 0, HEADER_ROW + len(rows), last_col)
    setup_page(ws)
    return widths


def setup_page(ws: Worksheet) -> None:
    """Make the sheet print-ready: A4 landscape, one page wide, header repeated, page numbers."""
    ws.freeze_panes(FIRST_DATA_ROW, 0)
    ws.set_paper(formats.PAPER_A4)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(HEADER_ROW)
    ws.set_margins(**formats.MARGINS)
    ws.center_horizontally()
    ws.set_footer(formats.FOOTER)


def table_width_pixels(widths: Sequence[int]) -> int:
    """Return the on-screen width of columns of the given character widths, in pixels."""
    return sum(int(width * 7 + 5) for width in widths)

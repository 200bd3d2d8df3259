"""Shared layout of a printed table sheet: heading, header, typed cells, widths, page set-up.

A sheet reads like an attachment to an office document (公文附件): an optional 附件 label top
left, the title, the issuing office with the date of the data, then the table. A sheet may hold
several tables (排名总表: one per group), each under its own heading and header row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from firescore.publish import formats
from firescore.publish.formats import Formats
from firescore.publish.rows import display_width, fit_row, row_height, text_lines, text_width
from firescore.publish.table_sheet import TableWorksheet
from firescore.scheme import GROUPS

Kind = Literal["text", "center", "wrap", "label", "score", "factor", "integer", "datetime", "date"]

MIN_WIDTH = 6
WIDTH_PADDING = 2
DATETIME_WIDTH = 16  # "2026-07-10 09:30"
DATE_WIDTH = 10
EMPTY_TEXT = "无"  # the first row of a table with no rows, instead of a page of bare headers
SUBTITLE_GAP = "　　"  # between the issuing office and the date


@dataclass(frozen=True)
class Column:
    """One column of a table: its header, how its cells are written, and its widest width."""

    header: str
    kind: Kind = "text"
    max_width: int = 40
    alert: frozenset[str] = frozenset()  # values shown in the alert style (一票否决「是」、错误)


@dataclass(frozen=True)
class Heading:
    """What stands above a sheet's tables: 附件 label, title, issuing office and data date."""

    title: str
    office: str = ""  # 渝中区消防安全委员会办公室
    dated: str = ""  # 数据截至：2026年7月14日 10:05
    attachment: str | None = None  # 附件1, when the office attaches the workbook to a document

    def subtitle(self) -> str:
        """Return the line under the title: the office and the date, whichever are known."""
        return SUBTITLE_GAP.join(part for part in (self.office, self.dated) if part)


@dataclass(frozen=True)
class Section:
    """One table of a sheet: an optional heading of its own (镇街组), its columns and rows."""

    columns: Sequence[Column]
    rows: Sequence[Sequence[Any]]
    heading: str | None = None


def group_sections(
    rows: Sequence[Mapping[str, Any]],
    columns: Callable[[list[Mapping[str, Any]]], Sequence[Column]],
    values: Callable[[Mapping[str, Any]], Sequence[Any]],
) -> list[Section]:
    """Return one table per group (镇街组, then 部门组) under its own heading.

    Ranks restart in each group, so each group is its own table with its own header, never
    one list whose ranks start again halfway down. `columns` gets the group's rows.
    """
    sections = []
    for group in GROUPS:
        group_rows = [row for row in rows if row["grp"] == group]
        heading = f"{group}（{len(group_rows)}个单位）"
        sections.append(Section(columns(group_rows), [values(r) for r in group_rows], heading))
    return sections


@dataclass(frozen=True)
class Placed:
    """Where a table landed: its column widths, header row and data rows (0-based)."""

    widths: list[int]
    header_row: int
    first_row: int
    last_row: int  # the 无 row when the table has no rows


def shown_text(value: Any, kind: Kind) -> str:
    """Return the text a cell shows, to size its column and row."""
    if value is None:
        return ""
    if kind == "score":
        return f"{value:.2f}"
    if kind == "factor":
        return f"{value:.6f}"
    if kind == "datetime":
        return "0" * DATETIME_WIDTH
    if kind == "date":
        return "0" * DATE_WIDTH
    return str(value)


def column_widths(columns: Sequence[Column], rows: Sequence[Sequence[Any]]) -> list[int]:
    """Return each column's width: its widest header or cell, within [MIN_WIDTH, max_width]."""
    widths = []
    for index, column in enumerate(columns):
        # Each distinct text is measured once (a column repeats most of its values).
        shown = {shown_text(row[index], column.kind) for row in rows}
        widest = max(display_width(text) for text in [column.header, *shown])
        widths.append(max(MIN_WIDTH, min(column.max_width, widest + WIDTH_PADDING)))
    return widths


def widen_for_heading(widths: list[int], columns: Sequence[Column], heading: Heading) -> list[int]:
    """Return widths widened so the title and the office line fit on one line above the table.

    A narrow table (a unit's empty 校验问题) would otherwise cut or wrap its title; the extra
    width goes to the last column meant for long text, else to the last column.
    """
    needed = max(text_width(heading.title, formats.TITLE_FONT_SIZE), text_width(heading.subtitle()))
    missing = int(needed) + WIDTH_PADDING - sum(widths)
    if missing <= 0:
        return widths
    wide = [i for i, column in enumerate(columns) if column.kind == "wrap"]
    target = wide[-1] if wide else len(widths) - 1
    return [w + missing if i == target else w for i, w in enumerate(widths)]


def write_cell(ws: Worksheet, row: int, col: int, value: Any, style: Format) -> None:
    """Write one value with the writer its type needs; text always as a string, never a formula."""
    kind = type(value)
    # The common types first, by exact type (a table writes hundreds of thousands of cells).
    # xlsxwriter's public write_string() etc. only add the parsing of "A1" cell names to these
    # (its own undecorated methods), and that costs more than storing the cell.
    if kind is str and value:
        ws._write_string(row, col, value, style)
    elif kind is Decimal or kind is int or kind is float:
        ws._write_number(row, col, float(value), style)
    elif value is None or value == "":
        ws._write_blank(row, col, None, style)
    elif isinstance(value, bool):
        raise TypeError("booleans must be turned into 是/否 text before writing")
    elif isinstance(value, Decimal | int | float):
        ws._write_number(row, col, float(value), style)
    elif isinstance(value, datetime):
        ws._write_datetime(row, col, value, style)
    elif isinstance(value, date):
        ws._write_datetime(row, col, datetime(value.year, value.month, value.day), style)
    else:
        ws._write_string(row, col, str(value), style)


def write_line(
    ws: Worksheet, row: int, text: str, style: Format, widths: Sequence[int], font_size: float
) -> None:
    """Write one line of text merged across the table's columns, as tall as it wraps to."""
    if len(widths) > 1:
        ws.merge_range(row, 0, row, len(widths) - 1, text, style)
    else:
        ws.write_string(row, 0, text, style)
    fit_row(ws, row, [(text, sum(widths))], font_size)


def write_heading(ws: Worksheet, fmt: Formats, heading: Heading, widths: Sequence[int]) -> int:
    """Write the 附件 label, the title and the office line; return the first row below them."""
    row = 0
    if heading.attachment:
        write_line(
            ws, row, heading.attachment, fmt.attachment, widths, formats.ATTACHMENT_FONT_SIZE
        )
        row += 1
    write_line(ws, row, heading.title, fmt.title, widths, formats.TITLE_FONT_SIZE)
    row += 1
    if heading.subtitle():
        write_line(ws, row, heading.subtitle(), fmt.subtitle, widths, formats.FONT_SIZE)
        row += 1
    return row


def write_header(
    ws: Worksheet, fmt: Formats, row: int, columns: Sequence[Column], widths: Sequence[int]
) -> None:
    """Write a header row, as tall as its tallest (wrapped) header."""
    for col, column in enumerate(columns):
        ws.write_string(row, col, column.header, fmt.header)
    fit_row(ws, row, [(c.header, w) for c, w in zip(columns, widths, strict=True)])


def write_rows(
    ws: Worksheet,
    fmt: Formats,
    first_row: int,
    columns: Sequence[Column],
    rows: Sequence[Sequence[Any]],
    widths: Sequence[int],
) -> int:
    """Write the data rows, each as tall as its text needs (无 when none); return the last row."""
    if not rows:
        write_line(ws, first_row, EMPTY_TEXT, fmt.center, widths, formats.FONT_SIZE)
        return first_row
    styles = [getattr(fmt, column.kind) for column in columns]
    alerts = [(col, column.alert) for col, column in enumerate(columns) if column.alert]
    tall = wrapped_texts(rows, widths)
    write_row = ws.write_table_row if isinstance(ws, TableWorksheet) else cell_writer(ws)
    for offset, values in enumerate(rows):
        row = first_row + offset
        row_styles = styles
        for col, alert in alerts:
            if values[col] in alert:  # 一票否决「是」、错误 stand out
                row_styles = list(row_styles) if row_styles is styles else row_styles
                row_styles[col] = fmt.alert
        write_row(row, values, row_styles)
        lines = 1
        for col, lines_of in tall:
            lines = max(lines, lines_of.get(values[col], 1))
        ws.set_row(row, row_height(lines))
    return first_row + len(rows) - 1


def cell_writer(ws: Worksheet) -> Callable[[int, Sequence[Any], Sequence[Format]], None]:
    """Return a writer of one table row into a plain worksheet, cell by cell."""

    def write_row(row: int, values: Sequence[Any], styles: Sequence[Format]) -> None:
        for col, value in enumerate(values):
            write_cell(ws, row, col, value, styles[col])

    return write_row


def wrapped_texts(
    rows: Sequence[Sequence[Any]], widths: Sequence[int]
) -> list[tuple[int, dict[str, int]]]:
    """Return, per column holding text that wraps, the column and {text: lines} of those texts.

    Each distinct text is measured once (a ledger repeats its item names thousands of times),
    and a row only looks up the few columns where a text can take more than one line.
    """
    tall = []
    for col, width in enumerate(widths):
        texts = {row[col] for row in rows}
        lines_of = {
            text: lines
            for text in texts
            if isinstance(text, str) and text and (lines := text_lines(text, width)) > 1
        }
        if lines_of:
            tall.append((col, lines_of))
    return tall


def write_table(
    ws: Worksheet,
    fmt: Formats,
    heading: Heading,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    *,
    autofilter: bool = True,
) -> Placed:
    """Write heading, header and rows, size columns and rows, set up printing; return the place."""
    rows = list(rows)
    widths = widen_for_heading(column_widths(columns, rows), columns, heading)
    header_row = write_heading(ws, fmt, heading, widths)
    write_header(ws, fmt, header_row, columns, widths)
    last_row = write_rows(ws, fmt, header_row + 1, columns, rows, widths)
    set_widths(ws, widths)
    if autofilter and rows:
        ws.autofilter(header_row, 0, last_row, len(columns) - 1)
    setup_page(ws, header_row)
    return Placed(widths, header_row, header_row + 1, last_row)


def write_sections(
    ws: Worksheet,
    fmt: Formats,
    heading: Heading,
    sections: Sequence[Section],
    *,
    page_per_table: bool = True,
) -> list[Placed]:
    """Write several tables under one heading, each with its own heading and header row.

    The tables share their column widths; each after the first starts a new printed page (unless
    ``page_per_table`` is False: short tables read best together), so no table's header is left
    on another page than its rows' start.
    """
    widths = [
        max(ws_) for ws_ in zip(*(column_widths(s.columns, s.rows) for s in sections), strict=True)
    ]
    widths = widen_for_heading(widths, sections[0].columns, heading)
    row = write_heading(ws, fmt, heading, widths)
    placed, breaks = [], []
    for index, section in enumerate(sections):
        if index:
            row += 1  # a blank row between tables on screen
            breaks.append(row)
        if section.heading:
            write_line(ws, row, section.heading, fmt.section, widths, formats.SECTION_FONT_SIZE)
            row += 1
        write_header(ws, fmt, row, section.columns, widths)
        last_row = write_rows(ws, fmt, row + 1, section.columns, section.rows, widths)
        placed.append(Placed(widths, row, row + 1, last_row))
        row = last_row + 1
    set_widths(ws, widths)
    setup_page(ws, None)
    if page_per_table:
        ws.set_h_pagebreaks(breaks)
    return placed


def set_widths(ws: Worksheet, widths: Sequence[int]) -> None:
    """Set the columns' widths."""
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)


def setup_page(ws: Worksheet, header_row: int | None) -> None:
    """Make the sheet print-ready: A4 landscape, one page wide, header repeated, page numbers.

    ``header_row`` is frozen on screen and repeated on every printed page; a sheet of several
    tables (None) repeats none, each table bringing its own header.
    """
    if header_row is not None:
        ws.freeze_panes(header_row + 1, 0)
        ws.repeat_rows(header_row)
    ws.set_paper(formats.PAPER_A4)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(**formats.MARGINS)
    ws.center_horizontally()
    ws.set_footer(formats.FOOTER)


def table_width_pixels(widths: Sequence[int]) -> int:
    """Return the on-screen width of columns of the given character widths, in pixels."""
    return sum(int(width * 7 + 5) for width in widths)

"""Read published sheets back as a person reads them: heading lines, then tables under headers."""

from __future__ import annotations

from openpyxl.utils import get_column_letter

from firescore.publish.formats import HEADER
from firescore.publish.rows import line_height, text_lines

HEADER_FILL = "FF" + HEADER["bg_color"].lstrip("#")


def is_header(ws, row: int) -> bool:
    """Return whether Excel row ``row`` is a table's header row (the grey header style)."""
    return ws.cell(row, 1).fill.fgColor.rgb == HEADER_FILL


def header_rows(ws) -> list[int]:
    """Return the Excel row numbers of the sheet's header rows, one per table."""
    return [row for row in range(1, ws.max_row + 1) if is_header(ws, row)]


def heading_lines(ws) -> list[str]:
    """Return the texts above the first table: 附件 label, title, office line."""
    first = header_rows(ws)[0]
    return [ws.cell(row, 1).value for row in range(1, first) if ws.cell(row, 1).value]


def tables(ws) -> list[list[tuple]]:
    """Return each table's data rows: from below its header to the next blank or heading row."""
    found = []
    for header in header_rows(ws):
        rows = []
        for values in ws.iter_rows(min_row=header + 1, values_only=True):
            if all(value is None for value in values):
                break
            rows.append(values)
        found.append(rows)
    return found


def table(ws) -> list[tuple]:
    """Return the data rows of a one-table sheet."""
    (rows,) = tables(ws)
    return rows


def headers(ws, index: int = 0) -> list:
    """Return the header texts of the sheet's ``index``-th table."""
    row = header_rows(ws)[index]
    return [c.value for c in ws[row]]


def short_rows(ws) -> list[tuple[int, float, float]]:
    """Return (row, height, needed) of every row shorter than its wrapped text needs.

    A merged cell counts with the width of all the columns it spans.
    """
    widths = {
        col: ws.column_dimensions[get_column_letter(col)].width
        for col in range(1, ws.max_column + 1)
    }
    spans = {
        (r.min_row, r.min_col): sum(widths[c] for c in range(r.min_col, r.max_col + 1))
        for r in ws.merged_cells.ranges
    }
    short = []
    for cells in ws.iter_rows():
        row = cells[0].row
        height = ws.row_dimensions[row].height or 15
        needed = 0.0
        for cell in cells:
            if not isinstance(cell.value, str):
                continue
            width = spans.get((row, cell.column), widths[cell.column])
            size = cell.font.sz or 11
            needed = max(needed, text_lines(cell.value, width, size) * line_height(size))
        if height < needed:
            short.append((row, height, needed))
    return short


def excel_decode(raw: bytes) -> str:
    """Return a CSV's text as Excel (and WPS) on Chinese Windows reads it on double-click.

    A UTF-8 BOM makes it UTF-8; without one Excel takes the ANSI code page, GBK (cp936).
    """
    bom = b"\xef\xbb\xbf"
    return raw[len(bom) :].decode("utf-8") if raw.startswith(bom) else raw.decode("gbk", "replace")

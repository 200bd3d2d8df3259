"""A worksheet that stores each table row as one piece of XML instead of one object per cell.

xlsxwriter keeps a tuple per cell and, when the workbook closes, writes the XML one cell at a
time (cell reference, attribute list, escaping). For the leaders' ledger of 400,000 cells that
was most of the workbook's time. A TableWorksheet renders a table row once, when it is written:
cell references, shared-string indices and numbers exactly as xlsxwriter writes them. Only the
style (xf) indices are left as ``{col}`` fields and filled in when the sheet's XML is written,
because xlsxwriter numbers the formats in the order it first meets them there; the rows are
met in the same order, so the workbook is the same, byte for byte.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

# xlsxwriter truncates a text longer than Excel's 32,767 UTF-16 units; a text of at most half
# that many characters cannot be longer, so only longer ones go through its own writer.
SHORT_TEXT = 32767 // 2


class RowXml:
    """One table row's cells as XML, its style fields ``{0}``, ``{1}``… still to fill."""

    __slots__ = ("styles", "template")

    def __init__(self, template: str, styles: Sequence[Format]) -> None:
        self.template = template
        self.styles = styles


class RowEnd:
    """Marks a rendered row's last cell, so xlsxwriter sees the row's extent (its spans)."""

    __slots__ = ()


ROW_END = RowEnd()


class TableWorksheet(Worksheet):
    """A worksheet whose table rows are written with write_table_row (see the module's note)."""

    def __init__(self) -> None:
        super().__init__()
        self._cell_starts: list[str] = []  # '<c r="B' per column
        self._style_fields: list[str] = []  # '" s="{1}"' per column
        self._xf_of: dict[int, list[str]] = {}  # id of a row's style list → its xf indices
        self._row_tags: dict[tuple[Any, ...], str] = {}  # <row …> by its spans and properties

    def write_table_row(self, row: int, values: Sequence[Any], styles: Sequence[Format]) -> None:
        """Store one table row: every column gets a cell (blank ones keep their style)."""
        count = len(values)
        if len(self._cell_starts) < count:
            self._cell_starts = [f'<c r="{xl_col_to_name(col)}' for col in range(count)]
            self._style_fields = [f'" s="{{{col}}}"' for col in range(count)]
        starts, fields = self._cell_starts, self._style_fields
        number = str(row + 1)
        shared = self.str_table._get_shared_string_index
        cells = []
        for col, value in enumerate(values):
            kind = type(value)
            # The same dispatch as sheets.write_cell, and the same XML as xlsxwriter's writers.
            if kind is str and value:
                index = (
                    self._long_text(row, col, value) if len(value) > SHORT_TEXT else shared(value)
                )
                cells.append(f'{starts[col]}{number}{fields[col]} t="s"><v>{index}</v></c>')
            elif kind is Decimal or kind is int or kind is float:
                cells.append(f"{starts[col]}{number}{fields[col]}><v>{self._number(value)}</v></c>")
            elif value is None or value == "":
                cells.append(f"{starts[col]}{number}{fields[col]}/>")
            elif isinstance(value, bool):
                raise TypeError("booleans must be turned into 是/否 text before writing")
            elif isinstance(value, Decimal | int | float):
                cells.append(f"{starts[col]}{number}{fields[col]}><v>{self._number(value)}</v></c>")
            elif isinstance(value, date):
                moment = value if isinstance(value, datetime) else datetime(*value.timetuple()[:3])
                serial = self._convert_date_time(moment)
                cells.append(f"{starts[col]}{number}{fields[col]}><v>{serial:.16G}</v></c>")
            else:
                text = str(value)
                index = self._long_text(row, col, text) if len(text) > SHORT_TEXT else shared(text)
                cells.append(f'{starts[col]}{number}{fields[col]} t="s"><v>{index}</v></c>')
        if not cells:
            return
        # Dimensions and spans see the row's first and last cell, as if each had been written.
        self._check_dimensions(row, 0)
        self._check_dimensions(row, count - 1)
        self.table[row][0] = RowXml("".join(cells), styles)
        if count > 1:
            self.table[row][count - 1] = ROW_END

    @staticmethod
    def _number(value: Decimal | int | float) -> str:
        """Return a number as xlsxwriter writes it; NaN and infinity fail as they do there."""
        number = float(value)
        if number - number:  # NaN or ±infinity
            raise TypeError("NAN/INF not supported in write_number()")
        return f"{number:.16G}"

    def _long_text(self, row: int, col: int, text: str) -> int:
        """Return the shared-string index of a long text, truncated by xlsxwriter's own writer."""
        self._write_string(row, col, text, None)
        return self.table[row].pop(col).string

    def _calculate_spans(self) -> None:
        """Set each block of 16 rows' spans (first:last column with a cell) from the rows' keys."""
        if self.comments:  # comments widen the spans too; none of our tables has any
            super()._calculate_spans()
            return
        extents: dict[int, tuple[int, int]] = {}
        for row, cells in self.table.items():
            if cells:
                low, high = min(cells), max(cells)
                known = extents.get(row // 16)
                if known is not None:
                    low, high = min(known[0], low), max(known[1], high)
                extents[row // 16] = (low, high)
        self.row_spans = {block: f"{low + 1}:{high + 1}" for block, (low, high) in extents.items()}

    def _write_rows(self) -> None:
        """Write the rows as xlsxwriter does, each row's tag made once per kind of row."""
        if self.comments:
            super()._write_rows()
            return
        self._calculate_spans()
        write, table, spans = self.fh.write, self.table, self.row_spans
        for row in range(self.dim_rowmin, self.dim_rowmax + 1):
            cells = table.get(row)
            info = self.row_info.get(row)
            if cells:
                write(self._row_tag(spans.get(row // 16), info).format(row + 1))
                for col in sorted(cells):
                    self._write_cell(row, col, cells[col])
                write("</row>")
            elif info is not None:
                self._write_empty_row(row, spans.get(row // 16), info)

    def _row_tag(self, span: str | None, info: Any) -> str:
        """Return the <row> start tag xlsxwriter writes for these spans and row properties,
        its row number left as a field."""
        key: tuple[Any, ...] = (span,)
        if info is not None:
            key += (info.height, info.row_format, info.hidden, info.level, info.collapsed)
        tag = self._row_tags.get(key)
        if tag is None:
            sheet, self.fh = self.fh, io.StringIO()
            try:
                self._write_row(0, span, info)
                tag = self.fh.getvalue().replace('<row r="1"', '<row r="{}"', 1)
            finally:
                self.fh = sheet
            self._row_tags[key] = tag
        return tag

    def _write_cell(self, row: int, col: int, cell: Any) -> None:
        """Write a rendered row's cells at its first column; other cells as xlsxwriter does."""
        kind = cell.__class__
        if kind is RowXml:
            self.fh.write(cell.template.format(*self._xf_indices(cell.styles)))
        elif kind is not RowEnd:
            super()._write_cell(row, col, cell)

    def _xf_indices(self, styles: Sequence[Format]) -> list[str]:
        """Return the xf indices of a row's styles, asked in column order as xlsxwriter does."""
        known = self._xf_of.get(id(styles))
        if known is None:
            known = self._xf_of[id(styles)] = [str(style._get_xf_index()) for style in styles]
        return known

    def _get_range_data(self, row_start: int, col_start: int, row_end: int, col_end: int) -> Any:
        """Refuse a chart's range over rendered rows: their values are no longer cells."""
        for row in range(row_start, row_end + 1):
            if any(isinstance(c, RowXml | RowEnd) for c in self.table.get(row, {}).values()):
                raise ValueError(f"chart data in rendered table rows of sheet {self.name}")
        return super()._get_range_data(row_start, col_start, row_end, col_end)

"""The one reader: xlsx/xlsm/xls/csv -> one frame of raw strings per contract sheet."""

from __future__ import annotations

import csv
import functools
import html
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import fastexcel
import polars as pl

from firescore.config import Limits
from firescore.intake.contracts import WORKBOOK_FORMATS, Contract, format_of, suffixes_text
from firescore.intake.values import clean_text, fold
from firescore.issues import ERROR, WARNING, Issue, cell_ref, col_letter, file_issue

HEADER_SCAN_ROWS = 30  # a header may sit below title rows and merged cells
MAX_UNPACK_RATIO = 100  # an xlsx unpacking to more than 100x its size is treated as a zip bomb
_DIMENSION = re.compile(rb'<dimension ref="[A-Z]+\d+:([A-Z]+)(\d+)"')
_CELL_TAG = re.compile(rb"<c[\s/>]")  # a worksheet cell element (not <col>, <cols>)
_TAG_CARRY = 2  # bytes carried into the next chunk: one less than a cell tag (b"<c ")
_MIN_CELL_BYTES = 4  # the shortest cell element, b"<c/>"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


Grid = list[list[str | None]]  # a sheet's cells as raw strings, one list per sheet column


@dataclass
class RawRows:
    """A sheet's rows as read, before they are framed: each contract field's column of strings."""

    first_row: int  # the Excel row of the first row (0 for the one row of a key/value sheet)
    height: int
    columns: dict[str, list[str | None]]  # field -> its cells; a field not in the sheet is absent


@dataclass(init=False)
class SheetData:
    """The rows of one contract sheet of one file, as raw strings with their positions."""

    file_id: str
    contract: Contract
    letters: dict[str, str]  # table layout: field -> column letter
    cells: dict[str, str]  # key/value layout: field -> A1 cell
    raw: RawRows | None = field(repr=False)  # the rows until they are framed
    _frame: pl.DataFrame | None = field(repr=False)
    _rows: dict[int, dict] | None = field(repr=False)

    def __init__(
        self,
        file_id: str,
        contract: Contract,
        frame: pl.DataFrame | None = None,
        letters: dict[str, str] | None = None,
        cells: dict[str, str] | None = None,
        raw: RawRows | None = None,
    ) -> None:
        """Hold a sheet as a frame, or as raw rows framed on first use (frame_sheets)."""
        self.file_id, self.contract, self.raw, self._frame = file_id, contract, raw, frame
        self.letters, self.cells = letters or {}, cells or {}
        self._rows = None

    @property
    def frame(self) -> pl.DataFrame:
        """Return file_id, excel_row, then one Utf8 column per contract field."""
        if self._frame is None:
            frame_sheets([self])
        return self._frame

    @frame.setter
    def frame(self, frame: pl.DataFrame) -> None:
        self._frame, self.raw, self._rows = frame, None, None

    @property
    def height(self) -> int:
        """Return the number of rows read (blank rows included)."""
        return self.raw.height if self.raw is not None else self.frame.height

    def typed_as(self, field_name: str, excel_row: int) -> str | None:
        """Return a cell's value as the person typed it (the raw string)."""
        if self._rows is None:
            self._rows = {r["excel_row"]: r for r in self.frame.iter_rows(named=True)}
        row = self._rows.get(excel_row)
        return as_displayed(row[field_name]) if row else None

    def cell(self, field_name: str, excel_row: int | None) -> str | None:
        """Return the A1 cell of a field in a given row."""
        if self.contract.layout == "key_value":
            return self.cells.get(field_name)
        return cell_ref(self.letters.get(field_name), excel_row)


def frame_sheets(sheets: list[SheetData]) -> pl.DataFrame:
    """Frame the raw rows of sheets of one contract at once, each sheet a zero-copy slice of one
    frame, and return all their rows in that frame (file after file).

    Why: a small frame of its own per file costs far more time and memory than its rows.
    """
    pending = [s for s in sheets if s.raw is not None]
    if len(pending) < len(sheets):  # some framed already (one at a time): concatenate
        if pending:
            _frame_pending(pending)
        frames = [s.frame for s in sheets]
        return frames[0] if len(frames) == 1 else pl.concat(frames, how="vertical")
    return _frame_pending(pending)


def _frame_pending(sheets: list[SheetData]) -> pl.DataFrame:
    """Frame sheets that are all still raw rows; return the one frame their slices view."""
    fields = sheets[0].contract.fields
    owners: list[int] = []  # the sheet of each row, by its place in `sheets`
    excel_rows: list[int] = []
    columns: dict[str, list[str | None]] = {f: [] for f in fields}
    for n, sheet in enumerate(sheets):
        raw = sheet.raw
        owners += [n] * raw.height
        excel_rows += range(raw.first_row, raw.first_row + raw.height)
        for f in fields:
            columns[f] += raw.columns.get(f) or [None] * raw.height
    # Gathered, a file's id is stored once and viewed by each of its rows (not copied per row).
    file_ids = pl.Series([s.file_id for s in sheets], dtype=pl.Utf8).gather(owners)
    whole = pl.DataFrame(
        {"file_id": file_ids, "excel_row": excel_rows, **columns},
        schema={"file_id": pl.Utf8, "excel_row": pl.Int32, **{f: pl.Utf8 for f in fields}},
    )
    offset = 0
    for sheet in sheets:
        height = sheet.raw.height
        sheet.frame = whole.slice(offset, height)
        offset += height
    return whole


@dataclass
class ReadResult:
    """What was read from one file: its sheets and the problems met while reading."""

    file_id: str
    sheets: dict[str, SheetData] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    encoding: str | None = None


_MIDNIGHT = re.compile(r"^(\d{4}-\d{2}-\d{2}) 00:00:00$")
_WHOLE_MINUTE = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}):00$")


def as_displayed(value: str | None) -> str | None:
    """Return a raw cell string as Excel shows it: calamine renders date cells with seconds."""
    if not isinstance(value, str):
        return value
    if match := _MIDNIGHT.match(value):
        return match[1]
    if match := _WHOLE_MINUTE.match(value):
        return match[1]
    return value


def decode_csv(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes strictly as UTF-8 (BOM or not), else GB18030 (a superset of GBK)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise UnicodeDecodeError("gb18030", data, 0, 1, "neither UTF-8 nor GB18030")


def _grid_from_rows(rows: list[list[str]]) -> tuple[Grid, list[str]]:
    """Return a string grid (one list per sheet column) and the column letters."""
    width = max((len(r) for r in rows), default=0)
    columns = [[r[j] if j < len(r) else None for r in rows] for j in range(width)]
    return columns, [col_letter(j) for j in range(width)]


def _excel_grid(reader: fastexcel.ExcelReader, name: str) -> tuple[Grid, list[str], bool]:
    """Return a sheet as a string grid whose row i is Excel row i+1, its letters, and visibility."""
    sheet = reader.load_sheet(name, header_row=None, dtypes="string", skip_rows=0)
    letters = [col_letter(c.absolute_index) for c in sheet.available_columns()]
    # Python lists, not a frame: a sheet is a few dozen cells, and the batch frames them at once.
    grid = [column.to_pylist() for column in sheet.to_arrow().columns]
    return grid, letters, sheet.visible == "visible"


@functools.lru_cache(maxsize=4096)
def _fold_header(text: str) -> str | None:
    """Return fold(text), remembered: the same titles, headers and keys recur in every file."""
    return fold(text)


def _header_keys(contract: Contract) -> dict[str, str]:
    """Return folded header text (and aliases) -> field."""
    keys = {}
    for column in contract.columns:
        for text in [column.header, *column.aliases]:
            keys[_fold_header(text)] = column.field
    return keys


def _find_header(grid: Grid, keys: dict[str, str]) -> tuple[int, dict[str, int]] | None:
    """Return the row index of the header and field -> grid column index, by best match."""
    best: tuple[int, dict[str, int]] | None = None
    for i, row in enumerate(zip(*(column[:HEADER_SCAN_ROWS] for column in grid), strict=True)):
        found = {}
        for j, text in enumerate(row):
            name = keys.get(_fold_header(text)) if text is not None else None
            if name and name not in found:
                found[name] = j
        if found and (best is None or len(found) > len(best[1])):
            best = (i, found)
    return best


def _table_sheet(
    file_id: str, contract: Contract, grid: Grid, letters: list[str], issues: list[Issue]
) -> SheetData | None:
    """Cut a table-layout sheet out of its grid: header found by its headers, blank rows dropped."""
    header = _find_header(grid, _header_keys(contract))
    if header is None:
        issues.append(
            file_issue(
                file_id,
                ERROR,
                "sheet_no_header",
                f"工作表「{contract.sheet}」中找不到表头，应包含列："
                + "、".join(c.header for c in contract.columns),
                sheet=contract.sheet,
            )
        )
        return None
    header_row, positions = header
    missing = [c.header for c in contract.columns if c.required and c.field not in positions]
    if missing:
        issues.append(
            file_issue(
                file_id,
                ERROR,
                "column_missing",
                f"工作表「{contract.sheet}」第{header_row + 1}行表头缺少必填列："
                + "、".join(missing),
                sheet=contract.sheet,
            )
        )
        return None
    known = set(positions.values())
    for j, column in enumerate(grid):
        text = column[header_row]
        if j not in known and clean_text(text):
            issues.append(
                file_issue(
                    file_id,
                    WARNING,
                    "column_extra",
                    f"{contract.sheet}!{letters[j]}{header_row + 1}「{clean_text(text)}」"
                    "不是填报模板中的列，已忽略",
                    sheet=contract.sheet,
                )
            )
    # Blank rows stay here (cheap per file) and are dropped when the batch is cast at once.
    raw = RawRows(
        first_row=header_row + 2,
        height=len(grid[0]) - header_row - 1,
        columns={f: grid[j][header_row + 1 :] for f, j in positions.items()},
    )
    return SheetData(
        file_id=file_id,
        contract=contract,
        letters={f: letters[j] for f, j in positions.items()},
        raw=raw,
    )


def _key_value_sheet(
    file_id: str, contract: Contract, grid: Grid, letters: list[str], issues: list[Issue]
) -> SheetData | None:
    """Read key/value rows (项目 | 内容) into a one-row frame, remembering each value's cell."""
    header = _find_header(
        grid, {fold(contract.key_header): "key", fold(contract.value_header): "value"}
    )
    if header is None or set(header[1]) != {"key", "value"}:
        issues.append(
            file_issue(
                file_id,
                ERROR,
                "sheet_no_header",
                f"工作表「{contract.sheet}」中找不到“{contract.key_header}”和“{contract.value_header}”表头",
                sheet=contract.sheet,
            )
        )
        return None
    header_row, positions = header
    keys = _header_keys(contract)
    values: dict[str, str | None] = {}
    cells: dict[str, str] = {}
    key_column, value_column = grid[positions["key"]], grid[positions["value"]]
    for i in range(header_row + 1, len(key_column)):
        key = key_column[i]
        name = keys.get(_fold_header(key) or "") if key is not None else None
        if name and name not in values:
            value = value_column[i]
            values[name] = value.strip() if isinstance(value, str) else value
            cells[name] = f"{letters[positions['value']]}{i + 1}"
    missing = [c.header for c in contract.columns if c.required and c.field not in values]
    if missing:
        issues.append(
            file_issue(
                file_id,
                ERROR,
                "key_missing",
                f"工作表「{contract.sheet}」缺少项目：" + "、".join(missing),
                sheet=contract.sheet,
            )
        )
        return None
    raw = RawRows(first_row=0, height=1, columns={f: [v] for f, v in values.items()})
    return SheetData(file_id=file_id, contract=contract, cells=cells, raw=raw)


def _cut(
    file_id: str, contract: Contract, grid: Grid, letters: list[str], issues: list[Issue]
) -> SheetData | None:
    """Cut a contract sheet out of a grid according to its layout."""
    cutter = _key_value_sheet if contract.layout == "key_value" else _table_sheet
    return cutter(file_id, contract, grid, letters, issues)


def _column_number(letters: bytes) -> int:
    """Return the 1-based number of Excel column letters (b"AB" -> 28)."""
    number = 0
    for char in letters:
        number = number * 26 + char - 64
    return number


def _sheet_titles(archive: zipfile.ZipFile) -> dict[str, str]:
    """Return sheet part name (xl/worksheets/sheet1.xml) -> sheet title, from the workbook."""
    try:
        rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
        book = archive.read("xl/workbook.xml").decode("utf-8", "replace")
    except KeyError:
        return {}
    targets = {
        m["id"]: "xl/" + m["target"].lstrip("/").removeprefix("xl/")
        for m in re.finditer(
            r'<Relationship\b[^>]*?Id="(?P<id>[^"]+)"[^>]*?Target="(?P<target>[^"]+)"', rels
        )
    }
    targets |= {
        m["id"]: "xl/" + m["target"].lstrip("/").removeprefix("xl/")
        for m in re.finditer(
            r'<Relationship\b[^>]*?Target="(?P<target>[^"]+)"[^>]*?Id="(?P<id>[^"]+)"', rels
        )
    }
    titles = {}
    for m in re.finditer(r'<sheet\b[^>]*?name="(?P<name>[^"]+)"[^>]*?r:id="(?P<id>[^"]+)"', book):
        if m["id"] in targets:
            titles[targets[m["id"]]] = html.unescape(m["name"])
    return titles


def container_problem(path: Path, limits: Limits) -> str | None:
    """Return why a file cannot be a workbook we should open (in Chinese), or None.

    Checked on the raw bytes before any parser sees them, so an empty, foreign, encrypted,
    truncated or hostile file (zip bomb, a sheet claiming a million rows) is refused quickly.
    The file's size was checked against the limit before (read_file).
    """
    size = path.stat().st_size
    if size == 0:
        return "文件为空（0 字节）"
    with path.open("rb") as handle:
        head = handle.read(8)
    suffix = path.suffix.lower()
    if head.startswith(b"%PDF"):
        return "这是 PDF 文件，不是 Excel 工作簿；请使用下发的填报模板"
    if head == _OLE_MAGIC:
        if suffix == ".xls":
            return None
        return (
            "文件已加密（设置了打开密码）或是旧版 Office 文档，请取消密码、另存为 .xlsx 后重新报送"
        )
    if suffix == ".xls":
        return "不是 Excel 97-2003 工作簿（.xls），文件可能已损坏或被改了扩展名"
    if not head.startswith(b"PK"):
        return "不是 Excel 工作簿（文件内容不是 .xlsx 格式），可能是被改了扩展名的其他文件"
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names:
                return "这是 Word 文档（.docx）改名而来，不是 Excel 工作簿"
            if "xl/workbook.xml" not in names:
                return "这是压缩包（.zip）或其他文件，不是 Excel 工作簿"
            unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > max(limits.max_file_bytes, size * MAX_UNPACK_RATIO):
                return f"文件解压后达 {unpacked} 字节，远超正常工作簿，已拒绝读取"
            for name in sorted(n for n in names if n.startswith("xl/worksheets/sheet")):
                problem = _sheet_size_problem(archive, name, limits.max_sheet_cells)
                if problem:
                    # The titles are read only to name the sheet of a problem.
                    return f"工作表「{_sheet_titles(archive).get(name, name)}」{problem}"
    except zipfile.BadZipFile:
        return "文件不完整或已损坏（无法解压），请重新保存后报送"
    return None


def _sheet_size_problem(archive: zipfile.ZipFile, name: str, max_cells: int) -> str | None:
    """Return why a sheet part is too large to parse (Chinese, after the sheet's name), or None.

    The <dimension> tag near the start gives the used range. When it is missing, or the part is
    large enough to hold more cells than the limit whatever the tag says, the cells are counted
    by streaming the XML in chunks and stopping past the limit, so memory stays bounded.
    """
    with archive.open(name) as sheet:
        head = sheet.read(2048)
        match = _DIMENSION.search(head)
        if match:
            rows, columns = int(match[2]), _column_number(match[1])
            if rows * columns > max_cells:
                return (
                    f"范围达 {rows} 行 × {columns} 列，超过 {max_cells} 个单元格的上限"
                    "（常见原因：整列设置了格式），请删除多余的空行空列后重新报送"
                )
            if archive.getinfo(name).file_size <= max_cells * _MIN_CELL_BYTES:
                return None  # too small to hold more cells than the limit
        if _count_cells(sheet, head, max_cells) <= max_cells:
            return None
        unstated = "" if match else "（文件未标明范围）"
        return (
            f"有超过 {max_cells} 个单元格{unstated}，超过上限，未读取；"
            "请删除多余的行列、用 Excel 或 WPS 另存后重新报送"
        )


def _count_cells(sheet: IO[bytes], head: bytes, stop_after: int) -> int:
    """Return the number of cell elements in a sheet's XML, counting no further than stop_after."""
    cells, tail, chunk = 0, b"", head
    while chunk and cells <= stop_after:
        # A tag cut at a chunk boundary is counted once, with the next chunk: the bytes that
        # carry over are too few to hold a whole tag.
        text = tail + chunk
        cells += len(_CELL_TAG.findall(text))
        tail = text[-_TAG_CARRY:]
        chunk = sheet.read(1 << 20)
    return cells


def read_file(
    paths: tuple[Path, ...], file_id: str, contracts: list[Contract], limits: Limits
) -> ReadResult:
    """Read the contract sheets of a workbook or a CSV bundle: the one reader of every file."""
    size = sum(p.stat().st_size for p in paths)
    if size > limits.max_file_bytes:
        message = f"文件大小 {size} 字节，超过上限 {limits.max_file_bytes} 字节，未读取"
        return ReadResult(file_id, issues=[file_issue(file_id, ERROR, "file_too_large", message)])
    file_format = format_of(paths[0])
    if file_format in WORKBOOK_FORMATS:
        return read_excel(paths[0], file_id, contracts, limits)
    if file_format == "csv":
        return read_csv_bundle(paths, file_id, contracts)
    accepted = f"{suffixes_text(WORKBOOK_FORMATS)} 或 .csv"
    message = f"文件 {paths[0].name} 不是可接受的格式，应为 {accepted}"
    return ReadResult(file_id, issues=[file_issue(file_id, ERROR, "file_format", message)])


def read_excel(path: Path, file_id: str, contracts: list[Contract], limits: Limits) -> ReadResult:
    """Read the contract sheets of a workbook; hidden sheets are ignored."""
    result = ReadResult(file_id=file_id)
    problem = container_problem(path, limits)
    if problem is not None:
        result.issues.append(file_issue(file_id, ERROR, "file_unreadable", problem))
        return result
    try:
        reader = fastexcel.read_excel(path)
    except Exception:  # calamine raises many types for broken or foreign files
        result.issues.append(
            file_issue(
                file_id,
                ERROR,
                "file_unreadable",
                "无法作为 Excel 工作簿读取（文件可能已损坏或并非电子表格），"
                "请用 Excel 或 WPS 打开后另存为 .xlsx 再报送",
            )
        )
        return result
    names = {fold(name): name for name in reader.sheet_names}
    for contract in contracts:
        name = names.get(fold(contract.sheet))
        try:
            grid, letters, visible = _excel_grid(reader, name) if name else (None, [], False)
        except Exception:  # one broken sheet part: name it, keep reading the others
            result.issues.append(
                file_issue(
                    file_id,
                    ERROR,
                    "sheet_unreadable",
                    f"工作表「{contract.sheet}」已损坏，无法读取；请用 Excel 或 WPS 打开后另存为 .xlsx 再报送",
                    sheet=contract.sheet,
                )
            )
            continue
        if not visible:  # hidden sheets are not what the unit filled in
            if contract.required:
                result.issues.append(
                    file_issue(
                        file_id,
                        ERROR,
                        "sheet_missing",
                        f"文件中缺少工作表「{contract.sheet}」",
                        sheet=contract.sheet,
                    )
                )
            continue
        sheet = _cut(file_id, contract, grid, letters, result.issues)
        if sheet is not None:
            result.sheets[contract.sheet] = sheet
    return result


def read_csv(path: Path, file_id: str, contract: Contract) -> ReadResult:
    """Read one CSV file holding one sheet (<单位代码>_<季度>_<表名>.csv)."""
    result = ReadResult(file_id=file_id)
    try:
        text, result.encoding = decode_csv(path.read_bytes())
    except UnicodeDecodeError:
        result.issues.append(
            file_issue(
                file_id,
                ERROR,
                "file_encoding",
                f"CSV 文件 {path.name} 的编码无法识别，应为 UTF-8 或 GBK/GB18030",
            )
        )
        return result
    rows = [[cell if cell != "" else None for cell in r] for r in csv.reader(io.StringIO(text))]
    grid, letters = _grid_from_rows(rows)
    sheet = _cut(file_id, contract, grid, letters, result.issues)
    if sheet is not None:
        result.sheets[contract.sheet] = sheet
    return result


def read_csv_bundle(paths: tuple[Path, ...], file_id: str, wanted: list[Contract]) -> ReadResult:
    """Read CSV sheets named <单位代码>_<季度>_<表名>.csv into one result."""
    result = ReadResult(file_id=file_id)
    by_sheet = {c.sheet: c for c in wanted}
    for path in paths:
        sheet = path.stem.rsplit("_", 1)[-1]
        if sheet not in by_sheet:
            result.issues.append(
                file_issue(
                    file_id,
                    WARNING,
                    "csv_unknown_sheet",
                    f"CSV 文件 {path.name} 的表名“{sheet}”不是应报送的工作表"
                    f"（{'、'.join(by_sheet)}），已忽略",
                )
            )
            continue
        part = read_csv(path, file_id, by_sheet[sheet])
        result.sheets.update(part.sheets)
        result.issues += part.issues
        result.encoding = result.encoding or part.encoding
    prefix = paths[0].stem.rsplit("_", 1)[0]
    for spec in wanted:
        errors = any(i.severity == ERROR for i in result.issues)
        if spec.required and spec.sheet not in result.sheets and not errors:
            result.issues.append(
                file_issue(
                    file_id,
                    ERROR,
                    "sheet_missing",
                    f"缺少工作表「{spec.sheet}」的 CSV 文件（应命名为 {prefix}_{spec.sheet}.csv）",
                    sheet=spec.sheet,
                )
            )
    return result

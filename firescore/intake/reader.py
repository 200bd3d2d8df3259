"""The one reader: xlsx/xlsm/xls/csv -> one frame of raw strings per contract sheet."""

from __future__ import annotations

import csv
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


@dataclass
class SheetData:
    """The rows of one contract sheet of one file, as raw strings with their positions."""

    file_id: str
    contract: Contract
    frame: pl.DataFrame  # file_id, excel_row, then one Utf8 column per contract field
    letters: dict[str, str] = field(default_factory=dict)  # table layout: field -> column letter
    cells: dict[str, str] = field(default_factory=dict)  # key/value layout: field -> A1 cell

    _rows: dict[int, dict] | None = field(default=None, repr=False)

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


def _grid_from_rows(rows: list[list[str]]) -> tuple[pl.DataFrame, list[str]]:
    """Return a string grid (one column per sheet column) and the column letters."""
    width = max((len(r) for r in rows), default=0)
    columns = {f"c{j}": [r[j] if j < len(r) else None for r in rows] for j in range(width)}
    return pl.DataFrame(columns, schema={k: pl.Utf8 for k in columns}), [
        col_letter(j) for j in range(width)
    ]


def _excel_grid(reader: fastexcel.ExcelReader, name: str) -> tuple[pl.DataFrame, list[str], bool]:
    """Return a sheet as a string grid whose row i is Excel row i+1, its letters, and visibility."""
    sheet = reader.load_sheet(name, header_row=None, dtypes="string", skip_rows=0)
    letters = [col_letter(c.absolute_index) for c in sheet.available_columns()]
    grid = sheet.to_polars()
    grid = grid.rename({old: f"c{j}" for j, old in enumerate(grid.columns)})
    return grid, letters, sheet.visible == "visible"


def _header_keys(contract: Contract) -> dict[str, str]:
    """Return folded header text (and aliases) -> field."""
    keys = {}
    for column in contract.columns:
        for text in [column.header, *column.aliases]:
            keys[fold(text)] = column.field
    return keys


def _find_header(grid: pl.DataFrame, keys: dict[str, str]) -> tuple[int, dict[str, int]] | None:
    """Return the row index of the header and field -> grid column index, by best match."""
    best: tuple[int, dict[str, int]] | None = None
    for i, row in enumerate(grid.head(HEADER_SCAN_ROWS).iter_rows()):
        found = {}
        for j, text in enumerate(row):
            name = keys.get(fold(text)) if text is not None else None
            if name and name not in found:
                found[name] = j
        if found and (best is None or len(found) > len(best[1])):
            best = (i, found)
    return best


def _table_sheet(
    file_id: str, contract: Contract, grid: pl.DataFrame, letters: list[str], issues: list[Issue]
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
    for j, text in enumerate(grid.row(header_row)):
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
    body = grid.slice(header_row + 1)
    data = body.select(
        pl.lit(file_id).alias("file_id"),
        pl.int_range(header_row + 2, header_row + 2 + body.height, dtype=pl.Int32).alias(
            "excel_row"
        ),
        *[
            (pl.col(f"c{positions[f]}") if f in positions else pl.lit(None, dtype=pl.Utf8)).alias(f)
            for f in contract.fields
        ],
    )
    return SheetData(
        file_id=file_id,
        contract=contract,
        frame=data,
        letters={f: letters[j] for f, j in positions.items()},
    )


def _key_value_sheet(
    file_id: str, contract: Contract, grid: pl.DataFrame, letters: list[str], issues: list[Issue]
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
    for i, row in enumerate(grid.slice(header_row + 1).iter_rows(), start=header_row + 2):
        name = keys.get(fold(row[positions["key"]]) or "")
        if name and name not in values:
            value = row[positions["value"]]
            values[name] = value.strip() if isinstance(value, str) else value
            cells[name] = f"{letters[positions['value']]}{i}"
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
    frame = pl.DataFrame(
        {"file_id": [file_id], "excel_row": [0], **{f: [values.get(f)] for f in contract.fields}},
        schema={"file_id": pl.Utf8, "excel_row": pl.Int32, **{f: pl.Utf8 for f in contract.fields}},
    )
    return SheetData(file_id=file_id, contract=contract, frame=frame, cells=cells)


def _cut(
    file_id: str, contract: Contract, grid: pl.DataFrame, letters: list[str], issues: list[Issue]
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
            titles = _sheet_titles(archive)
            for name in sorted(n for n in names if n.startswith("xl/worksheets/sheet")):
                problem = _sheet_size_problem(archive, name, limits.max_sheet_cells)
                if problem:
                    return f"工作表「{titles.get(name, name)}」{problem}"
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

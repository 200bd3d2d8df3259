"""Write the intake samples of tests/bad_samples/: files people really send, bad and untidy.

    .venv/bin/python tests/bad_samples/make_samples.py            # rewrite every sample
    .venv/bin/python tests/bad_samples/make_samples.py CASE ...   # rewrite some

Each case is a folder `<case>/<UNIT CODE>/<file(s)>` (the unit folder is the sender, as in the
inbox) with a hand-written `expected.txt` (the exact issue lines, sorted) and, while the product
gets the case wrong, an `xfail.txt` giving the reason. This script writes only the files.

Every sample starts from a valid 2026Q2 file of the sample district (data_samples/inbox) and
changes exactly the thing it shows, so a message about anything else is a finding. Workbooks are
written byte-for-byte deterministically (fixed zip times and document dates); only the real
password-protected workbook (msoffcrypto-tool, random salt) differs between runs, and it is kept
as committed when that tool is not installed. Writing .xls needs `xlwt`.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import openpyxl
import xlsxwriter
from openpyxl.styles import Font
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
Q1 = ROOT / "data_samples" / "inbox" / "2026Q1"
Q2 = ROOT / "data_samples" / "inbox" / "2026Q2"
FIXED = (2026, 7, 1, 0, 0, 0)  # zip entry times and document dates of every written workbook

# The valid 2026Q2 files the samples start from: a street, a department with and one without
# tasks, the fire detachment and the office.
BASES = {
    "JD01": Q2 / "JD01" / "解放碑街道二季度考核材料.xlsx",
    "BM02": Q2 / "BM02" / "区教委二季度考核材料.xlsx",
    "BM17": Q2 / "BM17" / "区文明办2026年二季度消防考核.xlsx",
    "ZD01": Q2 / "ZD01" / "区消防救援支队2026年第二季度火灾情况统计.xlsx",
    "XAB": Q2 / "XAB" / "2026年第二季度考核加减分事项汇总.xlsx",
}
STREET = "JD01"
STREET_FILE = BASES[STREET].name
STREET_STEM = BASES[STREET].stem

CASES: dict[str, Callable[[Path], None]] = {}

# What an accepted (ok_) sample means differently from its base on purpose, read back as text:
# case -> (sheet, row key) -> field -> value. Everything else must read exactly as the base.
CHANGED: dict[str, dict[tuple[str, str], dict[str, str | None]]] = {
    "ok_numbers_as_typed": {
        ("工作指标", "I06"): {"value": "1", "denominator": None},
    },
    "ok_fire_figures_as_typed": {
        ("火灾情况", "YZ2026-0031"): {"loss": "1086.5"},
        ("火灾情况", "YZ2026-0033"): {"fire_time": "2026-05-20 19:30:00"},
    },
    "ok_percent_rates": {
        ("工作指标", "I02"): {"value": "0.96", "denominator": None},
        ("工作指标", "I08"): {"value": "1", "denominator": None},
    },
    "ok_status_synonyms": {("任务进展", "T32"): {"status": "未启动", "progress": None}},
}


def case(function: Callable[[Path], None]) -> Callable[[Path], None]:
    """Register a sample writer; its name is the case folder."""
    CASES[function.__name__] = function
    return function


# ---------------------------------------------------------------------------------------------
# helpers


def target(out: Path, unit: str, name: str) -> Path:
    """Return <case>/<unit>/<name>, its folder created."""
    path = out / unit / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def normalise_zip(path: Path) -> None:
    """Rewrite a zip container with fixed entry times and document dates (deterministic bytes)."""
    with zipfile.ZipFile(path) as archive:
        entries = [(info.filename, archive.read(info)) for info in archive.infolist()]
    stamp = "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z".format(*FIXED).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            if name == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp, data
                )
            info = zipfile.ZipInfo(name, date_time=FIXED)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)


def write_zip(path: Path, entries: dict[str, bytes | str]) -> Path:
    """Write a zip container with fixed entry times."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name, date_time=FIXED)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return path


def edit(
    out: Path,
    change: Callable[[Workbook], None],
    unit: str = STREET,
    folder: str | None = None,
    name: str | None = None,
) -> Path:
    """Copy a base workbook into <case>/<folder>/<name> with one change made by openpyxl."""
    book = openpyxl.load_workbook(BASES[unit])
    change(book)
    path = target(out, folder or unit, name or BASES[unit].name)
    book.save(path)
    normalise_zip(path)
    return path


def sheet_rows(unit: str = STREET) -> dict[str, list[list[object]]]:
    """Return a base workbook's sheets as rows of cell values (row 1 is the merged title)."""
    book = openpyxl.load_workbook(BASES[unit])
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in book.worksheets}


def find_row(ws: Worksheet, key: str) -> int:
    """Return the Excel row whose column A holds key."""
    for row in ws.iter_rows(min_col=1, max_col=1):
        if row[0].value == key:
            return row[0].row
    raise KeyError(key)


def as_text(value: object) -> str:
    """Return a cell value as a person's CSV export writes it."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (
            value.strftime("%Y-%m-%d %H:%M")
            if (value.hour, value.minute) != (0, 0)
            else value.strftime("%Y-%m-%d")
        )
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# ---------------------------------------------------------------------------------------------
# not a workbook at all


@case
def err_empty_file(out: Path) -> None:
    """A 0-byte file (an attachment that failed to download)."""
    target(out, STREET, STREET_FILE).write_bytes(b"")


@case
def err_text_named_xlsx(out: Path) -> None:
    """A plain text file renamed to .xlsx."""
    text = "解放碑街道2026年第二季度消防工作情况\n任务进展：已按要求完成。\n"
    target(out, STREET, STREET_FILE).write_bytes(text.encode("utf-8"))


@case
def err_html_named_xls(out: Path) -> None:
    """An HTML table saved as .xls, as web systems export "Excel" files."""
    html = (
        "<html><head><meta charset='utf-8'></head><body><table>"
        "<tr><td>项目</td><td>内容</td></tr><tr><td>单位代码</td><td>JD01</td></tr>"
        "</table></body></html>\n"
    )
    target(out, STREET, f"{STREET_STEM}.xls").write_bytes(html.encode("utf-8"))


@case
def ign_photo_jpg(out: Path) -> None:
    """A photo of the printed table instead of the workbook: not a submission, listed as ignored."""
    jpeg = (
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
        + bytes(64)
        + b"\xff\xd9"
    )
    target(out, STREET, f"{STREET_STEM}.jpg").write_bytes(jpeg)


@case
def err_pdf_named_xlsx(out: Path) -> None:
    """A PDF print of the workbook renamed to .xlsx."""
    pdf = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    target(out, STREET, STREET_FILE).write_bytes(pdf)


@case
def err_docx_named_xlsx(out: Path) -> None:
    """A Word report renamed to .xlsx."""
    write_zip(
        target(out, STREET, STREET_FILE),
        {
            "[Content_Types].xml": (
                '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="xml" ContentType="application/xml"/>'
                '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
            ),
            "word/document.xml": (
                '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                "<w:body><w:p><w:r><w:t>解放碑街道二季度消防工作总结</w:t></w:r></w:p></w:body></w:document>"
            ),
        },
    )


@case
def err_zip_named_xlsx(out: Path) -> None:
    """The workbook packed into a .zip, then the .zip renamed to .xlsx."""
    write_zip(target(out, STREET, STREET_FILE), {STREET_FILE: BASES[STREET].read_bytes()})


@case
def err_truncated_xlsx(out: Path) -> None:
    """The first half of a valid workbook (an interrupted download)."""
    data = BASES[STREET].read_bytes()
    target(out, STREET, STREET_FILE).write_bytes(data[: len(data) // 2])


@case
def err_corrupt_sheet_xml(out: Path) -> None:
    """A real workbook container whose 任务进展 sheet XML is cut off mid-element."""
    path = edit(out, lambda book: None)
    with zipfile.ZipFile(path) as archive:
        entries = {i.filename: archive.read(i) for i in archive.infolist()}
    sheet = "xl/worksheets/sheet3.xml"
    entries[sheet] = entries[sheet][: len(entries[sheet]) // 2]
    write_zip(path, entries)


@case
def err_ole_junk_named_xlsx(out: Path) -> None:
    """The 8-byte OLE signature and junk: what an encrypted or pre-2007 Office file starts with."""
    target(out, STREET, STREET_FILE).write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8
    )


@case
def err_encrypted_xlsx(out: Path) -> None:
    """A workbook with an opening password (密码 123456), written by msoffcrypto-tool if present."""
    path = target(out, STREET, STREET_FILE)
    try:
        from msoffcrypto.format.ooxml import OOXMLFile
    except ImportError:
        committed = HERE / "err_encrypted_xlsx" / STREET / STREET_FILE
        if not committed.exists():
            raise SystemExit(
                "err_encrypted_xlsx needs msoffcrypto-tool (pip install msoffcrypto-tool)"
            ) from None
        print("  msoffcrypto-tool not installed: kept the committed encrypted workbook")
        shutil.copyfile(committed, path)
        return
    with BASES[STREET].open("rb") as plain, path.open("wb") as sealed:
        OOXMLFile(plain).encrypt("123456", sealed)


@case
def err_xls_named_xlsx(out: Path) -> None:
    """A real Excel 97-2003 workbook whose name was changed to .xlsx."""
    xls = target(out, STREET, STREET_FILE)
    write_xls(xls, sheet_rows())


@case
def err_xlsx_named_xls(out: Path) -> None:
    """A valid .xlsx workbook whose name was changed to .xls."""
    edit(out, lambda book: None, name=f"{STREET_STEM}.xls")


@case
def err_dimension_bomb(out: Path) -> None:
    """A sheet whose used range claims A1:XFD1048576 (whole rows and columns formatted)."""
    path = edit(out, lambda book: None)
    with zipfile.ZipFile(path) as archive:
        entries = {i.filename: archive.read(i) for i in archive.infolist()}
    sheet = "xl/worksheets/sheet3.xml"
    entries[sheet] = re.sub(
        rb'<dimension ref="[^"]+"', b'<dimension ref="A1:XFD1048576"', entries[sheet]
    )
    write_zip(path, entries)


@case
def err_zip_bomb(out: Path) -> None:
    """A workbook whose 任务进展 sheet unpacks to 30 MB (blank padding) from a few dozen KB."""
    path = edit(out, lambda book: None)
    with zipfile.ZipFile(path) as archive:
        entries = {i.filename: archive.read(i) for i in archive.infolist()}
    sheet = "xl/worksheets/sheet3.xml"
    entries[sheet] = entries[sheet].replace(b"<sheetData>", b"<sheetData>" + b" " * 30_000_000, 1)
    write_zip(path, entries)


# ---------------------------------------------------------------------------------------------
# sheets and columns


@case
def err_sheet_missing(out: Path) -> None:
    """The 工作指标 sheet deleted."""
    edit(out, lambda book: book.remove(book["工作指标"]))


@case
def err_no_matching_sheet(out: Path) -> None:
    """Every sheet renamed to Sheet1, Sheet2 ... (the data copied into a blank workbook)."""

    def rename(book: Workbook) -> None:
        for i, ws in enumerate(book.worksheets, start=1):
            ws.title = f"Sheet{i}"

    edit(out, rename)


@case
def err_column_missing(out: Path) -> None:
    """The 完成状态 column of 任务进展 deleted."""

    def drop(book: Workbook) -> None:
        ws = book["任务进展"]
        ws.merged_cells.ranges.clear()
        ws.delete_cols(3)
        ws.merge_cells("A1:F1")

    edit(out, drop)


@case
def err_header_row_deleted(out: Path) -> None:
    """工作指标 with its header row deleted: the figures sit under the title."""
    edit(out, lambda book: book["工作指标"].delete_rows(2))


@case
def err_basic_key_missing(out: Path) -> None:
    """基本信息 without its 填报人 row."""

    def drop(book: Workbook) -> None:
        ws = book["基本信息"]
        ws.delete_rows(find_row(ws, "填报人"))

    edit(out, drop)


# ---------------------------------------------------------------------------------------------
# who sent it, for which quarter


def set_basic(key: str, value: object) -> Callable[[Workbook], None]:
    """Return a change setting one 基本信息 value."""

    def change(book: Workbook) -> None:
        ws = book["基本信息"]
        ws.cell(find_row(ws, key), 2).value = value

    return change


@case
def err_unit_mismatch(out: Path) -> None:
    """JD01's folder, 基本信息 单位代码 JD02 (a template copied from a neighbour)."""
    edit(out, set_basic("单位代码", "JD02"))


@case
def err_unknown_unit(out: Path) -> None:
    """A department file arriving in folder BM99, a unit not in 单位名册 (its own code BM99)."""
    edit(out, set_basic("单位代码", "BM99"), unit="BM17", folder="BM99")


@case
def err_unknown_unit_street(out: Path) -> None:
    """JD01's workbook with 单位代码 JD99, sent from folder JD99 (not in 单位名册)."""
    edit(out, set_basic("单位代码", "JD99"), folder="JD99")


@case
def err_wrong_quarter(out: Path) -> None:
    """Last quarter's 考核季度 (2026年第一季度) left in the file."""
    edit(out, set_basic("考核季度", "2026年第一季度"))


# ---------------------------------------------------------------------------------------------
# 任务进展


def set_cell(sheet: str, ref: str, value: object) -> Callable[[Workbook], None]:
    """Return a change setting one cell."""

    def change(book: Workbook) -> None:
        book[sheet][ref].value = value

    return change


@case
def err_task_not_assigned(out: Path) -> None:
    """A row for T02, a task JD01 is not named on (copied from another unit's sheet)."""

    def add(book: Workbook) -> None:
        book["任务进展"].append(
            ["T02", "落实行业部门监管责任", "推进中", None, 2, "本季度开展2次", "检查记录"]
        )

    edit(out, add)


@case
def err_duplicate_task_row(out: Path) -> None:
    """T03 reported twice."""

    def add(book: Workbook) -> None:
        ws = book["任务进展"]
        ws.append([c.value for c in ws[4]])

    edit(out, add)


@case
def err_status_not_allowed(out: Path) -> None:
    """完成状态 “已完” (T06)."""
    edit(out, set_cell("任务进展", "C7", "已完"))


@case
def err_done_without_date(out: Path) -> None:
    """T06 已完成 with 完成日期 left blank."""
    edit(out, set_cell("任务进展", "D7", None))


@case
def err_done_after_fill_date(out: Path) -> None:
    """T06 completed 2026-07-09, after the file's 填报日期 2026-07-07."""
    edit(out, set_cell("任务进展", "D7", datetime(2026, 7, 9)))


@case
def err_done_date_not_a_date(out: Path) -> None:
    """T06 完成日期 typed “6月13日” (no year)."""
    edit(out, set_cell("任务进展", "D7", "6月13日"))


@case
def err_negative_times(out: Path) -> None:
    """T03 本季度开展次数 −2."""
    edit(out, set_cell("任务进展", "E4", -2))


@case
def err_times_not_a_number(out: Path) -> None:
    """T03 本季度开展次数 typed “五次”."""
    edit(out, set_cell("任务进展", "E4", "五次"))


# ---------------------------------------------------------------------------------------------
# 工作指标


@case
def err_numerator_above_denominator(out: Path) -> None:
    """I02 火灾隐患整改率 105 of 103."""
    edit(out, set_cell("工作指标", "C4", 105))


@case
def err_negative_indicator(out: Path) -> None:
    """I05 消防宣传培训活动 −2."""
    edit(out, set_cell("工作指标", "C7", -2))


@case
def err_required_value_blank(out: Path) -> None:
    """I03 数值 left blank."""
    edit(out, set_cell("工作指标", "C5", None))


@case
def err_indicator_unknown(out: Path) -> None:
    """An indicator row I99 that the scheme does not have."""

    def add(book: Workbook) -> None:
        book["工作指标"].append(["I99", "消防志愿者人数", 12, None, None])

    edit(out, add)


@case
def err_indicator_of_other_group(out: Path) -> None:
    """A street reporting I08, an indicator of the 部门组 only."""

    def add(book: Workbook) -> None:
        book["工作指标"].append(["I08", "行业领域消防安全检查覆盖率", 10, 10, None])

    edit(out, add)


@case
def err_duplicate_indicator_row(out: Path) -> None:
    """I03 reported twice with different values."""

    def add(book: Workbook) -> None:
        book["工作指标"].append(["I03", "消防工作会议或形势研判（次/季度）", 2, None, None])

    edit(out, add)


# ---------------------------------------------------------------------------------------------
# 火灾情况 (ZD01)


@case
def err_fire_grade_inconsistent(out: Path) -> None:
    """YZ2026-0031 (3 deaths, 2 injured, 86.5 万元) given 火灾等级 一般 instead of 较大."""
    edit(out, set_cell("火灾情况", "I8", "一般"), unit="ZD01")


@case
def err_fire_duplicate_in_file(out: Path) -> None:
    """YZ2026-0027 entered twice: row 5 carries the number of row 4."""
    edit(out, set_cell("火灾情况", "A5", "YZ2026-0027"), unit="ZD01")


@case
def err_fire_duplicate_other_quarter(out: Path) -> None:
    """YZ2026-0026 numbered YZ2026-0001, a fire of the accepted 2026Q1 file."""
    edit(out, set_cell("火灾情况", "A3", "YZ2026-0001"), unit="ZD01")


@case
def err_fire_street_unknown(out: Path) -> None:
    """YZ2026-0030 with 镇街代码 JD12 (no such street)."""
    edit(out, set_cell("火灾情况", "C7", "JD12"), unit="ZD01")


@case
def err_fire_outside_quarter(out: Path) -> None:
    """YZ2026-0026 dated 2026-03-28 21:05, a fire of the first quarter."""
    edit(out, set_cell("火灾情况", "B3", datetime(2026, 3, 28, 21, 5)), unit="ZD01")


@case
def err_fire_negative_deaths(out: Path) -> None:
    """YZ2026-0032 with 死亡人数 −1."""
    edit(out, set_cell("火灾情况", "F9", -1), unit="ZD01")


# ---------------------------------------------------------------------------------------------
# 加减分 (XAB)


@case
def err_adjustment_item_unknown(out: Path) -> None:
    """事项 “通报表扬（省级）”, not an adjustment type of the scheme (row 7, BM11's line)."""
    edit(out, set_cell("加减分", "B7", "通报表扬（省级）"), unit="XAB")


@case
def err_adjustment_unit_unknown(out: Path) -> None:
    """An adjustment for unit JD12, not in 单位名册."""
    edit(out, set_cell("加减分", "A7", "JD12"), unit="XAB")


# ---------------------------------------------------------------------------------------------
# warnings: loaded, listed in the unit's feedback


@case
def warn_task_row_missing(out: Path) -> None:
    """The T12 row deleted (漏报)."""
    edit(out, lambda book: book["任务进展"].delete_rows(9))


@case
def warn_indicator_row_missing(out: Path) -> None:
    """The I05 row deleted."""
    edit(out, lambda book: book["工作指标"].delete_rows(7))


@case
def warn_in_progress_without_note(out: Path) -> None:
    """T32 推进中 with 进展情况 left blank."""
    edit(out, set_cell("任务进展", "F16", None))


@case
def warn_extra_column(out: Path) -> None:
    """A 备注 column added after 佐证材料."""

    def add(book: Workbook) -> None:
        ws = book["任务进展"]
        ws["H2"] = "备注"
        ws["H2"].font = Font(bold=True)
        ws["H5"] = "已报区住建委备案"

    edit(out, add)


@case
def warn_value_far_above_earlier(out: Path) -> None:
    """I01 分母 typed 2620 (a zero too many); the unit reported 190 of 262 in 2026Q1."""
    edit(out, set_cell("工作指标", "D3", 2620))


@case
def warn_count_far_above_earlier(out: Path) -> None:
    """I05 消防宣传培训活动 typed 70 (for 7); the unit's highest earlier quarter is 7 (2026Q1)."""
    edit(out, set_cell("工作指标", "C7", 70))


# ---------------------------------------------------------------------------------------------
# formats that must be accepted


def write_xls(path: Path, sheets: dict[str, list[list[object]]]) -> None:
    """Write sheets as Excel 97-2003 (.xls) with xlwt: merged title row, real date cells."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    day = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    minute = xlwt.easyxf(num_format_str="yyyy-mm-dd hh:mm")
    for name, rows in sheets.items():
        ws = book.add_sheet(name)
        for i, row in enumerate(rows):
            if i == 0 and len(row) > 1:
                ws.write_merge(0, 0, 0, len(row) - 1, row[0])
                continue
            for j, value in enumerate(row):
                if isinstance(value, datetime):
                    ws.write(i, j, value, minute if (value.hour, value.minute) != (0, 0) else day)
                elif value is not None:
                    ws.write(i, j, value)
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(buffer.getvalue())


@case
def ok_control_roundtrip(out: Path) -> None:
    """The base workbook opened and saved again by openpyxl: must give no issue (harness check)."""
    edit(out, lambda book: None)


@case
def ok_xls(out: Path) -> None:
    """The street's workbook saved as Excel 97-2003 (.xls)."""
    write_xls(target(out, STREET, f"{STREET_STEM}.xls"), sheet_rows())


@case
def ok_xlsm(out: Path) -> None:
    """The workbook saved as a macro-enabled workbook (.xlsm content type)."""
    path = edit(out, lambda book: None, name=f"{STREET_STEM}.xlsm")
    with zipfile.ZipFile(path) as archive:
        entries = {i.filename: archive.read(i) for i in archive.infolist()}
    entries["[Content_Types].xml"] = entries["[Content_Types].xml"].replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    write_zip(path, entries)


def write_csv_bundle(out: Path, encoding: str, title_rows: bool) -> None:
    """Write the street's sheets as <单位代码>_<季度>_<表名>.csv, as Excel saves them."""
    for name, rows in sheet_rows().items():
        if name == "填报说明":
            continue
        body = rows if title_rows else rows[1:]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        for row in body:
            writer.writerow([as_text(v) for v in row])
        target(out, STREET, f"{STREET}_2026Q2_{name}.csv").write_bytes(
            buffer.getvalue().encode(encoding)
        )


@case
def ok_csv_utf8(out: Path) -> None:
    """CSV bundle, UTF-8 without BOM, header in row 1."""
    write_csv_bundle(out, "utf-8", title_rows=False)


@case
def ok_csv_utf8_bom(out: Path) -> None:
    """CSV bundle, UTF-8 with BOM (Excel's “CSV UTF-8”), title row kept."""
    write_csv_bundle(out, "utf-8-sig", title_rows=True)


@case
def ok_csv_gbk(out: Path) -> None:
    """CSV bundle in GBK, what Excel on Chinese Windows writes for “CSV (逗号分隔)”."""
    write_csv_bundle(out, "gbk", title_rows=True)


@case
def ign_csv_bundle_incomplete(out: Path) -> None:
    """CSV bundle without its 工作指标 file: not a complete submission, listed as ignored."""
    write_csv_bundle(out, "utf-8-sig", title_rows=True)
    (out / STREET / f"{STREET}_2026Q2_工作指标.csv").unlink()


@case
def ign_stray_csv(out: Path) -> None:
    """A note saved as CSV beside nothing else (备注.csv): never a submission."""
    target(out, "BM03", "备注.csv").write_text("备注\n材料随后补交\n", encoding="utf-8")


@case
def ign_folder_named_xlsx(out: Path) -> None:
    """A folder named like a workbook (an unzipped .xlsx, or a folder made by mistake)."""
    target(out, STREET, f"{STREET_STEM}.xlsx/说明.txt").write_text("空\n", encoding="utf-8")


@case
def err_csv_utf16(out: Path) -> None:
    """CSV bundle saved as “Unicode 文本” (UTF-16), which is neither UTF-8 nor GBK."""
    write_csv_bundle(out, "utf-16", title_rows=True)


@case
def warn_csv_unknown_sheet(out: Path) -> None:
    """CSV bundle with one more file, JD01_2026Q2_填报说明.csv."""
    write_csv_bundle(out, "utf-8-sig", title_rows=True)
    target(out, STREET, f"{STREET}_2026Q2_填报说明.csv").write_bytes(
        "填报说明\r\n请按模板填写\r\n".encode("utf-8-sig")
    )


# ---------------------------------------------------------------------------------------------
# layouts and values as people type them (written with xlsxwriter from the base's rows)


def write_book(
    path: Path,
    sheets: dict[str, list[list[object]]],
    title_rows: int = 1,
    hidden: dict[str, list[list[object]]] | None = None,
    formulas: dict[tuple[str, str], str] | None = None,
    blank_tail: int = 0,
) -> Path:
    """Write sheets with xlsxwriter: `title_rows` merged title rows, then the rows (the
    base's own title row dropped); formulas[(sheet, A1)] replaces a cell with a formula whose
    cached value is the cell's value; blank_tail adds formatted blank rows below the data."""
    path.parent.mkdir(parents=True, exist_ok=True)
    formulas = formulas or {}
    with xlsxwriter.Workbook(
        path, {"strings_to_formulas": False, "strings_to_numbers": False}
    ) as book:
        book.set_properties({"created": datetime(*FIXED)})
        day = book.add_format({"num_format": "yyyy-mm-dd"})
        minute = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        bordered = book.add_format({"border": 1})
        title = book.add_format({"bold": True, "align": "center"})
        for name, rows in {**sheets, **(hidden or {})}.items():
            ws = book.add_worksheet(name)
            if hidden and name in hidden:
                ws.hide()
            body = rows[1:] if rows and rows[0][1:] == [None] * (len(rows[0]) - 1) else rows
            width = max(len(r) for r in body)
            for t in range(title_rows):
                text = rows[0][0] if t == 0 and rows and isinstance(rows[0][0], str) else None
                if width > 1:
                    ws.merge_range(t, 0, t, width - 1, text or "", title)
                elif text:
                    ws.write_string(t, 0, text, title)
            for i, row in enumerate(body, start=title_rows):
                for j, value in enumerate(row):
                    ref = xlsxwriter.utility.xl_rowcol_to_cell(i, j)
                    if (name, ref) in formulas:
                        ws.write_formula(i, j, formulas[(name, ref)], None, value)
                    elif isinstance(value, datetime):
                        ws.write_datetime(
                            i, j, value, minute if (value.hour, value.minute) != (0, 0) else day
                        )
                    elif isinstance(value, str):
                        ws.write_string(i, j, value)
                    elif value is not None:
                        ws.write_number(i, j, value)
            for i in range(title_rows + len(body), title_rows + len(body) + blank_tail):
                ws.write_blank(i, 0, None, bordered)
                ws.write_string(i, 1, " ") if i % 3 == 0 else ws.write_blank(i, 1, None, bordered)
    normalise_zip(path)
    return path


def street_sheets() -> dict[str, list[list[object]]]:
    """Return the street base's sheets (title row first)."""
    return sheet_rows()


@case
def ok_titles_and_merged_cells(out: Path) -> None:
    """Every data sheet with three merged title rows above its header (header in row 4)."""
    sheets = street_sheets()
    write_book(target(out, STREET, STREET_FILE), sheets, title_rows=3)


@case
def ok_columns_reordered(out: Path) -> None:
    """任务进展 and 工作指标 with their columns in another order."""
    sheets = street_sheets()
    for name, order in {"任务进展": [2, 0, 6, 5, 4, 3, 1], "工作指标": [1, 3, 2, 0, 4]}.items():
        sheets[name] = [sheets[name][0]] + [[row[i] for i in order] for row in sheets[name][1:]]
    write_book(target(out, STREET, STREET_FILE), sheets)


@case
def ok_hidden_junk_sheet(out: Path) -> None:
    """A hidden sheet of scratch work (a 任务进展-like table with invalid values) is ignored."""
    junk = [
        ["草稿（勿报）", None, None],
        ["任务编号", "完成状态", "完成日期"],
        ["T99", "不知道", "下个月"],
        ["T02", "已完", "?"],
    ]
    write_book(target(out, STREET, STREET_FILE), street_sheets(), hidden={"草稿": junk})


@case
def ok_formulas_cached(out: Path) -> None:
    """Figures computed by formulas (cached values read, not the formula text)."""
    formulas = {
        ("任务进展", "E4"): "=2+3",  # T03 5 times
        ("工作指标", "C3"): "=200+14",  # I01 214
        ("工作指标", "D3"): "=SUM(250,12)",  # of 262
        ("工作指标", "C4"): "=D4-1",  # I02 102 of 103
    }
    write_book(target(out, STREET, STREET_FILE), street_sheets(), formulas=formulas)


@case
def ok_trailing_blank_rows(out: Path) -> None:
    """Two hundred formatted blank rows (and cells holding a space) below the data."""
    write_book(target(out, STREET, STREET_FILE), street_sheets(), blank_tail=200)


@case
def ok_numbers_as_typed(out: Path) -> None:
    """Figures typed as text: full-width digits, spaces, 100% for a rate with no 分母."""
    sheets = street_sheets()
    typed = {
        "I01": ("２１４", " 262 "),
        "I02": ("１０２", " 103 "),
        "I03": ("１", None),
        "I04": (" 5 ", None),
        "I06": ("100%", None),
        "I07": ("２", None),
    }
    for row in sheets["工作指标"][2:]:
        if row[0] in typed:
            row[2], row[3] = typed[row[0]]
    tasks = sheets["任务进展"]
    tasks[3][4] = "５"  # T03
    tasks[7][4] = " 3 "  # T08
    write_book(target(out, STREET, STREET_FILE), sheets)


@case
def ok_fire_figures_as_typed(out: Path) -> None:
    """The fire detachment's figures typed as text: 1,086.5 (thousands separator), full-width
    ３, spaces, 起火时间 as 2026/5/17 2:40 and 2026年5月19日 10:14 and a serial number."""
    sheets = sheet_rows("ZD01")
    fires = {row[0]: row for row in sheets["火灾情况"][2:]}
    big = fires["YZ2026-0031"]  # 3 deaths: 较大 whatever the loss
    big[1], big[5], big[6], big[7] = "2026/5/17 2:40", "３", " 2 ", "1,086.5"
    fires["YZ2026-0032"][1] = "2026年5月19日 10:14"
    fires["YZ2026-0033"][1] = 46162.8125  # 2026-05-20 19:30 as a plain serial number
    fires["YZ2026-0033"][7] = "１.２９"
    write_book(target(out, "ZD01", BASES["ZD01"].name), sheets)


@case
def ok_percent_rates(out: Path) -> None:
    """Rates typed as 85% and ８５％ and 0.85 with no 分母 (a department, BM02)."""
    sheets = sheet_rows("BM02")
    for row in sheets["工作指标"]:
        if row[0] == "I02":
            row[2], row[3] = "96%", None
        if row[0] == "I08":
            row[2], row[3] = "１００％", None
    write_book(target(out, "BM02", BASES["BM02"].name), sheets)


@case
def ok_dates_as_typed(out: Path) -> None:
    """完成日期 typed 2026/6/13, 2026.5.6, 2026年4月26日, a serial number, 2026-06-10 as text."""
    sheets = street_sheets()
    tasks = sheets["任务进展"]
    tasks[2][3] = "2026/3/7"  # T01
    tasks[4][3] = "2026.5.6"  # T04
    tasks[5][3] = "2026年4月26日"  # T05
    tasks[6][3] = 46186  # T06 2026-06-13 as a plain serial number
    tasks[10][3] = "2026-06-10"  # T24 as text
    tasks[11][3] = "46063"  # T25 2026-02-10 as a serial typed as text
    basic = sheets["基本信息"]
    for row in basic:
        if row[0] == "填报日期":
            row[1] = "2026年7月7日"
    write_book(target(out, STREET, STREET_FILE), sheets)


@case
def ok_status_synonyms(out: Path) -> None:
    """完成状态 with inner spaces and synonyms: 已 完 成, 完成, 已办结, 进行中, 正在推进, 未开始."""
    sheets = street_sheets()
    tasks = sheets["任务进展"]
    tasks[2][2] = "已 完 成"  # T01
    tasks[4][2] = "完成"  # T04
    tasks[5][2] = "已办结"  # T05
    tasks[3][2] = "进行中"  # T03
    tasks[7][2] = "正在推进"  # T08
    tasks[15][2], tasks[15][5] = "未开始", None  # T32 (deadline 2026年9月, not yet due)
    tasks[14][2] = "\u3000推进中 "  # T28 with a full-width space
    write_book(target(out, STREET, STREET_FILE), sheets)


@case
def ok_fullwidth_codes_and_spaced_names(out: Path) -> None:
    """Codes typed in full-width or lower case (ｊｄ０１, Ｔ０３, i02), sheet names with spaces."""
    sheets = street_sheets()
    for row in sheets["基本信息"]:
        if row[0] == "单位代码":
            row[1] = "ｊｄ０１"
        if row[0] == "考核季度":
            row[1] = "2026年第2季度"
    sheets["任务进展"][3][0] = "Ｔ０３"
    sheets["工作指标"][3][0] = "i02"
    renamed = {"任务进展": "任务进展 ", "工作指标": " 工作指标"}
    write_book(target(out, STREET, STREET_FILE), {renamed.get(k, k): v for k, v in sheets.items()})


# ---------------------------------------------------------------------------------------------


def main(names: list[str]) -> None:
    """Rewrite the named cases (all when none), keeping their expected.txt and xfail.txt."""
    unknown = sorted(set(names) - set(CASES))
    if unknown:
        raise SystemExit(f"unknown cases: {', '.join(unknown)}")
    for name in names or sorted(CASES):
        print(name)
        folder = HERE / name
        with tempfile.TemporaryDirectory() as scratch:
            CASES[name](Path(scratch))
            for child in folder.iterdir() if folder.is_dir() else []:
                if child.is_dir():
                    shutil.rmtree(child)
            folder.mkdir(exist_ok=True)
            for child in Path(scratch).iterdir():
                shutil.copytree(child, folder / child.name)


if __name__ == "__main__":
    main(sys.argv[1:])

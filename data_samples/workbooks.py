"""Write the sample's files: submission workbooks, the fire history, registries, receipt logs.

Workbooks are written with xlsxwriter, text always with write_string (never a formula),
and a fixed document creation time, so a re-run gives byte-identical files.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import date, datetime, time
from pathlib import Path

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from data_samples.model import (
    AdjustmentRow,
    FileVersion,
    FireRow,
    IndicatorRow,
    Report,
    Task,
    TaskRow,
    Unit,
    quarter_label,
    reporting_deadline,
)

UNITS_HEADER = ("单位代码", "单位名称", "考核组", "区域类型", "监管场所类型", "是否参与考核")
TASKS_HEADER = ("任务编号", "重点任务", "具体工作", "牵头单位", "配合单位", "完成时限", "权重")
RECEIPT_HEADER = ("单位代码", "文件名", "接收时间")

BASIC_HEADER = ("项目", "内容")
TASK_HEADER = (
    "任务编号",
    "重点任务",
    "完成状态",
    "完成日期",
    "本季度开展次数",
    "进展情况",
    "佐证材料",
)
INDICATOR_HEADER = ("指标编号", "指标名称", "数值", "分母", "说明")
FIRE_HEADER = (
    "火灾编号",
    "起火时间",
    "镇街代码",
    "场所类型",
    "起火原因",
    "死亡人数",
    "受伤人数",
    "直接财产损失（万元）",
    "火灾等级",
)
ADJUSTMENT_HEADER = ("单位代码", "事项", "分值", "事由", "依据文号", "日期")

# Column widths per sheet, in characters (a CJK character counts about 2).
WIDTHS = {
    "基本信息": (14, 30),
    "任务进展": (10, 34, 11, 13, 15, 40, 22),
    "工作指标": (10, 44, 10, 10, 28),
    "火灾情况": (14, 18, 10, 14, 12, 10, 10, 20, 10),
    "加减分": (10, 30, 8, 44, 24, 12),
    "申诉表": (16, 30, 8, 50, 10, 40, 30),
    "申诉处理": (10, 20, 16, 26, 8, 36, 30, 10, 10, 12, 14, 36),
}

FONT = "宋体"


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Write a UTF-8 CSV (no BOM, LF line ends) with a header row."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_units(path: Path, units: Sequence[Unit]) -> None:
    """Write the unit registry units.csv."""
    rows = [
        (
            u.code,
            u.name,
            u.group,
            u.region,
            "、".join(u.place_types),
            "是" if u.ranked else "否",
        )
        for u in units
    ]
    write_csv(path, UNITS_HEADER, rows)


def write_tasks(path: Path, tasks: Sequence[Task]) -> None:
    """Write the task decomposition table tasks.csv (任务分解表)."""
    rows = [
        (t.task_id, t.title, t.detail, t.lead_text, t.support_text, t.deadline_text, t.weight)
        for t in tasks
    ]
    write_csv(path, TASKS_HEADER, rows)


def write_receipt_log(path: Path, versions: Sequence[FileVersion]) -> None:
    """Write the office's receipt log 收件登记.csv, in order of receipt."""
    ordered = sorted(versions, key=lambda v: (v.received_at, v.unit.code, v.file_name))
    rows = [(v.unit.code, v.file_name, v.received_at.strftime("%Y-%m-%d %H:%M")) for v in ordered]
    write_csv(path, RECEIPT_HEADER, rows)


class Formats:
    """Every cell format of the sample workbooks, defined once per workbook."""

    def __init__(self, wb: Workbook) -> None:
        base = {"font_name": FONT, "font_size": 11, "valign": "vcenter"}
        boxed = {**base, "border": 1}
        self.title = wb.add_format({**base, "bold": True, "font_size": 16, "align": "center"})
        self.subtitle = wb.add_format({**base, "font_size": 10})
        self.header = wb.add_format(
            {**boxed, "bold": True, "align": "center", "text_wrap": True, "bg_color": "#D9D9D9"}
        )
        self.text = wb.add_format({**boxed, "text_wrap": True})
        self.number = wb.add_format(boxed)
        self.money = wb.add_format({**boxed, "num_format": "0.00"})
        self.date = wb.add_format({**boxed, "num_format": "yyyy-mm-dd", "align": "left"})
        self.datetime = wb.add_format({**boxed, "num_format": "yyyy-mm-dd hh:mm", "align": "left"})
        self.note = wb.add_format({**base, "text_wrap": True, "valign": "top"})
        self.note_title = wb.add_format({**base, "bold": True, "font_size": 14})


def open_workbook(path: Path, created: datetime, author: str) -> Workbook:
    """Return a new xlsxwriter workbook with fixed document properties."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "in_memory": True})
    wb.set_properties({"created": created, "author": author, "title": path.stem})
    return wb


def put(ws: Worksheet, row: int, col: int, value: object, fmt: Formats, kind: str = "") -> None:
    """Write one cell: text as a string, numbers as numbers, dates as date cells."""
    if value is None or value == "":
        ws.write_blank(row, col, None, fmt.text)
    elif isinstance(value, datetime):
        ws.write_datetime(row, col, value, fmt.datetime)
    elif isinstance(value, date):
        ws.write_datetime(row, col, datetime.combine(value, time()), fmt.date)
    elif isinstance(value, bool):
        raise TypeError("booleans are written as 是/否 text")
    elif isinstance(value, int | float):
        ws.write_number(row, col, value, fmt.money if kind == "money" else fmt.number)
    else:
        ws.write_string(row, col, str(value), fmt.text)


def start_sheet(
    wb: Workbook,
    fmt: Formats,
    sheet: str,
    title: str,
    header: Sequence[str],
    header_row: int,
    subtitle: str,
) -> tuple[Worksheet, int]:
    """Add a data sheet with its merged title row; return it and the first data row (0-based)."""
    ws = wb.add_worksheet(sheet)
    for col, width in enumerate(WIDTHS[sheet]):
        ws.set_column(col, col, width)
    # Row 1: the merged title; the merge is written blank, then the title as a string.
    ws.merge_range(0, 0, 0, len(header) - 1, "", fmt.title)
    ws.write_string(0, 0, title, fmt.title)
    ws.set_row(0, 30)
    # Row 2 may be a subtitle (or blank) when the header sits on row 3.
    if header_row == 3 and subtitle:
        ws.write_string(1, 0, subtitle, fmt.subtitle)
    head = header_row - 1
    for col, name in enumerate(header):
        ws.write_string(head, col, name, fmt.header)
    ws.freeze_panes(head + 1, 0)
    return ws, head + 1


def write_instructions(wb: Workbook, fmt: Formats, quarter: str, district: str) -> None:
    """Add the 填报说明 sheet: a few lines of instructions (ignored on read)."""
    ws = wb.add_worksheet("填报说明")
    ws.set_column(0, 0, 100)
    deadline = reporting_deadline(quarter)
    lines = (
        f"{district}{quarter_label(quarter)}消防工作考核填报说明",
        f"1. 请于{deadline.year}年{deadline.month}月{deadline.day}日前将本表报送区消安委办，逾期按规定扣分。",
        "2. 请勿修改表头、调整列的顺序或删除工作表；本说明页不作读取。",
        "3. 完成状态只能填写：已完成、推进中、未启动；填写“已完成”的须填写完成日期。",
        "4. 持续开展类任务请填写本季度开展次数，并注明佐证材料（会议纪要、照片、台账等）。",
        "5. 比率类指标请分别填写数值和分母（均为个数），不要填写百分比。",
        "6. 填报前可使用 firescore check 自行检查；如有疑问请联系区消安委办（023-63891190）。",
    )
    ws.write_string(0, 0, lines[0], fmt.note_title)
    for i, line in enumerate(lines[1:], start=2):
        ws.write_string(i, 0, line, fmt.note)


def sheet_title(district: str, quarter: str, sheet: str) -> str:
    """Return the merged title of a data sheet."""
    return f"{district}{quarter_label(quarter)}消防工作考核填报表——{sheet}"


def write_basic(wb: Workbook, fmt: Formats, version: FileVersion, district: str) -> None:
    """Add the 基本信息 sheet: key/value rows."""
    basic = version.report.basic
    header_row = version.header_rows.get("基本信息", 2)
    ws, row = start_sheet(
        wb,
        fmt,
        "基本信息",
        sheet_title(district, version.quarter, "基本信息"),
        BASIC_HEADER,
        header_row,
        "",
    )
    pairs: tuple[tuple[str, object], ...] = (
        ("单位代码", basic.unit_code),
        ("单位名称", basic.unit_name),
        ("考核季度", basic.quarter_text),
        ("填报人", basic.filler),
        ("联系电话", basic.phone),
        ("填报日期", basic.fill_date),
    )
    for key, value in pairs:
        ws.write_string(row, 0, key, fmt.text)
        put(ws, row, 1, value, fmt)
        row += 1


def write_task_rows(
    wb: Workbook, fmt: Formats, version: FileVersion, rows: Sequence[TaskRow], district: str
) -> None:
    """Add the 任务进展 sheet."""
    ws, row = start_sheet(
        wb,
        fmt,
        "任务进展",
        sheet_title(district, version.quarter, "任务进展"),
        TASK_HEADER,
        version.header_rows.get("任务进展", 2),
        subtitle_of(version),
    )
    for r in rows:
        values = (r.task_id, r.title, r.status, r.done, r.times, r.progress, r.evidence)
        for col, value in enumerate(values):
            put(ws, row, col, value, fmt)
        row += 1


def write_indicator_rows(
    wb: Workbook, fmt: Formats, version: FileVersion, rows: Sequence[IndicatorRow], district: str
) -> None:
    """Add the 工作指标 sheet."""
    ws, row = start_sheet(
        wb,
        fmt,
        "工作指标",
        sheet_title(district, version.quarter, "工作指标"),
        INDICATOR_HEADER,
        version.header_rows.get("工作指标", 2),
        subtitle_of(version),
    )
    for r in rows:
        for col, value in enumerate((r.indicator_id, r.name, r.value, r.denominator, r.note)):
            put(ws, row, col, value, fmt)
        row += 1


def write_fire_sheet(
    wb: Workbook,
    fmt: Formats,
    title: str,
    rows: Sequence[FireRow],
    header_row: int = 2,
    subtitle: str = "",
) -> None:
    """Add a 火灾情况 sheet (used by the fire detachment's file and by history files)."""
    ws, row = start_sheet(wb, fmt, "火灾情况", title, FIRE_HEADER, header_row, subtitle)
    for r in rows:
        values = (r.fire_id, r.fire_time, r.street_code, r.place_type, r.cause)
        for col, value in enumerate(values):
            put(ws, row, col, value, fmt)
        put(ws, row, 5, r.deaths, fmt)
        put(ws, row, 6, r.injuries, fmt)
        put(ws, row, 7, r.loss, fmt, kind="money")
        put(ws, row, 8, r.grade, fmt)
        row += 1


def write_adjustment_rows(
    wb: Workbook, fmt: Formats, version: FileVersion, rows: Sequence[AdjustmentRow], district: str
) -> None:
    """Add the office's 加减分 sheet."""
    ws, row = start_sheet(
        wb,
        fmt,
        "加减分",
        sheet_title(district, version.quarter, "加减分"),
        ADJUSTMENT_HEADER,
        version.header_rows.get("加减分", 2),
        subtitle_of(version),
    )
    for r in rows:
        values = (r.unit_code, r.item, r.points, r.reason, r.doc_no, r.adj_date)
        for col, value in enumerate(values):
            put(ws, row, col, value, fmt)
        row += 1


def subtitle_of(version: FileVersion) -> str:
    """Return the subtitle line written above a header on row 3 ("" = a blank row)."""
    basic = version.report.basic
    if not version.subtitle:
        return ""
    d = basic.fill_date
    return f"填报单位（盖章）：{basic.unit_name}        填报日期：{d.year}年{d.month}月{d.day}日"


def write_submission(path: Path, version: FileVersion, district: str) -> None:
    """Write one submission workbook (or, for a corrupt file, bytes that are no workbook)."""
    if version.defect == "corrupt":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes("这是一个损坏的文件，不是Excel工作簿。\n".encode("gb18030"))
        return
    report: Report = version.report
    created = datetime.combine(report.basic.fill_date, time(9, 0))
    with open_workbook(path, created, report.basic.filler) as wb:
        fmt = Formats(wb)
        write_instructions(wb, fmt, version.quarter, district)
        write_basic(wb, fmt, version, district)
        if report.tasks is not None:
            write_task_rows(wb, fmt, version, report.tasks, district)
        if report.indicators is not None:
            write_indicator_rows(wb, fmt, version, report.indicators, district)
        if report.fires is not None:
            write_fire_sheet(
                wb,
                fmt,
                sheet_title(district, version.quarter, "火灾情况"),
                report.fires,
                version.header_rows.get("火灾情况", 2),
                subtitle_of(version),
            )
        if report.adjustments is not None:
            write_adjustment_rows(wb, fmt, version, report.adjustments, district)


def write_history(path: Path, year: int, fires: Sequence[FireRow], district: str) -> None:
    """Write a year of fires as history/<year>_火灾情况.xlsx."""
    created = datetime(year + 1, 1, 8, 9, 0)
    with open_workbook(path, created, "区消防救援支队") as wb:
        fmt = Formats(wb)
        write_fire_sheet(wb, fmt, f"{district}{year}年火灾情况统计表", fires)

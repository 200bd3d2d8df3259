"""Pre-filled submission workbooks, one per unit, laid out by the sheet contracts (schemas/*.yaml).

Every sheet a unit sends is written from its contract: headers, column order, widths, input
formats, dropdowns and number/date checks all come from `firescore.intake.contracts`; the registries
and the scheme only supply the pre-filled rows (the unit's tasks, its group's indicators).
Pre-filled cells are locked, input cells are unlocked and shaded, and every sheet is protected
(without a password: it stops slips, not the office).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from firescore.atomic import atomic_path
from firescore.intake.contracts import (
    ADJUSTMENT_SHEET,
    BASIC_SHEET,
    FIRE_SHEET,
    INDICATOR_SHEET,
    TASK_SHEET,
    Column,
    Contract,
    submission_contracts,
)
from firescore.intake.discover import optional_sheets, role_of
from firescore.publish import formats
from firescore.publish.columns import points_text
from firescore.publish.feedback import UNSAFE_FILE_CHARS
from firescore.publish.formats import Formats
from firescore.publish.meta import chinese_date
from firescore.publish.rows import display_width, fit_row
from firescore.publish.sheets import (
    MIN_WIDTH,
    WIDTH_PADDING,
    Heading,
    set_widths,
    setup_page,
    widen_for_heading,
    write_heading,
    write_table,
)
from firescore.publish.sheets import Column as TableColumn
from firescore.registry import Registries
from firescore.scheme import Quarter, Scheme

log = logging.getLogger(__name__)

TEMPLATES_DIR = "templates"
INSTRUCTIONS_SHEET = "填报说明"
LISTS_SHEET = "下拉选项"  # hidden; holds dropdown lists too long to write inline
INLINE_LIST_LIMIT = 255  # Excel's limit on an inline dropdown list, in characters
BLANK_ROWS = {
    FIRE_SHEET: 200,
    ADJUSTMENT_SHEET: 100,
}  # input rows of the sheets without pre-filled rows
DATE_RANGE = (date(2000, 1, 1), date(2099, 12, 31))
NUMBER_LIMIT = 1_000_000_000
KEY_VALUE_WIDTHS = [14, 36, 40]  # 基本信息: 项目 | 内容 | 填写说明

# Input cells: unlocked and shaded, on top of the published formats (formats.py).
INPUT_COLOR = "#FFF2CC"
NOT_APPLICABLE_COLOR = "#D9D9D9"
_INPUT = {"locked": False, "bg_color": INPUT_COLOR}
INPUT_STYLES: dict[str, dict[str, Any]] = {
    "text": {**formats.WRAP, **_INPUT, "num_format": "@"},  # "@": typed digits stay text
    "date": {**formats.DATE, **_INPUT},
    "datetime": {**formats.DATETIME, **_INPUT},
    "integer": {**formats.INTEGER, **_INPUT},
    "decimal": {**formats.TEXT, **_INPUT},
}
NOT_APPLICABLE_STYLE = {**formats.TEXT, "bg_color": NOT_APPLICABLE_COLOR}
INPUT_KIND = {"date": "date", "datetime": "datetime", "integer": "integer", "decimal": "decimal"}

# What a protected sheet still lets a person do: select, resize, and add rows where rows are free.
PROTECTION = {"format_columns": True, "format_rows": True}
FREE_ROWS_PROTECTION = {**PROTECTION, "insert_rows": True, "delete_rows": True}


class TemplateError(Exception):
    """Templates cannot be written as asked; the message is Chinese."""


@dataclass(frozen=True)
class TemplateRow:
    """One pre-filled row: its values by field, and the fields that are not to be filled."""

    values: dict[str, str]
    not_applicable: frozenset[str] = frozenset()


@dataclass(frozen=True)
class UnitTemplate:
    """What one unit's workbook holds."""

    code: str
    name: str
    group: str
    role: str  # units | fire | adjustments
    sheets: list[Contract]  # 基本信息 first, then the sheets this unit sends
    rows: dict[str, list[TemplateRow]] = field(default_factory=dict)  # pre-filled rows by sheet


@dataclass(frozen=True)
class TemplateContext:
    """The quarter and the scheme facts every workbook shows."""

    scheme: Scheme
    quarter: Quarter
    choices: dict[tuple[str, str], list[str]]  # (sheet, field) -> dropdown values beyond enums
    office: str = ""  # the issuing office, under every sheet's title (firescore.toml [office])
    form: str = "考核填报表"  # what the workbook is: 考核填报表, or 申诉表 (firescore/appeals.py)
    dated: str | None = None  # the heading's date line; default 报送截止：<reporting deadline>

    @property
    def label(self) -> str:
        """Return the quarter label, e.g. 2026年第三季度."""
        return self.quarter.label


def template_file_name(code: str, name: str, quarter: Quarter) -> str:
    """Return <单位代码>_<单位名称>_<季度>考核填报表.xlsx, safe as a file name."""
    return UNSAFE_FILE_CHARS.sub("_", f"{code}_{name}_{quarter.label}考核填报表") + ".xlsx"


def write_templates(
    scheme: Scheme,
    registries: Registries,
    quarter: str,
    out_dir: Path,
    unit: str | None = None,
    office: str = "",
) -> list[Path]:
    """Write one template per unit that submits (or only ``unit``) into ``out_dir``; return paths."""
    quarter = Quarter(quarter)
    if quarter.year != scheme.year:
        raise TemplateError(f"考核季度 {quarter} 不属于考核方案的年度 {scheme.year}")
    context = TemplateContext(scheme, quarter, dropdown_choices(scheme, registries), office)
    paths = []
    for template in unit_templates(scheme, registries, quarter, unit):
        path = Path(out_dir) / template_file_name(template.code, template.name, quarter)
        write_template(path, context, template)
        paths.append(path)
    log.info("wrote %d templates for %s in %s", len(paths), quarter, out_dir)
    return paths


def unit_templates(
    scheme: Scheme, registries: Registries, quarter: str, unit: str | None = None
) -> list[UnitTemplate]:
    """Return the templates of every unit that submits (ranked units, detachment, office)."""
    units = registries.units
    if unit is not None:
        units = units.filter(pl.col("unit_code") == unit.strip().upper())
        if units.is_empty():
            raise TemplateError(f"单位名册中没有单位代码“{unit}”")
    senders = {scheme.fire_source_unit, scheme.adjustment_source_unit}
    found = []
    for row in units.sort("unit_code").iter_rows(named=True):
        if unit is None and not row["ranked"] and row["unit_code"] not in senders:
            continue  # not assessed and not a data source: nothing to send
        found.append(unit_template(row, scheme, registries, quarter))
    return found


def unit_template(
    unit: dict[str, Any], scheme: Scheme, registries: Registries, quarter: str
) -> UnitTemplate:
    """Return one unit's template: its sheets and their pre-filled rows."""
    code = unit["unit_code"]
    role = role_of(code, scheme)
    skip = optional_sheets(code, registries) if role == "units" else frozenset()
    sheets = [c for c in submission_contracts(role) if c.sheet not in skip]
    rows = {
        TASK_SHEET: task_rows(code, registries),
        INDICATOR_SHEET: indicator_rows(unit, scheme, quarter),
    }
    return UnitTemplate(
        code=code,
        name=unit["unit_name"],
        group=unit["grp"],
        role=role,
        sheets=sheets,
        rows={c.sheet: rows[c.sheet] for c in sheets if c.sheet in rows},
    )


def task_rows(code: str, registries: Registries) -> list[TemplateRow]:
    """Return the unit's tasks (牵头 and 配合) by task id, with deadline and role."""
    named = registries.assignments.filter(pl.col("unit_code") == code)
    tasks = registries.tasks.join(named, on="task_id").sort("task_id")
    return [
        TemplateRow(
            {
                "task_id": t["task_id"],
                "title": t["title"],
                "deadline_text": t["deadline_text"],
                "unit_role": t["role"],
            }
        )
        for t in tasks.iter_rows(named=True)
    ]


def indicator_rows(unit: dict[str, Any], scheme: Scheme, quarter: str) -> list[TemplateRow]:
    """Return the indicators of the unit's group with this quarter's targets; 分母 only for rates."""
    rows = []
    for ind in scheme.indicators_for(unit["grp"]):
        target = scheme.indicator_target(ind.id, unit["region"], quarter)
        rows.append(
            TemplateRow(
                {"indicator_id": ind.id, "name": ind.name, "target": target_text(ind.kind, target)},
                not_applicable=frozenset() if ind.kind == "rate" else frozenset({"denominator"}),
            )
        )
    return rows


def target_text(kind: str, target: Decimal | None) -> str:
    """Return an indicator's target in words: 不低于80%、本季度不少于3、全年不少于2（第四季度核算）."""
    if target is None:
        return ""
    if kind == "rate":
        return f"不低于{points_text(target * 100)}%"
    if kind == "count_min":
        return f"本季度不少于{points_text(target)}"
    return f"全年不少于{points_text(target)}（第四季度核算）"


def dropdown_choices(scheme: Scheme, registries: Registries) -> dict[tuple[str, str], list[str]]:
    """Return dropdown values the contracts cannot know: unit codes, streets, 加减分 事项."""
    units = registries.units.sort("unit_code")
    ranked = units.filter(pl.col("ranked")).get_column("unit_code").to_list()
    streets = units.filter(pl.col("grp") == "镇街组").get_column("unit_code").to_list()
    return {
        (ADJUSTMENT_SHEET, "unit_code"): ranked,
        (ADJUSTMENT_SHEET, "item"): list(scheme.adjustment_points),
        (FIRE_SHEET, "street_code"): streets,
    }


@dataclass
class TemplateFormats:
    """The published formats plus the input and not-applicable cells of templates."""

    base: Formats
    inputs: dict[str, Format]
    not_applicable: Format

    @classmethod
    def create(cls, workbook: Workbook) -> TemplateFormats:
        """Add every format to ``workbook`` once and return them."""
        return cls(
            base=Formats.create(workbook),
            inputs={kind: workbook.add_format(style) for kind, style in INPUT_STYLES.items()},
            not_applicable=workbook.add_format(NOT_APPLICABLE_STYLE),
        )

    def input(self, column: Column) -> Format:
        """Return the input format of a contract column."""
        return self.inputs[INPUT_KIND.get(column.type, "text")]

    def filled(self, column: Column) -> Format:
        """Return the locked format of a pre-filled value."""
        return self.base.wrap if column.type == "text" else self.base.center


class DropdownLists:
    """Dropdown sources: inline when short, else a range of the hidden 下拉选项 sheet."""

    def __init__(self) -> None:
        self.columns: list[tuple[str, list[str]]] = []

    def source(self, name: str, values: list[str]) -> list[str] | str:
        """Return a data-validation source for ``values``."""
        if len(",".join(values)) <= INLINE_LIST_LIMIT:
            return values
        col = xl_col_to_name(len(self.columns))
        self.columns.append((name, values))
        return f"='{LISTS_SHEET}'!${col}$2:${col}${len(values) + 1}"

    def write(self, workbook: Workbook, fmt: TemplateFormats) -> None:
        """Add the hidden, protected sheet holding the long lists (if any)."""
        if not self.columns:
            return
        ws = workbook.add_worksheet(LISTS_SHEET)
        for col, (name, values) in enumerate(self.columns):
            ws.write_string(0, col, name, fmt.base.header)
            for row, value in enumerate(values, start=1):
                ws.write_string(row, col, value, fmt.base.text)
        ws.hide()
        ws.protect("", PROTECTION)


def write_template(
    path: Path, context: TemplateContext, unit: UnitTemplate, instructions: bool = True
) -> None:
    """Write one unit's template to ``path`` atomically (the forms of appeals.py: no 填报说明)."""
    title = f"{context.scheme.title}——{unit.name}{context.label}{context.form.removeprefix('考核')}"
    created = datetime.combine(context.quarter.first_day, datetime.min.time())
    with atomic_path(path) as tmp, Workbook(tmp, formats.workbook_options()) as workbook:
        workbook.set_properties(formats.workbook_properties(title, created))
        fmt = TemplateFormats.create(workbook)
        lists = DropdownLists()

        # Instructions first, then 基本信息 and the unit's table sheets in contract order.
        if instructions:
            write_instructions_sheet(workbook, fmt, context, unit)
        for spec in unit.sheets:
            if spec.layout == "key_value":
                write_key_value_sheet(workbook, fmt, context, unit, spec, lists)
            else:
                write_table_sheet(workbook, fmt, context, unit, spec, lists)
        lists.write(workbook, fmt)
        workbook.worksheets()[1 if instructions else 0].activate()  # open on 基本信息


def sheet_title(context: TemplateContext, unit: UnitTemplate, sheet: str) -> str:
    """Return a sheet's title row, e.g. 渝中区2026年第三季度消防工作考核填报表——任务进展（解放碑街道）."""
    return f"{context.scheme.district}{context.label}消防工作{context.form}——{sheet}（{unit.name}）"


def sheet_heading(context: TemplateContext, unit: UnitTemplate, sheet: str) -> Heading:
    """Return a sheet's heading: title, the issuing office and the submission deadline."""
    deadline = context.scheme.report_deadline(context.quarter)
    return Heading(
        title=sheet_title(context, unit, sheet),
        office=context.office,
        dated=context.dated or f"报送截止：{chinese_date(deadline)}",
    )


def write_instructions_sheet(
    workbook: Workbook, fmt: TemplateFormats, context: TemplateContext, unit: UnitTemplate
) -> None:
    """填报说明: what to fill, by when, and what each column means (from the contracts)."""
    ws = workbook.add_worksheet(INSTRUCTIONS_SHEET)
    columns = [TableColumn("项目", "label", 22), TableColumn("内容", "wrap", 90)]
    rows = instruction_rows(context, unit)
    write_table(
        ws,
        fmt.base,
        sheet_heading(context, unit, INSTRUCTIONS_SHEET),
        columns,
        rows,
        autofilter=False,
    )
    ws.protect("", PROTECTION)


def instruction_rows(context: TemplateContext, unit: UnitTemplate) -> list[tuple[str, str]]:
    """Return the rows of 填报说明: general steps, one line per sheet, then every column."""
    scheme = context.scheme
    deadline = scheme.report_deadline(context.quarter)
    penalty = points_text(scheme.reporting.late_penalty_per_day * 100)
    rows = [
        ("考核名称", scheme.title),
        ("填报单位", f"{unit.name}（{unit.code}，{unit.group}）"),
        ("考核季度", f"{context.label}（{context.quarter}）"),
        (
            "报送截止",
            f"{chinese_date(deadline)}（含当日，以{scheme.timezone}时间为准）；"
            f"逾期每日扣信息报送分值的{penalty}%，文件被退回且未按时重报视为未报送。",
        ),
        (
            "怎样填写",
            "黄色单元格为需要填写的内容，其余单元格为预填内容或说明，已锁定不能修改；"
            "请勿改动工作表名称、表头和预填内容，不要增删预填的行。"
            "有下拉箭头的单元格请从列表中选择；日期按 2026-07-05 的格式填写。",
        ),
    ]
    rows += [(spec.sheet, SHEET_GUIDE[spec.sheet](unit)) for spec in unit.sheets]
    rows.append(
        (
            "报送前自查",
            "填好后可运行 firescore check 文件名 自查（与正式考核使用同一套校验规则），"
            "或交消安委办代为检查；有“错误”的文件将被退回。",
        )
    )
    for spec in unit.sheets:
        for column in spec.columns:
            need = "必填" if column.required else "选填"
            rows.append((f"{spec.sheet}「{column.header}」", f"（{need}）{column.description}"))
    return rows


def _task_guide(unit: UnitTemplate) -> str:
    """Return the 任务进展 line of 填报说明."""
    roles = [r.values["unit_role"] for r in unit.rows.get(TASK_SHEET, [])]
    return (
        f"列出本单位承担的全部{len(roles)}项任务（牵头{roles.count('牵头')}项、"
        f"配合{roles.count('配合')}项）。逐项选择完成状态：已完成的须填写完成日期（不晚于填报日期）；"
        "推进中的须填写进展情况；完成时限为“持续开展”的任务填写本季度开展次数，并在佐证材料中"
        "列明会议纪要、照片、文件等。"
    )


def _indicator_guide(unit: UnitTemplate) -> str:
    """Return the 工作指标 line of 填报说明."""
    count = len(unit.rows.get(INDICATOR_SHEET, []))
    return (
        f"列出本考核组适用的{count}项指标及本季度目标值。比率类指标填写数值（分子）和分母，"
        "本单位无此类对象的分母填 0（该指标不计分）；次数类指标只填数值，分母为灰色不填。"
    )


SHEET_GUIDE = {
    BASIC_SHEET: lambda unit: "核对单位代码、单位名称和考核季度，填写填报人、联系电话和填报日期。",
    TASK_SHEET: _task_guide,
    INDICATOR_SHEET: _indicator_guide,
    FIRE_SHEET: lambda unit: (
        "本季度辖区内每起火灾填一行，起火时间须在本季度内，火灾编号不得与以前季度重复；"
        "镇街代码从下拉列表选择；火灾等级可不填（按死亡、受伤人数和直接财产损失推算）。"
    ),
    ADJUSTMENT_SHEET: lambda unit: (
        "本季度每个加减分事项填一行：单位代码和事项从下拉列表选择；分值可不填（按考核方案默认分值），"
        "填写时为正数，加分或减分由事项决定；每季度加分累计不超过方案规定的上限。"
    ),
}


def write_key_value_sheet(
    workbook: Workbook,
    fmt: TemplateFormats,
    context: TemplateContext,
    unit: UnitTemplate,
    spec: Contract,
    lists: DropdownLists,
) -> None:
    """基本信息: 项目 | 内容 | 填写说明 rows; code, name and quarter pre-filled and locked."""
    ws = workbook.add_worksheet(spec.sheet)
    headers = [spec.key_header or "项目", spec.value_header or "内容", "填写说明"]
    heading = sheet_heading(context, unit, spec.sheet)
    widths = widen_for_heading(KEY_VALUE_WIDTHS, [TableColumn(h, "wrap") for h in headers], heading)
    header_row = write_heading(ws, fmt.base, heading, widths)
    for col, header in enumerate(headers):
        ws.write_string(header_row, col, header, fmt.base.header)
    fit_row(ws, header_row, zip(headers, widths, strict=True))

    filled = {"unit_code": unit.code, "unit_name": unit.name, "quarter": context.label}
    for offset, column in enumerate(spec.columns):
        row = header_row + 1 + offset
        ws.write_string(row, 0, column.header, fmt.base.label)
        if column.field in filled:
            ws.write_string(row, 1, filled[column.field], fmt.filled(column))
        else:
            ws.write_blank(row, 1, None, fmt.input(column))
            add_validation(ws, (row, row), 1, spec, column, context, lists)
        ws.write_string(row, 2, column.description, fmt.base.wrap)
        texts = [column.header, filled.get(column.field, ""), column.description]
        fit_row(ws, row, zip(texts, widths, strict=True))
    set_widths(ws, widths)
    setup_page(ws, header_row)
    ws.protect("", PROTECTION)


def write_table_sheet(
    workbook: Workbook,
    fmt: TemplateFormats,
    context: TemplateContext,
    unit: UnitTemplate,
    spec: Contract,
    lists: DropdownLists,
) -> None:
    """A table sheet: header from the contract, pre-filled rows (or blank input rows) below."""
    ws = workbook.add_worksheet(spec.sheet)
    heading = sheet_heading(context, unit, spec.sheet)
    widths = [column_width(column) for column in spec.columns]
    widths = widen_for_heading(widths, [TableColumn(c.header) for c in spec.columns], heading)
    header_row = write_heading(ws, fmt.base, heading, widths)
    for col, column in enumerate(spec.columns):
        ws.write_string(header_row, col, column.header, fmt.base.header)
    fit_row(ws, header_row, [(c.header, w) for c, w in zip(spec.columns, widths, strict=True)])
    set_widths(ws, widths)

    rows = unit.rows.get(spec.sheet)
    free_rows = rows is None
    if free_rows:
        rows = [TemplateRow({})] * BLANK_ROWS[spec.sheet]
    first_row = header_row + 1
    for offset, template_row in enumerate(rows):
        # Pre-filled rows as tall as their text (a task's title); input rows keep Excel's own.
        if template_row.values:
            texts = [template_row.values.get(c.field, "") for c in spec.columns]
            fit_row(ws, first_row + offset, zip(texts, widths, strict=True))
    for col, column in enumerate(spec.columns):
        inputs = []
        for offset, template_row in enumerate(rows):
            row = first_row + offset
            if column.field in template_row.values:
                ws.write_string(row, col, template_row.values[column.field], fmt.filled(column))
            elif column.field in template_row.not_applicable:
                ws.write_blank(row, col, None, fmt.not_applicable)
            else:
                ws.write_blank(row, col, None, fmt.input(column))
                inputs.append(row)
        for first, last in runs(inputs):
            add_validation(ws, (first, last), col, spec, column, context, lists)
    setup_page(ws, header_row)
    ws.protect("", FREE_ROWS_PROTECTION if free_rows else PROTECTION)


def column_width(column: Column) -> int:
    """Return a column's width: the contract's, else its header's."""
    return column.width or max(MIN_WIDTH, display_width(column.header) + WIDTH_PADDING)


def runs(rows: Iterable[int]) -> list[tuple[int, int]]:
    """Return consecutive row numbers as (first, last) runs: 2,3,4,7 -> (2,4),(7,7)."""
    found: list[tuple[int, int]] = []
    for row in rows:
        if found and found[-1][1] == row - 1:
            found[-1] = (found[-1][0], row)
        else:
            found.append((row, row))
    return found


def add_validation(
    ws: Worksheet,
    rows: tuple[int, int],
    col: int,
    spec: Contract,
    column: Column,
    context: TemplateContext,
    lists: DropdownLists,
) -> None:
    """Add the contract's check to input cells: a dropdown, a date or a number range."""
    options = validation(spec, column, context, lists)
    if options is None:
        return
    options |= {
        "input_title": column.header[:32],
        "input_message": column.description[:255],
        "error_title": "输入有误",
        "error_message": f"「{column.header}」应为：{column.expected()}"[:255],
    }
    ws.data_validation(rows[0], col, rows[1], col, options)


def validation(
    spec: Contract, column: Column, context: TemplateContext, lists: DropdownLists
) -> dict[str, Any] | None:
    """Return the xlsxwriter data-validation options of a column, or None when free text."""
    choices = column.allowed or context.choices.get((spec.sheet, column.field))
    if choices:
        return {"validate": "list", "source": lists.source(f"{spec.sheet}{column.header}", choices)}
    if column.type in ("date", "datetime"):
        first, last = DATE_RANGE
        return {"validate": "date", "criteria": "between", "minimum": first, "maximum": last}
    if column.type in ("integer", "decimal"):
        return {
            "validate": "integer" if column.type == "integer" else "decimal",
            "criteria": "between",
            "minimum": column.min if column.min is not None else -NUMBER_LIMIT,
            "maximum": column.max if column.max is not None else NUMBER_LIMIT,
        }
    return None

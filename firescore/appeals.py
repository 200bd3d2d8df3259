"""Right of reply (申诉): the units' appeal forms and the office's 申诉处理 workbook.

A unit disputes its lost points on a 申诉表 pre-filled from the published ledger (`firescore
templates --appeal`) and sends it to inbox/<quarter>/申诉/<unit>/. `firescore appeals` reads
every form with the one reader and the contracts (schemas/申诉表.yaml, schemas/基本信息.yaml),
checks it cell by cell, and writes the office's 申诉处理 workbook pre-filled with the disputed
rows (schemas/申诉处理.yaml); the office fills in its rulings there. A form received after the
dispute window (scheme key appeals.window, counted after the day the draft was first
published) is not taken up: the run, `status` and `appeals` say so, naming file, received time
and the window's last day.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import polars as pl

from firescore.config import Limits
from firescore.intake.casting import cast_sheet, parse_value
from firescore.intake.contracts import INDICATOR_SHEET, TASK_SHEET, Column, contract
from firescore.intake.discover import (
    APPEALS_DIR,
    InboxNote,
    Submission,
    discover_appeals,
    sha256_of,
)
from firescore.intake.expectations import validate_sheets
from firescore.intake.reader import SheetData, read_file
from firescore.intake.values import UNPARSABLE
from firescore.issues import ERROR, Issue, cell_issue
from firescore.publish.queries import LEDGER_SQL, block_names, fetch_rows
from firescore.publish.templates import (
    TemplateContext,
    TemplateRow,
    UnitTemplate,
    dropdown_choices,
    template_file_name,
    write_template,
)
from firescore.registry import Registries
from firescore.scheme import Quarter, Scheme
from firescore.scheme.describe import days_text
from firescore.scheme.workdays import CalendarError
from firescore.warehouse.releases import Release

log = logging.getLogger(__name__)

BASIC_SHEET = "基本信息"
APPEAL_SHEET = "申诉表"
RULINGS_SHEET = "申诉处理"
DISPUTED = "是"


class AppealError(Exception):
    """An appeal step cannot be done as asked (no scored quarter, unknown unit); Chinese."""


@dataclass
class AppealForm:
    """One appeal form read from the inbox: who sent it, its disputed rows, its problems."""

    unit_code: str
    rel_path: str  # <quarter>/申诉/<unit>/<file>
    file_name: str
    disputes: list[dict[str, Any]] = field(default_factory=list)  # rows marked 是
    issues: list[Issue] = field(default_factory=list)
    late: str | None = None  # why it is not taken up: received after the dispute window

    @property
    def valid(self) -> bool:
        """Return whether the form is taken up: in time and without error (else not used at all)."""
        return self.late is None and not any(i.severity == ERROR for i in self.issues)


@dataclass(frozen=True)
class Window:
    """The quarter's dispute window (申诉期): from the draft's first publication to its last day."""

    published: date
    last_day: date
    length: str  # 5个工作日

    @property
    def text(self) -> str:
        """Return the window in words: 征求意见稿 2026-07-13 发布后5个工作日内，截至 2026-07-20."""
        return (
            f"征求意见稿 {self.published:%Y-%m-%d} 发布后{self.length}内，"
            f"截至 {self.last_day:%Y-%m-%d}（含当日）"
        )


def dispute_window(scheme: Scheme, release: Release) -> Window | None:
    """Return the dispute window, or None before the draft was published (no window yet).

    Raises CalendarError when the window's days are working days the calendar does not cover.
    """
    if release.published is None:
        return None
    published = release.published.at.date()
    window = scheme.appeals.window
    return Window(published, scheme.appeal_window_end(published), days_text(window))


def late_reason(form: Submission, window: Window, tz: ZoneInfo) -> str | None:
    """Return why a form received after the window's last day is not taken up, else None."""
    received = form.received_at.astimezone(tz)
    if received.date() <= window.last_day:
        return None
    return f"申诉表于 {received:%Y-%m-%d %H:%M} 收到，已过申诉期（{window.text}），不予受理"


def late_form_notes(forms: list[Submission], scheme: Scheme, release: Release) -> list[InboxNote]:
    """Return one note per appeal form received after the dispute window (run, status)."""
    if not forms:
        return []
    try:
        window = dispute_window(scheme, release)
    except CalendarError as exc:
        where = f"{forms[0].quarter}/{APPEALS_DIR}"
        return [InboxNote(forms[0].quarter, None, where, f"申诉期无法计算：{exc}")]
    if window is None:
        return []
    tz = ZoneInfo(scheme.timezone)
    return [
        InboxNote(form.quarter, form.unit_code, form.rel_path, reason)
        for form in forms
        if (reason := late_reason(form, window, tz)) is not None
    ]


def lost_rows(con: duckdb.DuckDBPyConnection, quarter: str, unit: str) -> list[dict[str, Any]]:
    """Return a unit's published lost-point rows of a scored quarter, in ledger order, each
    with its 项目编号 on the forms (`key`): its code, else 板块·项目 (a repeat numbered)."""
    names = block_names(con)
    rows = fetch_rows(con, LEDGER_SQL, quarter=quarter)
    lost, seen = [], Counter()
    for r in rows:
        if r["unit_code"] != unit or not r["is_lost"]:
            continue
        key = r["item_code"] or f"{names.get(r['block'], r['block'])}·{r['item_name']}"
        seen[key] += 1
        # Two deductions of one kind (two 加减分 rows of one 事项) are told apart on the form.
        lost.append(r | {"key": key if seen[key] == 1 else f"{key}（{seen[key]}）"})
    return lost


def appeal_context(scheme: Scheme, registries: Registries, quarter: Quarter, office: str):
    """Return the template context of the appeal forms (title 申诉表, no reporting deadline)."""
    return TemplateContext(
        scheme,
        quarter,
        dropdown_choices(scheme, registries),
        office,
        form="申诉表",
        dated=f"依据：{quarter.label}考核结果（征求意见稿）",
    )


def write_appeal_forms(
    con: duckdb.DuckDBPyConnection,
    scheme: Scheme,
    registries: Registries,
    quarter: Quarter,
    out_dir: Path,
    unit: str | None = None,
    office: str = "",
) -> list[Path]:
    """Write one 申诉表 per ranked unit (or only ``unit``) pre-filled with its lost points."""
    scored = con.execute(
        "SELECT count(*) FROM unit_scores WHERE quarter = $q", {"q": quarter}
    ).fetchone()[0]
    if not scored:
        raise AppealError(f"{quarter} 尚未评分，请先运行 firescore run --quarter {quarter}")
    units = registries.units.filter(pl.col("ranked"))
    if unit is not None:
        units = registries.units.filter(pl.col("unit_code") == unit.strip().upper())
        if units.is_empty():
            raise AppealError(f"单位名册中没有单位代码“{unit}”")
    context = appeal_context(scheme, registries, quarter, office)
    paths = []
    for row in units.sort("unit_code").iter_rows(named=True):
        rows = [
            TemplateRow(
                {
                    "item_code": r["key"],
                    "item_name": r["item_name"],
                    "lost": format(r["lost"], "f"),
                    "reason": r["reason"] or "",
                }
            )
            for r in lost_rows(con, quarter, row["unit_code"])
        ]
        form = UnitTemplate(
            code=row["unit_code"],
            name=row["unit_name"],
            group=row["grp"],
            role="appeal",
            sheets=[contract(BASIC_SHEET), contract(APPEAL_SHEET)],
            rows={APPEAL_SHEET: rows},
        )
        path = out_dir / template_file_name(row["unit_code"], row["unit_name"], quarter).replace(
            "考核填报表", "申诉表"
        )
        write_template(path, context, form, instructions=False)
        paths.append(path)
    log.info("wrote %d appeal forms for %s in %s", len(paths), quarter, out_dir)
    return paths


def read_appeals(
    con: duckdb.DuckDBPyConnection,
    inbox: Path,
    quarter: Quarter,
    scheme: Scheme,
    registries: Registries,
    limits: Limits,
    window: Window | None,
) -> list[AppealForm]:
    """Read and check every appeal form in inbox/<quarter>/申诉/<unit>/ (sorted by path);
    a form received after the window is listed as late, not read."""
    found = discover_appeals(inbox, quarter, scheme, registries, rulings_file_name(quarter))
    tz = ZoneInfo(scheme.timezone)
    forms = []
    for sub in found.forms:
        late = late_reason(sub, window, tz) if window is not None else None
        if late is not None:
            forms.append(AppealForm(sub.unit_code, sub.rel_path, sub.file_name, late=late))
            continue
        forms.append(read_appeal(con, sub.paths[0], sub.unit_code, quarter, limits))
    return forms


def read_appeal(
    con: duckdb.DuckDBPyConnection, path: Path, unit: str, quarter: Quarter, limits: Limits
) -> AppealForm:
    """Read one appeal form and check it: contracts, sender, quarter, items, reasons."""
    rel_path = f"{quarter}/{APPEALS_DIR}/{path.parent.name}/{path.name}"
    form = AppealForm(unit_code=unit, rel_path=rel_path, file_name=path.name)
    file_id = f"{quarter}/{APPEALS_DIR}/{unit}/{sha256_of(path)}"
    read = read_file((path,), file_id, [contract(BASIC_SHEET), contract(APPEAL_SHEET)], limits)
    form.issues += read.issues
    typed: dict[str, tuple[pl.DataFrame, SheetData]] = {}
    for name, sheet in read.sheets.items():
        frame, issues, failed = cast_sheet(sheet)
        form.issues += issues
        form.issues += validate_sheets(
            sheet.contract, frame, {file_id: sheet}, failed, engine="polars"
        )
        typed[name] = (frame, sheet)
    if BASIC_SHEET in typed:
        form.issues += sender_issues(file_id, *typed[BASIC_SHEET], unit, quarter)
    if APPEAL_SHEET in typed:
        published = {r["key"]: r for r in lost_rows(con, quarter, unit)}
        frame, sheet = typed[APPEAL_SHEET]
        for row in frame.iter_rows(named=True):
            problems = row_issues(file_id, sheet, row, published)
            form.issues += problems
            if row["disputed"] == DISPUTED and not problems:
                form.disputes.append(dispute(form, sheet, row, published[row["item_code"]]))
    return form


def sender_issues(
    file_id: str, frame: pl.DataFrame, sheet: SheetData, unit: str, quarter: Quarter
) -> list[Issue]:
    """Return the errors of a form sent for another unit or another quarter."""
    if frame.is_empty():
        return []
    row = frame.row(0, named=True)
    found = []
    if row["unit_code"] is not None and row["unit_code"].upper() != unit:
        found.append(
            cell_issue(
                file_id,
                ERROR,
                "appeal_other_unit",
                sheet=BASIC_SHEET,
                cell=sheet.cell("unit_code", row["excel_row"]),
                column_name="单位代码",
                value=row["unit_code"],
                expected=f"{unit}（申诉表应放在本单位的文件夹 {APPEALS_DIR}/{unit}/ 中）",
            )
        )
    if row["quarter"] is not None and row["quarter"] != quarter:
        found.append(
            cell_issue(
                file_id,
                ERROR,
                "appeal_other_quarter",
                sheet=BASIC_SHEET,
                cell=sheet.cell("quarter", row["excel_row"]),
                column_name="考核季度",
                value=sheet.typed_as("quarter", row["excel_row"]),
                expected=f"{quarter.label}（本季度的申诉）",
            )
        )
    return found


def row_issues(
    file_id: str, sheet: SheetData, row: dict[str, Any], published: dict[str, dict[str, Any]]
) -> list[Issue]:
    """Return the errors of one disputed row: an item not lost, or no reason given."""
    if row["disputed"] != DISPUTED:
        return []
    excel_row = row["excel_row"]
    if row["item_code"] not in published:
        shown = "、".join(published) or "无（本季度没有失分项目）"
        return [
            cell_issue(
                file_id,
                ERROR,
                "appeal_unknown_item",
                sheet=APPEAL_SHEET,
                cell=sheet.cell("item_code", excel_row),
                column_name="项目编号",
                value=row["item_code"],
                expected=f"本单位本季度失分的项目之一：{shown}",
            )
        ]
    if not (row["claim"] or "").strip():
        return [
            cell_issue(
                file_id,
                ERROR,
                "appeal_without_claim",
                sheet=APPEAL_SHEET,
                cell=sheet.cell("claim", excel_row),
                column_name="申诉理由",
                value=None,
                expected="“是否申诉”选“是”时，写明认为扣分有误的理由",
            )
        ]
    return []


def dispute(
    form: AppealForm, sheet: SheetData, row: dict[str, Any], published: dict[str, Any]
) -> dict[str, Any]:
    """Return a disputed row as the 申诉处理 workbook shows it (the published lost points)."""
    return {
        "unit_code": form.unit_code,
        "unit_name": published["unit_name"],
        "item_code": row["item_code"],
        "item_name": published["item_name"],
        "lost": published["lost"],
        "claim": row["claim"].strip(),
        "evidence": (row["evidence"] or "").strip(),
        "source": f"{form.file_name} {APPEAL_SHEET}!{sheet.cell('claim', row['excel_row'])}",
    }


def rulings_file_name(quarter: str) -> str:
    """Return the office's rulings workbook name: 申诉处理_2026Q2.xlsx."""
    return f"{RULINGS_SHEET}_{quarter}.xlsx"


def write_rulings_workbook(
    forms: list[AppealForm],
    scheme: Scheme,
    registries: Registries,
    quarter: Quarter,
    out_dir: Path,
    office: str = "",
) -> Path:
    """Write 申诉处理_<季度>.xlsx pre-filled with every valid form's disputes, for the office."""
    rows = [
        TemplateRow(
            {
                "unit_code": d["unit_code"],
                "unit_name": d["unit_name"],
                "item_code": d["item_code"],
                "item_name": d["item_name"],
                "lost": format(d["lost"], "f"),
                "claim": d["claim"] + (f"（佐证：{d['evidence']}）" if d["evidence"] else ""),
                "source": d["source"],
            }
        )
        for form in forms
        if form.valid
        for d in form.disputes
    ]
    context = TemplateContext(
        scheme,
        quarter,
        dropdown_choices(scheme, registries),
        office,
        form="申诉处理",
        dated=f"共 {len(rows)} 项申诉；处理后另存为收件箱 {quarter}/{APPEALS_DIR}/{rulings_file_name(quarter)}",
    )
    office_unit = UnitTemplate(
        code=scheme.adjustment_source_unit,
        name="办公室",
        group="",
        role="ruling",
        sheets=[contract(RULINGS_SHEET)],
        rows={RULINGS_SHEET: rows},
    )
    path = out_dir / rulings_file_name(quarter)
    write_template(path, context, office_unit, instructions=False)
    return path


RULINGS_TABLE_SQL = """
INSERT INTO appeal_rulings
    (quarter, unit_code, item_code, item_name, lost, ruling, corrected_lost, claim, note,
     file_name, sha256, ruling_cell, corrected_field, corrected_label, corrected_value)
SELECT $quarter, unit_code, item_code, item_name, lost, ruling, corrected_lost, claim, note,
       $file_name, $sha256, ruling_cell, corrected_field, corrected_label, corrected_value
FROM rulings
"""
RULING_COLUMNS = {
    "unit_code": pl.Utf8,
    "item_code": pl.Utf8,
    "item_name": pl.Utf8,
    "lost": pl.Decimal(38, 12),
    "ruling": pl.Utf8,
    "corrected_lost": pl.Decimal(38, 12),
    "claim": pl.Utf8,
    "note": pl.Utf8,
    "ruling_cell": pl.Utf8,
    "corrected_field": pl.Utf8,
    "corrected_label": pl.Utf8,
    "corrected_value": pl.Utf8,
}


def load_rulings(
    con: duckdb.DuckDBPyConnection,
    inbox: Path,
    quarter: Quarter,
    scheme: Scheme,
    registries: Registries,
    limits: Limits,
) -> list[str]:
    """Replace the quarter's rulings from inbox/<q>/申诉/申诉处理_<q>.xlsx; return notes on it.

    A workbook with an error is not used at all (like a submission), and the notes say why;
    rows without 处理结果 are disputes still open.
    """
    con.execute("DELETE FROM appeal_rulings WHERE quarter = $q", {"q": quarter})
    path = inbox / quarter / APPEALS_DIR / rulings_file_name(quarter)
    if not path.is_file() or path.is_symlink():
        return []
    sha256 = sha256_of(path)
    file_id = f"{quarter}/{APPEALS_DIR}/{sha256}"
    read = read_file((path,), file_id, [contract(RULINGS_SHEET)], limits)
    issues = list(read.issues)
    sheet = read.sheets.get(RULINGS_SHEET)
    rows: list[dict[str, Any]] = []
    open_rows = 0
    if sheet is not None:
        frame, cast_issues, failed = cast_sheet(sheet)
        issues += cast_issues
        issues += validate_sheets(sheet.contract, frame, {file_id: sheet}, failed, engine="polars")
        correctable = correctable_items(scheme, registries)
        for row in frame.iter_rows(named=True):
            if row["ruling"] is None:
                open_rows += 1
                continue
            found, corrected = ruling_issues(file_id, sheet, row, correctable)
            issues += found
            rows.append(ruling_row(sheet, row, corrected))
    where = f"{quarter}/{APPEALS_DIR}/{path.name}"
    errors = [i.message for i in issues if i.severity == ERROR]
    if errors or sheet is None:
        return [f"{where} 有错误，申诉处理结果均未采用：{message}" for message in errors]
    con.register("rulings", pl.DataFrame(rows, schema=RULING_COLUMNS).to_arrow())
    try:
        con.execute(
            RULINGS_TABLE_SQL, {"quarter": quarter, "file_name": path.name, "sha256": sha256}
        )
    finally:
        con.unregister("rulings")
    return [f"{where}：尚有 {open_rows} 项申诉未填写处理结果"] if open_rows else []


def ruling_row(
    sheet: SheetData, row: dict[str, Any], corrected: tuple[Column, str] | None
) -> dict[str, Any]:
    """Return one ruling as appeal_rulings stores it (a corrected input: field, header, value)."""
    return {
        **{name: row[name] for name in RULING_COLUMNS if name in row},
        "ruling_cell": sheet.cell("ruling", row["excel_row"]),
        "corrected_field": corrected[0].field if corrected else None,
        "corrected_label": corrected[0].header if corrected else None,
        "corrected_value": corrected[1] if corrected else None,
    }


def correctable_columns() -> dict[str, tuple[str, Column]]:
    """Return 更正项 header -> (the sheet it corrects, its column): 任务进展 or 工作指标."""
    allowed = next(c for c in contract(RULINGS_SHEET).columns if c.field == "corrected_field")
    columns = {
        c.header: (sheet, c)
        for sheet in (TASK_SHEET, INDICATOR_SHEET)
        for c in contract(sheet).columns
        if c.stored
    }
    return {header: columns[header] for header in allowed.allowed}


def correctable_items(scheme: Scheme, registries: Registries) -> dict[tuple[str, str], str]:
    """Return (unit, 项目编号) -> the sheet its filed values come from, for every task a unit is
    named on (任务进展) and every indicator of its group (工作指标)."""
    items = {
        (r["unit_code"], r["task_id"]): TASK_SHEET
        for r in registries.assignments.iter_rows(named=True)
    }
    for unit in registries.units.iter_rows(named=True):
        for indicator in scheme.indicators_for(unit["grp"]):
            items[(unit["unit_code"], indicator.id)] = INDICATOR_SHEET
    return items


def ruling_issues(
    file_id: str,
    sheet: SheetData,
    row: dict[str, Any],
    correctable: dict[tuple[str, str], str],
) -> tuple[list[Issue], tuple[Column, str] | None]:
    """Return the errors of one ruling and, for a corrected input, its column and value text.

    A 更正 gives either 更正后失分 (below 原失分) or 更正项 with 更正后填报值 (a value of that
    column of the item's own sheet, typed as a submission's cell would be), not both.
    """
    if row["ruling"] != "更正":
        return [], None
    excel_row = row["excel_row"]

    def error(rule: str, name: str, header: str, expected: str) -> list[Issue]:
        """Return the one error of this ruling, at the named cell."""
        value = sheet.typed_as(name, excel_row)
        return [
            cell_issue(
                file_id,
                ERROR,
                rule,
                sheet=RULINGS_SHEET,
                cell=sheet.cell(name, excel_row),
                column_name=header,
                value=value,
                expected=expected,
            )
        ]

    points, label, text = row["corrected_lost"], row["corrected_field"], row["corrected_value"]
    if points is not None and (label is not None or text is not None):
        return error(
            "ruling_points_and_value",
            "corrected_lost",
            "更正后失分",
            "“更正后失分”与“更正项/更正后填报值”只填其一：直接给出失分，或给出核实后的填报值重新计分",
        ), None
    if points is not None:
        if points < row["lost"]:
            return [], None
        return error(
            "ruling_without_correction",
            "corrected_lost",
            "更正后失分",
            f"小于原失分 {format(row['lost'].normalize(), 'f')} 的失分",
        ), None
    if label is None and text is None:
        return error(
            "ruling_without_correction",
            "corrected_lost",
            "更正后失分",
            f"“处理结果”为“更正”时填写更正后的失分（应小于原失分 "
            f"{format(row['lost'].normalize(), 'f')}），或填写“更正项”和“更正后填报值”",
        ), None
    columns = correctable_columns()
    if label is None:
        return error(
            "ruling_value_without_field",
            "corrected_field",
            "更正项",
            f"“更正后填报值”所更正的填报项：{'、'.join(columns)}",
        ), None
    target, column = columns[label]
    kind = correctable.get((row["unit_code"], row["item_code"]))
    if kind != target:
        fits = [h for h, (s, _) in columns.items() if s == kind]
        return error(
            "ruling_field_not_of_item",
            "corrected_field",
            "更正项",
            f"项目 {row['item_code']} 可更正的填报项：{'、'.join(fits)}"
            if fits
            else f"项目 {row['item_code']} 不是本单位的重点任务或工作指标，只能填写“更正后失分”",
        ), None
    value = parse_value(column, text)
    if value is None or value is UNPARSABLE:
        return error(
            "ruling_value_unreadable",
            "corrected_value",
            "更正后填报值",
            f"{label}的{column.expected()}"
            + (f"（{'、'.join(column.allowed)}）" if column.type == "enum" else ""),
        ), None
    return [], (column, value_text(value))


def value_text(value: object) -> str:
    """Return a typed value as the canonical text the warehouse keeps: 2026-06-15, 2, 0.85."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)

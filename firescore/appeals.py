"""Right of reply (申诉): the units' appeal forms and the office's 申诉处理 workbook.

A unit disputes its lost points on a 申诉表 pre-filled from the published ledger (`firescore
templates --appeal`) and sends it to inbox/<quarter>/申诉/<unit>/. `firescore appeals` reads
every form with the one reader and the contracts (schemas/申诉表.yaml, schemas/基本信息.yaml),
checks it cell by cell, and writes the office's 申诉处理 workbook pre-filled with the disputed
rows (schemas/申诉处理.yaml); the office fills in its rulings there.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from firescore.config import Limits
from firescore.intake.casting import cast_sheet
from firescore.intake.contracts import contract
from firescore.intake.discover import APPEALS_DIR, sha256_of
from firescore.intake.expectations import validate_sheets
from firescore.intake.reader import SheetData, read_file
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

    @property
    def valid(self) -> bool:
        """Return whether the form has no error (a form with an error is not used at all)."""
        return not any(i.severity == ERROR for i in self.issues)


def lost_rows(con: duckdb.DuckDBPyConnection, quarter: str, unit: str) -> list[dict[str, Any]]:
    """Return a unit's published lost-point rows of a scored quarter, in ledger order, each
    with its 项目编号 on the forms (`key`): its code, else 板块·项目."""
    names = block_names(con)
    rows = fetch_rows(con, LEDGER_SQL, quarter=quarter)
    return [
        r | {"key": r["item_code"] or f"{names.get(r['block'], r['block'])}·{r['item_name']}"}
        for r in rows
        if r["unit_code"] == unit and r["is_lost"]
    ]


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
    con: duckdb.DuckDBPyConnection, inbox: Path, quarter: Quarter, limits: Limits
) -> list[AppealForm]:
    """Read and check every appeal form in inbox/<quarter>/申诉/<unit>/ (sorted by path)."""
    folder = inbox / quarter / APPEALS_DIR
    if not folder.is_dir():
        return []
    forms = []
    for unit_dir in sorted(p for p in folder.iterdir() if p.is_dir() and not p.is_symlink()):
        for path in sorted(unit_dir.iterdir()):
            if path.name.startswith((".", "~$")) or not path.is_file() or path.is_symlink():
                continue
            forms.append(read_appeal(con, path, unit_dir.name.upper(), quarter, limits))
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
     file_name, sha256, ruling_cell)
SELECT $quarter, unit_code, item_code, item_name, lost, ruling, corrected_lost, claim, note,
       $file_name, $sha256, ruling_cell
FROM rulings
"""


def load_rulings(
    con: duckdb.DuckDBPyConnection, inbox: Path, quarter: Quarter, limits: Limits
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
    frame = None
    if sheet is not None:
        frame, cast_issues, failed = cast_sheet(sheet)
        issues += cast_issues
        issues += validate_sheets(sheet.contract, frame, {file_id: sheet}, failed, engine="polars")
        issues += [
            i for row in frame.iter_rows(named=True) for i in ruling_issues(file_id, sheet, row)
        ]
    where = f"{quarter}/{APPEALS_DIR}/{path.name}"
    errors = [i.message for i in issues if i.severity == ERROR]
    if errors or frame is None:
        return [f"{where} 有错误，申诉处理结果均未采用：{message}" for message in errors]
    rows = frame.filter(pl.col("ruling").is_not_null()).with_columns(
        ruling_cell=pl.col("excel_row").map_elements(
            lambda r: sheet.cell("ruling", r), return_dtype=pl.Utf8
        )
    )
    con.register("rulings", rows.to_arrow())
    try:
        con.execute(
            RULINGS_TABLE_SQL, {"quarter": quarter, "file_name": path.name, "sha256": sha256}
        )
    finally:
        con.unregister("rulings")
    open_rows = frame.height - rows.height
    return [f"{where}：尚有 {open_rows} 项申诉未填写处理结果"] if open_rows else []


def ruling_issues(file_id: str, sheet: SheetData, row: dict[str, Any]) -> list[Issue]:
    """Return the error of a 更正 without a corrected value below the published lost points."""
    if row["ruling"] != "更正":
        return []
    corrected = row["corrected_lost"]
    if corrected is not None and corrected < row["lost"]:
        return []
    return [
        cell_issue(
            file_id,
            ERROR,
            "ruling_without_correction",
            sheet=RULINGS_SHEET,
            cell=sheet.cell("corrected_lost", row["excel_row"]),
            column_name="更正后失分",
            value=sheet.typed_as("corrected_lost", row["excel_row"]),
            expected=f"“处理结果”为“更正”时填写更正后的失分，应小于原失分 {row['lost']}",
        )
    ]

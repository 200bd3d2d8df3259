"""Templates: written from the contracts, filled by a program, checked, and scored as filled."""

from __future__ import annotations

import csv
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from firescore.commands.check import check_files
from firescore.config import load_config
from firescore.intake.contracts import contract
from firescore.publish.templates import INPUT_COLOR, TemplateError, write_templates
from firescore.quarter import run_quarter
from firescore.registry import load_registries
from firescore.scheme import load_scheme
from firescore.warehouse.store import connect
from tests.readback import header_rows, headers, heading_lines, short_rows

ROOT = Path(__file__).resolve().parent.parent
QUARTER = "2026Q3"
FILL_DATE = date(2026, 10, 8)


@pytest.fixture(scope="module")
def sample():
    """Return the sample district's config, scheme and registries."""
    config = load_config(ROOT / "firescore.toml")
    return (
        config,
        load_scheme(config.scheme),
        load_registries(config.units, config.tasks, config.limits),
    )


@pytest.fixture(scope="module")
def templates(sample, tmp_path_factory) -> dict[str, Path]:
    """Write every template of 2026Q3; return them by unit code."""
    config, scheme, registries = sample
    target = tmp_path_factory.mktemp("templates")
    paths = write_templates(scheme, registries, QUARTER, target, office=config.office)
    return {p.name.split("_")[0]: p for p in paths}


def first_row(ws) -> int:
    """Return the Excel row number of a sheet's first data row (below its header)."""
    return header_rows(ws)[0] + 1


def rows_by_key(ws, key_col: int = 1) -> dict[str, int]:
    """Return Excel row numbers of a sheet's data rows by the value of their first column."""
    return {
        str(ws.cell(r, key_col).value): r
        for r in range(first_row(ws), ws.max_row + 1)
        if ws.cell(r, key_col).value is not None
    }


def header_cols(ws) -> dict[str, int]:
    """Return column numbers by header."""
    return {value: c for c, value in enumerate(headers(ws), start=1)}


def fill(path: Path, target: Path, unit: str) -> Path:
    """Fill a template as a unit would, with openpyxl, and save it under ``target``."""
    book = openpyxl.load_workbook(path)
    basic = book["基本信息"]
    keys = rows_by_key(basic)
    basic.cell(keys["填报人"], 2, "张三")
    basic.cell(keys["联系电话"], 2, "023-63800000")
    basic.cell(keys["填报日期"], 2, FILL_DATE)
    if "任务进展" in book.sheetnames:
        ws = book["任务进展"]
        col = header_cols(ws)
        for task, r in rows_by_key(ws).items():
            ongoing = ws.cell(r, col["完成时限"]).value == "持续开展"
            if unit == "JD01" and task == "T05":  # 2026-05-31: overdue while 推进中 -> 0.3
                values = {"完成状态": "推进中", "进展情况": "已完成80%"}
            elif ongoing:
                values = {
                    "完成状态": "推进中",
                    "本季度开展次数": 2,
                    "进展情况": "按计划开展",
                    "佐证材料": "会议纪要",
                }
            else:
                values = {
                    "完成状态": "已完成",
                    "完成日期": date(2026, 3, 20),
                    "佐证材料": "验收材料",
                }
            for header, value in values.items():
                ws.cell(r, col[header], value)
    if "工作指标" in book.sheetnames:
        ws = book["工作指标"]
        col = header_cols(ws)
        for _, r in rows_by_key(ws).items():
            rate = ws.cell(r, col["目标值"]).value.startswith("不低于")
            ws.cell(r, col["数值"], (19 if unit == "JD01" else 20) if rate else 5)
            if rate:
                ws.cell(r, col["分母"], 20)  # JD01: 95%, the others 100%
    if "火灾情况" in book.sheetnames:
        ws = book["火灾情况"]
        col = header_cols(ws)
        fire = {
            "火灾编号": "YZ2026-0101",
            "起火时间": datetime(2026, 8, 1, 10, 30),
            "镇街代码": "JD01",
            "场所类型": "住宅",
            "起火原因": "电气火灾",
            "死亡人数": 0,
            "受伤人数": 1,
            "直接财产损失（万元）": 2.5,
        }
        for header, value in fire.items():
            ws.cell(first_row(ws), col[header], value)
    if "加减分" in book.sheetnames:
        ws = book["加减分"]
        col = header_cols(ws)
        item = {
            "单位代码": "JD01",
            "事项": "通报表扬（区级）",
            "事由": "消防工作经验交流",
            "依据文号": "渝中消委办〔2026〕30号",
            "日期": date(2026, 9, 1),
        }
        for header, value in item.items():
            ws.cell(first_row(ws), col[header], value)
    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(target)
    return target


@pytest.fixture(scope="module")
def inbox(templates, tmp_path_factory) -> Path:
    """Fill every template into an inbox of 2026Q3, all received on time."""
    root = tmp_path_factory.mktemp("inbox")
    log = [["单位代码", "文件名", "接收时间"]]
    for unit, path in sorted(templates.items()):
        filled = fill(path, root / QUARTER / unit / path.name, unit)
        log.append([unit, filled.name, "2026-10-09 10:00"])
    with (root / QUARTER / "收件登记.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(log)
    return root


@pytest.fixture(scope="module")
def scored(sample, inbox, tmp_path_factory):
    """Score the filled templates into a fresh warehouse."""
    config, scheme, registries = sample
    out = tmp_path_factory.mktemp("out")
    config = config.with_overrides(inbox=inbox, out=out, warehouse=out / "wh.duckdb")
    run_quarter(config, QUARTER)
    con = connect(config.warehouse, read_only=True)
    yield con, inbox
    con.close()


def test_one_template_per_submitting_unit_with_its_sheets(templates):
    assert len(templates) == 33  # 31 ranked units, the fire detachment and the office
    sheets = {u: openpyxl.load_workbook(p, read_only=True).sheetnames for u, p in templates.items()}
    assert sheets["JD01"] == ["填报说明", "基本信息", "任务进展", "工作指标"]
    assert sheets["BM17"] == ["填报说明", "基本信息", "工作指标"]  # named on no task
    assert sheets["ZD01"] == ["填报说明", "基本信息", "火灾情况"]
    assert sheets["XAB"][:3] == ["填报说明", "基本信息", "加减分"]


def test_task_sheet_lists_exactly_the_units_tasks_with_deadline_and_role(sample, templates):
    _, _, registries = sample
    ws = openpyxl.load_workbook(templates["JD06"])["任务进展"]
    assert headers(ws) == [c.header for c in contract("任务进展").columns]
    listed = {
        ws.cell(r, 1).value: (ws.cell(r, 8).value, ws.cell(r, 9).value)
        for r in range(first_row(ws), ws.max_row + 1)
    }
    named = registries.assignments.filter(pl.col("unit_code") == "JD06").join(
        registries.tasks, on="task_id"
    )
    assert listed == {
        t: (d, role) for t, d, role in named.select("task_id", "deadline_text", "role").iter_rows()
    }
    assert listed["T06"] == ("2026年9月", "配合")


def test_indicator_sheet_lists_the_groups_indicators_with_targets(templates):
    street = openpyxl.load_workbook(templates["JD05"])[
        "工作指标"
    ]  # 区域类型 中心城区: I01 Q3 target 90%
    rows = {street.cell(r, 1).value: street.cell(r, 6).value for r in rows_by_key(street).values()}
    assert list(rows) == ["I01", "I02", "I03", "I04", "I05", "I06", "I07"]
    assert (rows["I01"], rows["I02"], rows["I04"], rows["I07"]) == (
        "不低于90%",
        "不低于95%",
        "本季度不少于3",
        "全年不少于2（第四季度核算）",
    )
    dept = openpyxl.load_workbook(templates["BM02"])["工作指标"]
    assert list(rows_by_key(dept)) == [
        "I02",
        "I03",
        "I05",
        "I08",
        "I09",
    ]


def test_input_cells_unlocked_with_dropdowns_and_checks_the_rest_locked(templates):
    book = openpyxl.load_workbook(templates["JD01"])
    ws = book["任务进展"]
    assert all(book[name].protection.sheet for name in book.sheetnames)
    assert ws["A4"].protection.locked and ws["B4"].protection.locked and ws["H4"].protection.locked
    assert not ws["C4"].protection.locked and ws["C4"].fill.fgColor.rgb.endswith(INPUT_COLOR[1:])
    checks = {str(dv.sqref): (dv.type, dv.formula1) for dv in ws.data_validations.dataValidation}
    last = ws.max_row
    assert checks[f"C4:C{last}"] == ("list", '"已完成,推进中,未启动"')
    assert checks[f"D4:D{last}"][0] == "date" and checks[f"E4:E{last}"][0] == "whole"
    basic = book["基本信息"]
    assert basic["B4"].value == "JD01" and basic["B4"].protection.locked
    assert not basic["B7"].protection.locked and basic["B7"].value is None  # 填报人
    indicators = book["工作指标"]
    assert indicators["D6"].protection.locked  # I03 is a count: no 分母 to fill
    adjustments = openpyxl.load_workbook(templates["XAB"])["加减分"]
    items = [dv.formula1 for dv in adjustments.data_validations.dataValidation if dv.type == "list"]
    assert (
        '"通报表扬（市级）,通报表扬（区级）,经验做法被推广（市级）,经验做法被推广（区级）,通报批评（市级）,通报批评（区级）,被约谈,挂牌督办隐患逾期未整改（每项）"'
        in items
    )


def test_every_sheet_names_the_office_and_deadline_and_fits_its_text(templates):
    book = openpyxl.load_workbook(templates["JD01"])
    for name in ("填报说明", "基本信息", "任务进展", "工作指标"):
        ws = book[name]
        assert heading_lines(ws) == [
            f"渝中区2026年第三季度消防工作考核填报表——{name}（解放碑街道）",
            "渝中区消防安全委员会办公室　　报送截止：2026年10月10日",
        ]
        assert short_rows(ws) == [], name
    # 填报说明 holds paragraphs: their rows are several lines tall, not Excel's default 15 pt.
    guide = book["填报说明"]
    (row,) = [r for r in range(1, guide.max_row + 1) if guide.cell(r, 1).value == "任务进展"]
    assert guide.row_dimensions[row].height > 2 * 15


def test_templates_are_deterministic(sample, templates, tmp_path):
    config, scheme, registries = sample
    (again,) = write_templates(
        scheme, registries, QUARTER, tmp_path, unit="jd01", office=config.office
    )
    assert again.read_bytes() == templates["JD01"].read_bytes()


def test_unknown_unit_or_other_year_is_refused(sample, tmp_path):
    _, scheme, registries = sample
    with pytest.raises(TemplateError, match="没有单位代码“JD99”"):
        write_templates(scheme, registries, QUARTER, tmp_path, unit="JD99")
    with pytest.raises(TemplateError, match="不属于考核方案的年度"):
        write_templates(scheme, registries, "2027Q1", tmp_path)


def test_filled_templates_pass_check_without_any_issue(sample, inbox):
    config, scheme, registries = sample
    paths = [
        next((inbox / QUARTER / unit).glob("*.xlsx")) for unit in ("JD01", "BM17", "ZD01", "XAB")
    ]
    reports = check_files(paths, config, scheme, registries)
    assert {r.path.parent.name: [i.message for i in r.issues] for r in reports} == {
        u: [] for u in ("JD01", "BM17", "ZD01", "XAB")
    }


def test_filled_templates_are_scored_as_filled(scored):
    con, inbox = scored
    assert con.execute("SELECT unit_code, message FROM raw_issues").fetchall() == []
    ledger = {
        (unit, item): (points, cell)
        for unit, item, points, cell in con.execute(
            "SELECT unit_code, item_id, round(points, 4), source_sheet || '!' || source_cell FROM ledger WHERE quarter = ?",
            [QUARTER],
        ).fetchall()
    }
    # JD01 T05 (牵头, due 2026-05-31) reported 推进中: overdue, credit 0.3 of its share of 45.
    points, cell = ledger[("JD01", "T05")]
    weights = con.execute(
        "SELECT sum(t.weight * CASE a.role WHEN '牵头' THEN 1 ELSE 0.5 END) FROM task_assignments a JOIN tasks t USING (task_id) WHERE a.unit_code = 'JD01'"
    ).fetchone()[0]
    assert points == round(Decimal(45) * Decimal("0.3") / weights, 4)
    row = rows_by_key(
        openpyxl.load_workbook(next((inbox / QUARTER / "JD01").glob("*.xlsx")))["任务进展"]
    )["T05"]
    assert cell == f"任务进展!C{row}"
    # JD01 reported 19/20 = 95% for its rates: I02 (95%) and I01 (中心城区 Q3: 90%) met, I06 (100%) not.
    assert [ledger[("JD01", i)] for i in ("I01", "I02", "I06")] == [
        (6, f"工作指标!C{r}") for r in (4,)
    ] + [(5, "工作指标!C5"), (Decimal("2.85"), "工作指标!C9")]
    scores = {
        u: (total, adjustment)
        for u, total, adjustment in con.execute(
            "SELECT unit_code, total, adjustment FROM unit_scores WHERE quarter = ?", [QUARTER]
        ).fetchall()
    }
    assert scores["BM17"] == (Decimal("100.00"), 0)  # indicators and reporting only, all met
    assert scores["JD01"][1] == 3  # the office's 通报表扬（区级）
    fires = con.execute("SELECT fire_id, street_code, grade FROM raw_fire_rows").fetchall()
    assert fires == [("YZ2026-0101", "JD01", "一般")]

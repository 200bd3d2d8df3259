"""Right of reply on the sample's 2026Q2: appeal forms pre-filled, filled in, checked, listed."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import openpyxl
import pytest
from typer.testing import CliRunner

from firescore import cli
from firescore.config import load_config
from firescore.intake.contracts import contract
from firescore.intake.discover import discover
from firescore.quarter import run_quarter
from firescore.registry import load_registries
from firescore.scheme import load_scheme
from firescore.warehouse.releases import DRAFT, Event
from tests.readback import table

ROOT = Path(__file__).resolve().parent.parent
FORM = "JD07_两路口街道_2026年第二季度申诉表.xlsx"
LATE = (
    "2026Q2/申诉/JD04/南纪门申诉.xlsx：申诉表于 2026-07-21 08:30 收到，已过申诉期"
    "（征求意见稿 2026-07-13 发布后5个工作日内，截至 2026-07-20（含当日）），不予受理"
)


def fill(form: Path, target: Path, answers: dict[str, tuple[str, str]], **basic: str) -> Path:
    """Fill a 申诉表 as a unit would: 基本信息, then 是否申诉/申诉理由 by 项目编号."""
    book = openpyxl.load_workbook(form)
    info = book["基本信息"]
    values = {"填报人": "王芳", "联系电话": "023-63800000", "填报日期": "2026-07-20", **basic}
    for row in info.iter_rows(min_row=1):
        if row[0].value in values:
            row[1].value = values[row[0].value]
    sheet = book["申诉表"]
    for row in sheet.iter_rows(min_row=1):
        if row[0].value in answers:
            row[4].value, row[5].value = answers[row[0].value]
    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(target)
    return target


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    """Score the sample's 2026Q2 from a copy of the inbox (the appeal folder is added later)."""
    root = tmp_path_factory.mktemp("appeals")
    shutil.copytree(
        ROOT / "data_samples" / "inbox" / "2026Q2",
        root / "inbox" / "2026Q2",
        ignore=shutil.ignore_patterns("申诉"),  # the sample's own disputes: tests/test_demo.py
    )
    config = load_config(ROOT / "firescore.toml").with_overrides(
        inbox=root / "inbox", out=root / "out", warehouse=root / "out" / "wh.duckdb"
    )
    # The draft is published on Monday 13 July: the sample's 5 working days end on 20 July.
    run_quarter(config, "2026Q2", change=Event(DRAFT, "", datetime(2026, 7, 13, 9, 0)))
    return root, config


def invoke(config, *args: str):
    """Run the CLI against the fixture's inbox, out/ and warehouse."""
    paths = ["--config", str(ROOT / "firescore.toml"), "--warehouse", str(config.warehouse)]
    return CliRunner().invoke(cli.app, [*args, *paths])


@pytest.fixture(scope="module")
def appealed(scored):
    """Write the forms, file JD07's (two disputes) and a bad one for JD02, run `appeals`."""
    root, config = scored
    forms = root / "forms"
    made = invoke(config, "templates", "--appeal", "--quarter", "2026Q2", "--out", str(forms))
    assert made.exit_code == 0, made.output
    folder = config.inbox / "2026Q2" / "申诉"
    fill(
        forms / FORM,
        folder / "JD07" / "两路口街道申诉表.xlsx",
        {
            "T26": ("是", "本季度开展微型消防站拉练2次，进展表误填为0"),
            "火灾形势·火灾起数": ("是", "5月12日火灾属外区车辆途经起火"),
        },
    )
    # 朝天门 disputes T05 without a reason on a form dated for another quarter; 七星岗 files
    # 两路口's form.
    fill(
        forms / "JD02_朝天门街道_2026年第二季度申诉表.xlsx",
        folder / "JD02" / "申诉.xlsx",
        {"T05": ("是", None)},
        考核季度="2026年第一季度",
    )
    fill(forms / FORM, folder / "JD03" / "申诉表.xlsx", {"T26": ("是", "误扣")})
    fill(
        forms / "JD06_大溪沟街道_2026年第二季度申诉表.xlsx",
        folder / "JD06" / "大溪沟申诉.xlsx",
        {"I01": ("是", "物联感知设备接入36栋，系统导出漏计6栋")},
    )
    # 南纪门 disputes too, but its form comes the day after the window's last day.
    fill(
        forms / "JD04_南纪门街道_2026年第二季度申诉表.xlsx",
        folder / "JD04" / "南纪门申诉.xlsx",
        {"T26": ("是", "已开展拉练")},
    )
    (folder / "收件登记.csv").write_text(
        "单位代码,文件名,接收时间\n"
        "JD07,两路口街道申诉表.xlsx,2026-07-17 10:00\n"
        "JD02,申诉.xlsx,2026-07-16 15:20\n"
        "JD03,申诉表.xlsx,2026-07-20 17:45\n"
        "JD06,大溪沟申诉.xlsx,2026-07-20 09:10\n"
        "JD04,南纪门申诉.xlsx,2026-07-21 08:30\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        cli.app,
        [
            "appeals",
            "--quarter",
            "2026Q2",
            "--config",
            str(ROOT / "firescore.toml"),
            "--inbox",
            str(config.inbox),
            "--out",
            str(config.out),
            "--warehouse",
            str(config.warehouse),
        ],
    )
    return root, config, forms, result


def test_appeal_form_is_prefilled_with_the_units_lost_points(appealed):
    _, _, forms, _ = appealed
    book = openpyxl.load_workbook(forms / FORM)
    assert book.sheetnames == ["基本信息", "申诉表"]
    rows = table(book["申诉表"])
    assert [r[:3] for r in rows] == [
        # 2026Q2 scored alone here (no 2026Q1 in this warehouse): the year so far is Q2.
        ("T26", "加强微型消防站建设", "3.46"),
        ("火灾形势·火灾起数", "火灾起数", "2.00"),
        ("火灾形势·直接财产损失", "直接财产损失", "0.02"),
    ]
    assert all(r[4] is None and r[5] is None for r in rows)  # left for the unit
    ws = book["申诉表"]
    assert any(
        "是,否" in str(dv.formula1) or "是" in str(dv.formula1)
        for dv in ws.data_validations.dataValidation
    )


def test_two_deductions_of_one_kind_are_two_items_on_the_form(appealed):
    _, _, forms, _ = appealed
    # 石油路 lost 2 points twice for 挂牌督办隐患逾期未整改 (two rows of the office's 加减分).
    book = openpyxl.load_workbook(forms / "JD09_石油路街道_2026年第二季度申诉表.xlsx")
    codes = [r[0] for r in table(book["申诉表"]) if r[0].startswith("加减分·")]
    assert codes == [
        "加减分·挂牌督办隐患逾期未整改（每项）",
        "加减分·挂牌督办隐患逾期未整改（每项）（2）",
    ]


def test_appeals_lists_the_disputes_and_prefills_the_rulings_workbook(appealed):
    _, config, _, result = appealed
    assert result.exit_code == 0, result.output
    assert "收到申诉表 5 份，申诉事项 3 项" in result.output
    assert (
        "申诉期：征求意见稿 2026-07-13 发布后5个工作日内，截至 2026-07-20（含当日）"
        in result.output
    )
    assert (
        "JD07 两路口街道  T26 加强微型消防站建设（失分 3.46）：本季度开展微型消防站拉练2次"
        in result.output
    )
    book = openpyxl.load_workbook(config.out / "2026Q2" / "申诉处理_2026Q2.xlsx")
    rows = table(book["申诉处理"])
    assert [r[:5] for r in rows] == [
        ("JD06", "大溪沟街道", "I01", "高层建筑消防物联感知设备接入率", "1.31"),
        ("JD07", "两路口街道", "T26", "加强微型消防站建设", "3.46"),
        ("JD07", "两路口街道", "火灾形势·火灾起数", "火灾起数", "2.00"),
    ]
    rows = rows[1:]
    assert rows[0][6] == "两路口街道申诉表.xlsx 申诉表!F4"
    # 处理结果, 更正后失分, 更正项, 更正后填报值, 处理说明: the office's
    assert rows[0][7:] == (None, None, None, None, None)


def test_a_form_for_another_unit_or_quarter_or_without_a_reason_is_refused_by_cell(appealed):
    _, _, _, result = appealed
    lines = [line.strip() for line in result.output.splitlines()]
    jd02 = lines.index("退回 2026Q2/申诉/JD02/申诉.xlsx（有错误，整份不予受理）：")
    assert lines[jd02 + 1 : jd02 + 3] == [
        "错误 基本信息!B6「考核季度」为“2026年第一季度”，应为：2026年第二季度（本季度的申诉）",
        "错误 申诉表!F4「申诉理由」为空，应为：“是否申诉”选“是”时，写明认为扣分有误的理由",
    ]
    jd03 = lines.index("退回 2026Q2/申诉/JD03/申诉表.xlsx（有错误，整份不予受理）：")
    assert lines[jd03 + 1] == (
        "错误 基本信息!B4「单位代码」为“JD07”，应为：JD03（申诉表应放在本单位的文件夹 申诉/JD03/ 中）"
    )
    assert lines[jd03 + 2].startswith(
        "错误 申诉表!A4「项目编号」为“T26”，应为：本单位本季度失分的项目之一"
    )


def test_the_appeal_folder_is_not_a_unit_folder_nor_a_stray(appealed):
    _, config, _, _ = appealed
    scheme = load_scheme(config.scheme)
    registries = load_registries(config.units, config.tasks, config.limits)
    inbox = discover(config.inbox, "2026Q2", scheme, registries)
    assert not [n for n in inbox.notes if "申诉" in n.rel_path]
    assert not [s for s in inbox.submissions if "申诉" in s.rel_path]


@pytest.fixture(scope="module")
def ruled(appealed):
    """The office upholds the T26 dispute (lost 3.46 → 0), corrects JD06's I01 value (30 → 36)
    and rejects the fire dispute; run again."""
    root, config, _, _ = appealed
    before = scores(config)
    book = openpyxl.load_workbook(config.out / "2026Q2" / "申诉处理_2026Q2.xlsx")
    ws = book["申诉处理"]
    for row in ws.iter_rows(min_row=4):
        # H 处理结果, I 更正后失分, J 更正项, K 更正后填报值, L 处理说明
        if row[2].value == "T26":
            row[7].value, row[8].value, row[11].value = "更正", 0, "经核实拉练记录，开展次数为2次"
        elif row[2].value == "I01":
            row[7].value, row[9].value, row[10].value = "更正", "数值", "36"
            row[11].value = "经核实接入36栋"
        elif row[2].value:
            row[7].value, row[11].value = "维持", "火灾发生在辖区内，按规定计入"
    book.save(config.inbox / "2026Q2" / "申诉" / "申诉处理_2026Q2.xlsx")
    summary = run_quarter(config, "2026Q2")
    return config, before, scores(config), summary


def scores(config) -> dict[str, Decimal]:
    """Return each unit's 2026Q2 total from the warehouse."""
    with duckdb.connect(str(config.warehouse), read_only=True) as con:
        return dict(
            con.execute(
                "SELECT unit_code, total FROM unit_scores WHERE quarter = '2026Q2'"
            ).fetchall()
        )


def test_an_upheld_ruling_gives_back_exactly_its_points_as_a_ledger_row(ruled):
    config, before, after, summary = ruled
    # JD07 is a street: all four blocks apply (45 + 25 + 25 + 5 = 100), so 3.46 block points
    # given back are 3.46 points of the total.
    assert after["JD07"] - before["JD07"] == Decimal("3.46")
    assert {u: t for u, t in after.items() if u not in ("JD07", "JD06")} == {
        u: t for u, t in before.items() if u not in ("JD07", "JD06")
    }
    with duckdb.connect(str(config.warehouse), read_only=True) as con:
        rows = con.execute(
            """
            SELECT unit_code, block, points, contribution, rule_id, source_sheet, source_cell, reason
            FROM ledger WHERE quarter = '2026Q2' AND rule_id = '申诉更正' AND unit_code = 'JD07'
            """
        ).fetchall()
        disputed = con.execute(
            "SELECT points FROM ledger WHERE quarter = '2026Q2' AND unit_code = 'JD07' "
            "AND item_id = 'T26'"
        ).fetchall()
    assert [r[:7] for r in rows] == [
        ("JD07", "adjustment", Decimal("3.46"), Decimal("3.46"), "申诉更正", "申诉处理", "H5")
    ]
    assert rows[0][7] == (
        "申诉更正：加强微型消防站建设原失分3.46分，经申诉更正为0分，返还3.46分："
        "经核实拉练记录，开展次数为2次（依据申诉处理_2026Q2.xlsx 申诉处理!H5）"
    )
    assert disputed == [(Decimal("0"),)]  # the disputed row itself is never edited
    assert [n for n in summary.notes if "申诉" in n] == [LATE]  # nothing open


def test_the_leader_workbook_shows_each_ruling_with_points_before_and_after(ruled):
    config = ruled[0]
    book = openpyxl.load_workbook(config.out / "2026Q2" / "考核结果_2026Q2.xlsx")
    assert book.sheetnames.index("申诉处理") == book.sheetnames.index("扣分明细") + 1
    rows = table(book["申诉处理"])
    # JD06: 1.31 lost before; 0.9375 given back for the corrected value: 0.3725, shown 0.37.
    assert [(r[0], r[2], r[5], r[6], r[7]) for r in rows] == [
        ("JD06", "I01", "更正（数值改为36）", 1.31, 0.37),
        ("JD07", "T26", "更正", 3.46, 0),
        ("JD07", "火灾形势·火灾起数", "维持", 2, 2),
    ]
    assert rows[1][4] == "本季度开展微型消防站拉练2次，进展表误填为0"
    assert rows[2][8] == "火灾发生在辖区内，按规定计入"


def test_the_unit_reads_its_rulings_in_its_feedback(ruled):
    config = ruled[0]
    book = openpyxl.load_workbook(config.out / "2026Q2" / "单位反馈" / "JD07_两路口街道.xlsx")
    texts = [r[4] for r in table(book["得分情况"]) if r[0] == "申诉处理"]
    assert texts == [
        "T26 加强微型消防站建设：更正，失分 3.46 → 0；经核实拉练记录，开展次数为2次",
        "火灾形势·火灾起数 火灾起数：维持，失分 2 → 2；火灾发生在辖区内，按规定计入",
    ]


def test_an_upheld_ruling_shows_in_the_units_changes_since_the_previous_run(ruled):
    config, before, after, _ = ruled
    (path,) = (config.out / "2026Q2" / "单位反馈").glob("JD07_*.xlsx")
    ws = openpyxl.load_workbook(path)["本次变更"]
    everything = list(ws.iter_rows(values_only=True))
    rows = {row[0]: row for row in everything if row[0]}
    assert rows["申诉更正"][4].startswith("申诉更正 T26 ")
    assert rows["申诉更正"][4].endswith("：失分 3.46 → 0：经核实拉练记录，开展次数为2次")
    # The total moved by the ruling alone: the unit's file did not change.
    assert rows["总分"][1:3] == (float(before["JD07"]), float(after["JD07"]))
    assert any(str(row[4]).startswith("本单位报送文件未变") for row in everything)


def test_a_corrected_input_value_is_scored_again_by_the_same_rule(ruled):
    config, before, after, _ = ruled
    # I01 is a rate: 6 points × min(1, (value / 分母) / target). Filed 30 / 48 = 62.5 % of 80 %:
    # 6 × 0.78125 = 4.6875; corrected 36 / 48 = 75 % of 80 %: 6 × 0.9375 = 5.625. JD06 is a
    # street (all four blocks, 100 points), so 5.625 − 4.6875 = 0.9375 is its share of the
    # total; the adjustment is shown to 2 decimals: 0.94.
    with duckdb.connect(str(config.warehouse), read_only=True) as con:
        rows = con.execute(
            """
            SELECT points, contribution, source_sheet, source_cell, reason FROM ledger
            WHERE quarter = '2026Q2' AND unit_code = 'JD06' AND rule_id = '申诉更正'
            """
        ).fetchall()
        filed = con.execute(
            "SELECT points, reason FROM ledger WHERE quarter = '2026Q2' AND unit_code = 'JD06' "
            "AND item_id = 'I01'"
        ).fetchall()
        adjustment = con.execute(
            "SELECT adjustment FROM unit_scores WHERE quarter = '2026Q2' AND unit_code = 'JD06'"
        ).fetchone()[0]
    [(points, contribution, sheet, cell, reason)] = rows
    assert (points, contribution, sheet, cell) == (
        Decimal("0.9375"),
        Decimal("0.9375"),
        "申诉处理",
        "H4",
    )
    assert reason.startswith(
        "申诉更正：高层建筑消防物联感知设备接入率的数值经申诉更正为“36”，按同一规则重新计分"
        "（指标I01「高层建筑消防物联感知设备接入率」数值36，分母48，比率75%"
    )
    assert reason.endswith("返还0.9375分：经核实接入36栋（依据申诉处理_2026Q2.xlsx 申诉处理!H4）")
    assert filed == [(Decimal("4.6875"), filed[0][1])]  # the filed row is kept as it was
    assert "数值30，分母48" in filed[0][1]
    assert after["JD06"] - before["JD06"] == adjustment == Decimal("0.94")
    book = openpyxl.load_workbook(config.out / "2026Q2" / "单位反馈" / "JD06_大溪沟街道.xlsx")
    assert [r[4] for r in table(book["得分情况"]) if r[0] == "申诉处理"] == [
        "I01 高层建筑消防物联感知设备接入率：更正（数值改为36），失分 1.31 → 0.37；经核实接入36栋"
    ]


def ruling_book(tmp_path: Path, rows: list[tuple]) -> Path:
    """Write a 申诉处理 workbook of the given rows (A..L) under a temp inbox; return the inbox."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "申诉处理"
    ws.append(["申诉处理"])
    ws.append([])
    ws.append([column.header for column in contract("申诉处理").columns])
    for row in rows:
        ws.append(list(row))
    folder = tmp_path / "inbox" / "2026Q2" / "申诉"
    folder.mkdir(parents=True)
    book.save(folder / "申诉处理_2026Q2.xlsx")
    return tmp_path / "inbox"


def test_bad_ruling_cells_are_named_and_the_workbook_is_not_used(tmp_path):
    from firescore.appeals import load_rulings
    from firescore.warehouse.store import connect

    config = load_config(ROOT / "firescore.toml")
    scheme = load_scheme(config.scheme)
    registries = load_registries(config.units, config.tasks, config.limits)
    claim = ("理由", "申诉表.xlsx 申诉表!F4")
    inbox = ruling_book(
        tmp_path,
        [
            (
                "JD07",
                "两路口街道",
                "T26",
                "加强微型消防站建设",
                3.46,
                *claim,
                "更正",
                0,
                "本季度开展次数",
                "2",
            ),
            (
                "JD07",
                "两路口街道",
                "火灾形势·火灾起数",
                "火灾起数",
                2,
                *claim,
                "更正",
                None,
                "数值",
                "1",
            ),
            ("JD06", "大溪沟街道", "I01", "接入率", 1.31, *claim, "更正", None, "数值", "三十六"),
            ("JD06", "大溪沟街道", "T06", "任务", 1, *claim, "更正", None, "完成日期", "下周"),
            ("JD08", "菜园坝街道", "I02", "整改率", 0.26, *claim, "更正", None, None, "47"),
            ("JD08", "菜园坝街道", "T01", "任务", 1, *claim, "更正", 1.5, None, None),
        ],
    )
    con = connect(Path(":memory:"))
    notes = load_rulings(con, inbox, "2026Q2", scheme, registries, config.limits)
    head = "2026Q2/申诉/申诉处理_2026Q2.xlsx 有错误，申诉处理结果均未采用："
    assert notes == [
        head + "申诉处理!I4「更正后失分」为“0”，应为：“更正后失分”与“更正项/更正后填报值”只填其一："
        "直接给出失分，或给出核实后的填报值重新计分",
        head + "申诉处理!J5「更正项」为“数值”，应为：项目 火灾形势·火灾起数 不是本单位的重点任务"
        "或工作指标，只能填写“更正后失分”",
        head + "申诉处理!K6「更正后填报值」为“三十六”，应为：数值的数字，如 12、0.85 或 85%",
        head
        + "申诉处理!K7「更正后填报值」为“下周”，应为：完成日期的日期，如 2026-06-30 或 2026年6月30日",
        head + "申诉处理!J8「更正项」为空，应为：“更正后填报值”所更正的填报项：完成状态、完成日期、"
        "本季度开展次数、佐证材料、数值",
        head + "申诉处理!I9「更正后失分」为“1.5”，应为：小于原失分 1 的失分",
    ]
    assert con.execute("SELECT count(*) FROM appeal_rulings").fetchone()[0] == 0


def test_a_form_received_after_the_window_is_refused_not_dropped(appealed, ruled):
    _, config, _, result = appealed
    # `appeals` lists it as refused, with its received time and the window's last day.
    lines = [line.strip() for line in result.output.splitlines()]
    assert "退回 " + LATE in lines
    assert not [line for line in lines if line.startswith("JD04 南纪门街道  T26")]
    # The run says it too: in 校验问题 and in the unit's feedback, like a file not read.
    validation = openpyxl.load_workbook(
        config.out / "2026Q2" / "validation" / "校验问题_2026Q2.xlsx"
    )
    cells = [c for ws in validation for row in ws.iter_rows(values_only=True) for c in row if c]
    assert any("南纪门申诉.xlsx" in str(c) and "已过申诉期" in str(c) for c in cells)
    feedback = openpyxl.load_workbook(config.out / "2026Q2" / "单位反馈" / "JD04_南纪门街道.xlsx")
    texts = [c for ws in feedback for row in ws.iter_rows(values_only=True) for c in row if c]
    assert any("截至 2026-07-20（含当日）），不予受理" in str(c) for c in texts)


def test_status_says_a_form_came_after_the_window(appealed):
    _, config, _, _ = appealed
    scheme = load_scheme(config.scheme)
    registries = load_registries(config.units, config.tasks, config.limits)
    from firescore.commands.status import quarter_status

    moment = datetime(2026, 7, 22, 12, 0, tzinfo=ZoneInfo(scheme.timezone))
    report = quarter_status(config, scheme, registries, "2026Q2", moment)
    assert LATE in report.notes


def test_the_window_counts_working_days_across_national_day():
    scheme = load_scheme(ROOT / "data_samples" / "scheme.yaml")
    assert (scheme.appeals.window.days, scheme.appeals.window.kind) == (5, "working")
    # Published Wednesday 30 September: 1–7 October are 国庆 holidays; Thursday 8, Friday 9,
    # Saturday 10 (a 调休 make-up working day), Monday 12 and Tuesday 13 October are the five.
    assert scheme.appeal_window_end(date(2026, 9, 30)) == date(2026, 10, 13)
    # Published Friday 10 July: Monday 13 to Friday 17 July.
    assert scheme.appeal_window_end(date(2026, 7, 10)) == date(2026, 7, 17)

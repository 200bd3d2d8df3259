"""Right of reply on the sample's 2026Q2: appeal forms pre-filled, filled in, checked, listed."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest
from typer.testing import CliRunner

from firescore import cli
from firescore.config import load_config
from firescore.intake.discover import discover
from firescore.quarter import run_quarter
from firescore.registry import load_registries
from firescore.scheme import load_scheme
from tests.readback import table

ROOT = Path(__file__).resolve().parent.parent
FORM = "JD07_两路口街道_2026年第二季度申诉表.xlsx"


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
    shutil.copytree(ROOT / "data_samples" / "inbox" / "2026Q2", root / "inbox" / "2026Q2")
    config = load_config(ROOT / "firescore.toml").with_overrides(
        inbox=root / "inbox", out=root / "out", warehouse=root / "out" / "wh.duckdb"
    )
    run_quarter(config, "2026Q2")
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


def test_appeals_lists_the_disputes_and_prefills_the_rulings_workbook(appealed):
    _, config, _, result = appealed
    assert result.exit_code == 0, result.output
    assert "收到申诉表 3 份，申诉事项 2 项" in result.output
    assert (
        "JD07 两路口街道  T26 加强微型消防站建设（失分 3.46）：本季度开展微型消防站拉练2次"
        in result.output
    )
    book = openpyxl.load_workbook(config.out / "2026Q2" / "申诉处理_2026Q2.xlsx")
    rows = table(book["申诉处理"])
    assert [r[:5] for r in rows] == [
        ("JD07", "两路口街道", "T26", "加强微型消防站建设", "3.46"),
        ("JD07", "两路口街道", "火灾形势·火灾起数", "火灾起数", "2.00"),
    ]
    assert rows[0][6] == "两路口街道申诉表.xlsx 申诉表!F4"
    assert rows[0][7:] == (None, None, None)  # 处理结果, 更正后失分, 处理说明: the office's


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
    """The office upholds the T26 dispute (lost 3.46 → 0) and rejects the other; run again."""
    root, config, _, _ = appealed
    before = scores(config)
    book = openpyxl.load_workbook(config.out / "2026Q2" / "申诉处理_2026Q2.xlsx")
    ws = book["申诉处理"]
    for row in ws.iter_rows(min_row=4):
        if row[2].value == "T26":
            row[7].value, row[8].value, row[9].value = "更正", 0, "经核实拉练记录，开展次数为2次"
        elif row[2].value:
            row[7].value, row[9].value = "维持", "火灾发生在辖区内，按规定计入"
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
    assert {u: t for u, t in after.items() if u != "JD07"} == {
        u: t for u, t in before.items() if u != "JD07"
    }
    with duckdb.connect(str(config.warehouse), read_only=True) as con:
        rows = con.execute(
            """
            SELECT unit_code, block, points, contribution, rule_id, source_sheet, source_cell, reason
            FROM ledger WHERE quarter = '2026Q2' AND rule_id = '申诉更正'
            """
        ).fetchall()
        disputed = con.execute(
            "SELECT points FROM ledger WHERE quarter = '2026Q2' AND unit_code = 'JD07' "
            "AND item_id = 'T26'"
        ).fetchall()
    assert [r[:7] for r in rows] == [
        ("JD07", "adjustment", Decimal("3.46"), Decimal("3.46"), "申诉更正", "申诉处理", "H4")
    ]
    assert rows[0][7] == (
        "申诉更正：加强微型消防站建设原失分3.46分，经申诉更正为0分，返还3.46分："
        "经核实拉练记录，开展次数为2次（依据申诉处理_2026Q2.xlsx 申诉处理!H4）"
    )
    assert disputed == [(Decimal("0"),)]  # the disputed row itself is never edited
    assert not [n for n in summary.notes if "申诉" in n]  # nothing open, nothing refused


def test_the_leader_workbook_shows_each_ruling_with_points_before_and_after(ruled):
    config = ruled[0]
    book = openpyxl.load_workbook(config.out / "2026Q2" / "考核结果_2026Q2.xlsx")
    assert book.sheetnames.index("申诉处理") == book.sheetnames.index("扣分明细") + 1
    rows = table(book["申诉处理"])
    assert [(r[0], r[2], r[5], r[6], r[7]) for r in rows] == [
        ("JD07", "T26", "更正", 3.46, 0),
        ("JD07", "火灾形势·火灾起数", "维持", 2, 2),
    ]
    assert rows[0][4] == "本季度开展微型消防站拉练2次，进展表误填为0"
    assert rows[1][8] == "火灾发生在辖区内，按规定计入"


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

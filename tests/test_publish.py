"""Publish step: the leaders' workbook and results.csv, read back from real files.

Golden XML parts live in tests/golden/leader_2026Q2/; regenerate them with
``FIRESCORE_UPDATE_GOLDEN=1 pytest tests/test_publish.py`` (or ``--update-golden`` when a
plugin registers that option) and review the diff before committing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from html import escape
from pathlib import Path

import duckdb
import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from firescore.atomic import Placer, atomic_path
from firescore.publish import PublishMeta, publish_feedback, publish_quarter
from firescore.publish.columns import ranking_columns
from firescore.publish.feedback import feedback_file_name
from firescore.publish.leader import chart_axis
from firescore.publish.queries import block_names
from firescore.publish.rows import (
    body_lines,
    display_width,
    line_height,
    row_height,
    text_lines,
    token_lines,
)
from firescore.publish.validation import publish_validation
from firescore.scheme import load_scheme, load_scheme_tables
from firescore.sql_runner import run_file
from scoring.runner import SQL_DIR
from tests.readback import (
    excel_decode,
    header_rows,
    headers,
    heading_lines,
    short_rows,
    table,
    tables,
)
from tests.scoring_fixtures import scheme as fixture_scheme

GOLDEN_DIR = Path(__file__).resolve().parent / "golden" / "leader_2026Q2"
SHEETS = ["排名总表", "镇街组", "部门组", "得分明细", "扣分明细", "报送情况", "校验问题", "说明"]

ROOT = Path(__file__).resolve().parents[1]
DDL = ROOT / "firescore" / "warehouse" / "schema.sql"
QUARTER = "2026Q2"
SHA_JD01 = "a" * 64
SHA_JD02_REJECTED = "b" * 64
SHA_JD02 = "c" * 64
SHA_ZD01 = "d" * 64
FORMULA_VALUE = '=HYPERLINK("http://evil.example","点我")'
FORMULA_REASON = "=1+1"
OFFICE = "渝中区消防安全委员会办公室"
# Long CJK texts: their rows must be as tall as their wrapped lines in every reader.
LONG_REASON = (
    "逾期未完成（推进中）得0.3：任务完成时限为2026年6月30日，截至报送日仍在推进，"
    "进展情况写明已完成主体施工、正在组织验收，佐证材料为施工合同和现场照片，"
    "按逾期完成计分规则折算后得分系数为0.3，请在下季度报送前完成验收并补充验收报告。"
)
LONG_MESSAGE = (
    "工作指标!D5「数值」不是数值：应填写阿拉伯数字（可带小数），不要填写文字、公式或单位；"
    "如本季度确无此项工作，请填0并在备注中说明原因，以免该指标按未填报处理。"
)

META = PublishMeta(
    district="渝中区",
    title="渝中区2026年度消防工作季度考核",
    quarter=QUARTER,
    quarter_label="2026年第二季度",
    as_of=datetime(2026, 7, 15, 9, 30),
    run_id="run-20260715-0930",
    scheme_lines=[
        ("考核板块", "重点任务落实、工作指标、火灾形势、信息报送，按适用板块折算为百分制。"),
        ("等次", "优秀≥90，良好≥80，合格≥60，不合格<60。"),
    ],
    deadline=date(2026, 7, 10),
    office=OFFICE,
    attachment="附件1",
)

UNITS = [
    # unit_code, unit_name, grp, region, place_types, ranked
    ("JD01", "解放碑街道", "镇街组", "中心城区", [], True),
    ("JD02", "七星岗街道", "镇街组", "中心城区", [], True),
    ("JD03", "朝天门街道", "镇街组", "中心城区", [], True),
    ("BM03", "区教委", "部门组", None, ["学校"], True),
    ("BM01", "区应急管理局", "部门组", None, ["危化品"], True),
    ("BM02", "区商务委", "部门组", None, [], True),
    ("ZD01", "区消防救援支队", "部门组", None, [], False),
]

# unit_code, name, grp, ranked, tasks, indicators, fire, reporting, maxima (t, i, f, r),
# adjustment, total, grade, veto, veto_reason, rank, rank_change
SCORES = [
    ("JD01", "解放碑街道", "镇街组", True, "40.675", "22.125", "25", "5", (45, 25, 25, 5),
     "3", "84.125", "良好", False, None, 1, 2),
    ("JD02", "七星岗街道", "镇街组", True, "38", None, "20", "4", (45, None, 25, 5),
     "-2.12", "78.5", "合格", False, None, 2, -1),
    ("JD03", "朝天门街道", "镇街组", True, "44", "24", "10", "5", (45, 25, 25, 5),
     "0", "88", "不合格", True, "较大火灾1起（F2026-007）", 3, 0),
    ("BM03", "区教委", "部门组", True, "45", "20", None, "10", (50, 25, None, 10),
     "0", "88.24", "良好", False, None, 2, None),
    ("BM01", "区应急管理局", "部门组", True, "50", "25", "15", "10", (50, 25, 15, 10),
     "0", "100", "优秀", False, None, 1, None),
    ("BM02", "区商务委", "部门组", True, "45", "20", None, "10", (50, 25, None, 10),
     "0", "88.24", "良好", False, None, 2, 1),
    ("ZD01", "区消防救援支队", "部门组", False, None, None, None, None, (None,) * 4,
     "0", "0", "不合格", False, None, None, None),
]  # fmt: skip

# unit_code, block, item_id, item_name, max, points, reason, sha, sheet, cell
LEDGER = [
    ("JD01", "tasks", "T01", "高层建筑消防设施改造", "5", "5", "已完成，按时", SHA_JD01, "任务进展", "C5"),
    ("JD01", "tasks", "T02", "电动自行车集中充电设施建设", "5", "1.5", LONG_REASON, SHA_JD01, "任务进展", "C6"),
    ("JD01", "indicators", "I02", "火灾隐患整改率", "5", "3.125", FORMULA_REASON, SHA_JD01, "工作指标", "D5"),
    ("JD01", "adjustment", "A001", "通报表扬（区级）", "0", "3", "区安委办通报表扬", None, None, None),
    ("JD02", "reporting", "R01", "按时报送", "5", "4", "逾期1天", SHA_JD02, None, None),
    ("JD02", "adjustment", "A002", "通报批评（区级）", "0", "-2.125", "区政府通报批评", None, None, None),
    ("JD03", "fire", "F02", "亡人", "10", "0", "较大火灾致3人死亡", SHA_ZD01, "火灾情况", "G9"),
    ("BM01", "tasks", "T01", "危化品企业专项检查", "10", "10", "已完成，按时", None, None, None),
]  # fmt: skip

RAW_FILES = [
    # sha256, unit_code, file_name, received_at, valid
    (SHA_JD01, "JD01", "解放碑街道_2026Q2.xlsx", "2026-07-09 16:30:00+00", True),
    (SHA_JD02_REJECTED, "JD02", "七星岗_初稿.xlsx", "2026-07-08 02:00:00+00", False),
    (SHA_JD02, "JD02", "七星岗_修改.xlsx", "2026-07-11 02:00:00+00", True),
    (SHA_ZD01, "ZD01", "火灾情况_2026Q2.xlsx", "2026-07-05 01:00:00+00", True),
]

SUBMISSIONS = [
    # unit_code, status, sha256, file_name, received_at, days_late, rejected_versions
    ("JD01", "按时报送", SHA_JD01, "解放碑街道_2026Q2.xlsx", "2026-07-09 16:30:00+00", 0, 0),
    ("JD02", "逾期报送", SHA_JD02, "七星岗_修改.xlsx", "2026-07-11 02:00:00+00", 1, 1),
    ("JD03", "未报送", None, None, None, None, 0),
    ("BM01", "按时报送", None, "应急局.xlsx", "2026-07-01 08:00:00+00", 0, 0),
]

ISSUES = [
    # sha256, unit_code, severity, rule_id, sheet, cell, column, value, expected, message
    (SHA_JD02, "JD02", "warning", "W_PROGRESS", "任务进展", "C12", "进展情况", None, "填写进展情况",
     "任务进展!C12「进展情况」为空，推进中的任务应填写进展情况"),
    (SHA_JD02_REJECTED, "JD02", "error", "E_STATUS", "任务进展", "C7", "完成状态", "已完",
     "已完成、推进中、未启动", "任务进展!C7「完成状态」为“已完”，应为：已完成、推进中、未启动"),
    (SHA_JD02, "JD02", "warning", "W_PROGRESS", "任务进展", "C7", "进展情况", None, "填写进展情况",
     "任务进展!C7「进展情况」为空，推进中的任务应填写进展情况"),
    (SHA_JD01, "JD01", "warning", "W_OUTLIER", "工作指标", "D5", "数值", FORMULA_VALUE, "数值",
     LONG_MESSAGE),
]  # fmt: skip


def build_warehouse() -> duckdb.DuckDBPyConnection:
    """Return an in-memory warehouse with the tiny tables above for 2026Q2."""
    con = duckdb.connect()
    con.execute(DDL.read_text(encoding="utf-8"))
    con.executemany("INSERT INTO units VALUES (?, ?, ?, ?, ?, ?)", UNITS)
    con.executemany(
        """INSERT INTO unit_scores VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
           0, 0, 0, ?, ?, ?, ?, ?, ?, ?, true)""",
        [(QUARTER, *s[:8], *s[8], *s[9:]) for s in SCORES],
    )
    con.executemany(
        "INSERT INTO ledger VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'rule', ?, ?, ?)",
        [
            (QUARTER, u, b, i, n, m, p, p, r, sha, sh, c)
            for u, b, i, n, m, p, r, sha, sh, c in LEDGER
        ],
    )
    con.executemany(
        """INSERT INTO raw_files VALUES (?, ?, ?, ?, ?, ?, '收件登记', 1000, 'xlsx', NULL, ?,
           'run-0', TIMESTAMPTZ '2026-07-12 00:00:00+00')""",
        [
            (sha, QUARTER, unit, f"{QUARTER}/{unit}/{name}", name, at, ok)
            for sha, unit, name, at, ok in RAW_FILES
        ],
    )
    con.executemany(
        "INSERT INTO submissions VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(QUARTER, *s) for s in SUBMISSIONS],
    )
    con.executemany(
        "INSERT INTO raw_issues VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(i[0], QUARTER, *i[1:]) for i in ISSUES],
    )
    # the ledger as shown, by the scoring's own stage (its macros need the scheme's tables)
    load_scheme_tables(con, load_scheme(ROOT / "data_samples" / "scheme.yaml"))
    for stage in ("00_macros.sql", "90_shown_ledger.sql"):
        run_file(con, SQL_DIR / stage, {"quarter": QUARTER})
    return con


# Publish once per module: every test below reads the same files.


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Return [workbook, results.csv] published from the tiny warehouse."""
    con = build_warehouse()
    return publish_quarter(con, META, tmp_path_factory.mktemp("out"))


@pytest.fixture(scope="module")
def book(published: list[Path]) -> openpyxl.Workbook:
    """Return the leaders' workbook as openpyxl reads it."""
    return openpyxl.load_workbook(published[0])


def test_outputs_land_in_the_quarter_folder(published: list[Path]) -> None:
    workbook, csv = published
    assert workbook.name == "考核结果_2026Q2.xlsx"
    assert csv.name == "results.csv"
    assert workbook.parent.name == csv.parent.name == "2026Q2"
    # Atomic writes leave no temporary file behind (the digests say what they were made from).
    assert sorted(p.name for p in workbook.parent.iterdir()) == [
        ".firescore-digests.json",
        "results.csv",
        "考核结果_2026Q2.xlsx",
    ]


def test_sheet_names_and_order(book) -> None:
    assert book.sheetnames == SHEETS


def test_every_sheet_reads_like_an_office_attachment(book) -> None:
    for ws in book:
        title = f"渝中区2026年第二季度消防工作考核结果（征求意见稿）——{ws.title}"
        # 附件 label top left, the title, then the issuing office and the date of the data.
        assert heading_lines(ws)[:3] == [
            "附件1",
            title,
            f"{OFFICE}　　数据截至：2026年7月15日 09:30",
        ]
        assert ws["A1"].font.name == "黑体" and ws["A1"].alignment.horizontal == "left"
        last = openpyxl.utils.get_column_letter(ws.max_column)
        merged = {str(r) for r in ws.merged_cells.ranges if r.min_row <= 3}
        assert merged == {f"A1:{last}1", f"A2:{last}2", f"A3:{last}3"}, ws.title
        assert ws["A2"].font.name == "黑体"
        assert ws["A2"].font.sz == 16


def test_ranking_headers_state_each_groups_full_points(book) -> None:
    ranking = book["排名总表"]
    assert headers(ranking, 0) == [
        "排名", "单位代码", "单位名称", "考核组",
        "重点任务落实\n（满分45）", "工作指标\n（满分25）",
        "火灾形势\n（满分25）", "信息报送\n（满分5）",
        "折算系数", "加减分", "总分", "等次", "一票否决", "较上季度",
    ]  # fmt: skip
    expected = [
        "重点任务落实\n（满分50）", "工作指标\n（满分25）", "火灾形势\n（满分15）", "信息报送\n（满分10）",
    ]  # fmt: skip
    assert headers(ranking, 1)[4:8] == expected
    assert headers(book["部门组"])[4:8] == expected


def test_ranking_is_one_table_per_group_by_rank_then_code_with_blank_na_blocks(book) -> None:
    ws = book["排名总表"]
    streets, departments = tables(ws)
    assert streets == [
        (1, "JD01", "解放碑街道", "镇街组", 40.68, 22.13, 25, 5, None, 3, 84.13, "良好", "否", "↑2"),
        # 折算系数 only for a unit with a block not applicable: 100 / (45 + 25 + 5)
        (2, "JD02", "七星岗街道", "镇街组", 38, None, 20, 4, 1.333333, -2.12, 78.5, "合格", "否", "↓1"),
        (3, "JD03", "朝天门街道", "镇街组", 44, 24, 10, 5, None, 0, 88, "不合格", "是", "持平"),
    ]  # fmt: skip
    assert departments == [
        (1, "BM01", "区应急管理局", "部门组", 50, 25, 15, 10, None, 0, 100, "优秀", "否", None),
        (2, "BM02", "区商务委", "部门组", 45, 20, None, 10, 1.176471, 0, 88.24, "良好", "否", "↑1"),
        (2, "BM03", "区教委", "部门组", 45, 20, None, 10, 1.176471, 0, 88.24, "良好", "否", None),
    ]  # fmt: skip
    # Each table under its group's heading, a blank row between, the second on a new page.
    first, second = header_rows(ws)
    assert ws.cell(first - 1, 1).value == "镇街组（3个单位）"
    assert ws.cell(second - 1, 1).value == "部门组（3个单位）"
    assert ws.cell(first - 1, 1).font.name == "黑体"
    assert all(c.value is None for c in ws[second - 2])
    assert [b.id for b in ws.row_breaks.brk] == [second - 2]
    # The unranked fire detachment is not listed.
    assert "ZD01" not in {row[1] for rows in tables(ws) for row in rows}


def test_group_sheets_hold_their_group_and_a_chart_of_totals(book, published) -> None:
    streets, departments = tables(book["排名总表"])
    assert table(book["镇街组"]) == streets
    assert table(book["部门组"]) == departments
    assert len(book["镇街组"]._charts) == 1
    assert len(book["部门组"]._charts) == 1
    assert len(book["排名总表"]._charts) == 0
    with zipfile.ZipFile(published[0]) as z:
        chart = z.read("xl/charts/chart1.xml").decode()
    assert "<c:barChart>" in chart and '<c:barDir val="col"/>' in chart
    assert "镇街组!$C$5:$C$7" in chart and "镇街组!$K$5:$K$7" in chart


def test_group_charts_start_near_the_lowest_total_and_mark_vetoed_units(published) -> None:
    with zipfile.ZipFile(published[0]) as z:
        streets = z.read("xl/charts/chart1.xml").decode()
        departments = z.read("xl/charts/chart2.xml").decode()
    # Lowest street total 78.50: the axis starts at 70, not 0, so 84 and 88 look different.
    assert '<c:min val="70"/>' in streets
    assert '<c:min val="80"/>' in departments  # lowest 88.24
    assert '<c:max val="90"/>' in streets and '<c:majorUnit val="5"/>' in streets
    # JD03 (third bar) is vetoed: a red bar, labelled, and a note says what red means.
    assert '<c:dPt><c:idx val="2"/>' in streets and "C00000" in streets
    assert "88.00 一票否决" in streets and "注：红色为一票否决单位。" in streets
    assert "<c:dPt>" not in departments and "一票否决" not in departments


def test_a_total_far_below_the_rest_does_not_pull_the_axis_to_zero() -> None:
    # A unit that sent nothing (0) would make 90 and 97 look alike: the axis starts at 85.
    assert chart_axis([Decimal(t) for t in ("97", "95", "92", "90", "0")]) == {
        "min": 85, "max": 100, "major_unit": 5,
    }  # fmt: skip
    assert chart_axis([Decimal("62.5"), Decimal("97"), None])["min"] == 55  # no outlier at all
    assert chart_axis([Decimal("3"), Decimal("100")]) == {"min": 0, "max": 105, "major_unit": 15}


def test_score_cells_use_two_decimal_format(book) -> None:
    ws = book["排名总表"]
    first = header_rows(ws)[0] + 1
    for col in "EFGHJK":
        assert ws[f"{col}{first}"].number_format == "0.00", col
    assert ws[f"I{first + 1}"].number_format == "0.0000##"  # JD02's 折算系数
    # JD02's n/a block: a styled blank.
    assert ws[f"F{first + 1}"].value is None and ws[f"F{first + 1}"].number_format == "0.00"
    assert book["扣分明细"]["H5"].number_format == "0.00"
    assert book["报送情况"]["E5"].number_format == "yyyy-mm-dd hh:mm"


def test_body_font_is_songti_and_header_heiti(book) -> None:
    for ws in book:
        header = header_rows(ws)[0]
        assert ws.cell(header, 1).font.name == "黑体", ws.title
        body = ws.cell(header + 1, 1)
        assert body.font.name == "宋体", ws.title
        assert body.font.scheme is None  # not tied to the theme's Latin font
        assert ws.cell(header + 1, 2).border.left.style == "thin"


def test_veto_shown_in_alert_style(book) -> None:
    ws = book["排名总表"]
    first = header_rows(ws)[0] + 1  # JD01, JD02, JD03 (vetoed)
    assert ws[f"M{first + 2}"].value == "是" and ws[f"M{first + 2}"].font.color.rgb == "FFC00000"
    assert ws[f"M{first}"].value == "否" and not ws[f"M{first}"].font.b


def test_every_sheet_is_print_ready(book, published) -> None:
    for ws in book:
        assert ws.page_setup.paperSize == 9, ws.title
        assert ws.page_setup.orientation == "landscape"
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.fitToWidth in (None, 1)  # 1 is the default, so not written
        assert ws.page_setup.fitToHeight == 0
        assert ws.oddFooter.center.text == "&P/&N"
        if ws.title == "排名总表":
            continue  # two tables, each with its header, the second on its own page
        assert ws.print_title_rows == "$4:$4"
        assert ws.freeze_panes == "A5"
    with zipfile.ZipFile(published[0]) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert '<pageSetup paperSize="9" fitToHeight="0" orientation="landscape"/>' in sheet
    assert '<pageSetUpPr fitToPage="1"/>' in sheet


def test_column_widths_count_cjk_as_two(book) -> None:
    assert display_width("区应急管理局") == 12
    assert display_width("JD01") == 4
    assert display_width("重点任务落实\n（满分45）") == 12
    # 单位名称: widest is 区应急管理局 (12) + padding 2.
    assert book["排名总表"].column_dimensions["C"].width == pytest.approx(14, abs=1)
    # 说明 of 扣分明细 wraps at its cap instead of growing without bound.
    assert book["说明"].column_dimensions["B"].width <= 91


def test_text_lines_count_cjk_as_two_and_keep_latin_words_whole() -> None:
    # 30 CJK characters are 60 units; a 21-unit column holds 20 of them a line (1 for margins).
    assert text_lines("消" * 30, 21) == 3
    assert text_lines("消" * 30, 61) == 1
    assert text_lines("第一行\n第二行\n\n第四行", 40) == 4  # explicit line breaks
    # "firescore" (9) does not fit after 8 units of text in a 13-unit column: it moves down.
    assert text_lines("消防工作 firescore", 13) == 2
    assert text_lines("x" * 25, 11) == 3  # a word longer than a line is broken
    assert text_lines("消" * 10, 21, font_size=22) == 2  # twice the font, twice the width
    assert row_height(1) == 18 and row_height(3) == 48  # 3 × 11 pt × 1.35 + 3 pt of air
    assert row_height(100) == 409  # Excel's tallest row


# Text as a ledger's 说明 holds it: CJK, full-width marks, Latin words and numbers, spaces.
ledger_text = st.text(alphabet="消防安全检查「」（），。abcXYZ12-. 　", max_size=80)


@given(paragraph=ledger_text, usable=st.integers(min_value=2, max_value=70))
@settings(max_examples=500, deadline=None)
def test_body_lines_break_where_the_token_rule_breaks(paragraph: str, usable: int) -> None:
    # The bisection on running widths (body_lines, every long cell of a ledger) must give the
    # lines of the rule itself, followed token by token: a row sized otherwise cuts its text.
    lines = body_lines(paragraph, usable)
    assert lines is None or lines == token_lines(paragraph, usable, 1)


def test_every_row_is_as_tall_as_its_wrapped_text(book) -> None:
    for ws in book:
        assert short_rows(ws) == [], ws.title
    # The long reason (about 140 CJK characters) in a 说明 column of 60: at least 4 lines.
    details = book["得分明细"]
    (row,) = [r for r in range(1, details.max_row + 1) if details.cell(r, 8).value == LONG_REASON]
    assert details.row_dimensions[row].height >= 4 * line_height()
    lost = book["扣分明细"]
    (row,) = [r for r in range(1, lost.max_row + 1) if lost.cell(r, 10).value == LONG_REASON]
    assert lost.row_dimensions[row].height >= 4 * line_height()


def test_user_text_starting_with_equals_stays_text(book, published) -> None:
    issue = book["校验问题"]["H5"]
    assert issue.value == FORMULA_VALUE and issue.data_type == "s"
    reason = book["得分明细"]["H7"]
    assert reason.value == FORMULA_REASON and reason.data_type == "s"
    with zipfile.ZipFile(published[0]) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/")]
    assert not any("<f>" in xml for xml in sheets)


def test_score_details_list_every_ledger_row(book) -> None:
    rows = table(book["得分明细"])
    assert [(r[0], r[2], r[3]) for r in rows] == [
        ("JD01", "重点任务落实", "T01"),
        ("JD01", "重点任务落实", "T02"),
        ("JD01", "工作指标", "I02"),
        # 项目编号: task and indicator ids only, never an internal key
        ("JD01", "加减分", None),
        ("JD02", "信息报送", None),
        ("JD02", "加减分", None),
        ("JD03", "火灾形势", None),
        ("BM01", "重点任务落实", "T01"),
    ]
    assert rows[3][5] is None  # an adjustment has no full points


def test_lost_points_with_reason_and_source_cell(book) -> None:
    assert table(book["扣分明细"]) == [
        ("JD01", "解放碑街道", "重点任务落实", "T02", "电动自行车集中充电设施建设", 5, 1.5, 3.5, None,
         LONG_REASON, "解放碑街道_2026Q2.xlsx", "任务进展", "C6"),
        # 失分 = 满分 shown − 得分 shown (5.00 − 3.13), not the exact 1.875 rounded
        ("JD01", "解放碑街道", "工作指标", "I02", "火灾隐患整改率", 5, 3.13, 1.87, None,
         FORMULA_REASON, "解放碑街道_2026Q2.xlsx", "工作指标", "D5"),
        ("JD02", "七星岗街道", "信息报送", None, "按时报送", 5, 4, 1, None,
         "逾期1天", "七星岗_修改.xlsx", None, None),
        ("JD02", "七星岗街道", "加减分", None, "通报批评（区级）", None, -2.12, 2.12, None,
         "区政府通报批评", None, None, None),
        ("JD03", "朝天门街道", "火灾形势", None, "亡人", 10, 0, 10, None,
         "较大火灾致3人死亡", "火灾情况_2026Q2.xlsx", "火灾情况", "G9"),
    ]  # fmt: skip


def test_submissions_show_local_shanghai_time(book) -> None:
    assert table(book["报送情况"]) == [
        # 2026-07-09 16:30 UTC is 2026-07-10 00:30 in Shanghai: on the deadline day.
        ("JD01", "解放碑街道", "镇街组", "按时报送", datetime(2026, 7, 10, 0, 30), 0, 0,
         "解放碑街道_2026Q2.xlsx"),
        ("JD02", "七星岗街道", "镇街组", "逾期报送", datetime(2026, 7, 11, 10, 0), 1, 1,
         "七星岗_修改.xlsx"),
        ("JD03", "朝天门街道", "镇街组", "未报送", None, None, 0, None),
        ("BM01", "区应急管理局", "部门组", "按时报送", datetime(2026, 7, 1, 16, 0), 0, 0,
         "应急局.xlsx"),
    ]  # fmt: skip


def test_issues_by_unit_file_and_cell_in_reading_order(book) -> None:
    rows = table(book["校验问题"])
    assert [(r[0], r[2], r[3], r[5]) for r in rows] == [
        ("JD01", "解放碑街道_2026Q2.xlsx", "警告", "D5"),
        ("JD02", "七星岗_初稿.xlsx", "错误", "C7"),  # the rejected, earlier file first
        ("JD02", "七星岗_修改.xlsx", "警告", "C7"),
        ("JD02", "七星岗_修改.xlsx", "警告", "C12"),  # C7 before C12
    ]
    assert rows[1][9] == "任务进展!C7「完成状态」为“已完”，应为：已完成、推进中、未启动"


def test_notes_state_scheme_veto_as_of_and_run(book) -> None:
    notes = dict(table(book["说明"]))
    assert notes["考核名称"] == "渝中区2026年度消防工作季度考核"
    assert notes["报送截止日期"] == "2026年7月10日"
    assert notes["等次"] == "优秀≥90，良好≥80，合格≥60，不合格<60。"
    assert notes["一票否决"] == "朝天门街道（JD03）：较大火灾1起（F2026-007）"
    assert notes["数据截至"] == "2026年7月15日 09:30"
    assert notes["运行编号"] == "run-20260715-0930"
    assert "firescore" in notes["生成"]


def test_created_time_is_the_as_of_time(book) -> None:
    # 09:30 in Shanghai is 01:30 UTC.
    assert book.properties.created == datetime(2026, 7, 15, 1, 30)


def test_results_csv_exact(published: list[Path]) -> None:
    raw = published[1].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM, so Excel shows the Chinese
    assert excel_decode(raw) == (
        "unit_code,unit_name,group,tasks_score,indicators_score,fire_score,reporting_score,"
        "adjustment,total,grade,veto,rank\n"
        # 40.675 -> 40.68 and 22.125 -> 22.13 (half-up; float formatting would give 40.67);
        # total 84.125 stored in DECIMAL(18,2) -> 84.13.
        "JD01,解放碑街道,镇街组,40.68,22.13,25.00,5.00,3.00,84.13,良好,false,1\n"
        "JD02,七星岗街道,镇街组,38.00,,20.00,4.00,-2.12,78.50,合格,false,2\n"
        "JD03,朝天门街道,镇街组,44.00,24.00,10.00,5.00,0.00,88.00,不合格,true,3\n"
        "BM01,区应急管理局,部门组,50.00,25.00,15.00,10.00,0.00,100.00,优秀,false,1\n"
        "BM02,区商务委,部门组,45.00,20.00,,10.00,0.00,88.24,良好,false,2\n"
        "BM03,区教委,部门组,45.00,20.00,,10.00,0.00,88.24,良好,false,2\n"
    )


def test_second_publish_is_byte_identical(published: list[Path], tmp_path: Path) -> None:
    again = publish_quarter(build_warehouse(), META, tmp_path)
    for first, second in zip(published, again, strict=True):
        assert first.read_bytes() == second.read_bytes(), first.name
    # Publishing over existing files replaces them with the same bytes.
    third = publish_quarter(build_warehouse(), META, tmp_path)
    assert [p.read_bytes() for p in third] == [p.read_bytes() for p in published]


def test_publish_refuses_an_unscored_quarter(tmp_path: Path) -> None:
    con = build_warehouse()
    meta = PublishMeta(**{**META.__dict__, "quarter": "2026Q3", "quarter_label": "2026年第三季度"})
    with pytest.raises(ValueError, match="2026Q3"):
        publish_quarter(con, meta, tmp_path)
    assert not (tmp_path / "2026Q3").exists()


def test_failed_write_keeps_the_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "results.csv"
    target.write_text("old\n", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("disk full")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["results.csv"]


def test_files_handed_to_a_placer_are_whole_and_in_place_when_it_closes(tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "inside").write_text("a folder, not a file", encoding="utf-8")
    with pytest.raises(OSError), Placer() as placer:
        for name in ["a.txt", "taken", "b.txt"]:
            with atomic_path(tmp_path / name, placer) as tmp:
                tmp.write_text(name * 1000, encoding="utf-8")
    # The files that could be placed are whole; the one that could not left no temporary file.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt", "taken"]
    assert (tmp_path / "b.txt").read_text(encoding="utf-8") == "b.txt" * 1000


def update_golden(request: pytest.FixtureRequest) -> bool:
    """Return whether goldens are to be rewritten (env var, or --update-golden if registered)."""
    return os.environ.get("FIRESCORE_UPDATE_GOLDEN") == "1" or bool(
        request.config.getoption("--update-golden", default=False)
    )


def test_workbook_xml_matches_golden(published: list[Path], request: pytest.FixtureRequest) -> None:
    with zipfile.ZipFile(published[0]) as z:
        parts = {name: z.read(name) for name in sorted(z.namelist())}
    if update_golden(request):
        for stale in GOLDEN_DIR.rglob("*"):
            if stale.is_file():
                stale.unlink()
        for name, data in parts.items():
            (GOLDEN_DIR / name).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN_DIR / name).write_bytes(data)
    assert GOLDEN_DIR.is_dir(), "no golden files: run with FIRESCORE_UPDATE_GOLDEN=1"
    golden = sorted(
        p.relative_to(GOLDEN_DIR).as_posix() for p in GOLDEN_DIR.rglob("*") if p.is_file()
    )
    assert golden == list(parts)
    for name, data in parts.items():
        assert data.decode("utf-8") == (GOLDEN_DIR / name).read_text(encoding="utf-8"), name


# Units' feedback workbooks.

FEEDBACK_SHEETS = ["得分情况", "失分明细", "校验问题", "整改建议"]


@pytest.fixture(scope="module")
def feedback(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Return the feedback workbooks published from the tiny warehouse."""
    return publish_feedback(build_warehouse(), META, tmp_path_factory.mktemp("feedback"))


def feedback_book(paths: list[Path], code: str) -> openpyxl.Workbook:
    """Return the feedback workbook of unit ``code``."""
    (path,) = [p for p in paths if p.name.startswith(f"{code}_")]
    return openpyxl.load_workbook(path)


def test_one_feedback_workbook_per_unit(feedback: list[Path]) -> None:
    assert [p.name for p in feedback] == [
        "JD01_解放碑街道.xlsx",
        "JD02_七星岗街道.xlsx",
        "JD03_朝天门街道.xlsx",
        "BM01_区应急管理局.xlsx",
        "BM02_区商务委.xlsx",
        "BM03_区教委.xlsx",
        "ZD01_区消防救援支队.xlsx",
    ]
    assert {p.parent.relative_to(p.parents[2]).as_posix() for p in feedback} == {"2026Q2/单位反馈"}
    assert feedback_file_name("BM09", 'a/b:c*"d"') == "BM09_a_b_c__d_.xlsx"


def test_feedback_summary_scores_rank_and_submission(feedback: list[Path]) -> None:
    book = feedback_book(feedback, "JD02")
    assert book.sheetnames == FEEDBACK_SHEETS
    ws = book["得分情况"]
    assert heading_lines(ws) == [
        "渝中区2026年第二季度消防工作考核反馈（征求意见稿）——七星岗街道（得分情况）",
        f"{OFFICE}　　数据截至：2026年7月11日 10:00",  # no 附件 label: sent to the unit itself
    ]
    assert table(ws) == [
        ("单位", None, None, None, "七星岗街道（JD02）"),
        ("重点任务落实", 45, 38, 7, None),
        ("工作指标", None, None, None, "本板块不适用，不计分。"),
        ("火灾形势", 25, 20, 5, None),
        ("信息报送", 5, 4, 1, None),
        ("折算系数", None, None, None, "1.333333（100÷适用板块满分之和）"),
        ("加减分", None, -2.12, None, "加分（封顶后）减去扣分。"),
        ("总分", None, 78.5, None, "适用板块得分之和乘折算系数后加加减分（四舍五入保留两位小数）。"),
        ("等次", None, None, None, "合格"),
        ("一票否决", None, None, None, "否"),
        ("组内排名", None, None, None, "镇街组第2名（共3个单位）"),
        ("较上季度", None, None, None, "↓1"),
        ("报送情况", None, None, None,
         "逾期报送，接收时间2026年7月11日 10:00，逾期1天，退回1个版本，使用文件：七星岗_修改.xlsx"),
        # A unit's feedback is as of the receipt of its own file, not the quarter's newest one.
        ("数据截至", None, None, None, "2026年7月11日 10:00"),
    ]  # fmt: skip
    assert ws["C5"].number_format == "0.00"  # 重点任务落实 得分


def test_feedback_veto_and_unranked_units(feedback: list[Path]) -> None:
    veto = dict((r[0], r[4]) for r in table(feedback_book(feedback, "JD03")["得分情况"]))
    assert veto["一票否决"] == "是：较大火灾1起（F2026-007）"
    assert veto["较上季度"] == "持平"
    assert veto["报送情况"] == "未报送"
    unranked = [r[0] for r in table(feedback_book(feedback, "ZD01")["得分情况"])]
    assert unranked == ["单位", "考核得分", "报送情况", "数据截至"]


def test_feedback_lists_only_own_lost_points_and_issues(feedback: list[Path]) -> None:
    book = feedback_book(feedback, "JD01")
    assert headers(book["失分明细"]) == [
        "板块", "项目编号", "项目", "满分", "得分", "失分", "连续失分", "原因", "来源文件", "工作表",
        "单元格",
    ]  # fmt: skip
    assert [(r[1], r[5], r[10]) for r in table(book["失分明细"])] == [
        ("T02", 3.5, "C6"),
        ("I02", 1.87, "D5"),
    ]
    issues = table(book["校验问题"])
    assert [(r[0], r[1], r[3]) for r in issues] == [("解放碑街道_2026Q2.xlsx", "警告", "D5")]
    assert book["校验问题"]["F4"].data_type == "s" and book["校验问题"]["F4"].value == FORMULA_VALUE


def test_feedback_advice_per_block_that_lost_points(feedback: list[Path]) -> None:
    rows = table(feedback_book(feedback, "JD02")["整改建议"])
    assert [(r[0], r[1]) for r in rows] == [("信息报送", 1), ("加减分", 2.12), ("校验问题", None)]
    assert "通报批评（区级）" in rows[1][2]
    assert rows[2][2] == "请按「校验问题」表逐项修正（错误1项、警告2项），下次报送前先自查。"
    assert table(feedback_book(feedback, "BM02")["整改建议"]) == [
        ("—", None, "本季度各板块均未失分，请继续保持。")
    ]


def test_feedback_is_print_ready_and_reproducible(feedback: list[Path], tmp_path: Path) -> None:
    book = feedback_book(feedback, "JD01")
    for ws in book:
        assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
        assert ws.page_setup.fitToHeight == 0 and ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == "$3:$3" and ws.freeze_panes == "A4"
        assert ws["A4"].font.name == "宋体"
        assert short_rows(ws) == [], ws.title
    again = publish_feedback(build_warehouse(), META, tmp_path)
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in feedback]


def test_feedback_rewrites_only_units_whose_content_changed(tmp_path) -> None:
    """A re-run rewrites a unit's feedback only when what it shows changed."""
    con = build_warehouse()
    paths = publish_feedback(con, META, tmp_path)
    stamps = {p.name: p.stat().st_mtime_ns for p in paths}
    before = {p.name: p.read_bytes() for p in paths}
    con.execute(
        "UPDATE unit_scores SET total = total - 1 WHERE unit_code = $u", {"u": paths[0].name[:4]}
    )
    again = publish_feedback(con, replace(META, run_id="other-run"), tmp_path)
    changed = [p.name for p in again if p.stat().st_mtime_ns != stamps[p.name]]
    assert changed == [paths[0].name]
    assert all(p.read_bytes() == before[p.name] for p in again[1:])


def test_feedback_deleted_by_hand_is_written_again_and_no_other(tmp_path) -> None:
    """A unit's workbook someone deleted comes back on the next run; the rest are left alone."""
    con = build_warehouse()
    paths = publish_feedback(con, META, tmp_path)
    stamps = {p.name: p.stat().st_mtime_ns for p in paths}
    content = paths[1].read_bytes()
    paths[1].unlink()
    again = publish_feedback(con, replace(META, run_id="other-run"), tmp_path)
    assert again[1].read_bytes() == content
    assert [p.name for p in again if p.stat().st_mtime_ns != stamps[p.name]] == [paths[1].name]


def test_feedback_rows_fit_long_text_and_titles_are_never_cut(feedback: list[Path]) -> None:
    book = feedback_book(feedback, "JD01")
    for ws in book:
        assert short_rows(ws) == [], ws.title
        # The title is merged across the table, which is wide enough for it at 16 pt.
        title = ws["A1"].value
        width = sum(
            ws.column_dimensions[openpyxl.utils.get_column_letter(c)].width
            for c in range(1, ws.max_column + 1)
        )
        assert width >= display_width(title) * 16 / 11, ws.title
        assert f"A1:{openpyxl.utils.get_column_letter(ws.max_column)}1" in {
            str(r) for r in ws.merged_cells.ranges
        }
    lost = book["失分明细"]
    (row,) = [r for r in range(1, lost.max_row + 1) if lost.cell(r, 8).value == LONG_REASON]
    assert lost.row_dimensions[row].height >= 4 * line_height()
    issues = book["校验问题"]
    (row,) = [r for r in range(1, issues.max_row + 1) if issues.cell(r, 8).value == LONG_MESSAGE]
    assert issues.row_dimensions[row].height >= 3 * line_height()


def test_an_empty_feedback_table_says_none_instead_of_bare_headers(feedback: list[Path]) -> None:
    book = feedback_book(feedback, "BM02")  # lost nothing, sent no file with issues
    for sheet in ("失分明细", "校验问题"):
        ws = book[sheet]
        (header,) = header_rows(ws)
        assert ws.cell(header + 1, 1).value == "无", sheet
        assert ws.max_row == header + 1  # nothing below
        last = openpyxl.utils.get_column_letter(ws.max_column)
        assert f"A{header + 1}:{last}{header + 1}" in {str(r) for r in ws.merged_cells.ranges}
        assert ws.auto_filter.ref is None


def test_validation_workbook_heads_with_the_office_and_fits_long_messages(tmp_path: Path) -> None:
    workbook, _, _ = publish_validation(build_warehouse(), META, tmp_path)
    ws = openpyxl.load_workbook(workbook)["校验问题"]
    assert heading_lines(ws) == [  # the office's own working list: no 附件 label
        "渝中区2026年第二季度消防工作考核结果（征求意见稿）——校验问题",
        f"{OFFICE}　　数据截至：2026年7月15日 09:30",
    ]
    assert short_rows(ws) == []
    (row,) = [r for r in range(1, ws.max_row + 1) if ws.cell(r, 10).value == LONG_MESSAGE]
    assert ws.row_dimensions[row].height >= 3 * line_height()


def test_validation_report_opens_offline_and_shows_what_a_unit_typed_as_text(
    tmp_path: Path,
) -> None:
    from firescore.publish.queries import QuarterData
    from firescore.publish.report_html import write_validation_report

    typed = '<script>alert(1)</script><img src="http://x/y.png">'
    issue = {
        "unit_code": "JD01",
        "unit_name": "解放碑街道",
        "file_name": "解放碑街道二季度考核材料.xlsx",
        "severity": "error",
        "sheet": "任务进展",
        "cell": "C7",
        "column_name": "完成状态",
        "value": typed,
        "expected": "已完成、推进中、未启动",
        "message": f"任务进展!C7「完成状态」为“{typed}”，应为：已完成、推进中、未启动",
    }
    data = QuarterData(scores=[], ledger=[], submissions=[], issues=[issue], block_names={})
    page = write_validation_report(tmp_path / "r.html", META, data).read_text(encoding="utf-8")
    # Nothing to fetch: no script, no stylesheet or image from elsewhere, no link out.
    rest = page.replace(escape(typed), "")
    for needle in ("<script", "<img", "<link", "src=", "http", "@import", "url("):
        assert needle not in rest, needle
    assert escape(typed) in page  # shown as typed, never run
    assert "<th>列</th>" in page and "<td>完成状态</td>" in page
    assert "<td>解放碑街道二季度考核材料.xlsx</td>" in page


def test_block_names_are_the_schemes_and_head_the_ranking_columns():
    def rename(data):
        data["blocks"]["tasks"]["name"] = "重点工作"

    con = duckdb.connect()
    load_scheme_tables(con, fixture_scheme(rename))
    names = block_names(con)
    assert list(names.items()) == [
        ("tasks", "重点工作"),
        ("indicators", "工作指标"),
        ("fire", "火灾形势"),
        ("reporting", "信息报送"),
        ("adjustment", "加减分"),
        ("total", "总分调整"),
    ]
    row = {"tasks_score": Decimal("40"), "tasks_max": Decimal("45")}
    row |= {f"{b}_{k}": None for b in ("indicators", "fire", "reporting") for k in ("score", "max")}
    headers = [c.header for c in ranking_columns([row], names)]
    assert headers[4:8] == ["重点工作\n（满分45）", "工作指标", "火灾形势", "信息报送"]


def test_rows_read_back_keep_the_python_types_of_the_warehouse():
    from firescore.publish.queries import fetch_rows

    con = duckdb.connect()
    con.execute("SET TimeZone = 'Asia/Shanghai'")
    sql = """
        SELECT * FROM (VALUES
            ('BM0001', 1.5::DECIMAL(18, 2), TIMESTAMPTZ '2026-04-15 09:04:00+08', DATE '2026-03-31',
             TIMESTAMP '2026-04-15 09:04:00', true, 3, NULL::VARCHAR),
            ('BM0002', 1.5::DECIMAL(18, 2), NULL, NULL, NULL, false, NULL, '已整改'),
            ('BM0001', NULL, TIMESTAMPTZ '2026-04-16 10:00:00+08', DATE '2026-03-31',
             NULL, NULL, 4, '已整改')
        ) AS t(unit_code, points, received_at, due, local_time, ranked, n, note)
        WHERE unit_code LIKE $prefix
    """
    rows = fetch_rows(con, sql, prefix="BM%")
    cursor = con.execute(sql, {"prefix": "BM%"})
    names = [column[0] for column in cursor.description]
    expected = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    assert repr(rows) == repr(expected)  # the workbooks' digests are reprs of these rows
    assert rows[0]["points"] == Decimal("1.50") and str(rows[0]["points"]) == "1.50"
    assert rows[0]["received_at"] == datetime.fromisoformat("2026-04-15T09:04:00+08:00")
    assert rows[0]["due"] == date(2026, 3, 31) and rows[1]["due"] is None
    assert fetch_rows(con, sql, prefix="JD%") == []


DIGEST_OF_A_Q2 = """
from firescore.publish.queries import QuarterData
codes = frozenset(f"JD{i:02d}" for i in range(1, 40))
data = QuarterData(scores=[], ledger=[], submissions=[], issues=[], block_names={},
                   previous_units=codes)
print(data.digest)
"""


def test_the_quarter_digest_is_the_same_in_every_process() -> None:
    """A later quarter's leader workbook is not rewritten by each new process on the same data.

    Python orders a set of texts differently in each process (hash randomisation): the digest
    that decides whether the leaders' workbook is written again must not depend on it.
    """
    digests = set()
    for seed in ("1", "2", "3"):
        env = os.environ | {"PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", DIGEST_OF_A_Q2], env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        digests.add(done.stdout.strip())
    assert len(digests) == 1

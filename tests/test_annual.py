"""Annual roll-up (SCORING.md §7) from small given quarters, checked by hand."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest
from typer.testing import CliRunner

from firescore.cli import app
from scoring.annual import AnnualError, run_annual
from tests.readback import headers, heading_lines, short_rows, table, tables
from tests.scoring_fixtures import DDL, add_file, add_unit, scheme
from tests.test_publish import excel_decode

ROOT = Path(__file__).resolve().parent.parent

# Quarterly totals as scored (None: no unit_scores row); Q4 is not run yet: the year is
# provisional, the mean over the three quarters scored so far.
QUARTERS = {
    "JD01": ("镇街组", ["95.00", "91.25", "92.00"]),
    "JD02": ("镇街组", ["90.00", "92.50", "96.00"]),  # vetoed in Q2
    "JD03": ("镇街组", ["90.00", "89.98", "90.00"]),
    "BM01": ("部门组", ["80.00", "80.00", "80.00"]),
    "BM02": ("部门组", ["100.00", "70.00", "70.00"]),
    "BM03": ("部门组", [None, "100.00", "100.00"]),  # new in Q2
}
VETOED = {("JD02", "2026Q2"): "本年累计发生较大火灾1起（YZ2026-0031）"}


def build(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Create the warehouse tables, the units and their quarterly unit_scores rows."""
    con.execute(DDL.read_text(encoding="utf-8"))
    for code, (grp, totals) in QUARTERS.items():
        add_unit(con, code, grp)
        for n, total in enumerate(totals, start=1):
            if total is None:
                continue
            quarter = f"2026Q{n}"
            veto = VETOED.get((code, quarter))
            con.execute(
                """
                INSERT INTO unit_scores (quarter, unit_code, unit_name, grp, ranked, base, bonus,
                    deductions, adjustment, total, grade, veto, veto_reason, rank, submitted)
                VALUES (?, ?, ?, ?, true, ?, 0, 0, 0, ?, '合格', ?, ?, 1, true)
                """,
                [
                    quarter,
                    code,
                    f"{code}单位",
                    grp,
                    Decimal(total),
                    Decimal(total),
                    veto is not None,
                    veto,
                ],
            )
    add_unit(con, "ZD01", "部门组", ranked=False)
    add_file(con, "2026Q3", "JD01", "2026-10-09 16:30:00+08:00")
    return con


@pytest.fixture
def annual():
    """Return the roll-up of the given quarters, by unit."""
    con = build(duckdb.connect(":memory:"))
    used = run_annual(con, scheme(), 2026)
    rows = con.execute("SELECT * FROM annual_scores WHERE year = 2026").fetchall()
    names = [d[0] for d in con.description]
    return used, {row[1]: dict(zip(names, row, strict=True)) for row in rows}


def test_before_q4_the_mean_is_over_the_quarters_scored_so_far(annual):
    used, rows = annual
    assert used == ["2026Q1", "2026Q2", "2026Q3"]
    # JD01: (95 + 91.25 + 92) / 3 = 92.75, 优秀 (not (… + 0) / 4 = 69.56, 合格: a mid-year run
    # must not mark down every unit for the quarters still to come).
    jd01 = rows["JD01"]
    assert (jd01["q1_total"], jd01["q4_total"], jd01["quarters_scored"]) == (
        Decimal("95.00"),
        None,
        3,
    )
    assert (jd01["total"], jd01["grade"], jd01["veto"], jd01["rank"]) == (
        Decimal("92.75"),
        "优秀",
        False,
        1,
    )
    # JD03: (90 + 89.98 + 90) / 3 = 89.9933… -> 89.99, 良好.
    assert (rows["JD03"]["total"], rows["JD03"]["grade"], rows["JD03"]["rank"]) == (
        Decimal("89.99"),
        "良好",
        2,
    )


def test_after_q4_the_year_is_final_and_a_quarter_not_scored_counts_as_zero():
    con = build(duckdb.connect(":memory:"))
    con.execute(
        """INSERT INTO unit_scores (quarter, unit_code, unit_name, grp, ranked, base, bonus,
               deductions, adjustment, total, grade, veto, veto_reason, rank, submitted)
           VALUES ('2026Q4', 'JD01', 'JD01单位', '镇街组', true, 90, 0, 0, 0, 90, '优秀', false,
               NULL, 1, true)"""
    )
    assert run_annual(con, scheme(), 2026) == ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]
    totals = dict(
        con.execute("SELECT unit_code, total FROM annual_scores WHERE year = 2026").fetchall()
    )
    # JD01: (95 + 91.25 + 92 + 90) / 4 = 92.0625 -> 92.06; JD03 has no Q4 score: counts as 0,
    # (90 + 89.98 + 90 + 0) / 4 = 67.495 -> 67.50 (half-up).
    assert (totals["JD01"], totals["JD03"]) == (Decimal("92.06"), Decimal("67.50"))


def test_a_veto_in_any_quarter_vetoes_the_year(annual):
    _, rows = annual
    jd02 = rows["JD02"]  # the highest mean of the streets (92.83), but vetoed in Q2
    assert (jd02["total"], jd02["veto"], jd02["grade"], jd02["rank"]) == (
        Decimal("92.83"),
        True,
        "不合格",
        3,
    )
    assert jd02["veto_reason"] == "2026Q2：本年累计发生较大火灾1起（YZ2026-0031）"


def test_grade_bounds_ties_and_units_new_during_the_year(annual):
    _, rows = annual
    # BM01 240/3 and BM02 240/3: 80.00 is 良好 (lower bound inclusive); a tie shares rank 1.
    assert [
        (rows[u]["total"], rows[u]["grade"], rows[u]["rank"]) for u in ("BM01", "BM02", "BM03")
    ] == [
        (Decimal("80.00"), "良好", 1),
        (Decimal("80.00"), "良好", 1),
        (Decimal("66.67"), "合格", 3),  # no Q1 score: counts as 0; the next rank skips
    ]
    assert "ZD01" not in rows  # not assessed


def test_another_year_or_a_year_without_scores_is_refused():
    con = build(duckdb.connect(":memory:"))
    with pytest.raises(AnnualError, match="不一致"):
        run_annual(con, scheme(), 2027)
    con.execute("DELETE FROM unit_scores")
    with pytest.raises(AnnualError, match="没有 2026 年任何季度的评分结果"):
        run_annual(con, scheme(), 2026)


def test_run_year_writes_the_annual_workbook_and_csv(tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    build(duckdb.connect(str(warehouse))).close()
    out = tmp_path / "out"
    argv = [
        "run",
        "--year",
        "2026",
        "--config",
        str(ROOT / "firescore.toml"),
        "--out",
        str(out),
        "--warehouse",
        str(warehouse),
    ]
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 0, result.output
    assert "截至第三季度（预计）：按已评分的 3 个季度平均" in result.output
    raw = (out / "2026" / "annual_results.csv").read_bytes()
    # UTF-8 with a BOM: Excel and WPS on Chinese Windows read it as UTF-8, not as GBK
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(excel_decode(raw), newline="")))
    assert rows[0] == [
        "unit_code",
        "unit_name",
        "group",
        "q1_total",
        "q2_total",
        "q3_total",
        "q4_total",
        "total",
        "grade",
        "veto",
        "rank",
        "period",
    ]
    assert rows[1:4] == [
        [
            "JD01",
            "JD01单位",
            "镇街组",
            "95.00",
            "91.25",
            "92.00",
            "",
            "92.75",
            "优秀",
            "false",
            "1",
            "截至第三季度（预计）",
        ],
        [
            "JD03",
            "JD03单位",
            "镇街组",
            "90.00",
            "89.98",
            "90.00",
            "",
            "89.99",
            "良好",
            "false",
            "2",
            "截至第三季度（预计）",
        ],
        [
            "JD02",
            "JD02单位",
            "镇街组",
            "90.00",
            "92.50",
            "96.00",
            "",
            "92.83",
            "不合格",
            "true",
            "3",
            "截至第三季度（预计）",
        ],
    ]
    book = openpyxl.load_workbook(out / "2026" / "年度考核结果_2026.xlsx")
    assert book.sheetnames == ["年度排名", "镇街组", "部门组", "说明"]
    ws = book["部门组"]
    assert heading_lines(ws) == [
        "附件1",
        "渝中区2026年度消防工作考核结果——部门组　截至第三季度（预计）",
        "渝中区消防安全委员会办公室　　数据截至：2026年10月9日 16:30",
    ]
    assert headers(ws) == [
        "排名",
        "单位代码",
        "单位名称",
        "考核组",
        "第一季度",
        "第二季度",
        "第三季度",
        "第四季度",
        "预计年度得分",
        "等次",
        "一票否决",
    ]
    assert table(ws)[2][:3] == (3, "BM03", "BM03单位")
    assert ws.print_title_rows == "$4:$4" and ws.page_setup.orientation == "landscape"
    # 年度排名: one table per group, as ranks restart in each group.
    assert [[row[3] for row in rows] for rows in tables(book["年度排名"])] == [
        ["镇街组"] * 3,
        ["部门组"] * 3,
    ]
    for sheet in book:
        assert short_rows(sheet) == [], sheet.title
    notes = dict(row[:2] for row in table(book["说明"]))
    assert notes["年度得分"].startswith("截至第三季度（预计）：已评分的3个季度")
    for sheet in book:  # every sheet's title says the year is provisional
        assert heading_lines(sheet)[1].endswith("　截至第三季度（预计）"), sheet.title
    assert notes["数据截至"] == "2026年10月9日 16:30"
    # The same inputs give the same bytes.
    first = (out / "2026" / "年度考核结果_2026.xlsx").read_bytes()
    assert CliRunner().invoke(app, argv).exit_code == 0
    assert (out / "2026" / "年度考核结果_2026.xlsx").read_bytes() == first


def test_run_needs_exactly_one_of_quarter_and_year():
    for argv in (["run"], ["run", "--quarter", "2026Q2", "--year", "2026"]):
        result = CliRunner().invoke(app, [*argv, "--config", str(ROOT / "firescore.toml")])
        assert result.exit_code == 2
        assert "请指定 --quarter（季度考核）或 --year（年度汇总）中的一个" in result.output

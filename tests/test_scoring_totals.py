"""加减分, total, grade, rank (SCORING.md §6–7), and the runner's transaction."""

from decimal import Decimal

import pytest
from scoring_fixtures import (
    FULL_DEPARTMENT_INDICATORS,
    add_file,
    add_unit,
    adjustment_row,
    detachment_file,
    fire_row,
    full_marks_unit,
    indicator_rows,
    ledger_rows,
    office_file,
    q6,
    reasons,
    scheme,
    score,
    warehouse,
)

from scoring import ScoringError, run_scoring


def _table(con, name: str, quarter: str = "2026Q2") -> list[tuple]:
    """A derived table's rows for a quarter, in a fixed order."""
    return con.execute(f"SELECT * FROM {name} WHERE quarter = ? ORDER BY ALL", [quarter]).fetchall()


def test_adjustments_sign_from_item_override_size_and_bonus_cap():
    con = warehouse()
    full_marks_unit(con, "BM01")
    full_marks_unit(con, "BM02")
    office = office_file(con)
    adjustment_row(con, office, 3, "BM01", "通报表扬（市级）", reason="经验交流")  # +5
    adjustment_row(con, office, 4, "BM01", "通报表扬（区级）")  # +3 -> bonus 8, capped at 5
    adjustment_row(con, office, 5, "BM01", "被约谈")  # -2
    adjustment_row(con, office, 6, "BM02", "通报批评（区级）", points="1")  # 分值 1: -1
    adjustment_row(con, office, 7, "BM02", "经验做法被推广（区级）", points="2")  # +2
    adjustment_row(con, office, 8, "BM09", "被约谈")  # not a registered unit: ignored

    run_scoring(con, scheme(), "2026Q2")

    assert ledger_rows(con, "BM01", "adjustment") == [
        ("bonus_cap", q6(0), q6(-3), "ADJ_BONUS_CAP", None),
        ("加减分第3行", q6(0), q6(5), "ADJ_BONUS", "B3"),
        ("加减分第4行", q6(0), q6(3), "ADJ_BONUS", "B4"),
        ("加减分第5行", q6(0), q6(-2), "ADJ_DEDUCTION", "B5"),
    ]
    bm01 = score(con, "BM01")
    assert (bm01["bonus"], bm01["deductions"], bm01["adjustment"], bm01["total"]) == (
        q6(5),
        q6(2),
        q6(3),
        Decimal("103.00"),
    )
    bm02 = score(con, "BM02")
    assert (bm02["bonus"], bm02["deductions"], bm02["total"]) == (q6(2), q6(1), Decimal("101.00"))
    why = reasons(con, "BM01", "adjustment")
    assert why["加减分第3行"] == "通报表扬（市级）（经验交流）：加5分"
    assert why["bonus_cap"] == "本季度加分合计8分，超过上限5分，按5分计"
    assert (
        reasons(con, "BM02", "adjustment")["加减分第6行"] == "通报批评（区级）：减1分（按表中分值）"
    )


def test_total_is_clamped_at_zero_by_a_ledger_row():
    con = warehouse()
    add_unit(con, "BM01", "部门组")  # nothing received: only fire would score, and it is n/a
    office = office_file(con)
    adjustment_row(con, office, 3, "BM01", "通报批评（市级）")

    run_scoring(con, scheme(), "2026Q2")

    assert ledger_rows(con, "BM01", "total") == [("clamp", q6(0), q6(5), "TOTAL_CLAMP", None)]
    s = score(con, "BM01")
    assert (s["base"], s["deductions"], s["total"], s["grade"]) == (
        q6(0),
        q6(5),
        Decimal("0.00"),
        "不合格",
    )


def test_half_up_rounding_and_grades_at_exact_bounds():
    # (deduction from a full-marks unit, shown total, grade)
    cases = [
        ("10", "90.00", "优秀"),  # lower bounds are inclusive
        ("10.01", "89.99", "良好"),
        ("10.005", "90.00", "优秀"),  # 89.995 rounds half up, and is graded as shown
        ("10.015", "89.99", "良好"),  # 89.985 rounds half up (half-even would give 89.98)
        ("20", "80.00", "良好"),
        ("20.001", "80.00", "良好"),  # 79.999 is shown as 80.00 and graded as shown
        ("40", "60.00", "合格"),
        ("40.01", "59.99", "不合格"),
    ]
    con = warehouse()
    office = office_file(con)
    for n, (deduction, _, _) in enumerate(cases):
        full_marks_unit(con, f"BM{n:02d}")
        adjustment_row(con, office, 3 + n, f"BM{n:02d}", "被约谈", points=deduction)

    run_scoring(con, scheme(), "2026Q2")

    rows = con.execute(
        "SELECT unit_code, total, grade FROM unit_scores WHERE quarter = '2026Q2' ORDER BY 1"
    ).fetchall()
    assert [(str(t), g) for _, t, g in rows] == [(t, g) for _, t, g in cases]


def test_competition_ranks_vetoed_last_and_non_ranked_units_left_out():
    con = warehouse()
    office = office_file(con)
    for code, deduction in (("BM01", "5"), ("BM02", "10"), ("BM03", "10"), ("BM04", "20")):
        full_marks_unit(con, code)
        adjustment_row(con, office, 3 + int(code[-1]), code, "被约谈", points=deduction)
    full_marks_unit(con, "BM05")  # better than BM04 even after its fire, but vetoed
    add_unit(con, "ZD01", "部门组", ranked=False)

    def departments_veto(data):
        data["veto"]["groups"]["部门组"] = True

    con.execute("UPDATE units SET place_types = ['仓库'] WHERE unit_code = 'BM05'")
    fires = detachment_file(con, "2026Q2")
    fire_row(con, fires, 3, "F1", "2026-05-01 10:00", "JD09", "仓库", deaths=3, grade="较大")

    run_scoring(con, scheme(departments_veto), "2026Q2")

    rows = con.execute(
        "SELECT unit_code, total, rank, veto FROM unit_scores "
        "WHERE quarter = '2026Q2' ORDER BY rank, unit_code"
    ).fetchall()
    assert [(u, str(t), r, v) for u, t, r, v in rows] == [
        ("BM01", "95.00", 1, False),
        ("BM02", "90.00", 2, False),
        ("BM03", "90.00", 2, False),
        ("BM04", "80.00", 4, False),
        # 1 fire (-1.2), 3 deaths (-6), loss 1 vs 0 (-0.012) of 15: 100 × 42.788 / 50
        ("BM05", "85.58", 5, True),
    ]


def test_excellent_share_option_limits_excellent_by_rank():
    def share_on(data):
        data["excellent_share"]["enabled"] = True

    con = warehouse()
    office = office_file(con)
    for n in range(1, 5):  # 4 units, 30% -> at most 1 优秀
        full_marks_unit(con, f"BM0{n}")
        adjustment_row(con, office, 3 + n, f"BM0{n}", "被约谈", points=str(n))

    run_scoring(con, scheme(share_on), "2026Q2")

    grades = con.execute(
        "SELECT unit_code, grade FROM unit_scores WHERE quarter = '2026Q2' ORDER BY unit_code"
    ).fetchall()
    assert grades == [("BM01", "优秀"), ("BM02", "良好"), ("BM03", "良好"), ("BM04", "良好")]


def test_rank_change_against_previous_quarter_of_the_same_year():
    con = warehouse()
    s = scheme()
    for quarter, when, deductions in (
        ("2026Q1", "2026-04-05 10:00:00+08:00", {"BM01": "1", "BM02": "2", "BM03": "3"}),
        ("2026Q2", "2026-07-05 10:00:00+08:00", {"BM01": "3", "BM02": "1", "BM03": "2"}),
    ):
        office = office_file(con, quarter)
        for code, points in deductions.items():
            if quarter == "2026Q1":
                add_unit(con, code, "部门组")
            sha = add_file(con, quarter, code, when)
            indicator_rows(con, sha, FULL_DEPARTMENT_INDICATORS)
            adjustment_row(con, office, 3 + int(code[-1]), code, "被约谈", points=points)
        if quarter == "2026Q2":
            full_marks_unit(con, "BM04")  # new this quarter
        run_scoring(con, s, quarter)

    q1 = con.execute(
        "SELECT unit_code, rank, rank_change FROM unit_scores WHERE quarter = '2026Q1' ORDER BY 1"
    ).fetchall()
    assert q1 == [("BM01", 1, None), ("BM02", 2, None), ("BM03", 3, None)]
    q2 = con.execute(
        "SELECT unit_code, rank, rank_change FROM unit_scores WHERE quarter = '2026Q2' ORDER BY 1"
    ).fetchall()
    assert q2 == [("BM01", 4, -3), ("BM02", 2, 0), ("BM03", 3, 0), ("BM04", 1, None)]


def test_rerun_replaces_the_quarter_with_identical_results():
    con = warehouse()
    full_marks_unit(con, "BM01")
    office = office_file(con)
    adjustment_row(con, office, 3, "BM01", "被约谈")
    s = scheme()
    run_scoring(con, s, "2026Q2")
    first = [_table(con, t) for t in ("ledger", "unit_scores", "submissions")]
    run_scoring(con, s, "2026年第二季度")
    assert [_table(con, t) for t in ("ledger", "unit_scores", "submissions")] == first
    # The stages' working tables (GBs at 30,000 units) do not outlive the scoring.
    temporary = "SELECT table_name FROM duckdb_tables() WHERE temporary"
    assert con.execute(temporary).fetchall() == []


def test_failed_invariant_rolls_back_and_keeps_previous_results():
    con = warehouse()
    full_marks_unit(con, "BM01")
    office = office_file(con)
    adjustment_row(con, office, 3, "BM01", "被约谈")
    s = scheme()
    run_scoring(con, s, "2026Q2")
    before = [_table(con, t) for t in ("ledger", "unit_scores", "submissions")]

    # a newer office file with a 事项 the scheme does not know (validation should refuse it)
    bad = office_file(con, tag="v2")
    con.execute(
        "UPDATE raw_files SET received_at = received_at + INTERVAL 1 DAY WHERE sha256 = ?", [bad]
    )
    adjustment_row(con, bad, 3, "BM01", "口头表扬")
    full_marks_unit(con, "BM02")  # would add a score if the run went through
    with pytest.raises(ScoringError) as caught:
        run_scoring(con, s, "2026Q2")

    assert "assert_inputs_known_to_scheme.sql: 1 offending row(s)" in str(caught.value)
    assert "value='口头表扬'" in str(caught.value)
    assert [_table(con, t) for t in ("ledger", "unit_scores", "submissions")] == before
    assert con.execute("SELECT count(*) FROM scheme_blocks").fetchone() == (8,)


def test_quarter_outside_the_scheme_year_is_refused_in_chinese():
    con = warehouse()
    with pytest.raises(ScoringError, match="考核季度 2025Q4 不属于考核方案的年度 2026"):
        run_scoring(con, scheme(), "2025Q4")
    with pytest.raises(ScoringError, match="无法识别的考核季度「2026Q5」"):
        run_scoring(con, scheme(), "2026Q5")

"""工作指标 (SCORING.md §3): rate / count_min / year_min, 分母 0, regions, missing rows."""

from decimal import Decimal

import pytest
from scoring_fixtures import (
    add_file,
    add_unit,
    indicator_row,
    indicator_rows,
    ledger_rows,
    q6,
    reasons,
    scheme,
    score,
    warehouse,
)

from scoring import run_scoring


def test_each_kind_with_a_zero_denominator_not_applicable():
    con = warehouse()
    add_unit(con, "JD01", "镇街组", region="中心城区")
    sha = add_file(con, "2026Q2", "JD01")
    indicator_rows(
        con,
        sha,
        {
            "I01": (45, 50),  # 90% against 80% (中心城区, Q2): met
            "I02": (18, 20),  # 90% against 95%: 90/95
            "I03": (1, None),  # 1 of 1
            "I04": (2, None),  # 2 of 3
            "I05": (0, None),  # 0 of 2
            "I06": (0, 0),  # 分母 0: not applicable (no such residents)
            "I07": (None, None),  # year_min before Q4: reported row -> full
        },
    )

    run_scoring(con, scheme(), "2026Q2")

    # applicable points 6+5+3+3+3+2 = 22 (I06 left out), rescaled to the block's 25
    def m(p: int) -> Decimal:
        return Decimal(25) * p / 22

    assert ledger_rows(con, "JD01", "indicators") == [
        ("I01", q6(m(6)), q6(m(6)), "IND_RATE", "C3"),
        ("I02", q6(m(5)), q6(m(5) * Decimal("0.9") / Decimal("0.95")), "IND_RATE", "C4"),
        ("I03", q6(m(3)), q6(m(3)), "IND_COUNT", "C5"),
        ("I04", q6(m(3)), q6(m(3) * 2 / 3), "IND_COUNT", "C6"),
        ("I05", q6(m(3)), q6(0), "IND_COUNT", "C7"),
        ("I06", q6(0), q6(0), "IND_RATE_NA", "D8"),
        ("I07", q6(m(2)), q6(m(2)), "IND_YEAR_REPORTED", "C9"),
    ]
    why = reasons(con, "JD01", "indicators")
    assert why["I01"] == (
        "指标I01「高层建筑消防物联感知设备接入率」数值45，分母50，比率90%，"
        "目标80%（中心城区，2026年第二季度），得分系数1"
    )
    assert why["I06"] == "指标I06「特殊群体“敲门行动”帮扶覆盖率」分母为0，本单位不适用"
    assert (
        why["I04"]
        == "指标I04「党工委（党组）专题研究消防工作（次/季度）」本季度2，要求不少于3，得分系数0.6667"
    )


@pytest.mark.parametrize(
    ("region", "quarter", "value", "expected_ratio"),
    [
        ("中心城区", "2026Q1", 35, "1"),  # 70% against 70%
        ("中心城区", "2026Q2", 35, "0.875"),  # 70% against 80%
        ("中心城区", "2026Q4", 35, "0.7"),  # 70% against 100%
        ("其他", "2026Q2", 35, "1"),  # 70% against 60%
        ("其他", "2026Q4", 35, "0.875"),  # 70% against 80%
        (None, "2026Q4", 35, "0.875"),  # blank 区域类型 = 其他
    ],
)
def test_i01_target_follows_region_and_quarter(region, quarter, value, expected_ratio):
    con = warehouse()
    add_unit(con, "JD01", "镇街组", region=region)
    sha = add_file(con, quarter, "JD01")
    indicator_row(con, sha, 3, "I01", value, 50)

    run_scoring(con, scheme(), quarter)

    i01 = ledger_rows(con, "JD01", "indicators", quarter)[0]
    assert i01[0] == "I01"
    assert i01[2] == q6(i01[1] * Decimal(expected_ratio))


def test_year_min_full_when_reported_before_q4_and_summed_at_q4():
    con = warehouse()
    add_unit(con, "JD01", "镇街组")
    q1 = add_file(con, "2026Q1", "JD01", "2026-04-05 10:00:00+08:00")
    indicator_row(con, q1, 3, "I07", 1)
    q2 = add_file(con, "2026Q2", "JD01")
    indicator_row(con, q2, 3, "I07", 0)
    # Q3: nothing received. Q4: the row reports 0 drills; the year's sum is 1 of 2.
    q4 = add_file(con, "2026Q4", "JD01", "2027-01-05 10:00:00+08:00")
    indicator_row(con, q4, 3, "I07", 0)
    # A superseded Q1 version does not count towards the sum.
    old_q1 = add_file(con, "2026Q1", "JD01", "2026-04-01 10:00:00+08:00")
    indicator_row(con, old_q1, 3, "I07", 5)

    s = scheme()
    for quarter in ("2026Q2", "2026Q4"):
        run_scoring(con, s, quarter)

    q2_row = [r for r in ledger_rows(con, "JD01", "indicators", "2026Q2") if r[0] == "I07"]
    assert q2_row[0][3] == "IND_YEAR_REPORTED" and q2_row[0][1] == q2_row[0][2]
    q4_row = [r for r in ledger_rows(con, "JD01", "indicators", "2026Q4") if r[0] == "I07"]
    assert q4_row[0][3] == "IND_YEAR_TOTAL"
    assert q4_row[0][2] == q6(q4_row[0][1] / 2)
    assert reasons(con, "JD01", "indicators", "2026Q4")["I07"] == (
        "指标I07「疏散逃生演练（次/年）」全年累计1（各季度采纳数值之和），要求不少于2，得分系数0.5"
    )


def test_missing_row_and_missing_submission_score_zero_and_stay_applicable():
    con = warehouse()
    add_unit(con, "BM01", "部门组")
    sha = add_file(con, "2026Q2", "BM01")
    indicator_row(con, sha, 3, "I02", 19, 20)  # 95%: met; every other row missing
    add_unit(con, "BM02", "部门组")  # nothing received

    run_scoring(con, scheme(), "2026Q2")

    assert ledger_rows(con, "BM01", "indicators") == [
        ("I02", q6(6), q6(6), "IND_RATE", "C3"),
        ("I03", q6(5), q6(0), "IND_MISSING", None),
        ("I05", q6(4), q6(0), "IND_MISSING", None),
        ("I08", q6(6), q6(0), "IND_MISSING", None),
        ("I09", q6(4), q6(0), "IND_MISSING", None),
    ]
    assert [r[3] for r in ledger_rows(con, "BM02", "indicators")] == ["IND_NO_SUBMISSION"] * 5
    assert score(con, "BM01")["indicators_score"] == q6(6)
    assert score(con, "BM02")["indicators_score"] == q6(0)


def test_every_rate_without_denominator_makes_the_block_not_applicable():
    def rates_only(data):
        data["indicators"] = [i for i in data["indicators"] if i["kind"] == "rate"]

    con = warehouse()
    add_unit(con, "BM01", "部门组")
    sha = add_file(con, "2026Q2", "BM01")
    indicator_rows(con, sha, {"I02": (0, 0), "I08": (3, None)})

    run_scoring(con, scheme(rates_only), "2026Q2")

    s = score(con, "BM01")
    assert (s["indicators_score"], s["indicators_max"]) == (None, None)
    # tasks and fire not applicable either: reporting alone makes the 100
    assert s["total"] == Decimal("100.00")

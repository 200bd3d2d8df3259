"""火灾形势 (SCORING.md §4): YTD against the same period last year, floors, 一票否决."""

from decimal import Decimal

from scoring_fixtures import (
    FULL_STREET_INDICATORS,
    add_file,
    add_unit,
    detachment_file,
    fire_row,
    full_marks_unit,
    history_fire,
    indicator_rows,
    ledger_rows,
    q6,
    reasons,
    scheme,
    score,
    warehouse,
)

from scoring import run_scoring


def _fires(con):
    """Streets JD01–JD03, departments BM01–BM03, a year of fires and last year's."""
    for code in ("JD01", "JD02", "JD03"):
        add_unit(con, code, "镇街组")
    add_unit(con, "BM01", "部门组", place_types=["商业综合体", "宾馆饭店"])
    add_unit(con, "BM02", "部门组")  # no 监管场所类型: fire block not applicable
    add_unit(con, "BM03", "部门组", place_types=["学校"])
    q1 = detachment_file(con, "2026Q1", "2026-04-03 10:00:00+08:00")
    fire_row(con, q1, 3, "F2026-001", "2026-02-01 10:00", "JD01", deaths=1, injuries=2, loss="100")
    q2 = detachment_file(con, "2026Q2")
    fire_row(
        con, q2, 3, "F2026-002", "2026-05-01 20:00", "JD01", "商业综合体", injuries=1, loss="50"
    )
    fire_row(con, q2, 4, "F2026-003", "2026-05-02 08:00", "JD02", "宾馆饭店", loss="1")
    fire_row(con, q2, 5, "F2026-004", "2026-04-15 09:00", "JD03", loss="199")
    # an older valid version of the Q2 file is superseded: its fires do not count
    old = detachment_file(con, "2026Q2", "2026-07-01 10:00:00+08:00")
    fire_row(con, old, 3, "F2026-009", "2026-05-01 20:00", "JD01", loss="1000")
    # last year: a 2025 quarter run through firescore and the history files overlap
    ly = detachment_file(con, "2025Q1", "2025-04-03 10:00:00+08:00")
    fire_row(con, ly, 3, "F2025-001", "2025-02-10 12:00", "JD01", loss="50")
    history_fire(con, "F2025-001", "2025-02-10 12:00", "JD01", loss="50")
    history_fire(con, "H-0801", "2025-08-01 12:00", "JD01", loss="500")  # after 06-30
    history_fire(con, "H-0401", "2025-04-01 12:00", "JD03", loss="100")
    history_fire(con, "H-0305", "2025-03-05 12:00", "JD09", "商业综合体", loss="1")


def test_fire_items_against_same_period_last_year_with_floors():
    con = warehouse()
    _fires(con)

    run_scoring(con, scheme(), "2026Q2")

    # JD01: 2 fires vs 1 -> rise 1/max(1,10) = 0.1 -> 0.8; 1 death -> 0.5;
    # injuries 3 vs 0 -> 0.3/0.5 -> 0.4; loss 150 vs 50 -> 100/max(50,100) = 1.0 -> 0.
    assert ledger_rows(con, "JD01", "fire") == [
        ("count", q6(10), q6(8), "FIRE_COUNT", None),
        ("deaths", q6(10), q6(5), "FIRE_DEATHS", None),
        ("injuries", q6(3), q6("1.2"), "FIRE_INJURIES", None),
        ("loss", q6(2), q6(0), "FIRE_LOSS", None),
    ]
    # JD02: 1 fire vs 0 (floor 10) loses 20% of 起数; loss 1 vs 0 (floor 100) -> 0.99
    assert ledger_rows(con, "JD02", "fire") == [
        ("count", q6(10), q6(8), "FIRE_COUNT", None),
        ("deaths", q6(10), q6(10), "FIRE_DEATHS", None),
        ("injuries", q6(3), q6(3), "FIRE_INJURIES", None),
        ("loss", q6(2), q6("1.98"), "FIRE_LOSS", None),
    ]
    # JD03: loss 199 vs 100 -> rise 0.99 of zero-at 1.0 -> 0.01
    assert [r[2] for r in ledger_rows(con, "JD03", "fire")] == [q6(10), q6(10), q6(3), q6("0.02")]
    assert {u: score(con, u)["fire_score"] for u in ("JD01", "JD02", "JD03")} == {
        "JD01": q6("14.2"),
        "JD02": q6("22.98"),
        "JD03": q6("23.02"),
    }
    why = reasons(con, "JD01", "fire")
    assert why["count"] == (
        "火灾起数：本年累计2起，去年同期1起，上升1起，按max(去年同期, 10)计上升率10%"
        "（上升率达50%不得分），得分系数0.8（F2026-001、F2026-002）"
    )
    assert why["deaths"] == "亡人：本年累计1人，每人扣本项50%，得分系数0.5"


def test_departments_by_place_type_and_not_applicable_without_one():
    con = warehouse()
    _fires(con)

    run_scoring(con, scheme(), "2026Q2")

    # BM01 (商业综合体、宾馆饭店): 2 fires vs 1, injuries 1 vs 0, loss 51 vs 1 (floor 100)
    assert ledger_rows(con, "BM01", "fire") == [
        ("count", q6(6), q6("4.8"), "FIRE_COUNT", None),
        ("deaths", q6(6), q6(6), "FIRE_DEATHS", None),
        ("injuries", q6("1.8"), q6("1.44"), "FIRE_INJURIES", None),
        ("loss", q6("1.2"), q6("0.6"), "FIRE_LOSS", None),
    ]
    assert reasons(con, "BM01", "fire")["count"].startswith(
        "火灾起数（按监管场所类型商业综合体、宾馆饭店统计）：本年累计2起，去年同期1起"
    )
    assert [r[2] for r in ledger_rows(con, "BM03", "fire")] == [q6(6), q6(6), q6("1.8"), q6("1.2")]
    assert ledger_rows(con, "BM02", "fire") == [("fire", q6(0), q6(0), "FIRE_NA", None)]
    assert (score(con, "BM02")["fire_score"], score(con, "BM02")["fire_max"]) == (None, None)


def test_a_department_lists_its_first_20_fires_across_its_place_types():
    con = warehouse()
    add_unit(con, "JD01", "镇街组")
    add_unit(con, "BM01", "部门组", place_types=["商业综合体", "宾馆饭店"])
    add_unit(con, "BM02", "部门组", place_types=["宾馆饭店"])
    q2 = detachment_file(con, "2026Q2")
    # 25 fires on alternate days, the two place types interleaved, written out of order; and
    # one of another place type, which counts for neither department
    days = [*range(25, 0, -2), *range(2, 25, 2)]
    for n, day in enumerate(days):
        kind = "商业综合体" if day % 2 else "宾馆饭店"
        fire_row(con, q2, 3 + n, f"F{day:02d}", f"2026-04-{day:02d} 10:00", "JD01", kind)
    fire_row(con, q2, 30, "F00", "2026-04-01 09:00", "JD01", "学校")

    run_scoring(con, scheme(), "2026Q2")

    # BM01 counts all 25 and lists the first 20 by time whatever their type; BM02 its 12
    first_20 = "、".join(f"F{day:02d}" for day in range(1, 21))
    assert reasons(con, "BM01", "fire")["count"].endswith(f"（{first_20}等25起）")
    assert "本年累计25起" in reasons(con, "BM01", "fire")["count"]
    hotels = "、".join(f"F{day:02d}" for day in range(2, 25, 2))
    assert reasons(con, "BM02", "fire")["count"].endswith(f"（{hotels}）")
    assert "本年累计12起" in reasons(con, "BM02", "fire")["count"]
    # the street counts every fire on its streets, 26
    assert "本年累计26起" in reasons(con, "JD01", "fire")["count"]


def _veto_case(con):
    """JD01 (best score) with a 较大 fire, JD02 with a 一般 one, BM01 with a 重大 one (仓库)."""
    for code in ("JD01", "JD02"):
        sha = add_file(con, "2026Q2", code)
        add_unit(con, code, "镇街组")
        indicator_rows(con, sha, FULL_STREET_INDICATORS)
    full_marks_unit(con, "BM01", "部门组")
    con.execute("UPDATE units SET place_types = ['仓库'] WHERE unit_code = 'BM01'")
    full_marks_unit(con, "BM02", "部门组")
    q1 = detachment_file(con, "2026Q1", "2026-04-03 10:00:00+08:00")
    fire_row(con, q1, 3, "F2026-001", "2026-03-01 10:00", "JD01", loss="3000", grade="较大")
    q2 = detachment_file(con, "2026Q2")
    fire_row(con, q2, 3, "F2026-002", "2026-05-01 10:00", "JD02", injuries=9, grade="一般")
    fire_row(con, q2, 4, "F2026-003", "2026-05-02 10:00", "JD09", "仓库", deaths=10, grade="重大")


def test_veto_for_streets_with_a_serious_fire_keeps_the_score_and_ranks_last():
    con = warehouse()
    _veto_case(con)

    run_scoring(con, scheme(), "2026Q2")

    jd01, jd02 = score(con, "JD01"), score(con, "JD02")
    # JD01: 1 fire vs 0 (-2), loss 3000 vs 0 (-2): 100 × (25 + 21 + 5) / 55, kept as its score
    assert (jd01["total"], jd01["veto"], jd01["grade"], jd01["rank"]) == (
        Decimal("92.73"),
        True,
        "不合格",
        2,
    )
    assert jd01["veto_reason"] == "本年累计发生较大及以上火灾：F2026-001（2026-03-01，较大）"
    # JD02: a 一般 fire (9 injured, one short of 较大) costs points but no veto:
    # 起数 -2, 受伤 9 vs 0 -> -3, loss 1 vs 0 -> -0.02: 100 × (25 + 19.98 + 5) / 55
    assert (jd02["total"], jd02["veto"], jd02["grade"], jd02["rank"]) == (
        Decimal("90.87"),
        False,
        "优秀",
        1,
    )
    # departments: switched off by default even with a 重大 fire in their place type
    assert (score(con, "BM01")["veto"], score(con, "BM01")["rank"]) == (False, 2)


def test_veto_switch_for_departments():
    def departments_on(data):
        data["veto"]["groups"]["部门组"] = True

    con = warehouse()
    _veto_case(con)

    run_scoring(con, scheme(departments_on), "2026Q2")

    bm01, bm02 = score(con, "BM01"), score(con, "BM02")
    assert (bm01["veto"], bm01["grade"], bm01["rank"]) == (True, "不合格", 2)
    assert bm01["veto_reason"] == "本年累计发生较大及以上火灾：F2026-003（2026-05-02，重大）"
    assert (bm02["veto"], bm02["grade"], bm02["rank"]) == (False, "优秀", 1)
    assert bm01["total"] < bm02["total"] == Decimal("100.00")


def _double_fall_case(con):
    """Five streets whose 起数 and 亡人 fell, stood still or rose against last year (history)."""
    for code in ("JD01", "JD02", "JD03", "JD04", "JD05"):
        add_unit(con, code, "镇街组")
    q2 = detachment_file(con, "2026Q2")
    this_year = [
        ("JD01", 0), ("JD01", 0),  # 2 fires, as last year
        ("JD02", 1),  # 1 fire, 1 death: fewer than last year's 3 fires, 2 deaths
        ("JD03", 1),  # 1 fire, 1 death: the same as last year
        ("JD05", 0), ("JD05", 0), ("JD05", 0),  # 3 fires against 1
    ]  # fmt: skip
    for n, (street, deaths) in enumerate(this_year):
        fire_row(
            con, q2, 3 + n, f"F2026-{n:03d}", f"2026-05-{n + 1:02d} 10:00", street, deaths=deaths
        )
    last_year = [("JD01", 0), ("JD01", 0), ("JD02", 2), ("JD02", 0), ("JD02", 0), ("JD03", 1)]
    last_year.append(("JD05", 0))
    for n, (street, deaths) in enumerate(last_year):
        history_fire(con, f"H-{n:03d}", f"2025-05-{n + 1:02d} 10:00", street, deaths=deaths)


def _count_and_deaths(con) -> dict[str, tuple[Decimal, Decimal]]:
    """Per street, the points of 起数 and 亡人 (10 each of the street's 25)."""
    units = ("JD01", "JD02", "JD03", "JD04", "JD05")
    return {u: tuple(r[2] for r in ledger_rows(con, u, "fire")[:2]) for u in units}


def test_double_fall_off_by_default_no_rise_is_full_and_deaths_absolute():
    con = warehouse()
    _double_fall_case(con)

    run_scoring(con, scheme(), "2026Q2")

    assert _count_and_deaths(con) == {
        "JD01": (q6(10), q6(10)),  # 2 fires vs 2: no rise, full
        "JD02": (q6(10), q6(5)),  # fewer fires; 1 death: 1 − 0.5
        "JD03": (q6(10), q6(5)),  # 1 vs 1: no rise, full; 1 death: 1 − 0.5
        "JD04": (q6(10), q6(10)),  # no fire either year
        "JD05": (q6(6), q6(10)),  # 3 vs 1: rise 2/max(1, 10) = 0.2 -> 1 − 0.2/0.5 = 0.6
    }


def test_double_fall_switch_requires_fires_and_deaths_to_fall():
    def require_fall(data):
        data["fire"]["require_fall"] = True

    con = warehouse()
    _double_fall_case(con)

    run_scoring(con, scheme(require_fall), "2026Q2")

    assert _count_and_deaths(con) == {
        # 2 vs 2 did not fall: target 2 − 1 = 1, excess 1/max(2, 10) = 0.1 -> 1 − 0.1/0.5 = 0.8
        "JD01": (q6(8), q6(10)),
        "JD02": (q6(10), q6(5)),  # both fell: full 起数; 亡人 still 1 − 0.5 × 1 death
        "JD03": (q6(8), q6(0)),  # 1 vs 1: excess 1/10 -> 0.8; 1 death vs 1: no fall -> 0
        "JD04": (q6(10), q6(10)),  # 0 and 0: nothing to fall from
        "JD05": (q6(4), q6(10)),  # 3 vs target 0: excess 3/10 = 0.3 -> 1 − 0.3/0.5 = 0.4
    }
    why = reasons(con, "JD03", "fire")
    assert why["count"] == (
        "火灾起数：本年累计1起，去年同期1起，未实现下降（双降：目标为比去年同期少1起），"
        "超出目标1起，按max(去年同期, 10)计上升率10%（上升率达50%不得分），得分系数0.8（F2026-003）"
    )
    assert why["deaths"] == "亡人：本年累计1人，去年同期1人，未实现下降（双降），得分系数0"

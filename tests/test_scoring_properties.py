"""Laws of the scoring (hypothesis): more credit never lowers a total; a total is the sum of
its shown blocks and adjustment; ranks are a competition ranking, vetoed units last."""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scoring_fixtures import (
    FULL_STREET_INDICATORS,
    add_file,
    add_task,
    add_unit,
    adjustment_row,
    assign,
    detachment_file,
    fire_row,
    indicator_rows,
    office_file,
    scheme,
    task_row,
    warehouse,
)

from scoring import run_scoring

SCHEME = scheme()
FEW = settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

deadlines = st.sampled_from(
    [date(2025, 12, 31), date(2026, 3, 31), date(2026, 6, 30), date(2026, 12, 31), None]
)
reports = st.one_of(
    st.tuples(st.just("已完成"), st.integers(-40, 200)),  # days after 完成时限
    st.tuples(st.sampled_from(["推进中", "未启动"]), st.none()),
    st.tuples(st.none(), st.none()),  # row missing (漏报)
)
tasks = st.lists(
    st.tuples(
        deadlines,  # None = 持续开展
        st.sampled_from(["牵头", "配合"]),
        st.sampled_from(["1", "2", "0.5"]),
        reports,
        st.integers(0, 3),  # 本季度开展次数
        st.booleans(),  # 佐证材料 given
    ),
    min_size=1,
    max_size=4,
)


def _report(con, sha, n, deadline, report, times, evidence):
    """Write one task's 任务进展 row (or none when missing)."""
    status, offset = report
    if deadline is None:
        if status is not None:
            task_row(con, sha, 3 + n, f"T{n}", "推进中", None, times, "纪要" if evidence else None)
    elif status is not None:
        done = deadline + timedelta(days=offset) if status == "已完成" else None
        task_row(con, sha, 3 + n, f"T{n}", status, done)


def _total_and_ledger(con, unit):
    """(total, tasks_score, shown blocks + adjustment clamped at 0, Σ exact task points)."""
    total, tasks_score, blocks, adjustment = con.execute(
        """SELECT total, tasks_score,
                  tasks_score + indicators_score + fire_score + reporting_score, adjustment
           FROM unit_scores WHERE unit_code = ?""",
        [unit],
    ).fetchone()
    task_points = [
        r[0]
        for r in con.execute(
            "SELECT points FROM ledger WHERE unit_code = ? AND block = 'tasks'", [unit]
        ).fetchall()
    ]
    return total, tasks_score, max(blocks + adjustment, Decimal(0)), sum(task_points, Decimal(0))


def _shown(value: Decimal) -> Decimal:
    """Round as the scheme says: at 10 decimals, then half-up to 2 (values here are ≥ 0)."""
    return value.quantize(Decimal("1e-10"), ROUND_HALF_UP).quantize(Decimal("0.01"), ROUND_HALF_UP)


@FEW
@given(
    tasks=tasks,
    which=st.integers(0, 3),
    late_days=st.integers(0, 6),
    deduction=st.sampled_from([None, "2", "30", "150"]),
)
def test_more_credit_never_lowers_the_total(tasks, which, late_days, deduction):
    con = warehouse()
    add_unit(con, "JD01", "镇街组")
    received = f"2026-07-{10 + late_days:02d} 12:00:00+08:00"
    sha = add_file(con, "2026Q2", "JD01", received)
    indicator_rows(con, sha, {"I01": (7, 10), "I03": (1, None)})
    for n, (deadline, role, weight, report, times, evidence) in enumerate(tasks):
        add_task(con, f"T{n}", deadline, weight=weight, ongoing=deadline is None)
        assign(con, f"T{n}", "JD01", role)
        _report(con, sha, n, deadline, report, times, evidence)
    if deduction is not None:
        adjustment_row(con, office_file(con), 3, "JD01", "通报批评（区级）", points=deduction)

    run_scoring(con, SCHEME, "2026Q2")
    before = _total_and_ledger(con, "JD01")

    # the best report for one task: done by the deadline, or carried out with evidence
    n = which % len(tasks)
    deadline = tasks[n][0]
    con.execute("DELETE FROM raw_task_rows WHERE task_id = ?", [f"T{n}"])
    _report(con, sha, n, deadline, ("已完成", 0), 1, True)
    run_scoring(con, SCHEME, "2026Q2")
    after = _total_and_ledger(con, "JD01")

    # every block applies to this street: shown blocks + shown adjustment = shown total
    for total, tasks_score, shown_sum, task_points in (before, after):
        assert total == shown_sum
        assert tasks_score == _shown(task_points)
    assert after[0] >= before[0]
    assert after[1] >= before[1]


@FEW
@given(
    units=st.lists(
        st.tuples(st.sampled_from(["0", "1", "2", "5"]), st.booleans()),  # deduction, 较大 fire
        min_size=2,
        max_size=7,
    )
)
def test_ranks_are_a_competition_ranking_with_vetoed_units_last(units):
    con = warehouse()
    office = office_file(con)
    fires = detachment_file(con, "2026Q2")
    for n, (deduction, serious_fire) in enumerate(units):
        code = f"JD{n:02d}"
        add_unit(con, code, "镇街组")
        indicator_rows(con, add_file(con, "2026Q2", code), FULL_STREET_INDICATORS)
        adjustment_row(con, office, 3 + n, code, "被约谈", points=deduction)
        if serious_fire:
            fire_row(con, fires, 3 + n, f"F{n}", "2026-05-01 10:00", code, deaths=3, grade="较大")

    run_scoring(con, SCHEME, "2026Q2")

    rows = con.execute(
        "SELECT unit_code, total, veto, rank, grade FROM unit_scores WHERE quarter = '2026Q2'"
    ).fetchall()
    assert len(rows) == len(units)
    for unit, total, veto, rank, grade in rows:
        ahead = [1 for _, t, v, _, _ in rows if (not v and veto) or (v == veto and t > total)]
        assert rank == 1 + len(ahead), unit
        assert veto == units[int(unit[2:])][1]
        if veto:
            assert grade == "不合格"
    order = sorted(rows, key=lambda r: r[3])
    for (_, t1, v1, r1, _), (_, t2, v2, r2, _) in zip(order, order[1:], strict=False):
        assert (v1, -t1) <= (v2, -t2)  # non-vetoed first, then by total
        assert r2 == r1 if (v1, t1) == (v2, t2) else r2 > r1

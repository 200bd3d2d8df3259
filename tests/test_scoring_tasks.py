"""重点任务落实 (SCORING.md §2): credit table, role weights, missing rows and submissions."""

from datetime import date
from decimal import Decimal

from scoring_fixtures import (
    FULL_STREET_INDICATORS,
    add_file,
    add_task,
    add_unit,
    assign,
    full_marks_unit,
    indicator_rows,
    ledger_rows,
    q6,
    reasons,
    scheme,
    score,
    task_row,
    warehouse,
)

from scoring import run_scoring

D = date


def test_credit_table_for_every_reported_situation():
    con = warehouse()
    add_unit(con, "JD01", "镇街组")
    sha = add_file(con, "2026Q2", "JD01")
    # (task, 完成时限, reported status, 完成日期, 本季度开展次数, 佐证材料); Q2 ends 2026-06-30
    reported = [
        ("T01", D(2026, 6, 30), "推进中", None),  # "2026年6月底前": due on Qend, not overdue
        ("T02", D(2026, 3, 31), "推进中", None),  # overdue
        ("T03", D(2026, 12, 31), "未启动", None),  # not yet due
        ("T04", D(2026, 5, 31), "未启动", None),  # overdue
        ("T05", D(2026, 3, 31), "已完成", D(2026, 3, 31)),  # done on the deadline day
        ("T06", D(2026, 3, 31), "已完成", D(2026, 5, 1)),  # 31 days late -> 2 months
        ("T07", D(2026, 3, 31), "已完成", D(2026, 4, 30)),  # 30 days late -> 1 month
        ("T08", D(2025, 12, 31), "已完成", D(2026, 6, 20)),  # 171 days -> 6 months -> floor
        ("T09", D(2026, 4, 30), None, None),  # assigned but no row (漏报)
    ]
    for n, (task_id, deadline, status, done) in enumerate(reported):
        add_task(
            con, task_id, deadline, deadline_text="2026年6月底前" if task_id == "T01" else None
        )
        assign(con, task_id, "JD01")
        if status is not None:
            task_row(con, sha, 3 + n, task_id, status, done)
    ongoing = [
        ("T10", 2, "会议纪要"),  # carried out, with evidence
        ("T11", 1, "  "),  # carried out, blank evidence
        ("T12", 0, "照片"),  # not carried out
    ]
    for n, (task_id, times, evidence) in enumerate(ongoing):
        add_task(con, task_id, None, ongoing=True)
        assign(con, task_id, "JD01")
        task_row(con, sha, 20 + n, task_id, "推进中", None, times, evidence)

    run_scoring(con, scheme(), "2026Q2")

    each = Decimal("3.75")  # 45 points / 12 equal tasks
    expected_credit = {
        "T01": ("1", "TASK_IN_PROGRESS_NOT_DUE", "C3"),
        "T02": ("0.3", "TASK_IN_PROGRESS_OVERDUE", "C4"),
        "T03": ("0.5", "TASK_NOT_STARTED_NOT_DUE", "C5"),
        "T04": ("0", "TASK_NOT_STARTED_OVERDUE", "C6"),
        "T05": ("1", "TASK_DONE_ON_TIME", "C7"),
        "T06": ("0.8", "TASK_DONE_LATE", "C8"),
        "T07": ("0.9", "TASK_DONE_LATE", "C9"),
        "T08": ("0.5", "TASK_DONE_LATE", "C10"),
        "T09": ("0", "TASK_MISSING", None),
        "T10": ("1", "TASK_ONGOING_EVIDENCE", "E20"),
        "T11": ("0.6", "TASK_ONGOING_NO_EVIDENCE", "E21"),
        "T12": ("0", "TASK_ONGOING_NONE", "E22"),
    }
    assert ledger_rows(con, "JD01", "tasks") == [
        (task_id, q6(each), q6(each * Decimal(c)), rule, cell)
        for task_id, (c, rule, cell) in expected_credit.items()
    ]
    assert score(con, "JD01")["tasks_score"] == q6(each * Decimal("6.6"))
    why = reasons(con, "JD01", "tasks")
    assert (
        why["T02"] == "任务T02「T02任务」（牵头）完成时限2026-03-31已逾期，状态推进中，得分系数0.3"
    )
    assert why["T06"] == (
        "任务T06「T06任务」（牵头）完成时限2026-03-31，于2026-05-01完成，"
        "逾期31天（按2个月计），得分系数0.8"
    )
    assert (
        why["T09"]
        == "任务T09「T09任务」（牵头）完成时限2026-04-30，未在任务进展表中填报（漏报），得分系数0"
    )
    assert (
        why["T11"] == "持续开展任务T11「T11任务」（牵头）本季度开展1次，未提供佐证材料，得分系数0.6"
    )


def test_lead_and_support_weights_with_task_weight():
    con = warehouse()
    add_unit(con, "BM01", "部门组")
    sha = add_file(con, "2026Q2", "BM01")
    add_task(con, "T01", D(2026, 12, 31), weight="2")
    add_task(con, "T02", D(2026, 3, 31))
    add_task(con, "T03", D(2026, 12, 31))
    assign(con, "T01", "BM01", "牵头")  # w = 2 × 1.0
    assign(con, "T02", "BM01", "配合")  # w = 1 × 0.5
    assign(con, "T03", "BM01", "配合")  # w = 1 × 0.5
    task_row(con, sha, 3, "T01", "推进中")  # 1.0
    task_row(con, sha, 4, "T02", "推进中")  # overdue: 0.3
    task_row(con, sha, 5, "T03", "已完成", D(2026, 5, 5))  # 1.0

    run_scoring(con, scheme(), "2026Q2")

    # Σw = 3: maxes 50 × 2/3, 50 × 0.5/3, 50 × 0.5/3
    big, small = Decimal(100) / 3, Decimal(50) / 6
    assert ledger_rows(con, "BM01", "tasks") == [
        ("T01", q6(big), q6(big), "TASK_IN_PROGRESS_NOT_DUE", "C3"),
        ("T02", q6(small), q6(small * Decimal("0.3")), "TASK_IN_PROGRESS_OVERDUE", "C4"),
        ("T03", q6(small), q6(small), "TASK_DONE_ON_TIME", "C5"),
    ]
    # the block score is stored as shown: 44.1666… half-up to 2 decimals
    assert score(con, "BM01")["tasks_score"] == Decimal("44.17")
    assert "（配合）" in reasons(con, "BM01", "tasks")["T02"]


def test_unit_named_both_lead_and_support_counts_once_as_lead():
    # The registry collapses a unit named as both to one 牵头 assignment (PRIMARY KEY
    # (task_id, unit_code)); scoring then weighs the task 1.0, never 1.0 + 0.5.
    con = warehouse()
    add_unit(con, "JD01", "镇街组")
    sha = add_file(con, "2026Q2", "JD01")
    add_task(con, "T01", D(2026, 12, 31))
    add_task(con, "T02", D(2026, 12, 31))
    assign(con, "T01", "JD01", "牵头")
    assign(con, "T02", "JD01", "配合")
    task_row(con, sha, 3, "T01", "未启动")  # 0.5
    task_row(con, sha, 4, "T02", "推进中")  # 1.0

    run_scoring(con, scheme(), "2026Q2")

    assert ledger_rows(con, "JD01", "tasks") == [
        ("T01", q6(30), q6(15), "TASK_NOT_STARTED_NOT_DUE", "C3"),
        ("T02", q6(15), q6(15), "TASK_IN_PROGRESS_NOT_DUE", "C4"),
    ]


def test_no_accepted_submission_scores_zero_but_stays_applicable():
    con = warehouse()
    add_unit(con, "JD01", "镇街组")  # nothing received
    add_unit(con, "JD02", "镇街组")  # only a rejected file
    rejected = add_file(con, "2026Q2", "JD02", valid=False)
    task_row(
        con, rejected, 3, "T01", "已完成", D(2026, 4, 1)
    )  # rows of a rejected file never count
    add_task(con, "T01", D(2026, 6, 30))
    add_task(con, "T02", None, ongoing=True)
    for unit in ("JD01", "JD02"):
        assign(con, "T01", unit)
        assign(con, "T02", unit)

    run_scoring(con, scheme(), "2026Q2")

    for unit in ("JD01", "JD02"):
        assert ledger_rows(con, unit, "tasks") == [
            ("T01", q6("22.5"), q6(0), "TASK_NO_SUBMISSION", None),
            ("T02", q6("22.5"), q6(0), "TASK_NO_SUBMISSION", None),
        ]
        s = score(con, unit)
        assert (s["tasks_score"], s["tasks_max"], s["submitted"]) == (q6(0), q6(45), False)
    assert (
        reasons(con, "JD01", "tasks")["T01"]
        == "本季度未报送有效文件，任务T01「T01任务」（牵头）得分系数0"
    )


def test_no_task_assigned_is_not_applicable_not_zero():
    con = warehouse()
    full_marks_unit(con, "JD01", "镇街组")  # no task, every indicator met, no fire, on time
    add_unit(con, "JD02", "镇街组")  # same, but with one task not started and overdue
    sha = add_file(con, "2026Q2", "JD02")
    indicator_rows(con, sha, FULL_STREET_INDICATORS)
    add_task(con, "T01", D(2026, 3, 31))
    assign(con, "T01", "JD02")
    task_row(con, sha, 20, "T01", "未启动")

    run_scoring(con, scheme(), "2026Q2")

    na = score(con, "JD01")
    assert (na["tasks_score"], na["tasks_max"], na["total"]) == (None, None, Decimal("100.00"))
    assert ledger_rows(con, "JD01", "tasks") == [("tasks", q6(0), q6(0), "TASK_NA", None)]
    zero = score(con, "JD02")
    assert (zero["tasks_score"], zero["tasks_max"], zero["total"]) == (
        q6(0),
        q6(45),
        Decimal("55.00"),
    )

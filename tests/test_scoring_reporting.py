"""信息报送 (SCORING.md §5): deadline day in Asia/Shanghai, days late, rejected, missing."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from scoring_fixtures import add_file, add_unit, ledger_rows, q6, reasons, scheme, warehouse

from scoring import run_scoring

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _units_and_files(con):
    """One street per reporting situation; deadline of 2026Q2 is 2026-07-10."""
    for code in ("JD01", "JD02", "JD03", "JD04", "JD05", "JD06", "JD07"):
        add_unit(con, code, "镇街组")
    add_unit(con, "ZD01", "部门组", ranked=False)
    files = {
        # 23:30 in Shanghai is 15:30 UTC on the deadline day: on time
        "JD01": add_file(con, "2026Q2", "JD01", "2026-07-10 15:30:00+00:00"),
        # 00:30 on 11 July in Shanghai (still 10 July in UTC): one day late
        "JD02": add_file(con, "2026Q2", "JD02", "2026-07-10 16:30:00+00:00"),
        # six days late: 1 - 6 × 0.2 < 0 -> 0
        "JD03": add_file(con, "2026Q2", "JD03", "2026-07-16 09:00:00+08:00"),
        "JD04": add_file(con, "2026Q2", "JD04", "2026-07-08 09:00:00+08:00", valid=False),
        # JD05 sends nothing; JD06's newest valid version (2 days late) is the one used
        "JD06": add_file(con, "2026Q2", "JD06", "2026-07-12 09:00:00+08:00"),
        # JD07 was rejected, then corrected in time
        "JD07": add_file(con, "2026Q2", "JD07", "2026-07-09 09:00:00+08:00"),
        "ZD01": add_file(con, "2026Q2", "ZD01", "2026-07-02 09:00:00+08:00"),
    }
    add_file(con, "2026Q2", "JD06", "2026-07-09 09:00:00+08:00", tag="v1")
    add_file(con, "2026Q2", "JD07", "2026-07-08 09:00:00+08:00", valid=False, tag="v1")
    return files


def test_submissions_for_every_unit_with_days_late_in_the_scheme_time_zone():
    con = warehouse()
    files = _units_and_files(con)

    run_scoring(con, scheme(), "2026Q2")

    rows = con.execute(
        "SELECT unit_code, status, sha256, file_name, received_at, days_late, rejected_versions "
        "FROM submissions WHERE quarter = '2026Q2' ORDER BY unit_code"
    ).fetchall()

    def shanghai(text: str) -> datetime:
        return datetime.fromisoformat(text).astimezone(SHANGHAI)

    def got(code, status, received, late, rejected):
        name = f"{code}_2026Q2.xlsx"
        return (code, status, files[code], name, received, late, rejected)

    assert [(r[0], r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows] == [
        got("JD01", "按时报送", shanghai("2026-07-10 15:30:00+00:00"), 0, 0),
        got("JD02", "逾期报送", shanghai("2026-07-10 16:30:00+00:00"), 1, 0),
        got("JD03", "逾期报送", shanghai("2026-07-16 09:00:00+08:00"), 6, 0),
        ("JD04", "仅有退回文件", None, None, None, None, 1),
        ("JD05", "未报送", None, None, None, None, 0),
        got("JD06", "逾期报送", shanghai("2026-07-12 09:00:00+08:00"), 2, 0),
        got("JD07", "按时报送", shanghai("2026-07-09 09:00:00+08:00"), 0, 1),
        got("ZD01", "按时报送", shanghai("2026-07-02 09:00:00+08:00"), 0, 0),
    ]


def test_reporting_points_by_days_late():
    con = warehouse()
    files = _units_and_files(con)

    run_scoring(con, scheme(), "2026Q2")

    expected = {
        "JD01": ("5", "REPORT_ON_TIME"),
        "JD02": ("4", "REPORT_LATE"),  # 5 × (1 − 0.2 × 1)
        "JD03": ("0", "REPORT_LATE"),
        "JD04": ("0", "REPORT_REJECTED_ONLY"),
        "JD05": ("0", "REPORT_MISSING"),
        "JD06": ("3", "REPORT_LATE"),  # 5 × (1 − 0.2 × 2)
        "JD07": ("5", "REPORT_ON_TIME"),
    }
    for code, (points, rule) in expected.items():
        assert ledger_rows(con, code, "reporting") == [
            ("reporting", q6(5), q6(Decimal(points)), rule, None)
        ], code
    source = con.execute(
        "SELECT source_sha256 FROM ledger WHERE unit_code = 'JD06' AND block = 'reporting'"
    ).fetchone()
    assert source == (files["JD06"],)
    assert reasons(con, "JD01", "reporting")["reporting"] == (
        "文件「JD01_2026Q2.xlsx」于2026-07-10 23:30接收，报送截止日2026-07-10，按时报送，得分系数1"
    )
    assert reasons(con, "JD02", "reporting")["reporting"] == (
        "文件「JD02_2026Q2.xlsx」于2026-07-11 00:30接收，报送截止日2026-07-10，"
        "逾期1天，每天扣20%，得分系数0.8"
    )
    assert reasons(con, "JD04", "reporting")["reporting"] == (
        "本季度报送的1份文件均被退回，无有效文件，视为未报送，得分系数0"
    )
    # the detachment is not ranked: no score, but its submission is tracked
    assert con.execute("SELECT count(*) FROM unit_scores WHERE unit_code = 'ZD01'").fetchone() == (
        0,
    )

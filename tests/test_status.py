"""`firescore status` on the sample inbox, after and before the deadline, with no warehouse."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from firescore import cli
from firescore.commands.status import quarter_status, time_left_text
from firescore.config import load_config
from firescore.registry import load_registries
from firescore.scheme import load_scheme

ROOT = Path(__file__).resolve().parent.parent
TZ = ZoneInfo("Asia/Shanghai")
C7_ERROR = "任务进展!C7「完成状态」为“已完”，应为：已完成、推进中、未启动"


@pytest.fixture(scope="module")
def after_deadline(tmp_path_factory):
    """Return the sample's 2026Q2 status on 20 July, with no warehouse yet."""
    warehouse = tmp_path_factory.mktemp("none") / "wh.duckdb"
    config = load_config(ROOT / "firescore.toml").with_overrides(warehouse=warehouse)
    scheme = load_scheme(config.scheme)
    status = quarter_status(
        config,
        scheme,
        load_registries(config.units, config.tasks, config.limits),
        "2026Q2",
        datetime(2026, 7, 20, 10, 0, tzinfo=TZ),
    )
    return status, warehouse


def by_unit(status) -> dict[str, dict]:
    """Return the status rows by unit code."""
    return {row["unit_code"]: row for row in status.rows}


def test_late_units_and_days_late(after_deadline):
    rows = by_unit(after_deadline[0])
    late = {
        u: (r["days_late"], r["received_local"])
        for u, r in rows.items()
        if r["status"] == "逾期报送"
    }
    assert late == {
        "JD05": (1, datetime(2026, 7, 11, 9, 12)),
        "BM08": (2, datetime(2026, 7, 12, 15, 40)),
        "BM13": (4, datetime(2026, 7, 14, 10, 5)),
    }
    # Received on the deadline day at 23:41 (local time): on time.
    assert (rows["JD09"]["status"], rows["JD09"]["days_late"]) == ("按时报送", 0)


def test_rejected_then_corrected_uses_the_corrected_version_and_says_why(after_deadline):
    status = after_deadline[0]
    jd07 = by_unit(status)["JD07"]
    assert (jd07["status"], jd07["rejected_versions"]) == ("按时报送", 1)
    assert jd07["file_name"] == "两路口街道2026年二季度考核表（更正）.xlsx"
    assert [(r.unit_code, r.file_name, r.errors) for r in status.rejected] == [
        ("JD07", "两路口街道2026年二季度考核表.xlsx", [C7_ERROR])
    ]


def test_missing_unit_counts_and_deadline(after_deadline):
    status, warehouse = after_deadline
    assert by_unit(status)["BM05"]["status"] == "未报送"
    assert status.counts() == {"按时报送": 29, "逾期报送": 3, "仅有退回文件": 0, "未报送": 1}
    assert len(status.rows) == 33  # every unit of the registry, the detachment and the office too
    assert status.deadline == date(2026, 7, 10)
    assert time_left_text(status.time_left) == "已过截止9天10小时"
    assert not warehouse.exists()  # status never creates or writes the warehouse


def test_cli_before_the_deadline_shows_only_rejected_and_not_yet_sent(monkeypatch):
    monkeypatch.setattr(cli.console, "width", 200)
    result = CliRunner().invoke(
        cli.app,
        [
            "status",
            "--quarter",
            "2026Q2",
            "--config",
            str(ROOT / "firescore.toml"),
            "--warehouse",
            "/nonexistent/wh.duckdb",
            "--now",
            "2026-07-08 12:00",
        ],
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "报送截止：2026年7月10日（含当日）；距截止还有2天12小时" in lines
    assert "按时报送 22 个，逾期报送 0 个，仅有退回文件 1 个，未报送 10 个" in lines
    assert any(
        "JD07" in line and "仅有退回文件" in line for line in lines
    )  # the correction came on 9 July
    assert any("JD05" in line and "未报送" in line for line in lines)
    assert f"    {C7_ERROR}" in lines
    for header in (
        "单位代码",
        "单位名称",
        "考核组",
        "报送状态",
        "接收时间",
        "逾期天数",
        "退回版本数",
        "使用文件",
    ):
        assert header in result.output


def test_cli_refuses_a_bad_time_with_exit_2():
    result = CliRunner().invoke(
        cli.app,
        [
            "status",
            "--quarter",
            "2026Q2",
            "--config",
            str(ROOT / "firescore.toml"),
            "--now",
            "七月",
        ],
    )
    assert result.exit_code == 2
    assert "无法识别的时间" in result.output

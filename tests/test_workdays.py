"""Deadlines in working days on China's official calendar: holidays off, 调休 make-up days on."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from typer.testing import CliRunner

from firescore import cli
from firescore.commands.status import quarter_status
from firescore.config import load_config
from firescore.registry import load_registries
from firescore.scheme import load_scheme
from firescore.scheme.describe import describe_scheme
from firescore.scheme.workdays import CalendarError, covered_years, days_after

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_SCHEME = ROOT / "data_samples" / "scheme.yaml"


def working_scheme(folder: Path, days: int = 10) -> Path:
    """Write the sample scheme with its reporting deadline counted in working days."""
    data = yaml.safe_load(SAMPLE_SCHEME.read_text(encoding="utf-8"))
    data["reporting"]["deadline"] = {"days": days, "kind": "working"}
    path = folder / "scheme.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def working_config(folder: Path) -> Path:
    """Write a firescore.toml using the sample district with the working-day scheme."""
    scheme = working_scheme(folder)
    sample = ROOT / "data_samples"
    path = folder / "firescore.toml"
    path.write_text(
        "[paths]\n"
        f'scheme = "{scheme.as_posix()}"\n'
        f'units = "{(sample / "units.csv").as_posix()}"\n'
        f'tasks = "{(sample / "tasks.csv").as_posix()}"\n'
        f'history = "{(sample / "history").as_posix()}"\n'
        f'inbox = "{(sample / "inbox").as_posix()}"\n'
        f'out = "{(folder / "out").as_posix()}"\n'
        f'warehouse = "{(folder / "out" / "wh.duckdb").as_posix()}"\n',
        encoding="utf-8",
    )
    return path


def test_national_day_and_its_make_up_saturday():
    # 2026 国庆: 1–7 October off; Sunday 20 September and Saturday 10 October are worked (调休).
    # After Wednesday 30 September: 8 Oct (1), 9 Oct (2), Sat 10 Oct (3), 12–16 Oct (4–8),
    # 19 Oct (9), 20 Oct (10).
    assert days_after(date(2026, 9, 30), 10, "working") == date(2026, 10, 20)
    assert days_after(date(2026, 9, 30), 3, "working") == date(2026, 10, 10)  # a Saturday
    assert days_after(date(2026, 9, 19), 1, "working") == date(2026, 9, 20)  # a Sunday
    assert days_after(date(2026, 9, 30), 10, "natural") == date(2026, 10, 10)


def test_spring_festival_and_its_make_up_saturdays():
    # 2026 春节: 15–23 February off; Saturdays 14 and 28 February are worked (调休).
    # After Friday 13 February: Sat 14 Feb (1), then 24, 25, 26, 27 Feb (2–5), Sat 28 Feb (6).
    assert days_after(date(2026, 2, 13), 1, "working") == date(2026, 2, 14)
    assert days_after(date(2026, 2, 13), 5, "working") == date(2026, 2, 27)
    assert days_after(date(2026, 2, 13), 6, "working") == date(2026, 2, 28)
    assert days_after(date(2026, 2, 13), 0, "working") == date(2026, 2, 13)


def test_a_year_outside_the_calendar_is_refused_not_guessed():
    first, last = covered_years()
    assert first <= 2026 <= last
    with pytest.raises(CalendarError) as caught:
        days_after(date(last, 12, 31), 1, "working")
    assert str(caught.value).startswith("法定节假日日历（chinesecalendar ")
    assert f"只收录 {first}—{last} 年，无法判断 {last + 1}-01-01 是否为工作日" in str(caught.value)


def test_working_day_deadline_changes_who_is_late_in_status(tmp_path):
    # 2026Q2 ends Tuesday 30 June; July has no holiday: 10 working days end Tuesday 14 July
    # (natural days: Friday 10 July). The sample's late files (11, 12 and 14 July) are on time.
    config = load_config(working_config(tmp_path))
    scheme = load_scheme(config.scheme)
    registries = load_registries(config.units, config.tasks, config.limits)
    moment = datetime(2026, 7, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    status = quarter_status(config, scheme, registries, "2026Q2", moment)
    assert status.deadline == date(2026, 7, 14)
    assert status.counts() == {"按时报送": 32, "逾期报送": 0, "仅有退回文件": 0, "未报送": 1}
    assert (
        "报送时限",
        "季度结束后10个工作日内报送（以Asia/Shanghai时间为准），逾期每日扣信息报送分值的20%。",
    ) in describe_scheme(scheme)


def test_cli_shows_the_national_day_deadline_and_refuses_an_uncovered_year(tmp_path):
    config = working_config(tmp_path)
    runner = CliRunner()
    shown = runner.invoke(
        cli.app,
        ["status", "--quarter", "2026Q3", "--config", str(config), "--now", "2026-10-09 12:00"],
    )
    assert shown.exit_code == 0, shown.output
    assert "报送截止：2026年10月20日（含当日）" in shown.output
    # 2026Q4's deadline falls in 2027, a year the installed calendar does not cover.
    refused = runner.invoke(cli.app, ["status", "--quarter", "2026Q4", "--config", str(config)])
    assert refused.exit_code == 2
    assert "2026Q4 的报送截止日无法计算：法定节假日日历" in refused.output
    assert "请升级 chinesecalendar，或在考核方案中改用 kind: natural（自然日）" in refused.output

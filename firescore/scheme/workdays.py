"""Counting days after a date: natural days, or working days on China's official calendar.

Working days come from the `chinesecalendar` package (国务院办公厅 holiday notices: 法定节假日
off, 调休 make-up Saturdays and Sundays on). It knows only the years it ships; a date outside
them is refused with a Chinese message rather than guessed from weekdays.
"""

from __future__ import annotations

from datetime import date, timedelta
from importlib.metadata import version
from typing import Literal

import chinese_calendar
from chinese_calendar import constants

DayKind = Literal["natural", "working"]
KIND_NAMES: dict[str, str] = {"natural": "自然日", "working": "工作日"}


class CalendarError(ValueError):
    """A working day asked of a year the holiday calendar does not cover (Chinese message)."""


def covered_years() -> tuple[int, int]:
    """Return the first and last year the installed holiday calendar covers."""
    years = [day.year for day in constants.holidays] + [day.year for day in constants.workdays]
    return min(years), max(years)


def is_working_day(day: date) -> bool:
    """Return whether a day is a working day (调休 make-up days included, holidays excluded)."""
    first, last = covered_years()
    if not first <= day.year <= last:
        raise CalendarError(
            f"法定节假日日历（chinesecalendar {version('chinesecalendar')}）只收录 "
            f"{first}—{last} 年，无法判断 {day.isoformat()} 是否为工作日；"
            "请升级 chinesecalendar，或在考核方案中改用 kind: natural（自然日）"
        )
    return chinese_calendar.is_workday(day)


def days_after(start: date, days: int, kind: DayKind) -> date:
    """Return the day `days` natural or working days after `start` (start itself not counted)."""
    if kind == "natural":
        return start + timedelta(days=days)
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        counted += is_working_day(day)
    return day


def describe_days(days: int, kind: DayKind) -> str:
    """Return 10个工作日 / 10日 as the scheme's prose writes a day count."""
    return f"{days}个工作日" if kind == "working" else f"{days}日"

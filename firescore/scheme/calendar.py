"""The quarter calendar: a `Quarter` value parsed once, with its label and bounds."""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date, timedelta

QUARTER_NUMERALS = "一二三四"

_QUARTER_RE = re.compile(r"^(\d{4})\s*[-_ ]?\s*Q([1-4])$", re.IGNORECASE)
_QUARTER_ZH_RE = re.compile(r"^(\d{4})\s*年\s*第?\s*([一二三四1-4])\s*季度?$")


class QuarterError(ValueError):
    """A text that is not a quarter; the message is Chinese and names the text."""


class Quarter(str):
    """A quarter such as 2026Q2: the normal text itself, plus its year, number and dates.

    It is a str so that it binds as a SQL parameter, names folders and compares like the
    quarter column of every table, while the calendar facts are computed in one place.
    """

    __slots__ = ("year", "number")
    year: int
    number: int

    def __new__(cls, text: str) -> Quarter:
        """Parse 2026Q2 / 2026年第二季度 / 2026年第2季度; raise QuarterError otherwise."""
        if isinstance(text, Quarter):
            return text
        found = _match(text)
        if found is None:
            raise QuarterError(f"无法识别的考核季度「{text}」，应如 2026Q2 或 2026年第二季度")
        year, number = found
        quarter = super().__new__(cls, f"{year}Q{number}")
        quarter.year, quarter.number = year, number
        return quarter

    @classmethod
    def parse(cls, text: object) -> Quarter | None:
        """Return the quarter a text names, or None when it names none."""
        return cls(text) if isinstance(text, str) and _match(text) else None

    @property
    def label(self) -> str:
        """Return the Chinese label: 2026年第二季度."""
        return f"{self.year}年第{QUARTER_NUMERALS[self.number - 1]}季度"

    @property
    def first_day(self) -> date:
        """Return the first day of the quarter."""
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> date:
        """Return the last day of the quarter."""
        month = 3 * self.number
        return date(self.year, month, calendar.monthrange(self.year, month)[1])

    @property
    def previous(self) -> Quarter | None:
        """Return the quarter before in the same year, or None for the first quarter."""
        return Quarter(f"{self.year}Q{self.number - 1}") if self.number > 1 else None

    def year_so_far(self) -> list[Quarter]:
        """Return this year's quarters up to and including this one."""
        return [Quarter(f"{self.year}Q{n}") for n in range(1, self.number + 1)]


def year_quarters(year: int) -> list[Quarter]:
    """Return the four quarters of a year."""
    return [Quarter(f"{year}Q{n}") for n in range(1, 5)]


def _match(text: str) -> tuple[int, int] | None:
    """Return (year, quarter number) of a quarter text, or None."""
    s = unicodedata.normalize("NFKC", text).strip()
    m = _QUARTER_RE.match(s) or _QUARTER_ZH_RE.match(s)
    if not m:
        return None
    q = m.group(2)
    return int(m.group(1)), QUARTER_NUMERALS.index(q) + 1 if q in QUARTER_NUMERALS else int(q)


# Scheduled runs start at these local times on the day after a reporting deadline: the quarter
# first, the year's roll-up once the fourth quarter has had time to finish.
QUARTER_RUN_AT = (1, 30)
ANNUAL_RUN_AT = (4, 30)


def day_after_cron(deadline: date, at: tuple[int, int]) -> str:
    """Return the cron line (local time) that fires at ``at`` on the day after ``deadline``."""
    day = deadline + timedelta(days=1)
    hour, minute = at
    return f"{minute} {hour} {day.day} {day.month} *"

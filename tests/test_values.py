"""Values as people type them are understood; what cannot be understood is flagged."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from firescore.intake.values import (
    UNPARSABLE,
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_enum,
    parse_integer,
)
from firescore.registry import parse_deadline

STATUSES = ["已完成", "推进中", "未启动"]
SYNONYMS = {"完成": "已完成", "已办结": "已完成", "进行中": "推进中", "未开始": "未启动"}


@pytest.mark.parametrize(
    "typed",
    [
        "2026-06-30",
        "2026/6/30",
        "2026.6.30",
        "2026年6月30日",
        "２０２６年６月３０日",
        "46203",
        "2026-06-30 00:00:00",
        " 2026 / 6 / 30 ",
    ],
)
def test_dates_as_typed(typed):
    assert parse_date(typed) == date(2026, 6, 30)


@pytest.mark.parametrize("typed", ["2026-06-31", "明天", "6月30日", "12345"])
def test_not_dates(typed):
    assert parse_date(typed) is UNPARSABLE


def test_datetime_keeps_time():
    assert parse_datetime("2026年5月3日 14:30") == datetime(2026, 5, 3, 14, 30)
    assert parse_datetime("46203.5") == datetime(2026, 6, 30, 12, 0)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("85%", Decimal("0.85")),
        ("0.85", Decimal("0.85")),
        ("１，２３４", Decimal(1234)),
        (" 1,234 ", Decimal(1234)),
        ("８５％", Decimal("0.85")),
    ],
)
def test_numbers_as_typed(typed, expected):
    assert parse_decimal(typed) == expected


def test_integers_refuse_fractions():
    assert parse_integer("3.0") == 3
    assert parse_integer("３") == 3
    assert parse_integer("2.5") is UNPARSABLE
    assert parse_integer("三") is UNPARSABLE


@pytest.mark.parametrize(
    ("typed", "expected"),
    [(" 已 完成 ", "已完成"), ("完成", "已完成"), ("进行中", "推进中"), ("未开始", "未启动")],
)
def test_status_synonyms_and_whitespace(typed, expected):
    assert parse_enum(typed, STATUSES, SYNONYMS) == expected


def test_unknown_status_is_flagged():
    assert parse_enum("已完", STATUSES, SYNONYMS) is UNPARSABLE


@pytest.mark.parametrize(
    ("text", "deadline", "ongoing"),
    [
        ("2026年6月底前", date(2026, 6, 30), False),
        ("2026年2月", date(2026, 2, 28), False),
        ("2026年12月", date(2026, 12, 31), False),
        ("2026-05-31", date(2026, 5, 31), False),
        ("2026年底前", date(2026, 12, 31), False),
        ("持续开展", None, True),
    ],
)
def test_deadline_month_means_its_last_day(text, deadline, ongoing):
    assert parse_deadline(text) == (deadline, ongoing)


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31)))
def test_every_written_date_round_trips(day):
    for text in (
        f"{day:%Y-%m-%d}",
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}年{day.month}月{day.day}日",
    ):
        assert parse_date(text) == day

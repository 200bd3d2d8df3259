"""Understand values as people type them into Excel/WPS: dates, numbers, percents, 是/否."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation


class Unparsable:
    """Marker returned when a value cannot be understood as the expected type."""

    def __repr__(self) -> str:
        return "UNPARSABLE"


UNPARSABLE = Unparsable()

_EXCEL_EPOCH = datetime(1899, 12, 30)
_SPACES = re.compile(r"\s+")
_DATE_PATTERNS = [
    re.compile(
        r"^(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})"
        r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?$"
    ),
    re.compile(
        r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?"
        r"(?:\s*(\d{1,2})\s*[:时]\s*(\d{2})\s*分?(?::(\d{2}))?)?$"
    ),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]


def clean_text(value: str | None) -> str | None:
    """Return text stripped of surrounding whitespace (incl. full-width spaces); blank -> None."""
    if value is None:
        return None
    text = value.replace("\u3000", " ").strip()
    return text or None


def fold(value: str | None) -> str | None:
    """Return a comparison key: NFKC (full-width -> half-width) with all whitespace removed."""
    if value is None:
        return None
    folded = _SPACES.sub("", unicodedata.normalize("NFKC", value))
    return folded or None


def parse_datetime(value: str | None) -> datetime | None | Unparsable:
    """Parse 2026-06-30, 2026/6/30, 2026.6.30, 2026年6月30日, Excel serials, with optional time."""
    if value is None:
        return None
    text = _SPACES.sub(" ", unicodedata.normalize("NFKC", value)).strip()
    if not text:
        return None
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            parts = [int(p) if p else 0 for p in match.groups()]
            parts += [0] * (6 - len(parts))
            try:
                return datetime(*parts[:6])
            except ValueError:
                return UNPARSABLE
    try:
        serial = float(text)
    except ValueError:
        return UNPARSABLE
    # Excel serials for 1990..2100; anything else is not a date someone meant.
    if 32874 <= serial <= 73051:
        return (_EXCEL_EPOCH + timedelta(days=serial)).replace(microsecond=0)
    return UNPARSABLE


def parse_date(value: str | None) -> date | None | Unparsable:
    """Parse a date as typed (see parse_datetime); a time part is dropped."""
    parsed = parse_datetime(value)
    return parsed.date() if isinstance(parsed, datetime) else parsed


def parse_decimal(value: str | None) -> Decimal | None | Unparsable:
    """Parse a number typed as text: full-width digits, spaces, thousands separators, 85%."""
    text = fold(value)
    if text is None:
        return None
    text = text.replace(",", "").replace("，", "")
    percent = text.endswith("%")
    if percent:
        text = text[:-1]
    try:
        number = Decimal(text)
    except InvalidOperation:
        return UNPARSABLE
    if not number.is_finite():
        return UNPARSABLE
    return number / 100 if percent else number


def parse_integer(value: str | None) -> int | None | Unparsable:
    """Parse a whole number (3, 3.0, ３); 2.5 is not one."""
    number = parse_decimal(value)
    if number is None or isinstance(number, Unparsable):
        return number
    if number != number.to_integral_value():
        return UNPARSABLE
    return int(number)


def parse_bool(value: str | None) -> bool | None | Unparsable:
    """Parse 是/否 (and the obvious variants)."""
    text = fold(value)
    if text is None:
        return None
    text = text.lower()
    if text in {"是", "y", "yes", "true", "1", "√"}:
        return True
    if text in {"否", "n", "no", "false", "0", "×"}:
        return False
    return UNPARSABLE


def parse_enum(
    value: str | None, allowed: list[str], synonyms: dict[str, str]
) -> str | None | Unparsable:
    """Map a typed choice to its canonical spelling, through the contract's synonyms."""
    key = fold(value)
    if key is None:
        return None
    canonical = {fold(a): a for a in allowed}
    canonical.update({fold(k): v for k, v in synonyms.items()})
    return canonical.get(key, UNPARSABLE)

"""The scheme in words for the 说明 sheets, rendered from the template describe_zh.txt.j2."""

from __future__ import annotations

from decimal import Decimal
from functools import cache

import jinja2

from firescore.scheme.model import BLOCKS, GROUPS, DayCount, Scheme
from firescore.scheme.workdays import describe_days

TEMPLATE = "describe_zh.txt.j2"
SEPARATOR = " | "  # between a row's label and its text in the template


def describe_scheme(scheme: Scheme) -> list[tuple[str, str]]:
    """Return the scheme in words: (Chinese label, text) rows, in the template's order."""
    text = _template().render(
        s=scheme, groups=GROUPS, blocks=[getattr(scheme.blocks, b) for b in BLOCKS]
    )
    return [tuple(line.split(SEPARATOR, 1)) for line in text.splitlines() if line.strip()]


@cache
def _template() -> jinja2.Template:
    """Return the compiled template (undefined names fail loudly: they are our mistakes)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("firescore.scheme", "."),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.filters.update(num=number_text, pct=percent_text, signed=signed_text, days=days_text)
    return env.get_template(TEMPLATE)


def number_text(value: Decimal) -> str:
    """Return a decimal without trailing zeros: 45, 0.5."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def percent_text(value: Decimal) -> str:
    """Return a fraction as a percentage: 0.4 -> 40%."""
    return f"{number_text(value * 100)}%"


def signed_text(value: Decimal) -> str:
    """Return a signed number: +5, -3."""
    return f"+{number_text(value)}" if value > 0 else number_text(value)


def days_text(count: DayCount) -> str:
    """Return a day count in words: 10日, 5个工作日."""
    return describe_days(count.days, count.kind)

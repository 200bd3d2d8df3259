"""Every cell format, font and workbook option of the published workbooks, defined once."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from xlsxwriter import Workbook
from xlsxwriter.format import Format

BODY_FONT = "宋体"  # body text
TITLE_FONT = "黑体"  # titles and headers
FONT_SIZE = 11
TITLE_FONT_SIZE = 16
ATTACHMENT_FONT_SIZE = 14  # 附件1, top left above the title
SECTION_FONT_SIZE = 12  # a group's heading above its own table (镇街组 / 部门组)
GB2312_CHARSET = 134  # tells Excel the font is a Chinese one

SCORE_NUM_FORMAT = "0.00"
FACTOR_NUM_FORMAT = "0.0000##"  # 折算系数: 1.176471
INTEGER_NUM_FORMAT = "0"
DATETIME_NUM_FORMAT = "yyyy-mm-dd hh:mm"
DATE_NUM_FORMAT = "yyyy-mm-dd"

# Page set-up shared by every sheet.
PAPER_A4 = 9
FOOTER = "&C&P/&N"
MARGINS = {"left": 0.5, "right": 0.5, "top": 0.6, "bottom": 0.6}

# font_scheme "none": never let Excel swap in the theme's (Latin) font for ours.
_FONT = {"font_charset": GB2312_CHARSET, "font_scheme": "none"}
_BODY = {"font_name": BODY_FONT, "font_size": FONT_SIZE, **_FONT}
# Every text cell wraps: a text wider than its column grows the row (rows.py), never gets cut.
_CELL = {**_BODY, "border": 1, "valign": "vcenter", "text_wrap": True}

TITLE = {
    "font_name": TITLE_FONT,
    "font_size": TITLE_FONT_SIZE,
    **_FONT,
    "align": "center",
    "valign": "vcenter",
    "text_wrap": True,
}
ATTACHMENT = {
    "font_name": TITLE_FONT,
    "font_size": ATTACHMENT_FONT_SIZE,
    **_FONT,
    "align": "left",
    "valign": "vcenter",
}
SUBTITLE = {**_BODY, "align": "center", "valign": "vcenter", "text_wrap": True}  # office, date
SECTION = {
    "font_name": TITLE_FONT,
    "font_size": SECTION_FONT_SIZE,
    **_FONT,
    "align": "left",
    "valign": "vcenter",
}
HEADER = {
    "font_name": TITLE_FONT,
    "font_size": FONT_SIZE,
    **_FONT,
    "bg_color": "#D9D9D9",
    "border": 1,
    "align": "center",
    "valign": "vcenter",
    "text_wrap": True,
}
TEXT = _CELL
CENTER = {**_CELL, "align": "center"}
WRAP = _CELL  # kept by name: the columns meant for long text
SCORE = {**_CELL, "num_format": SCORE_NUM_FORMAT}
FACTOR = {**_CELL, "num_format": FACTOR_NUM_FORMAT}
INTEGER = {**_CELL, "num_format": INTEGER_NUM_FORMAT, "align": "center"}
DATETIME = {**_CELL, "num_format": DATETIME_NUM_FORMAT, "align": "center"}
DATE = {**_CELL, "num_format": DATE_NUM_FORMAT, "align": "center"}
ALERT = {**_CELL, "align": "center", "bold": True, "font_color": "#C00000"}  # 一票否决、错误
LABEL = {**_CELL, "bold": True}  # key column of key/value sheets

# Chart fonts (xlsxwriter takes them per chart element).
CHART_TITLE_FONT = {"name": TITLE_FONT, "size": 12, "bold": False, "charset": GB2312_CHARSET}
CHART_AXIS_FONT = {"name": BODY_FONT, "size": 9, "charset": GB2312_CHARSET}
CHART_BAR_COLOR = "#4472C4"
CHART_VETO_COLOR = "#C00000"  # a vetoed unit's bar (一票否决), like the alert cells


def workbook_options() -> dict[str, Any]:
    """Return the Workbook() options: user text never becomes a formula; Chinese default font."""
    return {
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "in_memory": True,  # no temp files: about 3x faster for many small workbooks
        "default_format_properties": dict(_BODY),
    }


def workbook_properties(title: str, created: datetime) -> dict[str, Any]:
    """Return document properties; a fixed created time makes the file byte-reproducible."""
    return {"title": title, "author": "firescore", "created": created}


@dataclass(frozen=True)
class Formats:
    """The workbook's Format objects, one per style above."""

    title: Format
    attachment: Format
    subtitle: Format
    section: Format
    header: Format
    text: Format
    center: Format
    wrap: Format
    score: Format
    factor: Format
    integer: Format
    datetime: Format
    date: Format
    alert: Format
    label: Format

    @classmethod
    def create(cls, workbook: Workbook) -> Formats:
        """Add every format to ``workbook`` once and return them."""
        styles = {
            "title": TITLE,
            "attachment": ATTACHMENT,
            "subtitle": SUBTITLE,
            "section": SECTION,
            "header": HEADER,
            "text": TEXT,
            "center": CENTER,
            "wrap": WRAP,
            "score": SCORE,
            "factor": FACTOR,
            "integer": INTEGER,
            "datetime": DATETIME,
            "date": DATE,
            "alert": ALERT,
            "label": LABEL,
        }
        assert set(styles) == {f.name for f in fields(cls)}
        return cls(**{name: workbook.add_format(props) for name, props in styles.items()})

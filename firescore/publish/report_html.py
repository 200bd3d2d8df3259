"""校验报告_<quarter>.html: the quarter's validation as one self-contained page.

The Great Expectations Data Docs load Bootstrap, jQuery and Vega from CDNs, so on an office
intranet without internet they show a blank page. This page needs nothing but itself: inline
CSS, no script, no link out; every value escaped (text a unit typed is never markup). Files are
named by their file name, columns by their Chinese headers, as in 校验问题.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any

from firescore.atomic import atomic_path
from firescore.publish.columns import (
    issue_columns,
    issue_values,
    submission_columns,
    submission_values,
)
from firescore.publish.meta import PublishMeta
from firescore.publish.queries import SEVERITY_NAMES, QuarterData

STYLE = """
body { font-family: "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", sans-serif;
       margin: 2em; color: #222; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; }
h2 { font-size: 1.2em; margin-top: 1.6em; border-bottom: 2px solid #444; }
p.meta { color: #555; margin: 0.2em 0; }
table { border-collapse: collapse; width: 100%; font-size: 0.9em; }
th, td { border: 1px solid #bbb; padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #eee; }
tr.error td { background: #fdecea; }
td.error { color: #b00; font-weight: bold; }
span.count { display: inline-block; margin-right: 1.5em; }
"""


def report_name(quarter: str) -> str:
    """Return the report's file name, e.g. 校验报告_2026Q2.html."""
    return f"校验报告_{quarter}.html"


def write_validation_report(path: Path, meta: PublishMeta, data: QuarterData) -> Path:
    """Write the self-contained validation report of a quarter; return its path."""
    errors = [row for row in data.issues if row["severity"] == "error"]
    files_with_errors = {(row["unit_code"], row["file_name"]) for row in errors}
    title = f"{meta.district}{meta.quarter_label}报送文件校验报告"
    heading = meta.heading(title)
    counts = [
        f"报送单位 {sum(1 for s in data.submissions if s['file_name'])} 个",
        f"问题 {len(data.issues)} 条（其中错误 {len(errors)} 条）",
        f"有错误而退回的文件 {len(files_with_errors)} 个",
    ]
    body = [
        f"<h1>{escape(title)}</h1>",
        *(
            f'<p class="meta">{escape(line)}</p>'
            for line in (heading.office, heading.dated)
            if line
        ),
        f'<p class="meta">运行编号 {escape(meta.run_id)}</p>',
        "<p>" + "".join(f'<span class="count">{escape(c)}</span>' for c in counts) + "</p>",
        "<h2>各单位报送情况</h2>",
        _table(
            [c.header for c in submission_columns()],
            [submission_values(row) for row in data.submissions],
        ),
        "<h2>校验问题</h2>",
        _table(
            [c.header for c in issue_columns()],
            [issue_values(row) for row in data.issues],
            error_column=3,
        )
        if data.issues
        else "<p>无</p>",
    ]
    page = (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )
    with atomic_path(path) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return path


def _table(headers: list[str], rows: Sequence[Sequence[Any]], error_column: int = -1) -> str:
    """Return an HTML table of escaped cells; rows whose severity is 错误 are marked."""
    error = SEVERITY_NAMES["error"]
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    lines = [f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>"]
    for row in rows:
        is_error = error_column >= 0 and row[error_column] == error
        cells = "".join(
            f'<td class="error">{_text(v)}</td>'
            if is_error and i == error_column
            else f"<td>{_text(v)}</td>"
            for i, v in enumerate(row)
        )
        lines.append(f'<tr class="error">{cells}</tr>' if is_error else f"<tr>{cells}</tr>")
    lines.append("</tbody>\n</table>")
    return "\n".join(lines)


def _text(value: Any) -> str:
    """Return a cell's escaped text: times to the minute, blanks empty."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    return escape(str(value))

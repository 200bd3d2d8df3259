"""The one validation issue type and the one place that formats a cell reference."""

from __future__ import annotations

from dataclasses import asdict, dataclass

ERROR = "error"
WARNING = "warning"
SEVERITY_ZH = {ERROR: "错误", WARNING: "警告"}


def col_letter(index: int) -> str:
    """Return the Excel column letters of a 0-based column index (0 -> A, 27 -> AB)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_ref(col: str | None, row: int | None) -> str | None:
    """Return an A1 reference such as C7, or None when the position is unknown."""
    if col is None or row is None:
        return None
    return f"{col}{row}"


def show_value(value: object) -> str:
    """Return a value as a person would read it in a message (blank shown as 空)."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return "空"
    return str(value)


@dataclass(frozen=True)
class Issue:
    """A problem found in a submitted file, named down to the cell."""

    file_id: str  # sha256 of the file (or bundle) the issue is about
    severity: str  # error | warning
    rule_id: str
    message: str  # Chinese, complete on its own
    sheet: str | None = None
    cell: str | None = None
    column_name: str | None = None
    value: str | None = None
    expected: str | None = None

    def as_row(self) -> dict:
        """Return the issue as a plain dict (for frames and the warehouse)."""
        return asdict(self)


def cell_issue(
    file_id: str,
    severity: str,
    rule_id: str,
    *,
    sheet: str,
    cell: str | None,
    column_name: str,
    value: object,
    expected: str,
    found: str = "为",
) -> Issue:
    """Build an issue about one cell: 任务进展!C7「完成状态」为“已完”，应为：已完成、推进中、未启动."""
    where = f"{sheet}!{cell}" if cell else sheet
    shown = show_value(value)
    quoted = "空" if shown == "空" else f"“{shown}”"
    message = f"{where}「{column_name}」{found}{quoted}，应为：{expected}"
    return Issue(
        file_id=file_id,
        severity=severity,
        rule_id=rule_id,
        message=message,
        sheet=sheet,
        cell=cell,
        column_name=column_name,
        value=None if shown == "空" else shown,
        expected=expected,
    )


def file_issue(
    file_id: str, severity: str, rule_id: str, message: str, *, sheet: str | None = None
) -> Issue:
    """Build an issue about a whole file or sheet (unreadable, missing sheet ...)."""
    return Issue(file_id=file_id, severity=severity, rule_id=rule_id, message=message, sheet=sheet)

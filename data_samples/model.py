"""Plain records the generator builds and the workbook writers write, plus date helpers."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

QUARTER_RE = re.compile(r"^(\d{4})Q([1-4])$")
CN_NUMERALS = "一二三四"
DEADLINE_DAYS = 10  # 报送截止: quarter end + 10 days (scheme default)

GROUP_STREET = "镇街组"
GROUP_DEPT = "部门组"


@dataclass(frozen=True)
class Unit:
    """One row of units.csv, plus what the generator needs to simulate it."""

    code: str
    name: str
    group: str  # 镇街组 | 部门组
    region: str  # 中心城区 | 其他 | ""
    place_types: tuple[str, ...]
    ranked: bool
    slot: int = 0  # index of the street/department template it copies
    cluster: int = 0  # copy of the sample district it belongs to (scale mode)
    high_rises: int = 0  # streets: high-rise buildings (I01 分母)

    @property
    def is_street(self) -> bool:
        """True for a street (镇街组)."""
        return self.group == GROUP_STREET


@dataclass(frozen=True)
class Task:
    """One row of tasks.csv, with the unit codes its cells name."""

    task_id: str
    title: str
    detail: str
    lead: tuple[str, ...]  # 牵头单位 codes
    support: tuple[str, ...]  # 配合单位 codes
    lead_text: str  # as written in the cell
    support_text: str
    deadline_text: str
    deadline: date | None  # None = 持续开展
    weight: str


@dataclass
class BasicInfo:
    """The 基本信息 sheet."""

    unit_code: str
    unit_name: str
    quarter_text: str  # 2026Q2 or 2026年第二季度
    filler: str
    phone: str
    fill_date: date


@dataclass
class TaskRow:
    """One row of 任务进展."""

    task_id: str
    title: str
    status: str
    done: date | str | None  # a date cell, or text as typed (2026年5月20日)
    times: int | str | None  # 本季度开展次数 (持续开展 only)
    progress: str
    evidence: str


@dataclass
class IndicatorRow:
    """One row of 工作指标."""

    indicator_id: str
    name: str
    value: int
    denominator: int | None  # rates only
    note: str


@dataclass
class FireRow:
    """One row of 火灾情况."""

    fire_id: str
    fire_time: datetime
    street_code: str
    place_type: str
    cause: str
    deaths: int
    injuries: int
    loss: float  # 直接财产损失（万元）
    grade: str  # "" = left blank for the program to derive


@dataclass
class AdjustmentRow:
    """One row of 加减分."""

    unit_code: str
    item: str
    points: float | None
    reason: str
    doc_no: str
    adj_date: date


@dataclass
class Report:
    """What one unit reports for one quarter: the sheets of its workbook."""

    basic: BasicInfo
    tasks: list[TaskRow] | None = None
    indicators: list[IndicatorRow] | None = None
    fires: list[FireRow] | None = None
    adjustments: list[AdjustmentRow] | None = None


@dataclass
class FileVersion:
    """One file in the inbox: who sent it, when, under which name, and its content."""

    unit: Unit
    quarter: str
    file_name: str
    received_at: datetime
    report: Report
    header_rows: dict[str, int] = field(default_factory=dict)  # sheet -> 1-based header row
    subtitle: bool = True  # above a header on row 3: a subtitle line (True) or a blank row
    defect: str = ""  # "" = valid
    defect_note: str = ""  # where the defect sits, e.g. 任务进展!C7
    draft: bool = False

    @property
    def rel_path(self) -> str:
        """Path of the file relative to the inbox root."""
        return f"{self.quarter}/{self.unit.code}/{self.file_name}"


def parse_quarter(quarter: str) -> tuple[int, int]:
    """Return (year, quarter number) of a quarter string like 2026Q2."""
    m = QUARTER_RE.match(quarter)
    if not m:
        raise ValueError(f"not a quarter: {quarter!r} (expected e.g. 2026Q2)")
    return int(m.group(1)), int(m.group(2))


def quarter_label(quarter: str) -> str:
    """Return the Chinese label of a quarter: 2026年第二季度."""
    year, q = parse_quarter(quarter)
    return f"{year}年第{CN_NUMERALS[q - 1]}季度"


def month_end(year: int, month: int) -> date:
    """Return the last day of a month."""
    return date(year, month, calendar.monthrange(year, month)[1])


def quarter_start(quarter: str) -> date:
    """Return the first day of a quarter."""
    year, q = parse_quarter(quarter)
    return date(year, 3 * q - 2, 1)


def quarter_end(quarter: str) -> date:
    """Return the last day of a quarter (Qend)."""
    year, q = parse_quarter(quarter)
    return month_end(year, 3 * q)


def reporting_deadline(quarter: str) -> date:
    """Return the reporting deadline: Qend + 10 days."""
    return quarter_end(quarter) + timedelta(days=DEADLINE_DAYS)


def quarter_of(day: date) -> str:
    """Return the quarter string a date falls in."""
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def expand_quarters(spec: str) -> list[str]:
    """Return the quarters of '2026Q1..2026Q4' or '2026Q1,2026Q3' in order."""
    spec = spec.replace(" ", "")
    if ".." in spec:
        first, last = spec.split("..", 1)
        y, q = parse_quarter(first)
        end = parse_quarter(last)
        out = []
        while (y, q) <= end:
            out.append(f"{y}Q{q}")
            y, q = (y + 1, 1) if q == 4 else (y, q + 1)
        if not out:
            raise ValueError(f"empty quarter range: {spec!r}")
        return out
    quarters = [s for s in spec.split(",") if s]
    for s in quarters:
        parse_quarter(s)
    return sorted(set(quarters), key=parse_quarter)


def parse_deadline(text: str) -> date | None:
    """Return the deadline of a 完成时限 text (None for 持续开展); months mean their last day."""
    text = text.strip()
    if text == "持续开展":
        return None
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if m:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = re.fullmatch(r"(\d{4})年(\d{1,2})月(?:底)?(?:前)?", text)
    if m:
        return month_end(int(m.group(1)), int(m.group(2)))
    raise ValueError(f"unknown 完成时限: {text!r}")


def fire_grade(deaths: int, injuries: int, loss: float) -> str:
    """Return the fire grade per 消防〔2025〕17号 (default scheme thresholds)."""
    if deaths >= 30 or injuries >= 100 or loss >= 30000:
        return "特别重大"
    if deaths >= 10 or injuries >= 50 or loss >= 10000:
        return "重大"
    if deaths >= 3 or injuries >= 10 or loss >= 3000:
        return "较大"
    return "一般"

"""The annual results: <out>/<year>/年度考核结果_<year>.xlsx and annual_results.csv."""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
from xlsxwriter import Workbook

from firescore.atomic import atomic_path
from firescore.publish import formats
from firescore.publish.columns import yes_no
from firescore.publish.formats import Formats
from firescore.publish.meta import chinese_datetime
from firescore.publish.queries import fetch_rows
from firescore.publish.results_csv import CSV_ENCODING, two_decimals
from firescore.publish.sheets import Column, Heading, group_sections, write_sections, write_table
from firescore.scheme import GROUPS, QUARTER_NUMERALS, Quarter, Scheme, describe_scheme
from firescore.warehouse.releases import drafts_among

log = logging.getLogger(__name__)

Row = dict[str, Any]

RANKING_SHEET = "年度排名"
NOTES_SHEET = "说明"
ANNUAL_CSV_NAME = "annual_results.csv"
CSV_HEADER = (
    "unit_code",
    "unit_name",
    "group",
    "q1_total",
    "q2_total",
    "q3_total",
    "q4_total",
    "total",
    "grade",
    "veto",
    "rank",
    "period",  # 全年, or 截至第N季度（预计） before Q4 is scored
)
FINAL_PERIOD = "全年"

SCHEME_LINES = ("等次", "优秀比例")  # the lines of the scheme in words that apply to the year

ANNUAL_SQL = """
SELECT *
FROM annual_scores
WHERE year = $year
ORDER BY CASE grp WHEN '镇街组' THEN 0 WHEN '部门组' THEN 1 ELSE 2 END, grp, rank, unit_code
"""

# The latest receipt among the year's files: the data's as-of time and the workbook's created time.
AS_OF_SQL = """
SELECT max(received_at) FROM raw_files WHERE quarter IN ($q1, $q2, $q3, $q4)
"""


@dataclass(frozen=True)
class AnnualMeta:
    """Run facts the annual workbook shows."""

    district: str
    title: str
    year: int
    quarters: list[str]  # the quarters scored, e.g. [2026Q1, 2026Q2]
    as_of: datetime  # aware: the latest receipt of the year's files
    timezone: str
    scheme_lines: list[tuple[str, str]]  # grade bands and 一票否决 in words
    office: str = ""  # the issuing office, under every sheet's title (firescore.toml [office])
    attachment: str | None = None  # 附件 label, e.g. 附件1
    drafts: tuple[str, ...] = ()  # scored quarters still drafts (征求意见稿), not yet final

    @property
    def provisional(self) -> bool:
        """Return whether the year is provisional: its fourth quarter is not scored yet."""
        return f"{self.year}Q4" not in self.quarters

    @property
    def period(self) -> str:
        """Return 全年, or 截至第N季度（预计） for a provisional year (N: the last quarter scored)."""
        if not self.provisional:
            return FINAL_PERIOD
        last = max(Quarter(q).number for q in self.quarters)
        return f"截至第{QUARTER_NUMERALS[last - 1]}季度（预计）"

    def sheet_title(self, sheet: str) -> str:
        """Return a sheet's title row, e.g. 渝中区2026年度消防工作考核结果——年度排名, marked
        「　截至第二季度（预计）」 while the year is provisional."""
        period = f"　{self.period}" if self.provisional else ""
        return f"{self.district}{self.year}年度消防工作考核结果——{sheet}{period}"

    def heading(self, sheet: str) -> Heading:
        """Return a sheet's heading: 附件 label, title, office and the data's as-of time."""
        as_of = chinese_datetime(self.as_of.astimezone(ZoneInfo(self.timezone)))
        return Heading(
            title=self.sheet_title(sheet),
            office=self.office,
            dated=f"数据截至：{as_of}",
            attachment=self.attachment,
        )


def annual_workbook_name(year: int) -> str:
    """Return the annual workbook's file name, e.g. 年度考核结果_2026.xlsx."""
    return f"年度考核结果_{year}.xlsx"


def annual_meta(
    con: duckdb.DuckDBPyConnection,
    scheme: Scheme,
    year: int,
    quarters: list[str],
    office: str = "",
    attachment: str | None = None,
) -> AnnualMeta:
    """Return the annual workbook's facts from the scheme, the warehouse and the office."""
    return AnnualMeta(
        district=scheme.district,
        title=scheme.title,
        year=year,
        quarters=quarters,
        as_of=annual_as_of(con, year, scheme.timezone),
        timezone=scheme.timezone,
        scheme_lines=[row for row in describe_scheme(scheme) if row[0] in SCHEME_LINES],
        office=office,
        attachment=attachment,
        drafts=tuple(drafts_among(con, quarters)),
    )


def annual_as_of(con: duckdb.DuckDBPyConnection, year: int, timezone: str) -> datetime:
    """Return the latest receipt time of the year's files (1 January when there is none)."""
    quarters = {f"q{n}": f"{year}Q{n}" for n in range(1, 5)}
    latest = con.execute(AS_OF_SQL, quarters).fetchone()[0]
    return latest or datetime(year, 1, 1, tzinfo=ZoneInfo(timezone))


def publish_annual(con: duckdb.DuckDBPyConnection, meta: AnnualMeta, out_dir: Path) -> list[Path]:
    """Write the annual workbook and csv into ``out_dir/<year>/``; return their paths."""
    rows = fetch_rows(con, ANNUAL_SQL, year=meta.year)
    if not rows:
        raise ValueError(f"no annual_scores rows for {meta.year}: roll the year up first")
    target = Path(out_dir) / str(meta.year)
    workbook_path = target / annual_workbook_name(meta.year)
    csv_path = target / ANNUAL_CSV_NAME
    write_annual_workbook(workbook_path, meta, rows)
    write_annual_csv(csv_path, rows, meta.period)
    log.info("published annual %d: %s, %s", meta.year, workbook_path, csv_path)
    return [workbook_path, csv_path]


def write_annual_workbook(path: Path, meta: AnnualMeta, rows: list[Row]) -> None:
    """Write 年度考核结果_<year>.xlsx atomically: all units, one sheet per group, notes."""
    created = meta.as_of.astimezone(UTC).replace(tzinfo=None)
    with atomic_path(path) as tmp, Workbook(tmp, formats.workbook_options()) as workbook:
        workbook.set_properties(
            formats.workbook_properties(meta.sheet_title(RANKING_SHEET), created)
        )
        fmt = Formats.create(workbook)

        # Rankings: all groups (one table each), then one sheet per group.
        write_all_groups_sheet(workbook, fmt, meta, rows)
        for group in GROUPS:
            group_rows = [r for r in rows if r["grp"] == group]
            write_ranking_sheet(workbook, fmt, meta, group, group_rows)
        write_notes_sheet(workbook, fmt, meta, rows)


def annual_columns(meta: AnnualMeta) -> list[Column]:
    """Return the annual ranking's columns: the four quarters, the mean, grade and veto."""
    return [
        Column("排名", "integer", 8),
        Column("单位代码", "center", 12),
        Column("单位名称", "text", 30),
        Column("考核组", "center", 10),
        *(Column(f"第{numeral}季度", "score", 12) for numeral in QUARTER_NUMERALS),
        Column("预计年度得分" if meta.provisional else "年度得分", "score", 14),
        Column("等次", "center", 10),
        Column("一票否决", "center", 10, alert=frozenset({"是"})),
    ]


def annual_values(row: Row) -> tuple[Any, ...]:
    """Return one unit's cells; a blank quarter was not scored (counted as 0)."""
    return (
        row["rank"],
        row["unit_code"],
        row["unit_name"],
        row["grp"],
        row["q1_total"],
        row["q2_total"],
        row["q3_total"],
        row["q4_total"],
        row["total"],
        row["grade"],
        yes_no(row["veto"]),
    )


def write_all_groups_sheet(
    workbook: Workbook, fmt: Formats, meta: AnnualMeta, rows: list[Row]
) -> None:
    """年度排名: one table per group under its own heading, as ranks restart in each group."""
    ws = workbook.add_worksheet(RANKING_SHEET)
    sections = group_sections(rows, lambda _: annual_columns(meta), annual_values)
    write_sections(ws, fmt, meta.heading(RANKING_SHEET), sections)


def write_ranking_sheet(
    workbook: Workbook, fmt: Formats, meta: AnnualMeta, sheet: str, rows: list[Row]
) -> None:
    """镇街组 / 部门组: the group's ranked units by rank and unit code."""
    ws = workbook.add_worksheet(sheet)
    write_table(ws, fmt, meta.heading(sheet), annual_columns(meta), map(annual_values, rows))


def write_notes_sheet(workbook: Workbook, fmt: Formats, meta: AnnualMeta, rows: list[Row]) -> None:
    """说明: how the year is rolled up, which quarters were scored, vetoes, data as of."""
    ws = workbook.add_worksheet(NOTES_SHEET)
    columns = [Column("项目", "label", 16), Column("内容", "wrap", 90)]
    missing = [f"{meta.year}Q{n}" for n in range(1, 5) if f"{meta.year}Q{n}" not in meta.quarters]
    notes = [
        ("考核名称", meta.title),
        ("考核年度", f"{meta.year}年"),
        ("已评分季度", "、".join(Quarter(q).label for q in meta.quarters)),
        (
            "定稿情况",
            f"{'、'.join(Quarter(q).label for q in meta.drafts)}尚未定稿（征求意见稿），"
            "其得分在定稿前可能因申诉处理而变化。"
            if meta.drafts
            else "各已评分季度均已定稿（正式稿）。",
        ),
        ("年度得分", mean_text(meta, missing)),
        ("一票否决", "任一季度被一票否决的，年度一票否决，保留得分，排名列于未否决单位之后。"),
        *meta.scheme_lines,
        *(
            ("否决单位", f"{row['unit_name']}（{row['unit_code']}）：{row['veto_reason'] or ''}")
            for row in rows
            if row["veto"]
        ),
        ("排名", "各考核组内按年度得分从高到低排名，得分相同的并列，其后名次顺延。"),
        ("数据截至", chinese_datetime(meta.as_of.astimezone(ZoneInfo(meta.timezone)))),
        ("生成", "本表由 firescore 自动生成。"),
    ]
    write_table(ws, fmt, meta.heading(NOTES_SHEET), columns, notes, autofilter=False)


def mean_text(meta: AnnualMeta, missing: list[str]) -> str:
    """Return how the annual score is the mean of the quarters, final or provisional."""
    if meta.provisional:
        scored = "、".join(Quarter(q).label for q in meta.quarters)
        return (
            f"{meta.period}：已评分的{len(meta.quarters)}个季度（{scored}）总分的平均值"
            "（四舍五入保留两位小数），仅供参考；第四季度评分后，按四个季度总分的平均值"
            "确定最终年度结果，未评分的季度按0分计。"
        )
    return "四个季度总分的平均值（四舍五入保留两位小数）；" + (
        f"{'、'.join(Quarter(q).label for q in missing)}未评分，按0分计。"
        if missing
        else "四个季度均已评分。"
    )


def write_annual_csv(path: Path, rows: list[Row], period: str) -> None:
    """Write annual_results.csv (UTF-8 with BOM, "\\n", 2 decimals, blank quarter = not scored);
    every row says whether the year is final (全年) or provisional (截至第N季度（预计））."""
    with atomic_path(path) as tmp, tmp.open("w", encoding=CSV_ENCODING, newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(CSV_HEADER)
        for row in rows:
            writer.writerow(
                [
                    row["unit_code"],
                    row["unit_name"],
                    row["grp"],
                    *(two_decimals(row[f"q{n}_total"]) for n in range(1, 5)),
                    two_decimals(row["total"]),
                    row["grade"],
                    "true" if row["veto"] else "false",
                    str(row["rank"]),
                    period,
                ]
            )

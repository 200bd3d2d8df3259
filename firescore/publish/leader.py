"""The leaders' workbook 考核结果_<季度>.xlsx: one function per sheet, in the order they appear."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from xlsxwriter import Workbook

from firescore.atomic import atomic_path
from firescore.publish import formats
from firescore.publish.columns import (
    Row,
    follow_up_columns,
    follow_up_values,
    issue_columns,
    issue_values,
    lost_points_columns,
    lost_points_values,
    ranking_columns,
    ranking_values,
    ruling_columns,
    ruling_values,
    score_details_columns,
    score_details_values,
    submission_change_column,
    submission_change_value,
    submission_columns,
    submission_values,
)
from firescore.publish.formats import Formats
from firescore.publish.meta import PublishMeta, chinese_date, chinese_datetime, local_time
from firescore.publish.queries import QuarterData
from firescore.publish.sheets import (
    Column,
    Heading,
    group_sections,
    table_width_pixels,
    write_sections,
    write_table,
)
from firescore.publish.table_sheet import TableWorksheet
from firescore.scheme import GROUPS

RANKING_SHEET = "排名总表"
SCORE_DETAILS_SHEET = "得分明细"
LOST_POINTS_SHEET = "扣分明细"
SUBMISSIONS_SHEET = "报送情况"
ISSUES_SHEET = "校验问题"
NOTES_SHEET = "说明"
RULINGS_SHEET = "申诉处理"
FOLLOW_UP_SHEET = "整改跟踪"
SHEET_ORDER = (
    RANKING_SHEET,
    *GROUPS,
    SCORE_DETAILS_SHEET,
    LOST_POINTS_SHEET,
    SUBMISSIONS_SHEET,
    ISSUES_SHEET,
    NOTES_SHEET,
)

CHART_MIN_WIDTH = 480
CHART_HEIGHT = 320
CHART_AXIS_STEP = 5  # the value axis starts at the multiple of 5 a step below the lowest total
CHART_MAX_TICKS = 8
VETO_LABEL = "一票否决"
# 说明 on 整改跟踪: what counts as the same item and how the quarters in a row are counted.
FOLLOW_UP_NOTE = (
    "同一项目（同一任务、同一指标、火灾形势的同一项、信息报送）上季度失分、本季度再次失分的，"
    "在扣分明细中标注“连续N个季度”（在本年度内从本季度往前逐季连续计算，某季度未考核即中断）；"
    "上季度失分、本季度未失分的列为已整改。加减分事项不作跟踪；经申诉更正的失分按更正后计。"
    "年度第一季度不作对比。"
)


def leader_workbook_name(quarter: str) -> str:
    """Return the leaders' workbook file name, e.g. 考核结果_2026Q2.xlsx."""
    return f"考核结果_{quarter}.xlsx"


def write_leader_workbook(path: Path, meta: PublishMeta, data: QuarterData) -> None:
    """Write the leaders' workbook to ``path`` atomically."""
    with atomic_path(path) as tmp, Workbook(tmp, formats.workbook_options()) as workbook:
        workbook.set_properties(formats.workbook_properties(meta.title, meta.created_utc()))
        fmt = Formats.create(workbook)

        # Rankings: all groups, then one sheet per group with its chart.
        names = data.block_names
        write_ranking_sheet(workbook, fmt, meta, data.ranked, names)
        for group in GROUPS:
            group_rows = [row for row in data.ranked if row["grp"] == group]
            write_group_sheet(workbook, fmt, meta, group, group_rows, names)

        # Details behind the totals.
        write_score_details_sheet(workbook, fmt, meta, data.ledger, names)
        write_lost_points_sheet(workbook, fmt, meta, data.ledger, names)
        if data.rulings:  # only in a quarter whose disputes the office has ruled on
            write_rulings_sheet(workbook, fmt, meta, data.rulings)
        if data.previous_units:  # only when last quarter of the year was scored
            write_follow_up_sheet(workbook, fmt, meta, data)
        write_submissions_sheet(workbook, fmt, meta, data)
        write_issues_sheet(workbook, fmt, heading(meta, ISSUES_SHEET), data.issues)
        write_notes_sheet(workbook, fmt, meta, data.scores, previous_run_lines(meta, data))


def heading(meta: PublishMeta, sheet: str) -> Heading:
    """Return a leaders' sheet heading: the workbook is the office's attachment (附件)."""
    return meta.heading(meta.sheet_title(sheet), attachment=True)


def write_ranking_sheet(
    workbook: Workbook,
    fmt: Formats,
    meta: PublishMeta,
    rows: list[Row],
    block_names: Mapping[str, str],
) -> None:
    """排名总表: one table per group (镇街组, then 部门组), each by rank then unit code.

    Ranks restart in each group, so each group is its own table under its own heading and
    header, never one list whose ranks start again halfway down.
    """
    ws = workbook.add_worksheet(RANKING_SHEET, TableWorksheet)
    sections = group_sections(
        rows, lambda group: ranking_columns(group, block_names), ranking_values
    )
    write_sections(ws, fmt, heading(meta, RANKING_SHEET), sections)


def write_group_sheet(
    workbook: Workbook,
    fmt: Formats,
    meta: PublishMeta,
    group: str,
    rows: list[Row],
    block_names: Mapping[str, str],
) -> None:
    """镇街组 / 部门组: the group's ranking and a column chart of its totals."""
    ws = workbook.add_worksheet(group)  # its chart reads the cells: a plain sheet
    columns = ranking_columns(rows, block_names)
    placed = write_table(ws, fmt, heading(meta, group), columns, map(ranking_values, rows))
    if not rows:
        return  # a chart without data is not a valid chart

    # Totals by unit name, in rank order, below the table so the page stays one wide.
    first, last = placed.first_row, placed.last_row
    name_col = [column.header for column in columns].index("单位名称")
    total_col = [column.header for column in columns].index("总分")
    vetoed = [bool(row["veto"]) for row in rows]
    axis = chart_axis([row["total"] for row in rows])
    # A total far below the rest (a unit that sent nothing) would squeeze the others into one
    # height; the axis starts near the bulk and the note names the units left below it.
    below = [
        f"{row['unit_name']}（{row['total']:.2f}分）"
        for row in rows
        if row["total"] is not None and row["total"] < axis["min"]
    ]
    notes = [f"红色为{VETO_LABEL}单位"] if any(vetoed) else []
    if below:
        notes.append(f"{'、'.join(below)}低于纵轴起点{axis['min']}分，未画柱形")
    chart = workbook.add_chart({"type": "column"})
    chart.add_series(
        {
            "name": "总分",
            "categories": [group, first, name_col, last, name_col],
            "values": [group, first, total_col, last, total_col],
            "fill": {"color": formats.CHART_BAR_COLOR},
            # A vetoed unit's bar is red and labelled, so its rank after higher totals is plain.
            "points": [
                {"fill": {"color": formats.CHART_VETO_COLOR}} if v else None for v in vetoed
            ],
            "data_labels": {
                "value": True,
                "num_format": formats.SCORE_NUM_FORMAT,
                "font": formats.CHART_AXIS_FONT,
                "custom": [
                    {"value": f"{row['total']:.2f} {VETO_LABEL}"} if v else None
                    for row, v in zip(rows, vetoed, strict=True)
                ],
            },
        }
    )
    chart.set_title(
        {"name": f"{meta.quarter_label}{group}总分", "name_font": formats.CHART_TITLE_FONT}
    )
    x_axis: dict[str, Any] = {"num_font": {**formats.CHART_AXIS_FONT, "rotation": -45}}
    if notes:
        x_axis |= {"name": f"注：{'；'.join(notes)}。", "name_font": formats.CHART_AXIS_FONT}
    chart.set_x_axis(x_axis)
    chart.set_y_axis({**axis, "num_format": "0", "num_font": formats.CHART_AXIS_FONT})
    chart.set_legend({"none": True})
    chart.set_size(
        {"width": max(CHART_MIN_WIDTH, table_width_pixels(placed.widths)), "height": CHART_HEIGHT}
    )
    ws.insert_chart(last + 2, 0, chart)


def chart_axis(totals: Sequence[Decimal | None]) -> dict[str, int]:
    """Return the totals' value axis: min, max and tick step, in steps of 5 around the data.

    An axis from 0 makes 90 and 97 look alike, so it starts a step below the lowest total,
    leaving out totals far below the rest (below Q1 − 3 × IQR, e.g. a unit that sent nothing).
    """
    shown = sorted(float(total) for total in totals if total is not None)
    if not shown:
        return {"min": 0, "max": 100, "major_unit": 10}
    q1, q3 = shown[len(shown) // 4], shown[(3 * len(shown)) // 4]
    lowest = min(total for total in shown if total >= q1 - 3 * (q3 - q1))
    low = max(0, CHART_AXIS_STEP * (math.floor(lowest / CHART_AXIS_STEP) - 1))
    high = CHART_AXIS_STEP * (math.floor(shown[-1] / CHART_AXIS_STEP) + 1)  # room for labels
    ticks = math.ceil((high - low) / CHART_AXIS_STEP / CHART_MAX_TICKS)
    return {"min": low, "max": high, "major_unit": CHART_AXIS_STEP * ticks}


def write_score_details_sheet(
    workbook: Workbook,
    fmt: Formats,
    meta: PublishMeta,
    ledger: list[Row],
    block_names: Mapping[str, str],
) -> None:
    """得分明细: every ledger row, by unit, block and item."""
    ws = workbook.add_worksheet(SCORE_DETAILS_SHEET, TableWorksheet)
    rows = [score_details_values(row, block_names) for row in ledger]
    write_table(ws, fmt, heading(meta, SCORE_DETAILS_SHEET), score_details_columns(), rows)


def write_lost_points_sheet(
    workbook: Workbook,
    fmt: Formats,
    meta: PublishMeta,
    ledger: list[Row],
    block_names: Mapping[str, str],
) -> None:
    """扣分明细: the ledger rows that lost points, with reason and source cell."""
    ws = workbook.add_worksheet(LOST_POINTS_SHEET, TableWorksheet)
    write_table(
        ws,
        fmt,
        heading(meta, LOST_POINTS_SHEET),
        lost_points_columns(),
        [lost_points_values(row, block_names) for row in ledger if row["is_lost"]],
    )


def write_rulings_sheet(
    workbook: Workbook, fmt: Formats, meta: PublishMeta, rulings: list[Row]
) -> None:
    """申诉处理: each dispute ruled on, with the lost points before and after the ruling."""
    ws = workbook.add_worksheet(RULINGS_SHEET, TableWorksheet)
    rows = [ruling_values(row) for row in rulings]
    write_table(ws, fmt, heading(meta, RULINGS_SHEET), ruling_columns(), rows)


def write_follow_up_sheet(
    workbook: Workbook, fmt: Formats, meta: PublishMeta, data: QuarterData
) -> None:
    """整改跟踪: per ranked unit, items lost again (连续失分), items recovered (已整改), a conclusion.

    One table per group, by rank like 排名总表, so a leader reads it beside the ranking.
    """
    ws = workbook.add_worksheet(FOLLOW_UP_SHEET, TableWorksheet)
    items: dict[str, list[Row]] = {}
    for item in data.follow_up:
        items.setdefault(item["unit_code"], []).append(item)
    rows = [
        score
        | {
            "follow_up": items.get(score["unit_code"], []),
            "previous_ranked": score["unit_code"] in data.previous_units,
        }
        for score in data.ranked
    ]
    sections = group_sections(rows, lambda _rows: follow_up_columns(), follow_up_values)
    write_sections(ws, fmt, heading(meta, FOLLOW_UP_SHEET), sections)


def write_submissions_sheet(
    workbook: Workbook, fmt: Formats, meta: PublishMeta, data: QuarterData
) -> None:
    """报送情况: who submitted, when (local time), how late, how many versions were rejected;
    after a previous run of the quarter, what changed since it (较上次运行)."""
    ws = workbook.add_worksheet(SUBMISSIONS_SHEET, TableWorksheet)
    columns = submission_columns()
    rows = [submission_values(row) for row in data.submissions]
    if data.since is not None:
        columns.append(submission_change_column())
        rows = [
            (*values, submission_change_value(row, data.changes))
            for values, row in zip(rows, data.submissions, strict=True)
        ]
    write_table(ws, fmt, heading(meta, SUBMISSIONS_SHEET), columns, rows)


def write_issues_sheet(
    workbook: Workbook, fmt: Formats, sheet_heading: Heading, issues: list[Row]
) -> None:
    """校验问题: every validation issue of the quarter, by unit, file and cell."""
    ws = workbook.add_worksheet(ISSUES_SHEET, TableWorksheet)
    write_table(ws, fmt, sheet_heading, issue_columns(), map(issue_values, issues))


def previous_run_lines(meta: PublishMeta, data: QuarterData) -> list[tuple[str, str]]:
    """Return the 说明 row naming the previous run that 较上次运行 compares with, if any."""
    if data.since is None:
        return []
    changed = len(data.changes)
    return [
        (
            "上次运行",
            f"运行编号 {data.since.run_id}（数据截至 {chinese_datetime(local_time(data.since.as_of, meta.timezone))}）；"
            f"此后有变化的单位 {changed} 个，见「{SUBMISSIONS_SHEET}」表「较上次运行」列。",
        )
    ]


def write_notes_sheet(
    workbook: Workbook,
    fmt: Formats,
    meta: PublishMeta,
    scores: list[Row],
    previous: list[tuple[str, str]] = (),
) -> None:
    """说明: the scheme in words, vetoed units, data as of, run id."""
    ws = workbook.add_worksheet(NOTES_SHEET, TableWorksheet)
    columns = [Column("项目", "label", 16), Column("内容", "wrap", 90)]
    rows = [
        ("考核名称", meta.title),
        ("考核季度", f"{meta.quarter_label}（{meta.quarter}）"),
        *meta.release_lines(),
        ("报送截止日期", chinese_date(meta.deadline)),
        *meta.scheme_lines,
        *(
            ("一票否决", f"{row['unit_name']}（{row['unit_code']}）：{row['veto_reason'] or ''}")
            for row in scores
            if row["veto"]
        ),
        (
            "分数说明",
            "板块得分为该板块自身分值下的得分，空白表示该板块不适用；分数保留两位小数（四舍五入），"
            "各项得分按最大余额法取两位小数，合计等于板块得分。各板块均适用的单位，"
            "板块得分之和加加减分即总分；有板块不适用的单位，板块得分之和乘折算系数"
            "（100÷适用板块满分之和）后加加减分即总分。",
        ),
        (FOLLOW_UP_SHEET, FOLLOW_UP_NOTE),
        ("数据截至", chinese_datetime(meta.as_of_local())),
        ("运行编号", meta.run_id),
        *previous,
        ("生成", "本表由 firescore 自动生成。"),
    ]
    write_table(ws, fmt, heading(meta, NOTES_SHEET), columns, rows, autofilter=False)

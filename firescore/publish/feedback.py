"""Each unit's feedback workbook 单位反馈/<单位代码>_<单位名称>.xlsx: scores, lost points, issues, advice."""

from __future__ import annotations

import io
import logging
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
from xlsxwriter import Workbook

from firescore.atomic import Placer, atomic_path
from firescore.publish import formats
from firescore.publish.changes import UnitChange, summary_text
from firescore.publish.columns import (
    change_cells_columns,
    change_cells_rows,
    change_moves_columns,
    change_moves_rows,
    issue_columns,
    issue_values,
    lost_points_columns,
    lost_points_values,
    rank_change_text,
    split_follow_up,
    streak_text,
    yes_no,
)
from firescore.publish.digests import content_digester, file_names, read_digests, write_digests
from firescore.publish.formats import Formats
from firescore.publish.meta import PublishMeta, chinese_datetime
from firescore.publish.queries import RECOVERED, REPEATED, QuarterData, load_quarter
from firescore.publish.sheets import Column, Heading, Section, write_sections, write_table
from firescore.publish.table_sheet import TableWorksheet
from firescore.scheme import BLOCKS
from firescore.workers import Workers, inline

log = logging.getLogger(__name__)

Row = dict[str, Any]

FEEDBACK_DIR = "单位反馈"
SUMMARY_SHEET = "得分情况"
LOST_POINTS_SHEET = "失分明细"
ISSUES_SHEET = "校验问题"
ADVICE_SHEET = "整改建议"
CHANGES_SHEET = "本次变更"
UNIT_COLUMNS = 2  # 单位代码, 单位名称: left out of a unit's own tables

# 整改建议 per block that lost points; {items} lists the items that lost them.
BLOCK_ADVICE: dict[str, str] = {
    "tasks": (
        "对照任务分解表逐项推进未完成的任务，在完成时限前办结；已完成的任务如实填写完成日期，"
        "持续开展的任务填写本季度开展次数并附佐证材料。涉及：{items}。"
    ),
    "indicators": "针对未达标的指标（{items}）制定措施，按目标值推进，并如实填报数值和分母。",
    "fire": (
        "辖区（监管行业）火灾起数、伤亡或损失同比上升，请加强隐患排查整治、重点场所检查和"
        "消防宣传，遏制火灾多发势头。涉及：{items}。"
    ),
    "reporting": "按报送截止日期及时报送，报送前先自查，确保文件通过校验、不被退回。",
    "adjustment": "针对通报批评、约谈、挂牌督办等扣分事项逐项整改，按期销号。涉及：{items}。",
}
ISSUES_ADVICE = "请按「校验问题」表逐项修正（错误{errors}项、警告{warnings}项），下次报送前先自查。"
NO_LOSS_ADVICE = "本季度各板块均未失分，请继续保持。"
# 整改跟踪: items lost last quarter and again now, and items lost last quarter only.
REPEATED_ADVICE = (
    "以下项目上季度已失分、本季度再次失分，请列为整改重点，查明原因、限期整改：{items}。"
)
RECOVERED_ADVICE = "以下项目上季度失分、本季度未再失分，已整改，请继续保持：{items}。"
MAX_ITEMS_NAMED = 5
# Bump when the workbook layout changes, so every feedback workbook is written again.
FEEDBACK_LAYOUT_VERSION = 3
UNSAFE_FILE_CHARS = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


FeedbackJob = tuple[Path, "PublishMeta", "UnitFeedback"]  # where, as of when, what


def publish_feedback(
    con: duckdb.DuckDBPyConnection,
    meta: PublishMeta,
    out_dir: Path,
    data: QuarterData | None = None,
    on_written: Callable[[int, int], None] | None = None,
    workers: Workers | None = None,
    batch_size: int = 200,
) -> list[Path]:
    """Write one feedback workbook per unit into ``out_dir/<quarter>/单位反馈/``; return the paths.

    The workbooks whose content changed are written in batches of ``batch_size`` units by
    ``workers`` (default: in this process); ``on_written(units, total)`` is called as units are
    done (progress for the console).
    """
    data = data or load_quarter(con, meta.quarter, meta.timezone)
    scores = {row["unit_code"]: row for row in data.scores}
    submissions = {row["unit_code"]: row for row in data.submissions}
    lost = group_by_unit(row for row in data.ledger if row["is_lost"])
    issues = group_by_unit(data.issues)
    rulings = group_by_unit(data.rulings)
    follow_up = group_by_unit(data.follow_up)

    # Every unit scored or expected to submit this quarter, in display order.
    units = list(scores) + [code for code in submissions if code not in scores]
    target = Path(out_dir) / meta.quarter / FEEDBACK_DIR
    previous = read_digests(target)
    present = file_names(target)
    digest = unit_digester(meta)
    digests: dict[str, str] = {}
    paths = []
    changed: list[FeedbackJob] = []
    for code in units:
        name = scores[code]["unit_name"] if code in scores else submissions[code]["unit_name"]
        path = target / feedback_file_name(code, name)
        unit = UnitFeedback(
            code=code,
            name=name,
            score=scores.get(code),
            submission=submissions.get(code),
            lost=lost.get(code, []),
            issues=issues.get(code, []),
            block_names=data.block_names,
            rulings=tuple(rulings.get(code, [])),
            follow_up=tuple(follow_up.get(code, [])),
            change=data.changes.get(code),
        )
        # A unit's data is as of the receipt of the file used (else the deadline), not of the
        # quarter's newest file: a late file elsewhere does not restamp every unit's workbook.
        as_of = _unit_as_of(meta, unit)
        # Workbooks are deterministic: same content in, same bytes out. A re-run after one
        # late file rewrites only the units whose figures (or rank) changed.
        digests[path.name] = digest(as_of, vars(unit))
        if previous.get(path.name) != digests[path.name] or path.name not in present:
            changed.append((path, replace(meta, as_of=as_of, run_id=""), unit))
        paths.append(path)
    if on_written is not None:
        on_written(len(units) - len(changed), len(units))
    # Each batch carries only its own units' rows: what a worker process needs, nothing more.
    batches = [(changed[i : i + batch_size],) for i in range(0, len(changed), batch_size)]
    for _, written in (workers.map if workers else inline)(write_feedback_batch, batches):
        if on_written is not None:
            on_written(written, len(units))
    write_digests(target, digests, previous)
    log.info(
        "feedback for %s in %s: %d workbooks, %d rewritten",
        meta.quarter,
        target,
        len(paths),
        len(changed),
    )
    return paths


def write_feedback_batch(jobs: list[FeedbackJob]) -> int:
    """Write a batch of units' feedback workbooks (in a worker process or this one); return how many.

    Every workbook of the batch is in place when it returns, so before the digests are written.
    """
    with Placer() as placer:  # the workbooks' disk flushes overlap
        for path, meta, unit in jobs:
            write_feedback_workbook(path, meta, unit, placer)
    return len(jobs)


def _unit_as_of(meta: PublishMeta, unit: UnitFeedback) -> datetime:
    """Return when the unit's data was received (local time), or the end of the deadline day."""
    if unit.submission and unit.submission.get("received_local"):
        return unit.submission["received_local"]
    return datetime.combine(meta.deadline, time(23, 59))


def unit_digester(meta: PublishMeta) -> Callable[[datetime, dict[str, Any]], str]:
    """Return digest(as_of, vars(unit)) of everything a unit's feedback workbook shows.

    The run facts every workbook shows are hashed once; each unit adds its own as-of time
    and its rows (the run's own as-of time and id are shown in no feedback workbook).
    """
    shared = replace(meta, as_of=datetime.combine(meta.deadline, time(23, 59)), run_id="")
    return content_digester(FEEDBACK_LAYOUT_VERSION, shared)


@dataclass(frozen=True)
class UnitFeedback:
    """What one unit's feedback workbook shows."""

    code: str
    name: str
    score: Row | None  # unit_scores row; None when the unit was not scored
    submission: Row | None
    lost: list[Row]  # ledger rows that lost points
    issues: list[Row]
    block_names: dict[str, str]  # ledger block -> Chinese name, as the scheme names them
    rulings: tuple[Row, ...] = ()  # the office's rulings on this unit's disputes (申诉处理)
    follow_up: tuple[Row, ...] = ()  # items lost again (连续失分) or recovered (已整改)
    change: UnitChange | None = None  # what changed since the quarter's previous run


def feedback_file_name(code: str, name: str) -> str:
    """Return <单位代码>_<单位名称>.xlsx, with characters a file name cannot hold replaced."""
    return UNSAFE_FILE_CHARS.sub("_", f"{code}_{name}") + ".xlsx"


def group_by_unit(rows: Any) -> dict[str, list[Row]]:
    """Return rows grouped by unit code, each list keeping the given order."""
    grouped: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        grouped[row["unit_code"]].append(row)
    return grouped


def write_feedback_workbook(
    path: Path, meta: PublishMeta, unit: UnitFeedback, placer: Placer | None = None
) -> None:
    """Write one unit's feedback workbook to ``path`` atomically (in place once placer closes)."""
    title = f"{meta.title}——{unit.name}反馈"
    # Zipped in memory, then written in one go: the zip's header rewrites are no file seeks.
    xlsx = io.BytesIO()
    with Workbook(xlsx, formats.workbook_options()) as workbook:
        workbook.set_properties(formats.workbook_properties(title, meta.created_utc()))
        fmt = Formats.create(workbook)
        write_summary_sheet(workbook, fmt, meta, unit)
        write_lost_points_sheet(workbook, fmt, meta, unit)
        write_issues_sheet(workbook, fmt, meta, unit)
        write_advice_sheet(workbook, fmt, meta, unit)
        if unit.change is not None:  # only when the unit's file, figures or rulings changed
            write_changes_sheet(workbook, fmt, meta, unit, unit.change)
    with atomic_path(path, placer) as tmp:
        tmp.write_bytes(xlsx.getbuffer())


def feedback_title(meta: PublishMeta, unit: UnitFeedback, sheet: str) -> str:
    """Return a feedback sheet's title, e.g. 渝中区2026年第二季度消防工作考核反馈——解放碑街道（得分情况）."""
    return f"{meta.district}{meta.quarter_label}消防工作考核反馈{meta.draft_mark}——{unit.name}（{sheet}）"


def feedback_heading(meta: PublishMeta, unit: UnitFeedback, sheet: str) -> Heading:
    """Return a feedback sheet's heading: its title, the office and the unit's data date."""
    return meta.heading(feedback_title(meta, unit, sheet))


def write_summary_sheet(
    workbook: Workbook, fmt: Formats, meta: PublishMeta, unit: UnitFeedback
) -> None:
    """得分情况: block scores against full points, total, grade, rank, change, reporting."""
    ws = workbook.add_worksheet(SUMMARY_SHEET, TableWorksheet)
    columns = [
        Column("项目", "label", 16),
        Column("满分", "score", 10),
        Column("得分", "score", 10),
        Column("失分", "score", 10),
        Column("说明", "wrap", 60),
    ]
    write_table(
        ws, fmt, feedback_heading(meta, unit, SUMMARY_SHEET), columns, summary_rows(meta, unit)
    )


def summary_rows(meta: PublishMeta, unit: UnitFeedback) -> list[tuple[Any, ...]]:
    """Return the rows of 得分情况."""
    score = unit.score
    rows: list[tuple[Any, ...]] = [("单位", None, None, None, f"{unit.name}（{unit.code}）")]
    if score is None or not score["ranked"]:
        rows.append(("考核得分", None, None, None, "本单位不参与本季度考核排名。"))
    else:
        for key in BLOCKS:
            name = unit.block_names[key]
            earned, full = score[f"{key}_score"], score[f"{key}_max"]
            if earned is None:
                rows.append((name, None, None, None, "本板块不适用，不计分。"))
            else:
                rows.append((name, full, earned, max(full - earned, Decimal(0)), None))
        if score["scale"] is not None:
            rows.append(
                (
                    "折算系数",
                    None,
                    None,
                    None,
                    f"{scale_text(score['scale'])}（100÷适用板块满分之和）",
                )
            )
        rows += [
            ("加减分", None, score["adjustment"], None, adjustment_text(score)),
            ("总分", None, score["total"], None, total_text(score)),
            ("等次", None, None, None, score["grade"]),
            ("一票否决", None, None, None, veto_text(score)),
            ("组内排名", None, None, None, rank_text(score)),
            (
                "较上季度",
                None,
                None,
                None,
                rank_change_text(score["rank_change"]) or "无上季度排名",
            ),
        ]
    rows += [("申诉处理", None, None, None, ruling_text(r)) for r in unit.rulings]
    if unit.change is not None:
        text = f"{summary_text(unit.change)}。详见「{CHANGES_SHEET}」表。"
        rows.append(("较上次运行", None, None, None, text))
    rows.append(("报送情况", None, None, None, submission_text(unit.submission)))
    rows.append(("数据截至", None, None, None, chinese_datetime(meta.as_of_local())))
    return rows


def ruling_text(ruling: Row) -> str:
    """Return one ruling as the unit reads it: item, result, lost points before → after, why."""
    before, after = (
        format(ruling["lost"].normalize(), "f"),
        format(ruling["lost_after"].normalize(), "f"),
    )
    note = f"；{ruling['note']}" if ruling["note"] else ""
    return f"{ruling['item_code']} {ruling['item_name']}：{ruling['ruling']}，失分 {before} → {after}{note}"


def scale_text(scale: Decimal) -> str:
    """Return a 折算系数 to at most 6 decimals without trailing zeros: 1.176471, 1.25."""
    return format(scale.normalize(), "f")


def adjustment_text(score: Row) -> str:
    """Return how the adjustment is made up, with the bonus cap as a note when it applied."""
    note = f"（{score['adjustment_note']}）" if score["adjustment_note"] else ""
    return f"加分（封顶后）减去扣分{note}。"


def total_text(score: Row) -> str:
    """Return how the total follows from the figures above it."""
    if score["scale"] is None:
        return "各板块得分之和加加减分。"
    return "适用板块得分之和乘折算系数后加加减分（四舍五入保留两位小数）。"


def veto_text(score: Row) -> str:
    """Return 是（reason） / 否 for the unit's 一票否决."""
    if not score["veto"]:
        return yes_no(False) or ""
    return f"{yes_no(True)}：{score['veto_reason']}" if score["veto_reason"] else yes_no(True) or ""


def rank_text(score: Row) -> str:
    """Return the unit's rank in its group, e.g. 镇街组第2名（共11个单位）."""
    if not score["ranked"] or score["rank"] is None:
        return "不参与排名"
    return f"{score['grp']}第{score['rank']}名（共{score['group_size']}个单位）"


def submission_text(submission: Row | None) -> str:
    """Return the unit's submission status in words."""
    if submission is None:
        return "无报送记录"
    parts = [submission["status"]]
    if submission["received_local"] is not None:
        parts.append(f"接收时间{chinese_datetime(submission['received_local'])}")
    if submission["days_late"]:
        parts.append(f"逾期{submission['days_late']}天")
    if submission["rejected_versions"]:
        parts.append(f"退回{submission['rejected_versions']}个版本")
    if submission["file_name"]:
        parts.append(f"使用文件：{submission['file_name']}")
    return "，".join(parts)


def write_lost_points_sheet(
    workbook: Workbook, fmt: Formats, meta: PublishMeta, unit: UnitFeedback
) -> None:
    """失分明细: every lost point with its reason and the cell that caused it."""
    ws = workbook.add_worksheet(LOST_POINTS_SHEET, TableWorksheet)
    columns = lost_points_columns()[UNIT_COLUMNS:]
    rows = [lost_points_values(row, unit.block_names)[UNIT_COLUMNS:] for row in unit.lost]
    write_table(ws, fmt, feedback_heading(meta, unit, LOST_POINTS_SHEET), columns, rows)


def write_issues_sheet(
    workbook: Workbook, fmt: Formats, meta: PublishMeta, unit: UnitFeedback
) -> None:
    """校验问题: the unit's validation issues, by file and cell."""
    ws = workbook.add_worksheet(ISSUES_SHEET, TableWorksheet)
    columns = issue_columns()[UNIT_COLUMNS:]
    rows = [issue_values(row)[UNIT_COLUMNS:] for row in unit.issues]
    write_table(ws, fmt, feedback_heading(meta, unit, ISSUES_SHEET), columns, rows)


def write_changes_sheet(
    workbook: Workbook, fmt: Formats, meta: PublishMeta, unit: UnitFeedback, change: UnitChange
) -> None:
    """本次变更: how each figure moved since the previous run, then the cells that changed."""
    ws = workbook.add_worksheet(CHANGES_SHEET, TableWorksheet)
    moves = Section(
        change_moves_columns(),
        change_moves_rows(change),
        heading=f"得分变化（较上次运行，运行编号 {change.since}）",
    )
    files = f"{change.old_file or '无'} → {change.new_file or '无'}"
    cells = Section(
        change_cells_columns(), change_cells_rows(change), heading=f"单元格变化（{files}）"
    )
    # A few rows each: both tables on one page (a long cell list flows on to the next).
    sheet_heading = feedback_heading(meta, unit, CHANGES_SHEET)
    write_sections(ws, fmt, sheet_heading, [moves, cells], page_per_table=False)


def write_advice_sheet(
    workbook: Workbook, fmt: Formats, meta: PublishMeta, unit: UnitFeedback
) -> None:
    """整改建议: one line of advice per block that lost points, and for validation issues."""
    ws = workbook.add_worksheet(ADVICE_SHEET, TableWorksheet)
    columns = [
        Column("板块", "center", 14),
        Column("失分", "score", 10),
        Column("整改建议", "wrap", 80),
    ]
    write_table(ws, fmt, feedback_heading(meta, unit, ADVICE_SHEET), columns, advice_rows(unit))


def advice_rows(unit: UnitFeedback) -> list[tuple[Any, ...]]:
    """Return (板块, 失分, 整改建议) per block that lost points, 连续失分 and 已整改, the issues."""
    by_block: dict[str, list[Row]] = defaultdict(list)
    for row in unit.lost:
        if row["block"] in BLOCK_ADVICE:
            by_block[row["block"]].append(row)
    rows: list[tuple[Any, ...]] = [
        (
            unit.block_names[block],
            sum((row["lost"] for row in block_rows), Decimal(0)),
            BLOCK_ADVICE[block].format(items=item_list(block_rows)),
        )
        for block, block_rows in sorted(
            by_block.items(), key=lambda kv: list(BLOCK_ADVICE).index(kv[0])
        )
    ]
    issues: list[tuple[Any, ...]] = []
    if unit.issues:
        severities = [row["severity"] for row in unit.issues]
        issues.append(
            (
                "校验问题",
                None,
                ISSUES_ADVICE.format(
                    errors=severities.count("error"), warnings=severities.count("warning")
                ),
            )
        )
    if not rows and not issues:
        rows = [("—", None, NO_LOSS_ADVICE)]
    # 连续失分 and 已整改 follow the blocks they belong to, before the validation issues.
    return rows + follow_up_advice(unit) + issues


def follow_up_advice(unit: UnitFeedback) -> list[tuple[Any, ...]]:
    """Return the 连续失分 row (items lost again, with quarters in a row) and the 已整改 row."""
    again, recovered = split_follow_up(unit.follow_up)
    rows: list[tuple[Any, ...]] = []
    if again:
        items = "；".join(
            f"「{f['item_label']}」{streak_text(f['streak'])}失分（本季度失分{f['lost']}）"
            for f in again
        )
        # 失分 stays blank: these points are already counted in their blocks' rows above
        rows.append((REPEATED, None, REPEATED_ADVICE.format(items=items)))
    if recovered:
        items = "；".join(
            f"「{f['item_label']}」（上季度失分{f['previous_lost']}）" for f in recovered
        )
        rows.append((RECOVERED, None, RECOVERED_ADVICE.format(items=items)))
    return rows


def item_list(rows: list[Row]) -> str:
    """Return the distinct item names of ``rows`` as 「A」、「B」, at most a few then 等N项.

    Names are quoted because they may hold 、 themselves (可燃雨棚、突出外墙防护网整治).
    """
    names = [f"「{name}」" for name in dict.fromkeys(row["item_name"] for row in rows)]
    if len(names) <= MAX_ITEMS_NAMED:
        return "、".join(names)
    return "、".join(names[:MAX_ITEMS_NAMED]) + f"等{len(names)}项"

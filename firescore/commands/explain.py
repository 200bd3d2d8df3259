"""`firescore explain`: one unit's ledger, block by block, adding up to its total.

Reads the warehouse only. Every figure shown is the one the workbooks show (SCORING.md "What
is shown adds up"): items of shown_ledger add up to their block score, the blocks (times the
折算系数 when a block is not applicable) plus the adjustment give the total. The JSON keeps the
exact ledger values beside the shown ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import duckdb
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from firescore.publish.changes import UnitChange, cells_note, score_text, signed, unit_changes
from firescore.publish.meta import chinese_datetime, local_time
from firescore.publish.queries import SCORES_SQL, block_names, fetch_rows
from firescore.scheme import Quarter
from firescore.warehouse.runs import Run, runs_of

Row = dict[str, Any]
CENT = Decimal("0.01")

LEDGER_SQL = """
WITH files AS (
    SELECT sha256, min(file_name) AS file_name
    FROM raw_files
    GROUP BY sha256
)
SELECT
    l.block, l.item_id, l.item_code, l.item_name, l.max_points, l.points, l.lost,
    l.exact_max_points, l.exact_points, l.contribution, l.reason, l.rule_id,
    f.file_name AS source_file, l.source_sha256, l.source_sheet, l.source_cell
FROM shown_ledger AS l
LEFT JOIN files AS f ON f.sha256 = l.source_sha256
WHERE l.quarter = $quarter AND l.unit_code = $unit
ORDER BY l.block, l.item_order
"""


class ExplainError(Exception):
    """The unit or quarter cannot be explained; the message is Chinese."""


@dataclass(frozen=True)
class Section:
    """One block of the ledger (or the adjustments, or the total's clamp) and its rows."""

    block: str
    name: str
    applicable: bool
    max_points: Decimal | None  # the block's points; None for adjustments and the clamp
    points: Decimal | None  # shown score on the block's own scale; None when not applicable
    items: list[Row] = field(default_factory=list)

    @property
    def items_sum(self) -> Decimal:
        """Return the sum of the items' shown points (equal to the block score shown)."""
        return sum((row["points"] for row in self.items), Decimal(0))


@dataclass(frozen=True)
class Explanation:
    """How one unit's quarterly total was reached."""

    quarter: str
    score: Row  # the unit's row of the publish step's scores (shown figures)
    sections: list[Section]

    @property
    def applicable_points(self) -> Decimal:
        """Return Σ points of the applicable blocks (the denominator of the rescaling)."""
        return sum(
            (s.max_points for s in self.blocks if s.applicable and s.max_points is not None),
            Decimal(0),
        )

    @property
    def blocks(self) -> list[Section]:
        """Return the four blocks' sections."""
        return [s for s in self.sections if s.block not in ("adjustment", "total")]

    @property
    def blocks_sum(self) -> Decimal:
        """Return the sum of the applicable blocks' shown scores."""
        return sum((s.points for s in self.blocks if s.points is not None), Decimal(0))

    @property
    def clamp(self) -> Decimal:
        """Return the clamp of the total (0 when the total was not clamped)."""
        return sum((s.items_sum for s in self.sections if s.block == "total"), Decimal(0))

    @property
    def recomputed_total(self) -> Decimal:
        """Return base + adjustment + clamp, half-up to 2 decimals, as a reader recomputes it."""
        value = Decimal(self.score["base"]) + self.score["adjustment"] + self.clamp
        return value.quantize(Decimal("1e-10"), ROUND_HALF_UP).quantize(CENT, ROUND_HALF_UP)


def explain(con: duckdb.DuckDBPyConnection, quarter: str, unit: str) -> Explanation:
    """Return the explanation of a unit's total; raise ExplainError for an unknown unit/quarter."""
    unit = unit.strip().upper()
    scores = fetch_rows(con, SCORES_SQL, quarter=quarter, unit=unit)
    if not scores or not scores[0]["ranked"]:
        raise ExplainError(missing_message(con, quarter, unit))
    score = scores[0]
    rows = fetch_rows(con, LEDGER_SQL, quarter=quarter, unit=unit)
    names = block_names(con)  # the ledger's blocks in display order
    sections = []
    for block, name in names.items():
        items = [row for row in rows if row["block"] == block]
        if block in ("adjustment", "total"):
            if items:
                points = score["adjustment"] if block == "adjustment" else None
                sections.append(Section(block, name, True, None, points, items))
            continue
        points = score[f"{block}_score"]
        sections.append(
            Section(
                block=block,
                name=name,
                applicable=points is not None,
                max_points=score[f"{block}_max"],
                points=points,
                items=items,
            )
        )
    return Explanation(quarter=quarter, score=score, sections=sections)


def missing_message(con: duckdb.DuckDBPyConnection, quarter: str, unit: str) -> str:
    """Return why there is nothing to explain, in Chinese."""
    scored = con.execute(
        "SELECT count(*) FROM unit_scores WHERE quarter = $quarter", {"quarter": quarter}
    ).fetchone()[0]
    if not scored:
        return f"数据仓库中没有 {quarter} 的评分结果，请先运行 firescore run --quarter {quarter}"
    known = con.execute(
        "SELECT unit_name, ranked FROM units WHERE unit_code = $unit", {"unit": unit}
    ).fetchone()
    if known is None:
        return f"单位名册中没有单位代码“{unit}”"
    if not known[1]:
        return f"{known[0]}（{unit}）不参与考核排名，没有得分明细"
    return (
        f"{known[0]}（{unit}）在 {quarter} 没有评分结果（评分后才加入单位名册？请重新运行该季度）"
    )


# --- terminal --------------------------------------------------------------------------------


def render(explanation: Explanation) -> RenderableType:
    """Return the explanation as rich text: heading, the ledger table, the sum."""
    score = explanation.score
    heading = Text.assemble(
        (f"{score['unit_name']}（{score['unit_code']}，{score['grp']}）", "bold"),
        f" {Quarter(explanation.quarter).label}（{explanation.quarter}）考核得分明细",
    )
    return Group(
        heading, Text(scale_line(explanation)), ledger_table(explanation), total_table(explanation)
    )


def scale_line(explanation: Explanation) -> str:
    """Return how the blocks become the total: directly, or through the 折算系数."""
    points = explanation.applicable_points
    if not points:
        return "没有适用的板块。"
    if explanation.score["scale"] is None:
        return "各板块均适用：总分 = 各板块得分之和 + 加减分；各项得分之和即板块得分。"
    return (
        f"适用板块满分合计 {num(points)} 分，折算系数 = 100 ÷ {num(points)} = "
        f"{num(explanation.score['scale'])}；基础分 = 适用板块得分之和 × 折算系数，"
        "总分 = 基础分 + 加减分（四舍五入保留两位小数）。"
    )


def ledger_table(explanation: Explanation) -> Table:
    """Return the ledger as one table: a heading row per block, its items, a subtotal."""
    table = Table(show_lines=False, header_style="bold", expand=False)
    table.add_column("项目", overflow="fold", min_width=12, max_width=28)
    table.add_column("满分", justify="right", no_wrap=True)
    table.add_column("得分", justify="right", no_wrap=True)
    table.add_column("失分", justify="right", no_wrap=True)
    table.add_column("原因与来源", overflow="fold", min_width=24)
    for section in explanation.sections:
        table.add_row(Text(section_heading(section), style="bold cyan"), "", "", "", "")
        full = section.max_points is not None
        for row in section.items:
            table.add_row(
                item_text(row),
                num(row["max_points"], 2) if full else "",
                num(row["points"], 2),
                num(row["lost"], 2) if full else "",
                reason_text(row),
            )
        table.add_row(
            Text("小计", style="bold"),
            num(section.max_points, 2) if full else "",
            Text(num(section.items_sum, 2), style="bold"),
            num(section.max_points - section.items_sum, 2) if full else "",
            subtotal_note(section),
            end_section=True,
        )
    return table


def item_text(row: Row) -> str:
    """Return an item's label: a task or indicator with its id (T05, I02), others by name."""
    return f"{row['item_code']} {row['item_name']}" if row["item_code"] else row["item_name"]


def section_heading(section: Section) -> str:
    """Return a block's heading: its name and whether it counts."""
    if section.block in ("adjustment", "total"):
        return section.name
    if not section.applicable:
        return f"{section.name}（不适用，不计分）"
    return f"{section.name}（满分 {num(section.max_points)}）"


def subtotal_note(section: Section) -> str:
    """Return what a section's subtotal is."""
    if section.block == "adjustment":
        return "加分（封顶后）减扣分，不折算，直接计入总分"
    if section.block == "total":
        return "总分限定在 0 与 100 + 加分上限之间"
    if not section.applicable:
        return "本板块不适用，按其余板块折算为百分制"
    return "各项得分之和即板块得分"


def reason_text(row: Row) -> str:
    """Return a ledger row's reason, then its source file and cell when it has one."""
    source = source_text(row)
    return f"{row['reason']}\n来源：{source}" if source else row["reason"]


def source_text(row: Row) -> str | None:
    """Return 文件名 工作表!单元格 of a ledger row, or None."""
    parts = []
    if row["source_file"] or row["source_sha256"]:
        parts.append(row["source_file"] or row["source_sha256"][:12])
    if row["source_sheet"]:
        cell = f"!{row['source_cell']}" if row["source_cell"] else ""
        parts.append(f"{row['source_sheet']}{cell}")
    return " ".join(parts) or None


def total_table(explanation: Explanation) -> Table:
    """Return the blocks, the base, the adjustment and the total they give, as a small table."""
    score = explanation.score
    table = Table(show_header=False, box=None, padding=(0, 1))
    table.add_column(justify="left")
    table.add_column(justify="right")
    for section in explanation.blocks:
        table.add_row(section.name, "不适用" if section.points is None else num(section.points, 2))
    table.add_row(Text("板块得分之和", style="bold"), num(explanation.blocks_sum, 2))
    if score["scale"] is not None:
        table.add_row(f"× 折算系数 {num(score['scale'])} = 基础分", num(score["base"], 4))
    table.add_row("加减分", num(score["adjustment"], 2))
    if explanation.clamp:
        table.add_row("总分限定", num(explanation.clamp, 2))
    agrees = explanation.recomputed_total == score["total"]
    table.add_row(
        Text(
            f"总分（四舍五入保留两位，{'与评分结果一致' if agrees else '与评分结果不一致！'}）",
            style="bold",
        ),
        Text(num(score["total"], 2), style="bold green" if agrees else "bold red"),
    )
    rank = f"{score['grp']}第{score['rank']}名" if score["rank"] is not None else "不参与排名"
    veto = f"，一票否决：{score['veto_reason']}" if score["veto"] else ""
    table.add_row(f"等次 {score['grade']}，{rank}{veto}", "")
    return table


def num(value: Decimal | None, places: int | None = None) -> str:
    """Return a number half-up to ``places`` decimals, or without trailing zeros when None."""
    if value is None:
        return ""
    value = Decimal(value)
    if places is None:
        text = format(value.normalize(), "f")
        return "0" if text in ("-0", "") else text
    return str(value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP))


# --- JSON ------------------------------------------------------------------------------------


def as_json(explanation: Explanation) -> dict[str, Any]:
    """Return the explanation as a JSON-ready document: shown figures, exact ledger beside."""
    score = explanation.score
    return {
        "quarter": explanation.quarter,
        "unit_code": score["unit_code"],
        "unit_name": score["unit_name"],
        "group": score["grp"],
        "applicable_points": number(explanation.applicable_points),
        "scale": number(score["scale"]),
        "sections": [
            {
                "block": s.block,
                "name": s.name,
                "applicable": s.applicable,
                "max_points": number(s.max_points),
                "points": number(s.points),
                "items": [item_json(row) for row in s.items],
            }
            for s in explanation.sections
        ],
        "blocks_sum": number(explanation.blocks_sum),
        "base": number(score["base"]),
        "adjustment": number(score["adjustment"]),
        "total": number(score["total"]),
        "grade": score["grade"],
        "veto": score["veto"],
        "veto_reason": score["veto_reason"],
        "rank": score["rank"],
        "rank_change": score["rank_change"],
    }


def item_json(row: Row) -> dict[str, Any]:
    """Return one ledger row for the JSON document: shown points, then the exact ledger."""
    return {
        "item_id": row["item_id"],
        "item_code": row["item_code"],
        "item_name": row["item_name"],
        "max_points": number(row["max_points"]),
        "points": number(row["points"]),
        "lost": number(row["lost"]),
        "exact_max_points": number(row["exact_max_points"]),
        "exact_points": number(row["exact_points"]),
        "contribution": number(row["contribution"]),
        "reason": row["reason"],
        "rule_id": row["rule_id"],
        "source": {
            "file": row["source_file"],
            "sha256": row["source_sha256"],
            "sheet": row["source_sheet"],
            "cell": row["source_cell"],
        },
    }


def number(value: Decimal | None) -> float | int | None:
    """Return a stored DECIMAL as a JSON number; its 12 decimals survive a float exactly."""
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


# --- since an earlier run --------------------------------------------------------------------


@dataclass(frozen=True)
class SinceRun:
    """What changed for one unit between an earlier run of the quarter and its latest run."""

    quarter: str
    unit_code: str
    unit_name: str
    since: Run
    latest: Run
    change: UnitChange | None  # None: nothing changed


def since_run(
    con: duckdb.DuckDBPyConnection, quarter: str, unit: str, run_id: str, timezone: str
) -> SinceRun:
    """Return what changed for ``unit`` since run ``run_id``; ExplainError (Chinese) when the
    run is not one of the quarter's or the unit is unknown."""
    unit = unit.strip().upper()
    runs = runs_of(con, quarter)
    if not runs:
        raise ExplainError(
            f"数据仓库中没有 {quarter} 的运行记录（记录各次运行之前的数据仓库不保存各次得分），"
            f"请先运行 firescore run --quarter {quarter}"
        )
    wanted = run_id.strip().lower()
    since = next((run for run in runs if run.run_id == wanted), None)
    if since is None:
        known = "、".join(
            f"{run.run_id}（第{n}次，数据截至 {chinese_datetime(local_time(run.as_of, timezone))}）"
            for n, run in enumerate(runs, 1)
        )
        raise ExplainError(
            f"运行编号“{run_id}”不是 {quarter} 的运行；{quarter} 已记录的运行：{known}"
        )
    latest = runs[-1]
    names = dict(
        con.execute(
            """
            SELECT r.unit_code, coalesce(u.unit_name, r.unit_code)
            FROM run_scores AS r LEFT JOIN units AS u ON u.unit_code = r.unit_code
            WHERE r.quarter = $quarter AND r.run_id IN ($since, $latest)
            """,
            {"quarter": quarter, "since": since.run_id, "latest": latest.run_id},
        ).fetchall()
    )
    if unit not in names:
        raise ExplainError(missing_message(con, quarter, unit))
    changes = unit_changes(con, quarter, since.run_id, latest.run_id, block_names(con))
    return SinceRun(quarter, unit, names[unit], since, latest, changes.get(unit))


def render_since(report: SinceRun) -> RenderableType:
    """Return what changed since a run as rich text: files, cells, figures, rulings."""
    heading = Text.assemble(
        (f"{report.unit_name}（{report.unit_code}）", "bold"),
        f" {Quarter(report.quarter).label}（{report.quarter}）"
        f"自运行 {report.since.run_id} 以来的变化（至最近一次运行 {report.latest.run_id}）",
    )
    change = report.change
    if change is None:
        return Group(
            heading, Text("没有变化：报送文件、各板块得分、总分和申诉更正均与该次运行时相同。")
        )
    parts: list[RenderableType] = [heading]
    parts.append(Text(f"使用文件：{change.old_file or '无'} → {change.new_file or '无'}"))
    note = cells_note(change)
    if note is not None:
        parts.append(Text(note))
    else:
        parts.append(Text(f"单元格变化（{len(change.cells)} 格）：", style="bold"))
        parts += [Text(f"  {cell.line}") for cell in change.cells]
    parts.append(moves_table(change))
    parts += [Text(line) for line in change.rulings]
    return Group(*parts)


def moves_table(change: UnitChange) -> Table:
    """Return each block, the adjustment and the total: before, after and the move."""
    table = Table(header_style="bold")
    table.add_column("项目")
    for header in ("上次", "本次", "变化"):
        table.add_column(header, justify="right", no_wrap=True)
    for move in change.moves:
        table.add_row(
            move.label, score_text(move.before), score_text(move.after), signed(move.delta)
        )
    if change.grade[0] != change.grade[1]:
        table.add_row("等次", change.grade[0] or "—", change.grade[1] or "—", "")
    return table


def since_json(report: SinceRun) -> dict[str, Any]:
    """Return what changed since a run as a JSON-ready document."""
    change = report.change
    document: dict[str, Any] = {
        "quarter": report.quarter,
        "unit_code": report.unit_code,
        "since_run": report.since.run_id,
        "latest_run": report.latest.run_id,
        "changed": change is not None,
    }
    if change is None:
        return document
    return document | {
        "old_file": change.old_file,
        "new_file": change.new_file,
        "cells_note": cells_note(change),
        "cells": [
            {
                "sheet": c.sheet,
                "cell": c.cell,
                "row_key": c.row_key,
                "header": c.header,
                "old": c.old,
                "new": c.new,
                "kind": c.kind,
            }
            for c in change.cells
        ],
        "moves": [
            {
                "item": m.label,
                "before": number(m.before),
                "after": number(m.after),
                "delta": number(m.delta),
            }
            for m in change.moves
        ],
        "grade": list(change.grade),
        "rulings": list(change.rulings),
    }

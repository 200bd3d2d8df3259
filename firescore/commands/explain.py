"""`firescore explain`: one unit's ledger, block by block, adding up to its total.

Reads the warehouse only. Every number shown is a ledger row (SPEC: "the totals are sums of
that ledger"): a block's points on its own scale, the rescaling of the applicable blocks to 100
(折算), then the adjustment and clamp rows; their contributions add up to `unit_scores.total`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import duckdb
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from firescore.publish.queries import BLOCKS, LEDGER_BLOCK_NAMES, fetch_rows
from firescore.scheme import Quarter

Row = dict[str, Any]
SECTIONS = (*[key for key, _ in BLOCKS], "adjustment", "total")  # display order of ledger blocks

LEDGER_SQL = """
WITH files AS (
    SELECT sha256, min(file_name) AS file_name
    FROM raw_files
    GROUP BY sha256
)
SELECT
    l.block, l.item_id, l.item_name, l.max_points, l.points, l.contribution, l.reason, l.rule_id,
    f.file_name AS source_file, l.source_sha256, l.source_sheet, l.source_cell
FROM ledger AS l
LEFT JOIN files AS f ON f.sha256 = l.source_sha256
WHERE l.quarter = $quarter AND l.unit_code = $unit
ORDER BY
    l.block,
    -- adjustments in the office's row order, the bonus cap after them
    CASE WHEN l.block = 'adjustment'
        THEN try_cast(regexp_extract(l.source_cell, '([0-9]+)$', 1) AS INTEGER) END NULLS LAST,
    l.item_id, l.source_sheet NULLS FIRST, l.source_cell NULLS FIRST, l.rule_id,
    l.reason, l.points, l.contribution
"""

SCORE_SQL = "SELECT * FROM unit_scores WHERE quarter = $quarter AND unit_code = $unit"


class ExplainError(Exception):
    """The unit or quarter cannot be explained; the message is Chinese."""


@dataclass(frozen=True)
class Section:
    """One block of the ledger (or the adjustments, or the total's clamp) and its rows."""

    block: str
    name: str
    applicable: bool
    max_points: Decimal | None  # the block's points; None for adjustments and the clamp
    points: Decimal | None  # earned on the block's own scale; None when not applicable
    items: list[Row] = field(default_factory=list)

    @property
    def contribution(self) -> Decimal:
        """Return the section's share of the total (after rescaling)."""
        return sum((row["contribution"] for row in self.items), Decimal(0))


@dataclass(frozen=True)
class Explanation:
    """How one unit's quarterly total was reached."""

    quarter: str
    score: Row  # the unit_scores row
    sections: list[Section]

    @property
    def applicable_points(self) -> Decimal:
        """Return Σ points of the applicable blocks (the denominator of the rescaling)."""
        return sum(
            (s.max_points for s in self.sections if s.applicable and s.max_points is not None),
            Decimal(0),
        )

    @property
    def scale(self) -> Decimal | None:
        """Return 100 / Σ applicable points, the factor from a block's points to the total."""
        points = self.applicable_points
        return Decimal(100) / points if points else None

    @property
    def ledger_sum(self) -> Decimal:
        """Return the unrounded sum of every contribution."""
        return sum((s.contribution for s in self.sections), Decimal(0))

    @property
    def rounded_sum(self) -> Decimal:
        """Return the ledger sum as the total is rounded (10 decimals, then half-up to 2)."""
        at_ten = self.ledger_sum.quantize(Decimal("1e-10"), ROUND_HALF_UP)
        return at_ten.quantize(Decimal("0.01"), ROUND_HALF_UP)


def explain(con: duckdb.DuckDBPyConnection, quarter: str, unit: str) -> Explanation:
    """Return the explanation of a unit's total; raise ExplainError for an unknown unit/quarter."""
    unit = unit.strip().upper()
    bind = {"quarter": quarter, "unit": unit}
    scores = fetch_rows(con, SCORE_SQL, **bind)
    if not scores:
        raise ExplainError(missing_message(con, quarter, unit))
    score = scores[0]
    rows = fetch_rows(con, LEDGER_SQL, **bind)
    sections = []
    for block in SECTIONS:
        items = [row for row in rows if row["block"] == block]
        if block in ("adjustment", "total"):
            if items:
                sections.append(Section(block, LEDGER_BLOCK_NAMES[block], True, None, None, items))
            continue
        points = score[f"{block}_score"]
        sections.append(
            Section(
                block=block,
                name=LEDGER_BLOCK_NAMES[block],
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
    scale = explanation.scale
    scale_line = (
        f"适用板块满分合计 {num(explanation.applicable_points)} 分，"
        f"折算系数 = 100 ÷ {num(explanation.applicable_points)} = {scale_text(scale)}；"
        "折算分 = 得分 × 折算系数，各项折算分之和即总分。"
        if scale is not None
        else "没有适用的板块。"
    )
    return Group(heading, Text(scale_line), ledger_table(explanation), total_table(explanation))


def ledger_table(explanation: Explanation) -> Table:
    """Return the ledger as one table: a heading row per block, its items, a subtotal."""
    table = Table(show_lines=False, header_style="bold", expand=False)
    table.add_column("项目", overflow="fold", min_width=12, max_width=28)
    table.add_column("满分", justify="right", no_wrap=True)
    table.add_column("得分", justify="right", no_wrap=True)
    table.add_column("折算分", justify="right", no_wrap=True)
    table.add_column("原因与来源", overflow="fold", min_width=24)
    for section in explanation.sections:
        table.add_row(Text(section_heading(section), style="bold cyan"), "", "", "", "")
        for row in section.items:
            table.add_row(
                item_text(section, row),
                "" if section.max_points is None else num(row["max_points"], 2),
                num(row["points"], 2),
                num(row["contribution"], 4),
                reason_text(row),
            )
        table.add_row(
            Text("小计", style="bold"),
            "" if section.max_points is None else num(section.max_points, 2),
            "" if section.points is None else num(section.points, 2),
            Text(num(section.contribution, 4), style="bold"),
            subtotal_note(section, explanation.scale),
            end_section=True,
        )
    return table


def item_text(section: Section, row: Row) -> str:
    """Return an item's label: a task or indicator with its id (T05, I02), others by name."""
    if section.block in ("tasks", "indicators"):
        return f"{row['item_id']} {row['item_name']}"
    return row["item_name"]


def section_heading(section: Section) -> str:
    """Return a block's heading: its name and whether it counts."""
    if section.block in ("adjustment", "total"):
        return section.name
    if not section.applicable:
        return f"{section.name}（不适用，不计分）"
    return f"{section.name}（满分 {num(section.max_points)}）"


def subtotal_note(section: Section, scale: Decimal | None) -> str:
    """Return how a block's subtotal becomes its share of the total."""
    if section.block == "adjustment":
        return "加分（封顶后）减扣分，不折算，直接计入总分"
    if section.block == "total":
        return "总分限定在 0 与 100 + 加分上限之间"
    if not section.applicable:
        return "本板块不适用，按其余板块折算为百分制"
    return f"{num(section.points, 4)} × {scale_text(scale)} = {num(section.contribution, 4)}"


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
    """Return the sum of the sections and the total it gives, as a small table."""
    score = explanation.score
    table = Table(show_header=False, box=None, padding=(0, 1))
    table.add_column(justify="left")
    table.add_column(justify="right")
    for section in explanation.sections:
        table.add_row(section.name, num(section.contribution, 4))
    table.add_row(
        Text("各项折算分之和", style="bold"), Text(num(explanation.ledger_sum, 4), style="bold")
    )
    agrees = explanation.rounded_sum == score["total"]
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


def scale_text(scale: Decimal | None) -> str:
    """Return the rescaling factor to 6 decimals without trailing zeros: 1, 1.176471."""
    return num(Decimal(num(scale, 6))) if scale is not None else ""


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
    """Return the explanation as a JSON-ready document (numbers unrounded, as stored)."""
    score = explanation.score
    return {
        "quarter": explanation.quarter,
        "unit_code": score["unit_code"],
        "unit_name": score["unit_name"],
        "group": score["grp"],
        "applicable_points": number(explanation.applicable_points),
        "scale": number(explanation.scale),
        "sections": [
            {
                "block": s.block,
                "name": s.name,
                "applicable": s.applicable,
                "max_points": number(s.max_points),
                "points": number(s.points),
                "contribution": number(s.contribution),
                "items": [item_json(row) for row in s.items],
            }
            for s in explanation.sections
        ],
        "sum_of_contributions": number(explanation.ledger_sum),
        "total": number(score["total"]),
        "grade": score["grade"],
        "veto": score["veto"],
        "veto_reason": score["veto_reason"],
        "rank": score["rank"],
        "rank_change": score["rank_change"],
    }


def item_json(row: Row) -> dict[str, Any]:
    """Return one ledger row for the JSON document."""
    return {
        "item_id": row["item_id"],
        "item_name": row["item_name"],
        "max_points": number(row["max_points"]),
        "points": number(row["points"]),
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

"""A run as the Prefect UI shows it: the summary, the ranking and the stage timings (Chinese).

Plain data for flows/quarter.py's artifacts: markdown text and tables of numbers (numbers stay
numbers, so the UI can sort them).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from firescore.annual import AnnualSummary
from firescore.publish.columns import ranking_columns, ranking_values
from firescore.quarter import RunSummary
from firescore.scheme import GROUPS


def summary_markdown(summary: RunSummary) -> str:
    """Return the run's summary as the CLI prints it, with every output path."""
    rejected = "".join(f"\n  - {unit} {name}：{first}" for unit, name, first in summary.rejected)
    lines = [
        f"## {summary.quarter} 考核完成（运行编号 {summary.run_id}）",
        "",
        f"- 收到文件 {summary.files_seen} 个，其中新文件 {summary.files_new} 个",
        f"- 参与排名单位 {summary.units_scored} 个",
        f"- 退回文件 {len(summary.rejected)} 个{rejected}",
        f"- 未报送（无有效文件）单位：{'、'.join(summary.missing) or '无'}",
        *(f"- 未读取：{note}" for note in summary.notes),
        *(f"- 需重新运行的季度：{q}（旧版本判定已清除）" for q in summary.rerun),
        "",
        "### 输出文件",
        "",
        *(f"- `{path}`" for path in summary.outputs),
    ]
    return "\n".join(lines) + "\n"


def ranking_table(
    ranked: list[dict[str, Any]], block_names: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Return 排名总表 as one table: its columns and order (镇街组, then 部门组, by rank)."""
    table = []
    for group in GROUPS:
        rows = [row for row in ranked if row["grp"] == group]
        columns = ranking_columns(rows, block_names)
        headers = [column.header.replace("\n", "") for column in columns]
        table += [
            dict(zip(headers, map(_number, ranking_values(row)), strict=True)) for row in rows
        ]
    return table


def timing_table(
    timings: list[tuple[str, float]], stages: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Return one row per stage in run order: its task runs and seconds (summed over batches)."""
    rows = []
    for key, label in stages.items():
        seconds = [s for name, s in timings if name == key]
        if seconds:
            rows.append(
                {"阶段": label, "任务数": len(seconds), "用时（秒）": round(sum(seconds), 2)}
            )
    rows.append(
        {"阶段": "合计", "任务数": len(timings), "用时（秒）": round(sum(s for _, s in timings), 2)}
    )
    return rows


def annual_markdown(summary: AnnualSummary) -> str:
    """Return the roll-up's summary: quarters used, quarters counted as 0, outputs."""
    lines = [
        f"## {summary.year} 年度考核汇总完成（{summary.period}）",
        "",
        f"- 已评分季度：{'、'.join(summary.quarters)}",
        (
            "- 按已评分季度平均，第四季度评分后为最终年度结果"
            if summary.provisional
            else f"- 未评分的季度（按 0 分计）：{'、'.join(summary.missing) or '无'}"
        ),
        "",
        "### 输出文件",
        "",
        *(f"- `{path}`" for path in summary.outputs),
    ]
    return "\n".join(lines) + "\n"


def _number(value: Any) -> Any:
    """Return a Decimal as a float (JSON has numbers, not decimals); other values as they are."""
    return float(value) if isinstance(value, Decimal) else value

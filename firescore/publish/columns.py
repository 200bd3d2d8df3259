"""The column catalogue of the published tables: each table's columns and one row's cells.

The leaders' workbook, the units' feedback, the validation list, the HTML report, the run's
Prefect artifacts and `firescore status` show the same tables; their columns are defined here
once, with the small texts their cells share (是/否, ↑2, full points).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from firescore.publish.changes import UnitChange, cells_note, signed, summary_text
from firescore.publish.queries import RECOVERED, REPEATED, SEVERITY_NAMES
from firescore.publish.sheets import Column
from firescore.scheme import BLOCKS

Row = dict[str, Any]

NOT_SUBMITTED = frozenset({"未报送", "仅有退回文件"})
QUARTERS_A_YEAR = 4  # the longest run of quarters in a row within a scheme year


def ranking_columns(rows: Sequence[Row], block_names: Mapping[str, str]) -> list[Column]:
    """Return the ranking table's columns; block headers carry their full points."""
    return [
        Column("排名", "integer", 8),
        Column("单位代码", "center", 12),
        Column("单位名称", "text", 30),
        Column("考核组", "center", 10),
        *(Column(block_header(block_names[key], key, rows), "score", 18) for key in BLOCKS),
        Column("折算系数", "factor", 10),
        Column("加减分", "score", 10),
        Column("总分", "score", 10),
        Column("等次", "center", 10),
        Column("一票否决", "center", 10, alert=frozenset({"是"})),
        Column("较上季度", "center", 10),
    ]


def ranking_values(row: Row) -> tuple[Any, ...]:
    """Return one unit's cells in the ranking table; a blank block is not applicable."""
    return (
        row["rank"],
        row["unit_code"],
        row["unit_name"],
        row["grp"],
        *(row[f"{key}_score"] for key in BLOCKS),
        row["scale"],
        row["adjustment"],
        row["total"],
        row["grade"],
        yes_no(row["veto"]),
        rank_change_text(row["rank_change"]),
    )


def ledger_item_columns(item_width: int) -> list[Column]:
    """Return the leading columns of a ledger table: unit, block, item, full points, points."""
    return [
        Column("单位代码", "center", 12),
        Column("单位名称", "text", 24),
        Column("板块", "center", 14),
        Column("项目编号", "center", 12),
        Column("项目", "wrap", item_width),
        Column("满分", "score", 10),
        Column("得分", "score", 10),
    ]


def ledger_item_values(row: Row, block_names: Mapping[str, str]) -> tuple[Any, ...]:
    """Return a ledger row's cells under ledger_item_columns."""
    return (
        row["unit_code"],
        row["unit_name"],
        block_names.get(row["block"], row["block"]),
        row["item_code"],
        row["item_name"],
        item_max_points(row),
        row["points"],
    )


def score_details_columns() -> list[Column]:
    """Return the columns of 得分明细: every ledger row with its explanation."""
    return [*ledger_item_columns(36), Column("说明", "wrap", 60)]


def score_details_values(row: Row, block_names: Mapping[str, str]) -> tuple[Any, ...]:
    """Return one ledger row's cells in 得分明细."""
    return (*ledger_item_values(row, block_names), row["reason"])


def lost_points_columns() -> list[Column]:
    """Return the columns of a lost-points table (扣分明细, and the units' feedback)."""
    return [
        *ledger_item_columns(30),
        Column("失分", "score", 10),
        Column("连续失分", "center", 12, alert=STREAK_TEXTS),
        Column("原因", "wrap", 50),
        Column("来源文件", "wrap", 30),
        Column("工作表", "center", 12),
        Column("单元格", "center", 10),
    ]


def lost_points_values(row: Row, block_names: Mapping[str, str]) -> tuple[Any, ...]:
    """Return one lost-points ledger row's cells."""
    return (
        *ledger_item_values(row, block_names),
        row["lost"],
        streak_text(row["streak"]),
        row["reason"],
        source_file_text(row),
        row["source_sheet"],
        row["source_cell"],
    )


def streak_text(streak: int | None) -> str | None:
    """Return 连续2个季度 for an item lost that many quarters in a row; blank otherwise."""
    return f"连续{streak}个季度" if streak else None


STREAK_TEXTS = frozenset(streak_text(n) for n in range(2, QUARTERS_A_YEAR + 1))


def follow_up_columns() -> list[Column]:
    """Return the columns of 整改跟踪: per unit, items lost again, items recovered, conclusion."""
    return [
        Column("排名", "integer", 8),
        Column("单位代码", "center", 12),
        Column("单位名称", "text", 24),
        Column("连续失分项目", "wrap", 50),
        Column("已整改项目", "wrap", 44),
        Column("结论", "wrap", 36),
    ]


def follow_up_values(row: Row) -> tuple[Any, ...]:
    """Return one unit's cells in 整改跟踪 (row: a ranked unit with its follow-up items)."""
    again, recovered = split_follow_up(row["follow_up"])
    return (
        row["rank"],
        row["unit_code"],
        row["unit_name"],
        "\n".join(
            f"{f['item_label']}：{streak_text(f['streak'])}，本季度失分{f['lost']}" for f in again
        )
        or None,
        "\n".join(
            f"{f['item_label']}：上季度失分{f['previous_lost']}，本季度未失分" for f in recovered
        )
        or None,
        follow_up_conclusion(again, recovered, row["previous_ranked"]),
    )


def split_follow_up(items: Sequence[Row]) -> tuple[list[Row], list[Row]]:
    """Return a unit's follow-up items as (lost again: 连续失分, recovered: 已整改)."""
    return (
        [f for f in items if f["status"] == REPEATED],
        [f for f in items if f["status"] == RECOVERED],
    )


def follow_up_conclusion(again: Sequence[Row], recovered: Sequence[Row], compared: bool) -> str:
    """Return the one-line conclusion of a unit's follow-up."""
    if not compared:
        return "上季度未参加考核，无可对比项目。"
    if not again and not recovered:
        return "上季度无失分项目。"
    parts = []
    if again:
        lost = sum((f["lost"] for f in again), Decimal(0))
        parts.append(f"{len(again)}项连续失分（本季度共失分{lost}），应督促整改")
    if recovered:
        regained = sum((f["previous_lost"] for f in recovered), Decimal(0))
        parts.append(f"{len(recovered)}项已整改（上季度失分{regained}）")
    return "；".join(parts) + "。"


def submission_columns() -> list[Column]:
    """Return the columns of a submissions table (报送情况, and `firescore status`)."""
    return [
        Column("单位代码", "center", 12),
        Column("单位名称", "text", 24),
        Column("考核组", "center", 10),
        Column("报送状态", "center", 14, alert=NOT_SUBMITTED),
        Column("接收时间", "datetime", 18),
        Column("逾期天数", "integer", 10),
        Column("退回版本数", "integer", 12),
        Column("使用文件", "wrap", 40),
    ]


def submission_values(row: Row) -> tuple[Any, ...]:
    """Return one unit's submission cells (receipt time local to the scheme's time zone)."""
    return (
        row["unit_code"],
        row["unit_name"],
        row["grp"],
        row["status"],
        row["received_local"],
        row["days_late"],
        row["rejected_versions"],
        row["file_name"],
    )


def ruling_columns() -> list[Column]:
    """Return the columns of the 申诉处理 table: each dispute ruled on, lost points before and after."""
    return [
        Column("单位代码", "center", 12),
        Column("单位名称", "text", 24),
        Column("项目编号", "center", 16),
        Column("项目", "wrap", 26),
        Column("申诉理由", "wrap", 40),
        Column("处理结果", "wrap", 16),
        Column("原失分", "score", 10),
        Column("处理后失分", "score", 10),
        Column("处理说明", "wrap", 40),
    ]


def ruling_values(row: Row) -> tuple[Any, ...]:
    """Return one ruling's cells."""
    return (
        row["unit_code"],
        row["unit_name"],
        row["item_code"],
        row["item_name"],
        row["claim"],
        row["ruling"],
        row["lost"],
        row["lost_after"],
        row["note"],
    )


def issue_columns() -> list[Column]:
    """Return the columns of a validation-issue table (校验问题, and the units' feedback)."""
    return [
        Column("单位代码", "center", 12),
        Column("单位名称", "text", 24),
        Column("文件", "wrap", 30),
        Column("级别", "center", 8, alert=frozenset({SEVERITY_NAMES["error"]})),
        Column("工作表", "center", 12),
        Column("单元格", "center", 10),
        Column("列", "text", 16),
        Column("值", "wrap", 24),
        Column("应为", "wrap", 30),
        Column("说明", "wrap", 60),
    ]


def issue_values(row: Row) -> tuple[Any, ...]:
    """Return one validation issue's cells."""
    return (
        row["unit_code"],
        row["unit_name"],
        row["file_name"],
        SEVERITY_NAMES.get(row["severity"], row["severity"]),
        row["sheet"],
        row["cell"],
        row["column_name"],
        row["value"],
        row["expected"],
        row["message"],
    )


def block_header(name: str, key: str, rows: Sequence[Row]) -> str:
    """Return a block's header with the group's full points, e.g. 重点任务落实\n（满分45）.

    Each table holds one group (排名总表 has one table per group), so one full score applies.
    """
    maxima = {
        row[f"{key}_max"]
        for row in rows
        if row[f"{key}_score"] is not None and row[f"{key}_max"] is not None
    }
    if len(maxima) != 1:
        return name  # no single full score to state
    (points,) = maxima
    return f"{name}\n（满分{points_text(points)}）"


def points_text(points: Decimal) -> str:
    """Return full points without trailing zeros: 45, 12.5."""
    return format(points.normalize(), "f")


def item_max_points(row: Row) -> Decimal | None:
    """Return an item's full points; adjustments have none, so the cell stays blank."""
    return None if row["block"] in ("adjustment", "total") else row["max_points"]


def source_file_text(row: Row) -> str | None:
    """Return the source file's name, or the start of its sha256 when the name is unknown."""
    if row["source_file"]:
        return row["source_file"]
    sha256 = row["source_sha256"]
    return sha256[:12] if sha256 else None


def yes_no(flag: bool | None) -> str | None:
    """Return 是 / 否 for a flag, blank when unknown."""
    if flag is None:
        return None
    return "是" if flag else "否"


def rank_change_text(change: int | None) -> str | None:
    """Return ↑2 / ↓1 / 持平 for a rank change (previous − this rank); blank with no previous."""
    if change is None:
        return None
    if change > 0:
        return f"↑{change}"
    if change < 0:
        return f"↓{-change}"
    return "持平"


def submission_change_column() -> Column:
    """Return 报送情况's 较上次运行 column (shown when the quarter has a previous run)."""
    return Column("较上次运行", "wrap", 36)


def submission_change_value(row: Row, changes: Mapping[str, UnitChange]) -> str | None:
    """Return a unit's 较上次运行 cell: cells changed and how the total moved; blank if none."""
    change = changes.get(row["unit_code"])
    return summary_text(change) if change else None


def change_moves_columns() -> list[Column]:
    """Return the columns of 本次变更's first table: each figure before, after and its move."""
    return [
        Column("项目", "label", 16),
        Column("上次", "score", 12),
        Column("本次", "score", 12),
        Column("变化", "center", 12),
        Column("说明", "wrap", 50),
    ]


def change_moves_rows(change: UnitChange) -> list[tuple[Any, ...]]:
    """Return each block, the adjustment and the total before → after, then grade and rulings."""
    rows: list[tuple[Any, ...]] = [
        (
            move.label,
            move.before,
            move.after,
            signed(move.delta) or None,
            None,
        )
        for move in change.moves
    ]
    if change.grade[0] != change.grade[1]:
        rows.append(
            ("等次", None, None, None, f"{change.grade[0] or '—'} → {change.grade[1] or '—'}")
        )
    rows += [("申诉更正", None, None, None, line) for line in change.rulings]
    return rows


def change_cells_columns() -> list[Column]:
    """Return the columns of 本次变更's cell table: sheet!cell, row and column, old → new."""
    return [
        Column("单元格", "center", 16),
        Column("行与列", "wrap", 20),
        Column("变动", "center", 8),
        Column("原值", "wrap", 30),
        Column("新值", "wrap", 30),
    ]


def change_cells_rows(change: UnitChange) -> list[tuple[Any, ...]]:
    """Return one row per changed cell, or one line saying why there is none to list."""
    note = cells_note(change)
    if note is not None:
        return [(None, None, None, None, note)]
    return [
        (
            f"{c.sheet}!{c.cell}",
            f"{c.row_key} {c.header}" if c.row_key else c.header,
            c.kind,
            c.old,
            c.new,
        )
        for c in change.cells
    ]

"""What changed for a unit between two runs of a quarter: the cells of its file, cell by cell
(sheet!cell: old → new, rows added and removed), how each block and the total moved, and the
rulings 更正 that are new. Shown by the feedback (本次变更), the leaders' 报送情况 (较上次运行)
and `firescore explain --since`.

Cells are compared by row key (任务编号, 指标编号, 火灾编号; else the row number) and field, so a
row inserted above others changes nothing below it. A version stored before cells were kept
has none: that is said, never guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

import duckdb

from firescore.intake.contracts import contract, submitted_tables
from firescore.scheme import BLOCKS

NO_CELLS = "该版本入库时未保存单元格，无法逐格比较"
BLANK = "（空）"
ADDED, REMOVED, EDITED = "新增行", "删除行", "修改"

_CELL_DIFF = """
WITH old AS (SELECT * FROM raw_cells WHERE sha256 = $old),
new AS (SELECT * FROM raw_cells WHERE sha256 = $new),
old_rows AS (SELECT DISTINCT sheet, row_key FROM old),
new_rows AS (SELECT DISTINCT sheet, row_key FROM new)
SELECT
    coalesce(n.sheet, o.sheet) AS sheet,
    coalesce(n.row_key, o.row_key) AS row_key,
    coalesce(n.field, o.field) AS field,
    coalesce(n.cell, o.cell) AS cell,
    coalesce(n.excel_row, o.excel_row) AS excel_row,
    o.value AS old_value,
    n.value AS new_value,
    CASE
        WHEN NOT EXISTS (SELECT 1 FROM old_rows AS r
                         WHERE r.sheet = coalesce(n.sheet, o.sheet)
                           AND r.row_key = coalesce(n.row_key, o.row_key)) THEN 'added'
        WHEN NOT EXISTS (SELECT 1 FROM new_rows AS r
                         WHERE r.sheet = coalesce(n.sheet, o.sheet)
                           AND r.row_key = coalesce(n.row_key, o.row_key)) THEN 'removed'
        ELSE 'edited'
    END AS kind
FROM old AS o
FULL JOIN new AS n ON n.sheet = o.sheet AND n.row_key = o.row_key AND n.field = o.field
WHERE o.value IS DISTINCT FROM n.value
"""

_RUN_SCORES = """
SELECT unit_code, sha256, file_name, ranked, tasks_score, indicators_score, fire_score,
       reporting_score, adjustment, total, grade, rank
FROM run_scores WHERE quarter = $quarter AND run_id = $run_id
"""

_RUN_RULINGS = """
SELECT unit_code, item_code, item_name, lost, corrected_lost, note, corrected
FROM run_rulings WHERE quarter = $quarter AND run_id = $run_id
ORDER BY unit_code, item_code
"""

_KINDS = {"added": ADDED, "removed": REMOVED, "edited": EDITED}


@dataclass(frozen=True)
class CellChange:
    """One cell that differs between two versions of a unit's file."""

    sheet: str
    cell: str  # in the new version; in the old one for a removed row
    header: str  # the column's header (完成状态)
    row_key: str  # 任务编号 etc. of the row, '' in 基本信息
    old: str | None
    new: str | None
    kind: str  # 修改 | 新增行 | 删除行

    @property
    def line(self) -> str:
        """Return the change as one line: 任务进展!C7（T05 完成状态）：推进中 → 已完成."""
        what = f"{self.row_key} {self.header}" if self.row_key else self.header
        note = "" if self.kind == EDITED else f"，{self.kind}"
        return (
            f"{self.sheet}!{self.cell}（{what}{note}）：{self.old or BLANK} → {self.new or BLANK}"
        )


@dataclass(frozen=True)
class Move:
    """One figure of the unit before and after: a block, the adjustment or the total."""

    label: str
    before: Decimal | None
    after: Decimal | None

    @property
    def delta(self) -> Decimal | None:
        """Return after − before; None when either is missing (not applicable, not scored)."""
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


@dataclass(frozen=True)
class UnitChange:
    """What changed for one unit since an earlier run."""

    unit_code: str
    since: str  # the earlier run's id
    old_file: str | None
    new_file: str | None
    version_changed: bool
    cells: tuple[CellChange, ...]
    cells_missing: bool  # a version was stored before cells were kept
    moves: tuple[Move, ...]  # the four blocks, 加减分, 总分
    grade: tuple[str | None, str | None]
    rank: tuple[int | None, int | None]
    rulings: tuple[str, ...]  # rulings 更正 new or changed since, one line each

    @property
    def changed(self) -> bool:
        """Return whether the unit's file, a figure or a ruling changed."""
        moved = any(m.before != m.after for m in self.moves)
        return self.version_changed or moved or bool(self.rulings)

    @property
    def total(self) -> Move:
        """Return the total's move."""
        return self.moves[-1]


def unit_changes(
    con: duckdb.DuckDBPyConnection,
    quarter: str,
    since: str,
    now: str,
    block_names: Mapping[str, str],
) -> dict[str, UnitChange]:
    """Return each unit that changed between runs ``since`` and ``now``, by unit code."""
    before = _scores(con, quarter, since)
    after = _scores(con, quarter, now)
    rulings_before = _rulings(con, quarter, since)
    rulings_after = _rulings(con, quarter, now)
    changes = {}
    for code in sorted(before.keys() | after.keys()):
        old, new = before.get(code, {}), after.get(code, {})
        change = _unit_change(
            con,
            code,
            since,
            old,
            new,
            tuple(r for r in rulings_after.get(code, []) if r not in rulings_before.get(code, [])),
            block_names,
        )
        if change.changed:
            changes[code] = change
    return changes


def _unit_change(
    con: duckdb.DuckDBPyConnection,
    code: str,
    since: str,
    old: Mapping,
    new: Mapping,
    rulings: tuple[str, ...],
    block_names: Mapping[str, str],
) -> UnitChange:
    """Return one unit's change from its two recorded states (empty mappings: not recorded)."""
    old_sha, new_sha = old.get("sha256"), new.get("sha256")
    cells: tuple[CellChange, ...] = ()
    missing = False
    if old_sha != new_sha and old_sha and new_sha:
        if _has_cells(con, old_sha) and _has_cells(con, new_sha):
            cells = cell_changes(con, old_sha, new_sha)
        else:
            missing = True
    labels = {**{f"{b}_score": block_names.get(b, b) for b in BLOCKS}}
    labels |= {"adjustment": "加减分", "total": "总分"}
    moves = tuple(Move(label, old.get(key), new.get(key)) for key, label in labels.items())
    return UnitChange(
        unit_code=code,
        since=since,
        old_file=old.get("file_name"),
        new_file=new.get("file_name"),
        version_changed=old_sha != new_sha,
        cells=cells,
        cells_missing=missing,
        moves=moves,
        grade=(old.get("grade"), new.get("grade")),
        rank=(old.get("rank"), new.get("rank")),
        rulings=rulings,
    )


def cell_changes(con: duckdb.DuckDBPyConnection, old: str, new: str) -> tuple[CellChange, ...]:
    """Return the cells that differ between two stored versions, in sheet, row, column order."""
    rows = con.execute(_CELL_DIFF, {"old": old, "new": new}).fetchall()
    sheets = list(submitted_tables())

    def order(row: tuple) -> tuple:
        sheet, row_key, field, _, excel_row, *_ = row
        fields = contract(sheet).fields
        return (
            sheets.index(sheet) if sheet in sheets else len(sheets),
            sheet,
            excel_row or 0,
            row_key,  # a removed row and the row now in its place: by key
            fields.index(field) if field in fields else len(fields),
        )

    return tuple(
        CellChange(
            sheet=sheet,
            cell=cell,
            header=_header(sheet, field),
            row_key=row_key,
            old=old_value,
            new=new_value,
            kind=_KINDS[kind],
        )
        for sheet, row_key, field, cell, _, old_value, new_value, kind in sorted(rows, key=order)
    )


def _header(sheet: str, field: str) -> str:
    """Return a field's column header as the unit's sheet shows it."""
    try:
        return contract(sheet).column(field).header
    except (KeyError, StopIteration):
        return field


def _has_cells(con: duckdb.DuckDBPyConnection, sha256: str) -> bool:
    """Return whether a version's cells were kept when it was stored."""
    found = con.execute("SELECT 1 FROM raw_cells WHERE sha256 = $sha LIMIT 1", {"sha": sha256})
    return found.fetchone() is not None


def _scores(con: duckdb.DuckDBPyConnection, quarter: str, run_id: str) -> dict[str, dict]:
    """Return a run's recorded state of each unit, by unit code."""
    cursor = con.execute(_RUN_SCORES, {"quarter": quarter, "run_id": run_id})
    names = [c[0] for c in cursor.description]
    return {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


def _rulings(con: duckdb.DuckDBPyConnection, quarter: str, run_id: str) -> dict[str, list[str]]:
    """Return the lines of a run's rulings 更正, by unit code."""
    lines: dict[str, list[str]] = {}
    rows = con.execute(_RUN_RULINGS, {"quarter": quarter, "run_id": run_id}).fetchall()
    for unit, code, name, lost, lost_after, note, corrected in rows:
        value = f"（{corrected}）" if corrected else ""
        reason = f"：{note}" if note else ""
        lines.setdefault(unit, []).append(
            f"申诉更正 {code} {name}{value}：失分 {_points(lost)} → {_points(lost_after)}{reason}"
        )
    return lines


def _points(value: Decimal | None) -> str:
    """Return points without trailing zeros (3.46, 0)."""
    if value is None:
        return BLANK
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "") else text


def signed(value: Decimal | None) -> str:
    """Return a movement as +1.50 / −0.75 / 0.00; blank when unknown."""
    if value is None:
        return ""
    if value > 0:
        return f"+{value:.2f}"
    if value < 0:
        return f"−{-value:.2f}"
    return f"{Decimal(0):.2f}"


def score_text(value: Decimal | None) -> str:
    """Return a score to 2 decimals, or 不适用/未评分 when missing."""
    return "—" if value is None else f"{value:.2f}"


def cells_note(change: UnitChange) -> str | None:
    """Return why no cells are listed (file unchanged, no earlier version, not kept), or None."""
    if not change.version_changed:
        return "本单位报送文件未变，得分变化来自其他数据（火灾情况、加减分或申诉处理）。"
    if not change.old_file:
        return f"上次运行时本单位没有可用文件，本次使用：{change.new_file}"
    if not change.new_file:
        return f"本次没有可用文件（上次使用：{change.old_file}）"
    if change.cells_missing:
        return f"{NO_CELLS}（{change.old_file} → {change.new_file}）"
    if not change.cells:
        return f"{change.old_file} → {change.new_file}：读取的单元格没有变化"
    return None


def summary_text(change: UnitChange) -> str:
    """Return the short line of 报送情况's 较上次运行: cells changed, rulings, total moved."""
    parts = []
    if not change.version_changed:
        parts.append("本单位文件未变")
    elif not change.old_file:
        parts.append("新有可用文件")
    elif not change.new_file:
        parts.append("不再有可用文件")
    elif change.cells_missing:
        parts.append("换用新版本（未能逐格比较）")
    else:
        parts.append(f"换用新版本，{len(change.cells)}格有变化")
    if change.rulings:
        parts.append(f"申诉更正{len(change.rulings)}项")
    total = change.total
    if total.before != total.after:
        delta = signed(total.delta)
        moved = f"（{delta}）" if delta else ""
        parts.append(f"总分 {score_text(total.before)} → {score_text(total.after)}{moved}")
    elif any(move.before != move.after for move in change.moves):
        parts.append("板块得分有变化，总分不变")
    else:
        parts.append("总分不变")
    return "；".join(parts)

"""The warehouse reads of the publish step: one query per table shown, parameters bound.

Every figure shown comes from the scoring as shown (SCORING.md "What is shown adds up"): block
scores, adjustment and total of unit_scores (stored to 2 decimals), ledger items from
shown_ledger (largest remainder, adding up to their block). The round() here only fixes the
2-decimal type. Every ORDER BY ends in a total order, so two runs write identical files.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import duckdb
import pyarrow as pa

from firescore.publish.changes import UnitChange, unit_changes
from firescore.scheme import BLOCKS, GROUPS, Quarter
from firescore.warehouse.runs import Run, previous_run, runs_of

# Ledger rows outside the scheme's four blocks, shown after them: 加减分 and the clamp of the
# total (SCORING.md §6–7). The four blocks are named by the scheme (scheme_blocks).
OTHER_LEDGER_BLOCKS: dict[str, str] = {"adjustment": "加减分", "total": "总分调整"}
SEVERITY_NAMES: dict[str, str] = {"error": "错误", "warning": "警告"}


def _display_order(values: tuple[str, ...]) -> str:
    """Return a SQL CASE template ({col}) giving each value its display position, others last."""
    whens = " ".join(f"WHEN '{v}' THEN {n}" for n, v in enumerate(values))
    return f"CASE {{col}} {whens} ELSE {len(values)} END"


_GROUP_ORDER = _display_order(GROUPS)
_BLOCK_ORDER = _display_order((*BLOCKS, *OTHER_LEDGER_BLOCKS))

# 折算系数 = 100 / Σ points of the applicable blocks, shown (6 decimals) only when it is not 1.
_APPLICABLE_POINTS = (
    "coalesce(s.tasks_max, 0) + coalesce(s.indicators_max, 0) + coalesce(s.fire_max, 0) "
    "+ coalesce(s.reporting_max, 0)"
)

SCORES_SQL = f"""
SELECT
    s.unit_code,
    s.unit_name,
    s.grp,
    s.ranked,
    round(s.tasks_score, 2)      AS tasks_score,
    round(s.indicators_score, 2) AS indicators_score,
    round(s.fire_score, 2)       AS fire_score,
    round(s.reporting_score, 2)  AS reporting_score,
    s.tasks_max,
    s.indicators_max,
    s.fire_max,
    s.reporting_max,
    s.base,
    CASE WHEN {_APPLICABLE_POINTS} NOT IN (0, 100)
        THEN round(100 / ({_APPLICABLE_POINTS}), 6)::DECIMAL(18, 6) END AS scale,
    round(s.adjustment, 2)       AS adjustment,
    c.reason                     AS adjustment_note,
    round(s.total, 2)            AS total,
    s.grade,
    s.veto,
    s.veto_reason,
    s.rank,
    s.rank_change,
    s.submitted,
    count(*) FILTER (WHERE s.ranked) OVER (PARTITION BY s.grp) AS group_size
FROM unit_scores AS s
-- the bonus cap is a note on the adjustment (its ledger row says by how much)
LEFT JOIN shown_ledger AS c
    ON c.quarter = s.quarter AND c.unit_code = s.unit_code AND c.rule_id = 'ADJ_BONUS_CAP'
WHERE s.quarter = $quarter AND ($unit IS NULL OR s.unit_code = $unit)
ORDER BY {_GROUP_ORDER.format(col="s.grp")}, s.grp, NOT s.ranked, s.rank NULLS LAST, s.unit_code
"""

# Names come from the quarter's scores when the unit was scored, else from the registry.
_UNIT_JOINS = """
LEFT JOIN unit_scores AS s ON s.quarter = {t}.quarter AND s.unit_code = {t}.unit_code
LEFT JOIN units AS u ON u.unit_code = {t}.unit_code
"""

LEDGER_SQL = f"""
WITH files AS (
    SELECT sha256, min(file_name) AS file_name
    FROM raw_files
    GROUP BY sha256
)
SELECT
    l.unit_code,
    coalesce(s.unit_name, u.unit_name, l.unit_code) AS unit_name,
    coalesce(s.grp, u.grp)                          AS grp,
    l.block,
    l.item_id,
    l.item_code,
    l.item_name,
    l.max_points,
    l.points,
    l.lost,
    l.lost > 0                                      AS is_lost,
    l.reason,
    l.rule_id,
    f.file_name                                     AS source_file,
    l.source_sha256,
    l.source_sheet,
    l.source_cell
FROM shown_ledger AS l
{_UNIT_JOINS.format(t="l")}
LEFT JOIN files AS f ON f.sha256 = l.source_sha256
WHERE l.quarter = $quarter
ORDER BY
    {_GROUP_ORDER.format(col="coalesce(s.grp, u.grp)")}, l.unit_code,
    {_BLOCK_ORDER.format(col="l.block")}, l.block, l.item_order
"""

SUBMISSIONS_SQL = f"""
SELECT
    b.unit_code,
    coalesce(s.unit_name, u.unit_name, b.unit_code) AS unit_name,
    coalesce(s.grp, u.grp)                          AS grp,
    b.status,
    timezone($timezone, b.received_at)              AS received_local,
    b.days_late,
    b.rejected_versions,
    b.file_name
FROM submissions AS b
{_UNIT_JOINS.format(t="b")}
WHERE b.quarter = $quarter
ORDER BY {_GROUP_ORDER.format(col="coalesce(s.grp, u.grp)")}, b.unit_code
"""

# Cells sort the way a person reads a sheet: C7 before C12.
_CELL_ROW = "try_cast(regexp_extract(i.cell, '([0-9]+)$', 1) AS INTEGER)"
_CELL_COL = "regexp_extract(i.cell, '^\\$?([A-Za-z]+)', 1)"

ISSUES_SQL = f"""
WITH issues AS (
    SELECT
        i.quarter, i.unit_code, f.file_name, f.received_at, i.sha256, i.severity, i.sheet,
        i.cell, i.column_name, i.value, i.expected, i.message, i.rule_id
    FROM raw_issues AS i
    LEFT JOIN raw_files AS f
        ON f.quarter = i.quarter AND f.unit_code = i.unit_code AND f.sha256 = i.sha256
    UNION ALL
    -- What the inbox held but was not read as a submission (a stray file, a link ...).
    SELECT
        n.quarter, n.unit_code, regexp_extract(n.rel_path, '[^/]*$'), NULL, NULL, 'warning',
        NULL, NULL, NULL, NULL, NULL, n.rel_path || '：' || n.reason, 'inbox_note'
    FROM inbox_notes AS n
)
SELECT
    i.unit_code,
    coalesce(s.unit_name, u.unit_name, i.unit_code) AS unit_name,
    i.file_name,
    i.severity,
    i.sheet,
    i.cell,
    i.column_name,
    i.value,
    i.expected,
    i.message,
    i.rule_id
FROM issues AS i
{_UNIT_JOINS.format(t="i")}
WHERE i.quarter = $quarter
ORDER BY
    {_GROUP_ORDER.format(col="coalesce(s.grp, u.grp)")}, i.unit_code NULLS LAST,
    i.received_at NULLS LAST, i.sha256,
    CASE i.severity WHEN 'error' THEN 0 ELSE 1 END, i.severity,
    i.sheet NULLS FIRST, {_CELL_ROW} NULLS FIRST, length({_CELL_COL}), {_CELL_COL},
    i.cell NULLS FIRST, i.rule_id, i.column_name NULLS FIRST, i.value NULLS FIRST,
    i.expected NULLS FIRST, i.message
"""


@dataclass(frozen=True)
class QuarterData:
    """Everything the publish step shows for one quarter, each list in display order."""

    scores: list[dict[str, Any]]
    ledger: list[dict[str, Any]]
    submissions: list[dict[str, Any]]
    issues: list[dict[str, Any]]
    block_names: dict[str, str]  # ledger block -> Chinese name, in display order
    rulings: list[dict[str, Any]] = field(default_factory=list)  # 申诉处理, by unit and item
    # 整改跟踪: items lost again (连续失分) or recovered (已整改), by unit, block and item
    follow_up: list[dict[str, Any]] = field(default_factory=list)
    previous_units: frozenset[str] = frozenset()  # units ranked last quarter (none in Q1)
    since: Run | None = None  # the previous run of the quarter, when there is one
    changes: dict[str, UnitChange] = field(default_factory=dict)  # units changed since it

    @property
    def ranked(self) -> list[dict[str, Any]]:
        """Return the ranked units' scores, by group, rank and unit code."""
        return [row for row in self.scores if row["ranked"]]

    @cached_property
    def digest(self) -> str:
        """Return a digest of everything the quarter shows (computed once, for every writer)."""
        # A set's order differs from process to process (hash randomisation): sorted, the
        # digest is the same whichever process reads the same quarter.
        shown = replace(self, previous_units=sorted(self.previous_units))
        return hashlib.sha256(repr(shown).encode("utf-8")).hexdigest()


def fetch_rows(con: duckdb.DuckDBPyConnection, sql: str, **params: Any) -> list[dict[str, Any]]:
    """Run ``sql`` with bound parameters and return its rows as dicts."""
    # Column by column through Arrow: half the time of a row at a time (fetchall), and each
    # distinct decimal or text becomes one Python object shared by its rows.
    table = con.sql(sql, params=params).to_arrow_table()
    names = table.column_names
    columns = [python_values(column) for column in table.columns]
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def python_values(column: pa.ChunkedArray) -> list[Any]:
    """Return a column's values as Python objects (the types fetchall gives: Decimal, str ...)."""
    if not (pa.types.is_decimal(column.type) or pa.types.is_string(column.type)):
        return column.to_pylist()
    # A Decimal is slow to make (a third of the ledger's read-back): make each distinct one once.
    # Chunk by chunk: combine_chunks of an empty column imports pandas (seconds, only GX needs it).
    values: list[Any] = []
    for chunk in column.chunks:
        encoded = chunk.dictionary_encode()
        distinct = encoded.dictionary.to_pylist()
        values += [
            None if index is None else distinct[index] for index in encoded.indices.to_pylist()
        ]
    return values


def load_quarter(con: duckdb.DuckDBPyConnection, quarter: str, timezone: str) -> QuarterData:
    """Read the scores, ledger, submissions and issues of ``quarter``, and what changed since
    its previous run."""
    names = block_names(con)
    since = previous_run(con, quarter)
    changes = {}
    if since is not None:
        latest = runs_of(con, quarter)[-1].run_id
        changes = unit_changes(con, quarter, since.run_id, latest, names)
    follow_up = fetch_rows(con, FOLLOW_UP_SQL, quarter=quarter)
    return QuarterData(
        scores=fetch_rows(con, SCORES_SQL, quarter=quarter, unit=None),
        ledger=with_streaks(fetch_rows(con, LEDGER_SQL, quarter=quarter), follow_up),
        submissions=fetch_rows(con, SUBMISSIONS_SQL, quarter=quarter, timezone=timezone),
        issues=fetch_rows(con, ISSUES_SQL, quarter=quarter),
        block_names=names,
        rulings=fetch_rows(con, RULINGS_SQL, quarter=quarter),
        follow_up=follow_up,
        previous_units=previous_units(con, quarter),
        since=since,
        changes=changes,
    )


RULINGS_SQL = """
SELECT
    r.unit_code,
    coalesce(u.unit_name, r.unit_code) AS unit_name,
    r.item_code,
    r.item_name,
    r.claim,
    -- a corrected input value is named with the ruling: 更正（数值改为36）
    CASE WHEN r.corrected_field IS NULL THEN r.ruling
        ELSE format('{}（{}改为{}）', r.ruling, r.corrected_label, r.corrected_value)
    END AS ruling,
    r.lost,
    CASE WHEN r.ruling = '更正' THEN o.lost_after ELSE r.lost END AS lost_after,
    r.note
FROM appeal_rulings AS r
LEFT JOIN units AS u ON u.unit_code = r.unit_code
LEFT JOIN appeal_outcomes AS o
    ON o.quarter = r.quarter AND o.unit_code = r.unit_code AND o.item_code = r.item_code
WHERE r.quarter = $quarter
ORDER BY r.unit_code, r.item_code
"""


def block_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Return each ledger block's Chinese name in display order, the scheme's four first."""
    named = dict(
        con.execute("SELECT block, min(block_name) FROM scheme_blocks GROUP BY block").fetchall()
    )
    return {block: named[block] for block in BLOCKS} | OTHER_LEDGER_BLOCKS


# 整改跟踪 (scoring/sql/95_follow_up.sql): in the order of 扣分明细 within each unit.
FOLLOW_UP_SQL = f"""
SELECT
    f.unit_code,
    f.block,
    f.item_id,
    f.item_code,
    f.item_name,
    -- the item as a reader names it: T06 可燃雨棚…, 火灾形势·亡人, 信息报送
    CASE
        WHEN f.item_code IS NOT NULL THEN f.item_code || ' ' || f.item_name
        WHEN f.item_name = n.block_name THEN f.item_name
        ELSE n.block_name || '·' || f.item_name
    END AS item_label,
    f.status,
    f.streak,
    f.lost,
    f.previous_lost
FROM follow_up AS f
LEFT JOIN (SELECT block, min(block_name) AS block_name FROM scheme_blocks GROUP BY block) AS n
    ON n.block = f.block
WHERE f.quarter = $quarter
ORDER BY f.unit_code, {_BLOCK_ORDER.format(col="f.block")}, f.block, f.item_order
"""

# follow_up.status (scoring/sql/95_follow_up.sql): lost again, or lost last quarter only
REPEATED, RECOVERED = "连续失分", "已整改"


def with_streaks(
    ledger: list[dict[str, Any]], follow_up: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Return the ledger rows, each with ``streak``: quarters in a row lost (连续失分), else None."""
    streaks = {
        (f["unit_code"], f["block"], f["item_id"]): f["streak"]
        for f in follow_up
        if f["status"] == REPEATED
    }
    return [
        row | {"streak": streaks.get((row["unit_code"], row["block"], row["item_id"]))}
        for row in ledger
    ]


def previous_units(con: duckdb.DuckDBPyConnection, quarter: str) -> frozenset[str]:
    """Return the units ranked in the quarter before ``quarter`` of its year (none in Q1)."""
    previous = Quarter(quarter).previous
    if previous is None:
        return frozenset()
    rows = con.execute(
        "SELECT unit_code FROM unit_scores WHERE quarter = $quarter AND ranked",
        {"quarter": str(previous)},
    ).fetchall()
    return frozenset(code for (code,) in rows)

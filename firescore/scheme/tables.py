"""The scheme projected into scheme_* tables, so the scoring SQL joins its rules as tables."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import duckdb

from firescore.scheme.model import (
    BLOCKS,
    FIRE_ITEM_NAMES,
    FIRE_ITEM_UNITS,
    FIRE_ITEMS,
    GROUPS,
    Scheme,
)

_TABLES = {
    "scheme_blocks": "grp VARCHAR, block VARCHAR, block_name VARCHAR, points DECIMAL(38,12)",
    "scheme_task_roles": "role VARCHAR, weight DECIMAL(38,12)",
    "scheme_task_credits": "status VARCHAR, overdue BOOLEAN, credit DECIMAL(38,12)",
    "scheme_indicators": (
        "indicator_id VARCHAR, name VARCHAR, kind VARCHAR, grp VARCHAR, "
        "points DECIMAL(38,12), sort_order INTEGER"
    ),
    "scheme_indicator_targets": (
        "indicator_id VARCHAR, region VARCHAR, quarter_no INTEGER, target DECIMAL(38,12)"
    ),
    "scheme_fire_items": (
        "item VARCHAR, item_name VARCHAR, unit VARCHAR, share DECIMAL(38,12), "
        "floor DECIMAL(38,12), zero_at_rise DECIMAL(38,12), per_event DECIMAL(38,12), "
        "sort_order INTEGER"
    ),
    "scheme_fire_grades": (
        "grade VARCHAR, severity INTEGER, deaths INTEGER, injuries INTEGER, "
        "loss DECIMAL(38,12), rule_version VARCHAR, valid_from DATE"
    ),
    "scheme_adjustment_types": "item VARCHAR, points DECIMAL(38,12), is_bonus BOOLEAN",
    "scheme_grades": "grade VARCHAR, min_total DECIMAL(38,12)",
    "scheme_veto": "grp VARCHAR, enabled BOOLEAN",
    "scheme_params": "key VARCHAR, num DECIMAL(38,12), text VARCHAR",
}


def _table_rows(scheme: Scheme) -> dict[str, list[tuple[Any, ...]]]:
    """The rows of every scheme_* table."""
    t = scheme.tasks
    credit = t.credit
    fire = scheme.fire
    severities = fire.severities()
    rows: dict[str, list[tuple[Any, ...]]] = {
        "scheme_blocks": [
            (g, b, getattr(scheme.blocks, b).name, getattr(scheme.blocks, b).points[g])
            for g in GROUPS
            for b in BLOCKS
        ],
        "scheme_task_roles": list(t.role_weights.items()),
        "scheme_task_credits": [
            ("已完成", False, credit.done_on_time),
            ("已完成", True, credit.done_on_time),
            ("推进中", False, credit.in_progress.not_due),
            ("推进中", True, credit.in_progress.overdue),
            ("未启动", False, credit.not_started.not_due),
            ("未启动", True, credit.not_started.overdue),
            ("漏报", False, credit.missing.not_due),
            ("漏报", True, credit.missing.overdue),
        ],
        "scheme_indicators": [
            (i.id, i.name, i.kind, g, p, n)
            for n, i in enumerate(scheme.indicators)
            for g, p in i.points.items()
        ],
        "scheme_indicator_targets": [
            (i.id, r, q, i.target_for(r, q))
            for i in scheme.indicators
            for r in scheme.regions
            for q in range(1, 5)
        ],
        "scheme_fire_items": [
            (
                item,
                FIRE_ITEM_NAMES[item],
                FIRE_ITEM_UNITS[item],
                getattr(fire.split, item),
                getattr(fire.floor, item, None),
                getattr(fire.zero_at_rise, item, None),
                fire.per_death if item == "deaths" else None,
                n,
            )
            for n, item in enumerate(FIRE_ITEMS)
        ],
        "scheme_fire_grades": [
            (
                g.grade,
                severities[g.grade],
                g.deaths,
                g.injuries,
                g.loss,
                tab.version,
                tab.valid_from,
            )
            for tab in fire.grade_tables
            for g in tab.grades
        ]
        + [
            (fire.lowest_grade, 0, None, None, None, tab.version, tab.valid_from)
            for tab in fire.grade_tables
        ],
        "scheme_adjustment_types": [
            (a.item, a.points, a.points > 0) for a in scheme.adjustments.types
        ],
        "scheme_grades": [(b.grade, b.min_total) for b in scheme.grades],
        "scheme_veto": [(g, scheme.veto.groups.get(g, False)) for g in GROUPS],
        "scheme_params": [
            ("late_per_month", t.late_completion.per_month, None),
            ("late_floor", t.late_completion.floor, None),
            ("days_per_month", Decimal(t.late_completion.days_per_month), None),
            ("ongoing_with_evidence", t.ongoing.with_evidence, None),
            ("ongoing_without_evidence", t.ongoing.without_evidence, None),
            ("ongoing_not_done", t.ongoing.not_done, None),
            ("late_penalty_per_day", scheme.reporting.late_penalty_per_day, None),
            ("bonus_cap", scheme.adjustments.bonus_cap, None),
            (
                "veto_min_severity",
                Decimal(severities[scheme.veto.min_grade]),
                scheme.veto.min_grade,
            ),
            ("veto_grade", None, scheme.veto.grade),
            ("excellent_share", scheme.excellent_share.share, None),
            ("excellent_enabled", Decimal(int(scheme.excellent_share.enabled)), None),
            ("excellent_fallback_grade", None, scheme.excellent_share.fallback_grade),
            ("default_region", None, scheme.default_region),
            ("fire_require_fall", Decimal(int(fire.require_fall)), None),
        ],
    }
    return rows


def load_scheme_tables(con: duckdb.DuckDBPyConnection, scheme: Scheme) -> None:
    """(Re)create the scheme_* tables from the model, so the scoring SQL joins rules as tables."""
    for table, rows in _table_rows(scheme).items():
        con.execute(f"CREATE OR REPLACE TABLE {table} ({_TABLES[table]})")
        if rows:
            # one multi-row INSERT per table: executemany costs a round trip per row
            row_marks = "(" + ", ".join("?" for _ in rows[0]) + ")"
            values = ", ".join(row_marks for _ in rows)
            con.execute(f"INSERT INTO {table} VALUES {values}", [v for row in rows for v in row])

"""Each run of a quarter and what it published: the version each unit's scores used, the scores
as shown and the rulings 更正 in force, so a later run can say what moved since (publish/changes.py).

A run id derives from the run's inputs (quarter.run_id_of): a run repeated on the same inputs is
the same run. It is recorded once, its figures replaced (they are the same) and it moves to the
end of the quarter's runs, so "the previous run" is always the latest run with other inputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb

_SNAPSHOT_SCORES = """
INSERT INTO run_scores
SELECT
    $quarter, $run_id, u.unit_code, b.sha256, b.file_name, s.ranked,
    round(s.tasks_score, 2), round(s.indicators_score, 2), round(s.fire_score, 2),
    round(s.reporting_score, 2), round(s.adjustment, 2), round(s.total, 2), s.grade, s.rank
FROM (
    SELECT unit_code FROM unit_scores WHERE quarter = $quarter
    UNION
    SELECT unit_code FROM submissions WHERE quarter = $quarter
) AS u
LEFT JOIN unit_scores AS s ON s.quarter = $quarter AND s.unit_code = u.unit_code
LEFT JOIN submissions AS b ON b.quarter = $quarter AND b.unit_code = u.unit_code
"""

# The lost points after a ruling: the office's figure, or the corrected input scored again
# (appeal_outcomes, derived with the ledger just before).
_SNAPSHOT_RULINGS = """
INSERT INTO run_rulings (
    quarter, run_id, unit_code, item_code, item_name, lost, corrected_lost, note, corrected
)
SELECT
    $quarter, $run_id, r.unit_code, r.item_code, r.item_name, r.lost, o.lost_after, r.note,
    -- a corrected input value is named with the ruling: 数值改为36
    CASE WHEN r.corrected_field IS NOT NULL
        THEN format('{}改为{}', r.corrected_label, r.corrected_value) END
FROM appeal_rulings AS r
LEFT JOIN appeal_outcomes AS o
    ON o.quarter = r.quarter AND o.unit_code = r.unit_code AND o.item_code = r.item_code
WHERE r.quarter = $quarter AND r.ruling = '更正'
"""


@dataclass(frozen=True)
class Run:
    """One recorded run of a quarter."""

    run_id: str
    seq: int
    as_of: datetime  # the newest receipt time of its inbox


def record_run(con: duckdb.DuckDBPyConnection, quarter: str, run_id: str, as_of: datetime) -> None:
    """Record the quarter's scored state as run ``run_id`` (replacing a run of the same id)."""
    params = {"quarter": quarter, "run_id": run_id}
    con.execute("BEGIN")
    try:
        for table in ("quarter_runs", "run_scores", "run_rulings"):
            con.execute(
                f"DELETE FROM {table} WHERE quarter = $quarter AND run_id = $run_id", params
            )
        con.execute(
            """
            INSERT INTO quarter_runs
            SELECT $quarter, $run_id, coalesce(max(seq), 0) + 1, $as_of
            FROM quarter_runs WHERE quarter = $quarter
            """,
            params | {"as_of": as_of},
        )
        con.execute(_SNAPSHOT_SCORES, params)
        con.execute(_SNAPSHOT_RULINGS, params)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def runs_of(con: duckdb.DuckDBPyConnection, quarter: str) -> list[Run]:
    """Return the quarter's recorded runs, oldest first (empty in a warehouse from before)."""
    kept = "SELECT 1 FROM duckdb_tables() WHERE table_name = 'quarter_runs'"
    if con.execute(kept).fetchone() is None:
        return []  # a warehouse written before runs were kept, opened read-only
    rows = con.execute(
        "SELECT run_id, seq, as_of FROM quarter_runs WHERE quarter = $quarter ORDER BY seq",
        {"quarter": quarter},
    ).fetchall()
    return [Run(run_id, seq, as_of) for run_id, seq, as_of in rows]


def previous_run(con: duckdb.DuckDBPyConnection, quarter: str) -> Run | None:
    """Return the run before the quarter's latest one (the latest with other inputs), if any."""
    runs = runs_of(con, quarter)
    return runs[-2] if len(runs) >= 2 else None

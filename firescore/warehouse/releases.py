"""Draft and final (征求意见稿 / 定稿): the lock on a published quarter and its reopenings.

The first run that publishes a quarter records when its draft was published (the dispute
window counts from that day). A quarter is a draft until `firescore publish --final` records
who finalised it, when, and with which inputs (the run id); a later run of a final quarter on
other inputs is refused unless it reopens the quarter with a reason. Events are appended to
`quarter_releases`, never changed, so every reopening stays listed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import duckdb

DRAFT, FINAL, REOPEN = "draft", "final", "reopen"


class QuarterLocked(Exception):
    """A change asked of a final quarter (or a finalisation that cannot be); Chinese message."""


@dataclass(frozen=True)
class Event:
    """One publication, finalisation or reopening: who, when (local time), why (a reopening),
    and the run id of the inputs it was published with (a draft or a final)."""

    event: str
    by: str
    at: datetime
    reason: str | None = None
    run_id: str | None = None


@dataclass(frozen=True)
class Release:
    """A quarter's release state: its events in order; final while the newest is a final."""

    events: tuple[Event, ...] = field(default_factory=tuple)

    @property
    def final(self) -> Event | None:
        """Return the finalisation in force, or None while the quarter is a draft."""
        changes = [e for e in self.events if e.event != DRAFT]
        return changes[-1] if changes and changes[-1].event == FINAL else None

    @property
    def published(self) -> Event | None:
        """Return the draft's first publication, or None before the quarter was published."""
        return next((e for e in self.events if e.event == DRAFT), None)

    @property
    def shown(self) -> Release:
        """Return the events the workbooks print: finalisations and reopenings (the draft's
        publication date is printed nowhere, so a re-run at another time writes the same)."""
        return Release(tuple(e for e in self.events if e.event != DRAFT))

    @property
    def reopenings(self) -> list[Event]:
        """Return every reopening, oldest first."""
        return [e for e in self.events if e.event == REOPEN]

    @property
    def label(self) -> str:
        """Return 征求意见稿 for a draft, 正式稿 for a final quarter."""
        return "正式稿" if self.final else "征求意见稿"


def release_of(con: duckdb.DuckDBPyConnection, quarter: str) -> Release:
    """Return a quarter's release state from the warehouse."""
    # A warehouse at rest written before releases were recorded has no such table yet (a
    # read-only connection does not create it): every quarter there is a draft, unpublished.
    if not con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'quarter_releases'"
    ).fetchone()[0]:
        return Release()
    # SELECT *: a warehouse at rest written before run_id was recorded still reads (None).
    cursor = con.execute(
        "SELECT * FROM quarter_releases WHERE quarter = $q ORDER BY seq", {"q": quarter}
    )
    names = [c[0] for c in cursor.description]
    rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return Release(
        tuple(
            Event(r["event"], r["by_name"], r["happened_at"], r["reason"], r.get("run_id"))
            for r in rows
        )
    )


def drafts_among(con: duckdb.DuckDBPyConnection, quarters: list[str]) -> list[str]:
    """Return the quarters of a list that are not final, in the list's order."""
    return [q for q in quarters if release_of(con, q).final is None]


def refuse_if_final(release: Release, quarter: str) -> None:
    """Raise QuarterLocked when a run would change a final quarter without reopening it."""
    final = release.final
    if final is not None:
        raise QuarterLocked(
            f"{quarter} 已于 {final.at:%Y-%m-%d %H:%M} 由 {final.by} 定稿（正式稿），"
            "此后收件或申诉处理结果有变化，不再重新评分；"
            f"如确需更改，请运行 firescore run --quarter {quarter} --reopen --reason 原因"
        )


def unchanged_text(final: Event, quarter: str, event: str) -> str:
    """Return what a run (or a second finalisation) of a final, unchanged quarter is told."""
    done = "无需再次定稿" if event == FINAL else "无需重新评分，输出文件未改写"
    return (
        f"{quarter} 已于 {final.at:%Y-%m-%d %H:%M} 由 {final.by} 定稿（正式稿），"
        f"收件和申诉处理结果与定稿时相同（运行编号 {final.run_id}），{done}"
    )


def record(
    con: duckdb.DuckDBPyConnection,
    quarter: str,
    event: Event,
) -> None:
    """Append one event to the quarter's release history."""
    con.execute(
        """
        INSERT INTO quarter_releases (quarter, seq, event, by_name, happened_at, reason, run_id)
        SELECT $q, coalesce(max(seq), 0) + 1, $event, $by, $at, $reason, $run_id
        FROM quarter_releases WHERE quarter = $q
        """,
        {
            "q": quarter,
            "event": event.event,
            "by": event.by,
            "at": event.at,
            "reason": event.reason,
            "run_id": event.run_id,
        },
    )

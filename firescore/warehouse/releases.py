"""Draft and final (征求意见稿 / 定稿): the lock on a published quarter and its reopenings.

A quarter is a draft until `firescore publish --final` records who finalised it and when; a
later run of a final quarter is refused unless it reopens the quarter with a reason. Events
are appended to `quarter_releases`, never changed, so every reopening stays listed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import duckdb

FINAL, REOPEN = "final", "reopen"


class QuarterLocked(Exception):
    """A change asked of a final quarter (or a finalisation that cannot be); Chinese message."""


@dataclass(frozen=True)
class Event:
    """One finalisation or reopening: who, when (local time), and why for a reopening."""

    event: str
    by: str
    at: datetime
    reason: str | None = None


@dataclass(frozen=True)
class Release:
    """A quarter's release state: its events in order; final while the newest is a final."""

    events: tuple[Event, ...] = field(default_factory=tuple)

    @property
    def final(self) -> Event | None:
        """Return the finalisation in force, or None while the quarter is a draft."""
        return self.events[-1] if self.events and self.events[-1].event == FINAL else None

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
    rows = con.execute(
        "SELECT event, by_name, happened_at, reason FROM quarter_releases WHERE quarter = $q ORDER BY seq",
        {"q": quarter},
    ).fetchall()
    return Release(tuple(Event(*row) for row in rows))


def drafts_among(con: duckdb.DuckDBPyConnection, quarters: list[str]) -> list[str]:
    """Return the quarters of a list that are not final, in the list's order."""
    return [q for q in quarters if release_of(con, q).final is None]


def refuse_if_final(release: Release, quarter: str) -> None:
    """Raise QuarterLocked when a run would change a final quarter without reopening it."""
    final = release.final
    if final is not None:
        raise QuarterLocked(
            f"{quarter} 已于 {final.at:%Y-%m-%d %H:%M} 由 {final.by} 定稿（正式稿），不再重新评分；"
            f"如确需更改，请运行 firescore run --quarter {quarter} --reopen --reason 原因"
        )


def record(
    con: duckdb.DuckDBPyConnection,
    quarter: str,
    event: Event,
) -> None:
    """Append one event to the quarter's release history."""
    con.execute(
        """
        INSERT INTO quarter_releases (quarter, seq, event, by_name, happened_at, reason)
        SELECT $q, coalesce(max(seq), 0) + 1, $event, $by, $at, $reason
        FROM quarter_releases WHERE quarter = $q
        """,
        {
            "q": quarter,
            "event": event.event,
            "by": event.by,
            "at": event.at,
            "reason": event.reason,
        },
    )

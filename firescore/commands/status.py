"""`firescore status`: who has sent the quarter's file, who is late, rejected or missing.

Usable before and after the deadline and before any run: the inbox is discovered, read and
validated by the run's one intake path (firescore.intake.pipeline.intake, with the polars engine
like `check`, which tests/test_engines.py holds to Great Expectations' findings), and the result is loaded into a throw-away in-memory
warehouse where the scoring's own staging and reporting stages (scoring/sql) decide which
version is used and each unit's 报送状态, so the words and the rules are the run's.
The real warehouse is only opened read-only, for the fires of other quarters (duplicate check).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import polars as pl

from firescore.appeals import late_form_notes, rulings_file_name
from firescore.config import Config
from firescore.intake.discover import discover, discover_appeals
from firescore.intake.history import history_frame
from firescore.intake.pipeline import EMPTY_EARLIER, Earlier, ReadFile, intake
from firescore.issues import ERROR
from firescore.publish.queries import SUBMISSIONS_SQL, fetch_rows
from firescore.registry import Registries
from firescore.scheme import Quarter, Scheme, load_scheme_tables
from firescore.sql_runner import run_file as run_stage
from firescore.warehouse.file import reading
from firescore.warehouse.releases import Release, release_of
from firescore.warehouse.store import (
    accepted_fire_ids,
    connect,
    load_files,
    load_notes,
)
from firescore.warehouse.store import load_registries as load_registry_tables
from scoring.runner import scoring_params, stage_files

log = logging.getLogger(__name__)

# The scoring stages that decide 报送状态 (scoring/sql/NN_<name>.sql), in their run order.
REPORTING_STAGES = ("macros", "staging", "reporting")
STATUS_ORDER = ("按时报送", "逾期报送", "仅有退回文件", "未报送")
ISSUES_SHOWN = 3  # first error messages shown per rejected file

REJECTED_SQL = """
SELECT
    v.unit_code,
    coalesce(u.unit_name, v.unit_code)     AS unit_name,
    v.file_name,
    timezone($timezone, v.received_at)     AS received_local,
    v.sha256
FROM file_versions AS v
LEFT JOIN units AS u ON u.unit_code = v.unit_code
WHERE v.quarter = $quarter AND v.status = 'rejected'
ORDER BY v.unit_code, v.received_at, v.sha256
"""


@dataclass(frozen=True)
class RejectedFile:
    """A version that was (or would be) rejected, with its first errors."""

    unit_code: str
    unit_name: str
    file_name: str
    received_local: datetime
    errors: list[str]


@dataclass(frozen=True)
class QuarterStatus:
    """The quarter's submissions as of ``now``."""

    quarter: Quarter
    deadline: date  # last on-time day, in the scheme's time zone
    timezone: str
    now: datetime  # aware
    rows: list[dict[str, Any]]  # one per unit of the registry, as the 报送情况 sheet shows them
    rejected: list[RejectedFile]
    notes: list[str]  # what the inbox holds but is not read as a submission, and why

    @property
    def closes_at(self) -> datetime:
        """Return the moment the deadline day ends (files later than this are late)."""
        next_day = self.deadline + timedelta(days=1)
        return datetime(next_day.year, next_day.month, next_day.day, tzinfo=ZoneInfo(self.timezone))

    @property
    def time_left(self) -> timedelta:
        """Return the time until the deadline day ends (negative once it has passed)."""
        return self.closes_at - self.now

    def counts(self) -> dict[str, int]:
        """Return the number of units per 报送状态, in display order."""
        found = [row["status"] for row in self.rows]
        return {status: found.count(status) for status in STATUS_ORDER}


def quarter_status(
    config: Config, scheme: Scheme, registries: Registries, quarter: str, now: datetime
) -> QuarterStatus:
    """Return the quarter's submissions as of ``now`` (files received later are left out)."""
    quarter = Quarter(quarter)
    tz = ZoneInfo(scheme.timezone)
    params = scoring_params(scheme, quarter)
    inbox = discover(config.inbox, quarter, scheme, registries)
    submissions = [s for s in inbox.submissions if s.received_at <= now]
    # The polars engine gives the same findings as the run's Great Expectations, in a second.
    earlier = Earlier(fires=earlier_fires(config.warehouse, scheme), indicators=EMPTY_EARLIER)
    files = intake(
        submissions, quarter, scheme, registries, config.limits, earlier, engine="polars"
    )

    con = connect(Path(":memory:"))  # a throw-away warehouse with the real DDL
    try:
        load_registry_tables(con, registries, history_frame([]))
        load_files(con, files, "status", now)
        load_notes(con, quarter, inbox.notes)
        load_scheme_tables(con, scheme)
        for path in reporting_stages():
            run_stage(con, path, params)
        bind = {"quarter": quarter, "timezone": scheme.timezone}
        rows = fetch_rows(con, SUBMISSIONS_SQL, **bind)
        rejected = [
            RejectedFile(
                unit_code=r["unit_code"],
                unit_name=r["unit_name"],
                file_name=r["file_name"],
                received_local=r["received_local"],
                errors=first_errors(files, r["unit_code"], r["sha256"]),
            )
            for r in fetch_rows(con, REJECTED_SQL, **bind)
        ]
    finally:
        con.close()
    # Appeal forms received so far after the dispute window are not taken up: said here too.
    appeals = discover_appeals(
        config.inbox, quarter, scheme, registries, rulings_file_name(quarter)
    )
    forms = [f for f in appeals.forms if f.received_at <= now]
    late = late_form_notes(forms, scheme, release_at_rest(config.warehouse, quarter))
    return QuarterStatus(
        quarter=quarter,
        deadline=scheme.report_deadline(quarter),
        timezone=scheme.timezone,
        now=now.astimezone(tz),
        rows=rows,
        rejected=rejected,
        notes=[note.message for note in [*inbox.notes, *appeals.notes, *late]],
    )


def reporting_stages() -> list[Path]:
    """Return the scoring stages that fill `submissions`, in run order."""
    stages = [p for p in stage_files() if p.stem.split("_", 1)[1] in REPORTING_STAGES]
    assert [p.stem.split("_", 1)[1] for p in stages] == list(REPORTING_STAGES), stages
    return stages


def earlier_fires(warehouse: Path, scheme: Scheme) -> pl.DataFrame:
    """Return the fires of accepted detachment files in the warehouse (read at rest, never held)."""
    empty = pl.DataFrame(schema={"fire_id": pl.Utf8, "quarter": pl.Utf8})
    if not warehouse.is_file():
        return empty
    with reading(warehouse) as con:
        try:
            return accepted_fire_ids(con, scheme.fire_source_unit)
        except duckdb.CatalogException as exc:  # a warehouse from before any quarter was loaded
            log.info("no earlier fires from %s: %s", warehouse, exc)
            return empty


def release_at_rest(warehouse: Path, quarter: str) -> Release:
    """Return the quarter's release from the warehouse at rest (none before any run)."""
    if not warehouse.is_file():
        return Release()
    with reading(warehouse) as con:
        try:
            return release_of(con, quarter)
        except duckdb.CatalogException as exc:  # a warehouse from before releases were kept
            log.info("no release of %s in %s: %s", quarter, warehouse, exc)
            return Release()


def first_errors(files: list[ReadFile], unit_code: str, sha256: str) -> list[str]:
    """Return the first error messages of the unit's file with this sha256."""
    for read in files:
        if (read.submission.unit_code, read.submission.sha256) == (unit_code, sha256):
            return [i.message for i in read.issues if i.severity == ERROR][:ISSUES_SHOWN]
    return []


def time_left_text(left: timedelta) -> str:
    """Return 还有3天4小时 / 已过截止2天5小时 for the time until the deadline day ends."""
    ahead = left >= timedelta(0)
    minutes = int(abs(left).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days}天"] if days else []
    parts.append(f"{hours}小时" if days or hours else f"{minutes}分钟")
    return ("距截止还有" if ahead else "已过截止") + "".join(parts)

"""One quarter end to end: discover -> read -> validate -> load -> score -> publish.

Plain functions only. flows/quarter.py runs the same body with its file-touching steps as
Prefect tasks (see Steps); tests and the benchmark call run_quarter directly.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from firescore.config import Config
from firescore.intake.discover import Inbox, Submission, discover
from firescore.intake.expectations import export_data_docs
from firescore.intake.history import read_history
from firescore.intake.pipeline import Earlier, ReadFile, read_files, validate_files
from firescore.publish import PublishMeta, load_quarter, publish_feedback, publish_quarter
from firescore.publish.quarantine import quarantine
from firescore.publish.validation import publish_validation
from firescore.registry import Registries, load_registries
from firescore.scheme import Quarter, Scheme, describe_scheme, load_scheme
from firescore.warehouse.store import (
    accepted_fire_ids,
    adopt_file_identity,
    connect,
    earlier_indicators,
    known_files,
    load_files,
    load_notes,
)
from firescore.warehouse.store import (
    load_registries as load_registry_tables,
)
from scoring.runner import run_scoring

log = logging.getLogger(__name__)


@dataclass
class RunSummary:
    """What the office is told at the end of a run."""

    quarter: str
    run_id: str
    files_seen: int = 0
    files_new: int = 0
    rejected: list[tuple[str, str, str]] = field(default_factory=list)  # unit, file, first issue
    units_scored: int = 0
    missing: list[str] = field(default_factory=list)  # unit codes with no accepted file
    notes: list[str] = field(default_factory=list)  # what the inbox held but was not read, why
    rerun: list[str] = field(default_factory=list)  # quarters whose old verdicts were dropped
    outputs: list[Path] = field(default_factory=list)


def discover_files(inbox: Path, quarter: str, scheme: Scheme, registries: Registries) -> Inbox:
    """List the quarter's submissions and what else the inbox holds (not read, with why)."""
    return discover(inbox, quarter, scheme, registries)


def read_batch(
    batch: list[Submission], scheme: Scheme, registries: Registries, config: Config
) -> list[ReadFile]:
    """Read one batch of files, then cast each sheet type once for the whole batch."""
    return read_files(batch, scheme, registries, config.limits)


def read_batches(
    batches: list[list[Submission]], scheme: Scheme, registries: Registries, config: Config
) -> list[ReadFile]:
    """Read every batch, one after the other."""
    return [read for batch in batches for read in read_batch(batch, scheme, registries, config)]


def validate_new(
    files: list[ReadFile], quarter: str, scheme: Scheme, registries: Registries, earlier: Earlier
) -> list[ReadFile]:
    """Validate every new file of the quarter at once (GX per sheet type, then rule queries)."""
    validate_files(files, quarter, scheme, registries, earlier, engine="gx", data_docs=True)
    return files


@dataclass(frozen=True)
class Steps:
    """How the file-touching steps run: plainly here, as Prefect tasks in flows/quarter.py."""

    discover: Callable[[Path, str, Scheme, Registries], Inbox] = discover_files
    read: Callable[[list[list[Submission]], Scheme, Registries, Config], list[ReadFile]] = (
        read_batches
    )
    validate: Callable[[list[ReadFile], str, Scheme, Registries, Earlier], list[ReadFile]] = (
        validate_new
    )


def run_id_of(inbox: Inbox, config: Config) -> str:
    """Return an id derived from the inputs, so a re-run on the same inputs is identical."""
    digest = hashlib.sha256()
    for path in (config.scheme, config.units, config.tasks):
        digest.update(path.read_bytes())
    for sub in inbox.submissions:
        digest.update(f"{sub.unit_code}:{sub.sha256}:{sub.received_at.isoformat()}\n".encode())
    for note in inbox.notes:
        digest.update(f"{note.message}\n".encode())
    return digest.hexdigest()[:12]


def run_quarter(
    config: Config, quarter: str, steps: Steps = Steps(), logger: logging.Logger = log
) -> RunSummary:
    """Run one quarter end to end and publish its workbooks; return the office's summary."""
    quarter = Quarter(quarter)
    scheme = load_scheme(config.scheme)
    registries = load_registries(config.units, config.tasks, config.limits)
    history = read_history(config.history, scheme, registries, config.limits)

    inbox = steps.discover(config.inbox, quarter, scheme, registries)
    submissions = inbox.submissions
    run_id = run_id_of(inbox, config)
    summary = RunSummary(
        quarter=quarter,
        run_id=run_id,
        files_seen=len(submissions),
        notes=[note.message for note in inbox.notes],
    )
    con = connect(config.warehouse)
    try:
        load_registry_tables(con, registries, history)
        # Unchanged files (same sha256 for the same unit and quarter) are not parsed again.
        # A warehouse written before files were (quarter, unit folder, sha256): re-judge the
        # versions that shared their identity; other quarters must be run again.
        summary.rerun = [q for q in adopt_file_identity(con) if q != quarter]
        known = known_files(con, quarter)
        new = [s for s in submissions if (s.unit_code, s.sha256) not in known]
        summary.files_new = len(new)
        size = config.limits.batch_size
        batches = [new[i : i + size] for i in range(0, len(new), size)]
        files = steps.read(batches, scheme, registries, config)
        earlier = Earlier(
            fires=accepted_fire_ids(con, scheme.fire_source_unit),
            indicators=earlier_indicators(con),
        )
        files = steps.validate(files, quarter, scheme, registries, earlier)
        as_of = max(
            (s.received_at for s in submissions),
            default=datetime(scheme.year, 1, 1, tzinfo=ZoneInfo(scheme.timezone)),
        )
        load_files(con, files, run_id, as_of)
        load_notes(con, quarter, inbox.notes)
        quarantine(files, config.out)
        run_scoring(con, scheme, quarter)
        meta = PublishMeta(
            district=scheme.district,
            title=scheme.title,
            quarter=quarter,
            quarter_label=quarter.label,
            as_of=as_of,
            run_id=run_id,
            scheme_lines=describe_scheme(scheme),
            deadline=scheme.report_deadline(quarter),
            timezone=scheme.timezone,
            office=config.office,
            attachment=config.attachment,
        )
        # Every publisher reads the same scored quarter: load it once.
        data = load_quarter(con, quarter, scheme.timezone)
        summary.outputs = publish_quarter(con, meta, config.out, data)
        feedback = publish_feedback(con, meta, config.out, data)
        if feedback:
            summary.outputs.append(feedback[0].parent)
        summary.outputs += publish_validation(con, meta, config.out, data)
        docs = export_data_docs(config.out / quarter / "validation" / "data_docs")
        if docs is not None:
            summary.outputs.append(docs)
        fill_summary(con, summary)
    finally:
        con.close()
    logger.info(
        "quarter %s scored: %d units, %d rejected files",
        quarter,
        summary.units_scored,
        len(summary.rejected),
    )
    return summary


def fill_summary(con: duckdb.DuckDBPyConnection, summary: RunSummary) -> None:
    """Fill the counts the CLI prints from the warehouse (the source of truth)."""
    q = {"quarter": summary.quarter}
    summary.units_scored = con.execute(
        "SELECT count(*) FROM unit_scores WHERE quarter = $quarter AND ranked", q
    ).fetchone()[0]
    summary.missing = [
        r[0]
        for r in con.execute(
            """
            SELECT unit_code FROM submissions
            WHERE quarter = $quarter AND status IN ('未报送', '仅有退回文件')
            ORDER BY unit_code
            """,
            q,
        ).fetchall()
    ]
    summary.rejected = con.execute(
        """
        SELECT v.unit_code, v.file_name,
               (SELECT first(i.message ORDER BY i.severity, i.rule_id) FROM raw_issues AS i
                WHERE i.sha256 = v.sha256 AND i.quarter = v.quarter AND i.severity = 'error')
        FROM file_versions AS v
        WHERE v.quarter = $quarter AND v.status = 'rejected'
        ORDER BY v.unit_code, v.received_at
        """,
        q,
    ).fetchall()

"""The quarterly flow: discover -> read -> validate -> load -> score -> publish."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from firescore.config import Config
from firescore.discover import Submission, discover
from firescore.expectations import export_data_docs
from firescore.history import read_history
from firescore.intake import ReadFile, cast_files, optional_sheets, read_raw, validate_quarter
from firescore.publish import PublishMeta, publish_feedback, publish_quarter
from firescore.publish.validation import publish_validation
from firescore.quarantine import quarantine
from firescore.registry import Registries, load_registries
from firescore.scheme import Scheme, load_scheme, quarter_label
from firescore.warehouse import (
    accepted_fire_ids,
    connect,
    earlier_indicators,
    known_files,
    load_files,
)
from firescore.warehouse import (
    load_registries as load_registry_tables,
)
from scoring.runner import run_scoring


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
    outputs: list[Path] = field(default_factory=list)


@task(retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
def discover_files(inbox: Path, quarter: str, timezone: str) -> list[Submission]:
    """List the quarter's submissions (touches files: retried)."""
    return discover(inbox, quarter, ZoneInfo(timezone))


@task(retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
def read_batch(
    batch: list[Submission], scheme: Scheme, registries: Registries, config: Config
) -> list[ReadFile]:
    """Read one batch of files, then cast each sheet type once for the whole batch."""
    files = [
        read_raw(
            sub,
            scheme,
            config.max_file_bytes,
            config.max_sheet_rows,
            optional=optional_sheets(sub.unit_code, registries),
            max_cells=config.max_sheet_cells,
        )
        for sub in batch
    ]
    cast_files(files, scheme)
    return files


@task(cache_policy=NO_CACHE)
def validate(
    files: list[ReadFile], quarter: str, scheme: Scheme, registries: Registries, earlier: dict
) -> list[ReadFile]:
    """Validate every new file of the quarter at once (GX per sheet type, then rule queries)."""
    validate_quarter(
        files,
        quarter,
        scheme,
        registries,
        earlier["fires"],
        data_docs=True,
        earlier_indicators=earlier["indicators"],
    )
    return files


def _run_id(submissions: list[Submission], config: Config) -> str:
    """Return an id derived from the inputs, so a re-run on the same inputs is identical."""
    digest = hashlib.sha256()
    for path in (config.scheme, config.units, config.tasks):
        digest.update(path.read_bytes())
    for sub in submissions:
        digest.update(f"{sub.unit_code}:{sub.sha256}:{sub.received_at.isoformat()}\n".encode())
    return digest.hexdigest()[:12]


@flow(name="firescore-quarter", log_prints=False)
def quarter_flow(config: Config, quarter: str) -> RunSummary:
    """Run one quarter end to end and publish its workbooks."""
    logger = get_run_logger()
    scheme = load_scheme(config.scheme)
    registries = load_registries(config.units, config.tasks)
    history = read_history(config.history, scheme, config.max_file_bytes, config.max_sheet_rows)

    submissions = discover_files(config.inbox, quarter, scheme.timezone)
    run_id = _run_id(submissions, config)
    summary = RunSummary(quarter=quarter, run_id=run_id, files_seen=len(submissions))
    con = connect(config.warehouse)
    try:
        load_registry_tables(con, registries, history)
        # Unchanged files (same sha256 for the same unit and quarter) are not parsed again.
        known = known_files(con, quarter)
        new = [s for s in submissions if (s.unit_code, s.sha256) not in known]
        summary.files_new = len(new)
        batches = [new[i : i + config.batch_size] for i in range(0, len(new), config.batch_size)]
        futures = [read_batch.submit(b, scheme, registries, config) for b in batches]
        files = [read for future in futures for read in future.result()]
        earlier = {
            "fires": accepted_fire_ids(con, scheme.fire_source_unit),
            "indicators": earlier_indicators(con),
        }
        files = validate(files, quarter, scheme, registries, earlier)
        as_of = max(
            (s.received_at for s in submissions),
            default=datetime(scheme.year, 1, 1, tzinfo=ZoneInfo(scheme.timezone)),
        )
        load_files(con, files, run_id, as_of)
        quarantine(files, config.out)
        run_scoring(con, scheme, quarter)
        meta = PublishMeta(
            district=scheme.district,
            title=scheme.title,
            quarter=quarter,
            quarter_label=quarter_label(quarter),
            as_of=as_of,
            run_id=run_id,
            scheme_lines=scheme.describe_zh(),
            deadline=scheme.report_deadline(quarter),
            timezone=scheme.timezone,
        )
        summary.outputs = publish_quarter(con, meta, config.out)
        feedback = publish_feedback(con, meta, config.out)
        if feedback:
            summary.outputs.append(feedback[0].parent)
        summary.outputs += publish_validation(con, meta, config.out)
        docs = export_data_docs(config.out / quarter / "validation" / "data_docs")
        if docs is not None:
            summary.outputs.append(docs)
        _fill_summary(con, summary)
    finally:
        con.close()
    logger.info(
        "quarter %s scored: %d units, %d rejected files",
        quarter,
        summary.units_scored,
        len(summary.rejected),
    )
    return summary


def _fill_summary(con, summary: RunSummary) -> None:
    """Fill the counts the CLI prints from the warehouse (the source of truth)."""
    q = {"quarter": summary.quarter}
    summary.units_scored = con.execute(
        "SELECT count(*) FROM unit_scores WHERE quarter = $quarter AND ranked", q
    ).fetchone()[0]
    summary.missing = [
        r[0]
        for r in con.execute(
            "SELECT unit_code FROM submissions WHERE quarter = $quarter AND status IN ('未报送', '仅有退回文件') ORDER BY unit_code",
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

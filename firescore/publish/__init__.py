"""Publish a scored quarter: the leaders' workbook, results.csv and the units' feedback."""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb

from firescore.publish.digests import content_digest, record, unchanged
from firescore.publish.feedback import publish_feedback
from firescore.publish.leader import leader_workbook_name, write_leader_workbook
from firescore.publish.meta import PublishMeta
from firescore.publish.queries import QuarterData, load_quarter
from firescore.publish.results_csv import RESULTS_CSV_NAME, write_results_csv

__all__ = ["PublishMeta", "QuarterData", "load_quarter", "publish_feedback", "publish_quarter"]

log = logging.getLogger(__name__)


def publish_quarter(
    con: duckdb.DuckDBPyConnection,
    meta: PublishMeta,
    out_dir: Path,
    data: QuarterData | None = None,
) -> list[Path]:
    """Write 考核结果_<quarter>.xlsx and results.csv into ``out_dir/<quarter>/``; return their paths.

    Reads only; the quarter must have been scored (unit_scores rows for it).
    """
    data = data or load_quarter(con, meta.quarter, meta.timezone)
    if not data.scores:
        raise ValueError(
            f"no unit_scores rows for quarter {meta.quarter}: score it before publishing"
        )

    target = Path(out_dir) / meta.quarter
    workbook_path = target / leader_workbook_name(meta.quarter)
    csv_path = target / RESULTS_CSV_NAME
    paths = [workbook_path, csv_path]
    # Rewritten whenever any unit's figures changed; a run with nothing new leaves them be.
    digest = content_digest("leader", meta, data.digest)
    if unchanged(paths, digest):
        log.info("published %s: unchanged, not written again", meta.quarter)
        return paths
    write_leader_workbook(workbook_path, meta, data)
    write_results_csv(csv_path, data.ranked)
    record(paths, digest)
    log.info("published %s: %s, %s", meta.quarter, workbook_path, csv_path)
    return paths

"""The quarterly Prefect flow: firescore.quarter.run_quarter with its file steps as tasks.

Only wiring: reading runs as one task per batch of files (never one per file), and only the
steps that touch files retry.
"""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

import firescore.quarter as plain
from firescore.config import Config
from firescore.discover import Submission
from firescore.intake import ReadFile
from firescore.quarter import RunSummary, Steps, run_quarter
from firescore.registry import Registries
from firescore.scheme import Scheme

discover_files = task(
    plain.discover_files, retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE
)
read_batch = task(plain.read_batch, retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
validate = task(plain.validate_new, cache_policy=NO_CACHE)


def read_in_tasks(
    batches: list[list[Submission]], scheme: Scheme, registries: Registries, config: Config
) -> list[ReadFile]:
    """Submit one read task per batch (Prefect's thread pool) and gather their files in order."""
    futures = [read_batch.submit(batch, scheme, registries, config) for batch in batches]
    return [read for future in futures for read in future.result()]


@flow(name="firescore-quarter", log_prints=False)
def quarter_flow(config: Config, quarter: str) -> RunSummary:
    """Run one quarter end to end and publish its workbooks."""
    steps = Steps(discover=discover_files, read=read_in_tasks, validate=validate)
    return run_quarter(config, quarter, steps, logger=get_run_logger())


__all__ = ["RunSummary", "quarter_flow"]

"""The Prefect flows: a quarter's assessment and the annual roll-up, every stage a task run.

Only wiring: each task is a stage of firescore/quarter.py (or firescore/annual.py) run as a
Prefect task; reading runs as one task per batch of files (never one per file), and only the
stages that read files retry. The flow names its run 考核-<quarter>-<run id> and tags it with
the quarter and the year, and leaves three artifacts: the summary, the ranking and the timings.
"""

from __future__ import annotations

from uuid import UUID

from prefect import flow, get_client, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.utilities.annotations import quote

import firescore.annual as annual
import firescore.quarter as plain
from firescore.quarter import STAGES, QuarterRun, RunSummary, load_run_config, quarter_run
from firescore.run_report import annual_markdown, ranking_table, summary_markdown, timing_table
from firescore.warehouse.releases import Event


def stage_task(fn, key: str, retries: int = 0):
    """Return a stage as a Prefect task named after it (its Chinese name in the UI)."""
    return task(
        fn,
        name=key,
        task_run_name=STAGES[key],
        retries=retries,
        retry_delay_seconds=1,
        cache_policy=NO_CACHE,
    )


discover = stage_task(plain.discover_files, "discover", retries=2)
read_batch = stage_task(plain.read_batch, "read", retries=2)
validate = stage_task(plain.validate_new, "validate")
load = stage_task(plain.load_new, "load")
score = stage_task(plain.score, "score")
publish_leader = stage_task(plain.publish_leader, "publish-leader")
publish_feedback = stage_task(plain.publish_units, "publish-feedback")
publish_validation = stage_task(plain.publish_checks, "publish-validation")


@flow(name="firescore-quarter", log_prints=False)
def quarter_flow(
    quarter: str | None = None,
    config_file: str | None = None,
    inbox: str | None = None,
    out: str | None = None,
    warehouse: str | None = None,
    change: Event | None = None,
) -> RunSummary:
    """Run one quarter (default: the latest whose reporting deadline has passed) and publish it.

    `change` reopens a final quarter (with its reason) or finalises the quarter (定稿).
    """
    config, scheme = load_run_config(config_file, inbox=inbox, out=out, warehouse=warehouse)
    quarter = plain.quarter_to_run(scheme, quarter)
    name_run(f"考核-{quarter}-{flow_run.get_id()[:8]}", [quarter, f"{quarter.year}年"])
    with quarter_run(config, quarter, get_run_logger(), change) as run:
        # quote: Prefect would otherwise walk every object of the run and of the files, twice
        # per task, looking for futures (half of a run's time at 300 units, growing with them).
        batches = discover(quote(run))
        name_run(f"考核-{quarter}-{run.summary.run_id}")  # the run id the workbooks show
        futures = [read_batch.submit(quote(run), quote(batch)) for batch in batches]
        files = [read for future in futures for read in future.result()]
        files = validate(quote(run), quote(files))
        load(quote(run), quote(files))
        score(quote(run))
        publish_leader(quote(run))
        publish_feedback(quote(run))
        publish_validation(quote(run))
    publish_artifacts(run)
    return run.summary


def name_run(name: str, tags: list[str] | None = None) -> None:
    """Rename the current flow run and add tags (the UI lists and filters runs by these)."""
    with get_client(sync_client=True) as client:
        run_id = UUID(flow_run.get_id())
        if tags is not None:
            tags = sorted(set(client.read_flow_run(run_id).tags) | set(tags))
        client.update_flow_run(run_id, name=name, tags=tags)


def publish_artifacts(run: QuarterRun) -> None:
    """Show the summary, the ranking and the stage timings on the server (keys: lowercase, dashes)."""
    key = run.quarter.lower()
    create_markdown_artifact(
        key=f"firescore-summary-{key}",
        markdown=summary_markdown(run.summary),
        description=f"{run.quarter.label}考核运行摘要",
    )
    create_table_artifact(
        key=f"firescore-ranking-{key}",
        table=ranking_table(run.data.ranked, run.data.block_names),
        description=f"{run.quarter.label}考核排名（排名总表）",
    )
    create_table_artifact(
        key=f"firescore-timings-{key}",
        table=timing_table(run.summary.timings, STAGES),
        description=f"{run.quarter.label}考核各阶段用时",
    )


roll_up = task(
    annual.roll_up, name="annual-roll-up", task_run_name="年度汇总", cache_policy=NO_CACHE
)
publish_annual = task(
    annual.publish, name="publish-annual", task_run_name="发布年度考核结果", cache_policy=NO_CACHE
)


@flow(name="firescore-annual", log_prints=False)
def annual_flow(
    year: int | None = None,
    config_file: str | None = None,
    out: str | None = None,
    warehouse: str | None = None,
) -> annual.AnnualSummary:
    """Roll a year up from its scored quarters (default: the year whose Q4 is due) and publish it."""
    config, scheme = load_run_config(config_file, out=out, warehouse=warehouse)
    year = annual.year_to_run(scheme, year)
    name_run(f"年度考核-{year}-{flow_run.get_id()[:8]}", [f"{year}年"])
    with annual.annual_run(config, scheme, year, get_run_logger()) as run:
        roll_up(run)
        publish_annual(run)
    create_markdown_artifact(
        key=f"firescore-annual-{year}",
        markdown=annual_markdown(run.summary),
        description=f"{year}年度考核汇总摘要",
    )
    return run.summary


__all__ = ["RunSummary", "annual_flow", "quarter_flow"]

"""The Prefect flows: a quarter's assessment and the annual roll-up, every stage a task run.

Only wiring: each task is a stage of firescore/quarter.py (or firescore/annual.py) run as a
Prefect task. Reading and feedback writing run as one task per batch (of files, of units; never
one per file) on the task runner [runner] of the config names: worker processes of this machine
(ProcessPoolTaskRunner) or a Dask cluster (prefect-dask's DaskTaskRunner); the stages that hold
the warehouse stay in the flow's process. Only the stages that read files retry. The flow names
its run 考核-<quarter>-<run id> and tags it with the quarter and the year, and leaves three
artifacts: the summary, the ranking and the timings.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from typing import TypeVar
from uuid import UUID

from prefect import flow, get_client, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.futures import as_completed
from prefect.runtime import flow_run
from prefect.settings import PREFECT_API_URL, temporary_settings
from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner
from prefect.utilities.annotations import quote
from prefect.utilities.callables import get_call_parameters

import firescore.annual as annual
import firescore.quarter as plain
from firescore.config import DASK, Runner
from firescore.intake.pipeline import read_files
from firescore.publish.feedback import write_feedback_batch
from firescore.quarter import STAGES, QuarterRun, RunSummary, load_run_config, quarter_run
from firescore.run_report import annual_markdown, ranking_table, summary_markdown, timing_table
from firescore.warehouse.releases import Event
from firescore.workers import Batch, exit_with_parent, inline, local_cluster_options, pooled

R = TypeVar("R")


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
validate = stage_task(plain.validate_new, "validate")
load = stage_task(plain.load_new, "load")
score = stage_task(plain.score, "score")
publish_leader = stage_task(plain.publish_leader, "publish-leader")
publish_validation = stage_task(plain.publish_checks, "publish-validation")
# The batch functions the stages hand to their workers, each shown as a task run per batch.
BATCH_TASKS = {
    read_files: stage_task(read_files, "read", retries=2),
    write_feedback_batch: stage_task(write_feedback_batch, "publish-feedback"),
}


class TaskRuns:
    """The run's workers for Prefect: each batch a task run on the runner [runner] names.

    Local: a ProcessPoolTaskRunner (spawned processes); Dask: prefect-dask's DaskTaskRunner on
    the scheduler at `address`, else on a LocalCluster it starts. A stage with one batch (or
    one local process) runs its task in the flow's process, as Pool does without Prefect.
    """

    def __init__(self, runner: Runner) -> None:
        self.runner = runner
        self._task_runner: TaskRunner | None = None
        self._stack = ExitStack()

    def map(self, fn: Callable[..., R], batches: Sequence[Batch]) -> Iterator[tuple[int, R]]:
        """Run fn's task once per batch; yield (index, result) in order of completion."""
        batch_task = BATCH_TASKS[fn]
        # quote: Prefect would otherwise walk every object of a batch looking for futures.
        # Not on Dask: prefect-dask walks the parameters itself and rebuilds quoted objects
        # wrongly (a list of submissions comes out as tuples); there they go as they are.
        quoted = [
            batch if self.runner.kind == DASK else tuple(quote(argument) for argument in batch)
            for batch in batches
        ]
        if not pooled(self.runner, len(batches)):
            yield from inline(batch_task, quoted)
            return
        runner = self._started()
        # Workers in other processes report to the flow's server: without PREFECT_API_URL
        # (ephemeral mode) each would otherwise start a temporary server of its own.
        api_url = PREFECT_API_URL.value() or FlowRunContext.get().client.api_url
        with temporary_settings(updates={PREFECT_API_URL: str(api_url)}):
            futures = {
                runner.submit(batch_task, get_call_parameters(fn, batch, {})): index
                for index, batch in enumerate(quoted)
            }
        for future in as_completed(list(futures)):
            yield futures[future], future.result()

    def close(self) -> None:
        """Stop the worker processes or the Dask client (and a LocalCluster it started)."""
        self._stack.close()
        self._task_runner = None

    def _started(self) -> TaskRunner:
        """Return the task runner, starting it on first use."""
        if self._task_runner is None:
            self._task_runner = self._stack.enter_context(task_runner(self.runner))
        return self._task_runner


def task_runner(runner: Runner) -> TaskRunner:
    """Return the Prefect task runner of [runner]: local processes, or Dask."""
    if runner.kind != DASK:
        return ProcessPoolTaskRunner(
            max_workers=runner.processes, initializer=exit_with_parent, initargs=(os.getpid(),)
        )
    from prefect_dask import DaskTaskRunner  # only a Dask run pays its import

    if runner.address is not None:
        return DaskTaskRunner(address=runner.address)
    return DaskTaskRunner(cluster_kwargs=local_cluster_options(runner))


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
    with quarter_run(config, quarter, get_run_logger(), change, TaskRuns(config.runner)) as run:
        # quote: Prefect would otherwise walk every object of the run and of the files, twice
        # per task, looking for futures (half of a run's time at 300 units, growing with them).
        batches = discover(quote(run))
        name_run(f"考核-{quarter}-{run.summary.run_id}")  # the run id the workbooks show
        files = plain.read_new(run, batches)  # a 读取 task run per batch of files
        files = validate(quote(run), quote(files))
        load(quote(run), quote(files))
        score(quote(run))
        publish_leader(quote(run))
        plain.publish_units(run)  # a 发布单位反馈 task run per batch of units
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

"""The Prefect flows: a quarter's assessment and the annual roll-up, every stage a task run.

Only wiring: each task is a stage of firescore/quarter.py (or firescore/annual.py) run as a
Prefect task. Reading and feedback writing run as one task per batch (of files, of units; never
one per file) where [runner] of the config says: on worker processes of this machine (the task
run on a thread of the flow's process, the batch on firescore.workers.Pool's spawned processes,
which never import Prefect) or on a Dask cluster (prefect-dask's DaskTaskRunner); the stages
that hold the warehouse stay in the flow's process. The leaders' workbook is written in a thread
while the feedback batches run. Only the stages that read files retry. The flow names
its run 考核-<quarter>-<run id> and tags it with the quarter and the year, and leaves three
artifacts: the summary, the ranking and the timings.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from typing import TypeVar
from uuid import UUID

from prefect import flow, get_client, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.futures import PrefectFuture, as_completed
from prefect.runtime import flow_run
from prefect.settings import PREFECT_API_URL, temporary_settings
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from prefect.utilities.annotations import quote
from prefect.utilities.callables import get_call_parameters

import firescore.annual as annual
import firescore.quarter as plain
from firescore.config import DASK, Config, Runner
from firescore.intake.pipeline import read_files
from firescore.publish.feedback import write_feedback_batch
from firescore.quarter import STAGES, QuarterRun, RunSummary, load_run_config, quarter_run
from firescore.run_report import annual_markdown, ranking_table, summary_markdown, timing_table
from firescore.warehouse.releases import Event
from firescore.workers import Batch, Pool, inline, local_cluster_options, pooled

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
# The batch functions the stages hand to their workers, each shown as a task run per batch:
# run as they are in the flow's process (one batch, one process) or on a Dask worker.
BATCH_TASKS = {
    read_files: stage_task(read_files, "read", retries=2),
    write_feedback_batch: stage_task(write_feedback_batch, "publish-feedback"),
}


def on_worker(pool: Pool, fn: Callable[..., R], batch: Batch) -> R:
    """Return fn(*batch) as one of the run's worker processes works it out."""
    return pool.call(fn, batch)


# The same task runs for local worker processes: a thread of the flow's process runs the task
# and waits while a worker works the batch, so the workers never import Prefect.
ON_WORKER_TASKS = {
    read_files: stage_task(on_worker, "read", retries=2),
    write_feedback_batch: stage_task(on_worker, "publish-feedback"),
}


class TaskRuns:
    """The run's workers for Prefect: each batch a task run of its own.

    Local: the task runs on a thread of the flow's process (ThreadPoolTaskRunner, a thread per
    worker process) and hands its batch to the run's Pool of spawned processes, started once
    and shared by every stage. Dask: prefect-dask's DaskTaskRunner runs the task itself on the
    scheduler at `address`, else on a LocalCluster it starts. A stage with one batch (or one
    local process) runs its task in the flow's process, as Pool does without Prefect.
    """

    def __init__(self, runner: Runner) -> None:
        self.runner = runner
        self.pool = Pool(runner)  # local worker processes (not used on Dask)
        self._task_runner: TaskRunner | None = None
        self._stack = ExitStack()

    def map(self, fn: Callable[..., R], batches: Sequence[Batch]) -> Iterator[tuple[int, R]]:
        """Run fn's task once per batch; yield (index, result) in order of completion."""
        if not pooled(self.runner, len(batches)):
            # quote: Prefect would otherwise walk every object of a batch looking for futures.
            quoted = [tuple(quote(argument) for argument in batch) for batch in batches]
            yield from inline(BATCH_TASKS[fn], quoted)
            return
        runner = self._started()
        if self.runner.kind == DASK:
            futures = self._submit_to_dask(runner, fn, batches)
        else:
            futures = {
                runner.submit(
                    ON_WORKER_TASKS[fn],
                    {"pool": quote(self.pool), "fn": quote(fn), "batch": quote(tuple(batch))},
                ): index
                for index, batch in enumerate(batches)
            }
        for future in as_completed(list(futures)):
            yield futures[future], future.result()

    def _submit_to_dask(
        self, runner: TaskRunner, fn: Callable[..., R], batches: Sequence[Batch]
    ) -> dict[PrefectFuture[R], int]:
        """Submit fn's task once per batch to Dask; return the futures with their batch index."""
        # Unquoted: prefect-dask walks the parameters itself and rebuilds quoted objects
        # wrongly (a list of submissions comes out as tuples).
        # Dask workers report to the flow's server: without PREFECT_API_URL (ephemeral mode)
        # each would otherwise start a temporary server of its own.
        api_url = PREFECT_API_URL.value() or FlowRunContext.get().client.api_url
        with temporary_settings(updates={PREFECT_API_URL: str(api_url)}):
            return {
                runner.submit(BATCH_TASKS[fn], get_call_parameters(fn, batch, {})): index
                for index, batch in enumerate(batches)
            }

    def start(self) -> None:
        """Start the local worker processes ahead of the first batch (Dask: nothing to start)."""
        self.pool.start()

    def close(self) -> None:
        """Stop the worker processes and threads, or the Dask client (and its LocalCluster)."""
        self._stack.close()
        self._task_runner = None
        self.pool.close()

    def _started(self) -> TaskRunner:
        """Return the task runner, starting it on first use."""
        if self._task_runner is None:
            self._task_runner = self._stack.enter_context(task_runner(self.runner))
        return self._task_runner


def task_runner(runner: Runner) -> TaskRunner:
    """Return the Prefect task runner of [runner]: a thread per local process, or Dask."""
    if runner.kind != DASK:
        return ThreadPoolTaskRunner(max_workers=runner.processes)
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
        leader = publish_leader.submit(quote(run))  # in a thread, while the workers write:
        try:
            plain.publish_units(run)  # a 发布单位反馈 task run per batch of units
        finally:
            leader.wait()
        leader.result()
        publish_validation(quote(run))
    publish_artifacts(run)
    return run.summary


def prepare_validation(config: Config, quarter: str) -> None:
    """Import Great Expectations while Prefect starts, when a file of the quarter may be new.

    Without a server (PREFECT_API_URL unset) the flow's first step imports Prefect's server
    app in this process (about 4 s of Python) and then waits about 3 s for the server's own
    process: that app is imported first here, so GX's import (2 s) shares the wait, not the
    GIL with another import.
    """
    if not PREFECT_API_URL.value():
        importlib.import_module("prefect.server.api.server")
    plain.prepare_validation(config, quarter)


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

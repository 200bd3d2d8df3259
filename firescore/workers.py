"""Where a stage's batches run: in this process, in spawned worker processes, or on Dask.

Reading and casting a batch of files and writing a batch of feedback workbooks are CPU-bound
Python that holds the GIL, so threads do not add a core; worker processes do. A batch function
takes plain picklable arguments and returns plain data (polars frames travel as Arrow IPC);
the warehouse never leaves the main process, its one writer. Each batch's result comes back
as the batch finishes, with its index: the caller reports progress and still puts the results
in batch order, so the outputs never depend on which worker was quicker.

run_quarter uses Pool.map; the Prefect flow (flows/quarter.py) makes each batch a task run of
its own, run by a thread of the flow's process that hands the batch to the same Pool (call) and
waits for it, so the worker processes never import Prefect; on Dask the flow uses prefect-dask's
task runner instead. Both choose with `pooled`.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from contextlib import ExitStack
from typing import Any, Protocol, TypeVar

from firescore.config import DASK, Runner

R = TypeVar("R")
Batch = tuple[Any, ...]  # the arguments of one call of a batch function


class Workers(Protocol):
    """Runs a batch function once per batch; yields (batch index, result) as each finishes."""

    def map(self, fn: Callable[..., R], batches: Sequence[Batch]) -> Iterator[tuple[int, R]]:
        """Run fn(*batch) for every batch; yield (index, result) in order of completion."""
        ...

    def start(self) -> None:
        """Start the workers now, ahead of the first batch (a stage expecting several)."""
        ...

    def close(self) -> None:
        """Stop the workers this object started (none if it never needed any)."""
        ...


def pooled(runner: Runner, batches: int) -> bool:
    """Return whether batches go to workers: on Dask always, locally when two can run at once."""
    return runner.kind == DASK or (batches > 1 and runner.processes > 1)


def in_batch_order(results: Iterator[tuple[int, list[R]]]) -> list[R]:
    """Return the items of every batch's result list, in batch order whatever the finishing order."""
    done = dict(results)
    return [item for index in sorted(done) for item in done[index]]


def inline(fn: Callable[..., R], batches: Sequence[Batch]) -> Iterator[tuple[int, R]]:
    """Run every batch in this process, in order."""
    for index, batch in enumerate(batches):
        yield index, fn(*batch)


class Pool:
    """Batches on local worker processes (spawn) or a Dask cluster, as [runner] says.

    The processes (or the Dask client) start at the first stage with batches to share and
    serve every later stage of the run; close() stops them. map and call may be used from
    several threads at once.
    """

    def __init__(self, runner: Runner) -> None:
        self.runner = runner
        self._executor: Executor | None = None
        self._stack = ExitStack()
        self._starting = threading.Lock()  # threads calling at once start one executor

    def map(self, fn: Callable[..., R], batches: Sequence[Batch]) -> Iterator[tuple[int, R]]:
        """Run fn(*batch) for every batch; yield (index, result) in order of completion."""
        if not pooled(self.runner, len(batches)):
            yield from inline(fn, batches)
            return
        executor = self._started()
        futures: dict[Future[R], int] = {
            executor.submit(fn, *batch): index for index, batch in enumerate(batches)
        }
        for future in as_completed(futures):
            yield futures[future], future.result()

    def start(self) -> None:
        """Start the worker processes now, each importing what the batches use, in the background.

        Spawning a process and importing polars, fastexcel and xlsxwriter in it takes about a
        second: started while discover hashes the inbox, the first read batch need not wait.
        """
        if self.runner.kind == DASK or self.runner.processes < 2:
            return  # Dask workers are started by their cluster; one process works inline
        executor = self._started()
        # One call per process, submitted at once: each finds no idle process and spawns one.
        for _ in range(self.runner.processes):
            executor.submit(preload, PRELOADED)

    def call(self, fn: Callable[..., R], batch: Batch) -> R:
        """Return fn(*batch) as a worker works it out (this thread waits for it)."""
        return self._started().submit(fn, *batch).result()

    def close(self) -> None:
        """Stop the worker processes, or disconnect from Dask (a cluster we started stops)."""
        self._stack.close()
        self._executor = None

    def _started(self) -> Executor:
        """Return the executor, starting it on first use."""
        with self._starting:
            return self._executor or self._start()

    def _start(self) -> Executor:
        """Start the worker processes (or connect to Dask) and return the executor."""
        if self.runner.kind == DASK:
            self._executor = self._dask()
        else:
            self._executor = self._stack.enter_context(
                ProcessPoolExecutor(
                    max_workers=self.runner.processes,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=exit_with_parent,
                    initargs=(os.getpid(),),
                )
            )
        return self._executor

    def _dask(self) -> Executor:
        """Return an executor on the Dask cluster of [runner] (a LocalCluster we start, else its address)."""
        from distributed import Client, LocalCluster  # only a Dask run pays its import

        target: Any = self.runner.address
        if target is None:
            target = self._stack.enter_context(LocalCluster(**local_cluster_options(self.runner)))
        client = self._stack.enter_context(Client(target, set_as_default=False))
        return client.get_executor(pure=False)


def local_cluster_options(runner: Runner) -> dict[str, Any]:
    """Return how to start a LocalCluster: one single-threaded process per worker, on loopback."""
    return {
        "n_workers": runner.n_workers,  # None: Dask's default, the cores available
        "threads_per_worker": 1,  # the batches hold the GIL: one thread per process
        "processes": True,
        # The scheduler serves HTTP (status, health) even without a dashboard: on a free
        # loopback port, not on 8787, which another run or program may hold.
        "dashboard_address": "127.0.0.1:0",
    }


# The modules of the batch functions (reading and casting, feedback workbooks).
PRELOADED = ("firescore.intake.pipeline", "firescore.publish.feedback")


def preload(modules: Sequence[str]) -> None:
    """Import modules in a worker process before its first batch."""
    for module in modules:
        importlib.import_module(module)


def exit_with_parent(parent: int, every: float = 1.0) -> None:
    """Make a worker process end when the run's process is gone (killed, crashed).

    A pool's worker waits on a queue whose ends it holds itself, so it would outlive a run
    killed with kill -9; a daemon thread watches the parent instead.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()

"""Batches on worker processes: the same outputs as one process, progress as batches finish,
and no worker left behind by a killed run."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from firescore.config import Runner, load_config
from firescore.progress import LOGGER as PROGRESS
from firescore.quarter import run_quarter
from tests.office import tiny_district

Q = "2026Q2"


class Advances(logging.Handler):
    """Collect the progress records of a run: (stage, advance, total)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.seen: list[tuple[str, int, int | None]] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep one progress record."""
        self.seen.append((record.stage, record.advance, record.total))  # type: ignore[attr-defined]


def outputs(out: Path) -> dict[str, bytes]:
    """Return every file the run published for the quarter (Data Docs aside), by path."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted((out / Q).rglob("*"))
        if p.is_file() and "data_docs" not in p.parts
    }


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Run the tiny district in one process, then on two processes with one file/unit a batch."""
    district = tiny_district(tmp_path_factory.mktemp("district"))
    config = load_config(district.config)
    single = config.with_overrides(
        out=district.root / "single", warehouse=district.root / "single.duckdb"
    )
    run_quarter(replace(single, runner=Runner(workers=1)), Q)
    pooled = config.with_overrides(
        out=district.root / "pooled", warehouse=district.root / "pooled.duckdb"
    )
    pooled = replace(pooled, runner=Runner(workers=2), limits=replace(config.limits, batch_size=1))
    advances = Advances()
    PROGRESS.addHandler(advances)
    PROGRESS.setLevel(logging.INFO)
    try:
        summary = run_quarter(pooled, Q)
    finally:
        PROGRESS.removeHandler(advances)
    return {"single": single.out, "pooled": pooled.out, "summary": summary, "seen": advances.seen}


def test_worker_processes_publish_the_same_bytes_as_one_process(runs):
    single, pooled = outputs(runs["single"]), outputs(runs["pooled"])
    assert any(name.startswith(f"{Q}/单位反馈/") for name in single)
    assert pooled.keys() == single.keys()
    assert [name for name in single if pooled[name] != single[name]] == []


def test_progress_advances_to_the_total_as_batches_finish(runs):
    seen = runs["seen"]
    read = [advance for stage, advance, _ in seen if stage == "read" and advance]
    assert read == [1, 1]  # two files, one a batch, each reported as its batch finished
    written = sum(advance for stage, advance, _ in seen if stage == "publish-feedback")
    totals = {total for stage, _, total in seen if stage == "publish-feedback" and total}
    assert totals == {written} and written == len(
        list((runs["pooled"] / Q / "单位反馈").glob("*.xlsx"))
    )


WORKER_PIDS = """
import os, sys
from firescore.config import Runner
from firescore.workers import Pool

if __name__ == "__main__":
    pool = Pool(Runner(workers=2))
    list(pool.map(os.getpid, [(), (), (), ()]))
    print(" ".join(str(pid) for pid in pool._executor._processes), flush=True)
    os._exit(137)  # as kill -9 would: no shutdown of the pool
"""


def test_worker_processes_end_when_the_run_is_killed(tmp_path):
    script = tmp_path / "killed.py"
    script.write_text(WORKER_PIDS, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 137, done.stderr
    workers = [int(pid) for pid in done.stdout.split()]
    assert len(workers) >= 1
    # Each worker notices its parent is gone within a second or so; wait for them to end.
    deadline = time.monotonic() + 30
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [pid for pid in workers if alive(pid)] == []


def alive(pid: int) -> bool:
    """Return whether a process runs (a zombie counts as ended)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().split(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


def test_started_workers_spawn_and_import_the_batch_modules_before_any_batch():
    from firescore.workers import PRELOADED, Pool

    pool = Pool(Runner(workers=2))
    try:
        pool.start()  # discover starts them on a quarter's first run
        assert len(pool._executor._processes) == 2  # spawned at once, not at the first batch
        loaded = f"all(m in __import__('sys').modules for m in {PRELOADED!r})"
        assert pool.call(eval, (loaded,)) is True
    finally:
        pool.close()


def test_a_file_changed_since_the_last_run_is_seen_by_its_time(tmp_path):
    from firescore.quarter import changed_since_run

    district = tiny_district(tmp_path)
    config = replace(load_config(district.config), runner=Runner(workers=1))
    assert changed_since_run(config, Q)  # no warehouse yet: a first run reads every file
    run_quarter(config, Q)
    assert not changed_since_run(config, Q)  # a re-run on the same inbox: nothing to import
    changed = next((config.inbox / Q).glob("*/*.xlsx"))
    later = config.warehouse.stat().st_mtime + 60
    os.utime(changed, (later, later))
    assert changed_since_run(config, Q)

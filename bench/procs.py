"""Measured child processes: wall time, peak memory of the process and of its tree, Prefect's record.

Every measured process runs alone, one after the other. Its own peak RSS comes from os.wait4;
the tree's peak is the largest sum of RSS over the process and its descendants (worker
processes, a Dask LocalCluster), sampled every half second, the Prefect server (ephemeral or
persistent) left out. The stage timings of a `firescore run` come from Prefect's own record of
the flow run (its task runs' start and end in the bench's PREFECT_HOME database), so the
measured run itself gives them: no second run is needed.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 1024**2
SAMPLE_SECONDS = 0.5
SERVER_MARKS = ("uvicorn", "prefect.server", "prefect server")  # a Prefect API server process


@dataclass
class Proc:
    """One finished subprocess: wall seconds, peak RSS (own, tree), exit code, output."""

    wall: float
    peak_mb: float
    rc: int
    out: str
    tree_mb: float = 0.0  # peak of the summed RSS of the process and its children (no server)
    started_utc: str = ""  # when it started, as Prefect's database writes times
    flow: dict | None = None  # the flow run as Prefect recorded it (flow_timings)


def _children() -> dict[int, list[int]]:
    """Return every process's children, by parent pid."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry.name}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def _is_server(pid: int) -> bool:
    """Return whether a process is a Prefect API server (not counted in a run's memory)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return False
    return any(mark in cmdline for mark in SERVER_MARKS)


def tree_rss_mb(root: int) -> float:
    """Return the summed RSS of a process and its descendants, Prefect servers left out."""
    children, total, stack = _children(), 0.0, [root]
    while stack:
        pid = stack.pop()
        if pid != root and _is_server(pid):
            continue  # and its children: the server's own workers
        stack += children.get(pid, [])
        with contextlib.suppress(OSError, IndexError, ValueError):
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_MB
    return total


def utc_now() -> str:
    """Return the time now as Prefect's SQLite database stores it (UTC, no zone)."""
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def run_proc(cmd: list[str], env: dict[str, str], log: Path, cwd: Path) -> Proc:
    """Run a command to completion; return its wall time, its own and its tree's peak RSS."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w", encoding="utf-8") as handle:
        started = utc_now()
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=handle, stderr=subprocess.STDOUT)
        peak, done = [0.0], threading.Event()

        def sample() -> None:
            while not done.wait(SAMPLE_SECONDS):
                peak[0] = max(peak[0], tree_rss_mb(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    own = usage.ru_maxrss / 1024
    out = log.read_text(encoding="utf-8", errors="replace")
    return Proc(wall, own, proc.returncode, out, tree_mb=max(peak[0], own), started_utc=started)


def _time(text: str) -> datetime:
    """Return one of Prefect's database times as a datetime."""
    return datetime.fromisoformat(text)


def _union(spans: list[tuple[datetime, datetime]]) -> float:
    """Return the length of the union of time spans, in seconds."""
    total, reach = 0.0, None
    for start, end in sorted(spans):
        if reach is None or end > reach:
            total += (end - (max(start, reach) if reach else start)).total_seconds()
            reach = end
    return total


def flow_timings(
    prefect_home: Path, since: str, labels: dict[str, str], wait: float = 20.0
) -> dict | None:
    """Return the newest quarter flow run started after `since` as Prefect recorded it.

    Seconds per stage (the union of its task runs' spans: parallel batches count once), the
    flow run's own span, Prefect's time inside it between and around the tasks, and the
    number of task runs. `labels` maps a task run's name (the stage's Chinese name) to the
    stage key. A persistent server records task runs from events, a little later: wait for
    every task run to end.
    """
    database = prefect_home / "prefect.db"
    deadline = time.monotonic() + wait
    while True:
        found = _read_flow(database, since) if database.is_file() else None
        if found is not None and found["complete"]:
            break
        if time.monotonic() > deadline:
            if found is None:
                return None
            break
        time.sleep(0.5)
    spans: dict[str, list[tuple[datetime, datetime]]] = {}
    for name, start, end in found["tasks"]:
        spans.setdefault(labels.get(name, name), []).append((_time(start), _time(end)))
    every = [span for group in spans.values() for span in group]
    flow_s = (_time(found["end"]) - _time(found["start"])).total_seconds()
    return {
        "flow_s": flow_s,
        "stages": {key: _union(group) for key, group in spans.items()},
        "task_runs": {key: len(group) for key, group in spans.items()},
        "prefect_in_flow_s": flow_s - _union(every),
        "complete": found["complete"],
    }


def _read_flow(database: Path, since: str) -> dict | None:
    """Return the newest 考核- flow run after `since` with its task runs, or None."""
    con = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)
    try:
        row = con.execute(
            "SELECT id, start_time, end_time FROM flow_run WHERE name LIKE '考核-%' "
            "AND start_time >= ? ORDER BY start_time DESC LIMIT 1",
            (since,),
        ).fetchone()
        if row is None or row[2] is None:
            return None
        tasks = con.execute(
            "SELECT name, start_time, end_time FROM task_run WHERE flow_run_id = ?", (row[0],)
        ).fetchall()
    except sqlite3.Error:
        return None
    finally:
        con.close()
    ended = [(n, s, e) for n, s, e in tasks if s and e]
    complete = bool(tasks) and len(ended) == len(tasks)
    return {"start": row[1], "end": row[2], "tasks": ended, "complete": complete}

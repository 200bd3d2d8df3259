"""The single-writer run lock: an OS file lock beside the warehouse, held for the whole run.

A run takes it before discover and keeps it until publish is done, so a second run is refused
at once, whatever stage the first is in. The lock file holds who holds it (pid, host, start
time) for the refusal message. Read-only commands never take it: they only read the holder
line to say that a run is in progress.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

# Paths this process holds the lock of: a run that calls run_quarter takes it once.
_held: dict[Path, int] = {}


class WarehouseBusy(Exception):
    """Another process holds the warehouse; the message is Chinese."""


@dataclass(frozen=True)
class Holder:
    """Who holds the run lock."""

    pid: int
    host: str
    started: str  # local time, to the second

    def text(self) -> str:
        """Return the holder as the office reads it."""
        return f"主机 {self.host} 上的进程 {self.pid}，{self.started} 开始运行"


def lock_path(warehouse: Path) -> Path:
    """Return the lock file of a warehouse (beside it)."""
    return warehouse.with_name(warehouse.name + ".lock")


def busy_message(warehouse: Path, holder: Holder | None) -> str:
    """Return the Chinese refusal of a second run."""
    who = f"（{holder.text()}）" if holder else ""
    return f"数据仓库 {warehouse} 正被另一个 firescore 进程使用{who}，请等其结束后再运行"


def read_holder(warehouse: Path) -> Holder | None:
    """Return the holder written in the lock file, or None if it names none."""
    try:
        data = json.loads(lock_path(warehouse).read_text(encoding="utf-8") or "null")
        return Holder(int(data["pid"]), str(data["host"]), str(data["started"]))
    except (OSError, ValueError, TypeError, KeyError):
        return None


def run_in_progress(warehouse: Path) -> Holder | None:
    """Return the holder of a run in progress on this warehouse, without touching the lock.

    Taking even a shared lock would refuse a run starting at that moment, so a reader only
    reads the holder line (cleared when a run ends) and checks that its process is alive.
    """
    holder = read_holder(warehouse)
    if holder is None:
        return None
    if holder.host == socket.gethostname():
        try:
            os.kill(holder.pid, 0)
        except ProcessLookupError:
            return None  # a run that was killed: its lock went with it
        except PermissionError:
            pass
    return holder


@contextmanager
def hold(warehouse: Path) -> Iterator[None]:
    """Hold the run lock of a warehouse for the block; raise WarehouseBusy if another run has it.

    Re-entrant within a process: the CLI takes it before Prefect starts, and run_quarter
    (called inside the flow) finds it already held.
    """
    key = warehouse.resolve()
    if key in _held:
        yield
        return
    path = lock_path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise WarehouseBusy(busy_message(warehouse, read_holder(warehouse))) from None
    _held[key] = fd
    try:
        _write_holder(fd)
        yield
    finally:
        del _held[key]
        os.ftruncate(fd, 0)  # no holder any more: readers stop saying a run is in progress
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _write_holder(fd: int) -> None:
    """Write this process as the holder into the (locked) lock file."""
    holder = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S"),
    }
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(holder).encode("utf-8"), 0)

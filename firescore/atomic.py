"""Write a file under a temporary name in its own directory, then rename it into place."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

# Flushes in flight at once: a disk commits concurrent fsyncs together, so many files flushed
# in parallel cost little more than one (≈ 4 ms each one after the other on a virtual disk).
PLACING_THREADS = 8


@contextlib.contextmanager
def atomic_path(final: Path, placer: Placer | None = None) -> Iterator[Path]:
    """Yield a temporary sibling path; on success flush it and ``os.replace`` it onto ``final``.

    A reader never sees half a file: either the old version or the new one. On error the
    temporary file is removed and ``final`` is left untouched. With a ``placer`` the flush and
    rename happen in its threads; the file is in place when the placer is closed.
    """
    if not final.parent.is_dir():  # a look-up: mkdir would lock the folder others rename into
        final.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path(final)
    try:
        yield tmp
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if placer is None:
        _place(tmp, final)
    else:
        placer.place(tmp, final)


class Placer:
    """Flushes written files and renames them into place from a few threads.

    Each file is still flushed before its rename (never half a file under the real name); the
    flushes of many files overlap instead of waiting for the disk one after the other. Every
    file handed over is in place once ``close`` returns (or the ``with`` block ends).
    """

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(PLACING_THREADS, thread_name_prefix="placing")
        self._pending: list[Future[None]] = []

    def place(self, tmp: Path, final: Path) -> None:
        """Flush ``tmp`` and rename it onto ``final`` in the background."""
        self._pending.append(self._pool.submit(_place, tmp, final))

    def close(self) -> None:
        """Wait until every file is in place; raise the first failure."""
        self._pool.shutdown(wait=True)
        for future in self._pending:
            future.result()

    def __enter__(self) -> Placer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _place(tmp: Path, final: Path) -> None:
    """Flush ``tmp`` to disk and rename it onto ``final``; never leave ``tmp`` behind."""
    try:
        _fsync(tmp)
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    """Flush the written file to disk before it replaces the old one."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# .<name>.<pid>.<8 hex>.tmp, and a DuckDB working copy's .wal beside it
TEMP_NAME = re.compile(r"^\..+\.(\d+)\.[0-9a-f]{8}\.tmp(\.wal)?$")


def temp_path(final: Path) -> Path:
    """Return a fresh temporary sibling of ``final`` naming this process (see TEMP_NAME)."""
    # Same directory as the target, so the rename never crosses a file system.
    return final.with_name(f".{final.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")


def remove_stale_temps(folder: Path, recursive: bool = True) -> list[Path]:
    """Remove temporary files and folders left in ``folder`` by processes that died; return them.

    A process that is still alive (another command writing templates, say) keeps its own.
    """
    if not folder.is_dir():
        return []
    found = folder.rglob(".*.tmp*") if recursive else folder.glob(".*.tmp*")
    removed = []
    for path in sorted(found):
        match = TEMP_NAME.match(path.name)
        if match is None or _alive(int(match.group(1))):
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    """Return whether a process with this id is running on this machine."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

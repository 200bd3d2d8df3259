"""Write a file under a temporary name in its own directory, then rename it into place."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(final: Path) -> Iterator[Path]:
    """Yield a temporary sibling path; on success ``os.replace`` it onto ``final``.

    A reader never sees half a file: either the old version or the new one. On error the
    temporary file is removed and ``final`` is left untouched.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path(final)
    try:
        yield tmp
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

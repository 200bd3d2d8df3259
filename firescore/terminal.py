"""The office's console and the engineers' log file.

Everything a user can type or send (cell values, file and folder names, arguments, config and
scheme keys) is shown literally: the consoles never interpret rich markup, so `[/x]` or
`[bold]` in a value is printed as typed and can never raise. Our own styling is applied with
`styled`. Tracebacks and library log lines go to the log file, never to the office's console.
"""

from __future__ import annotations

import errno
import logging
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.text import Text

console = Console(soft_wrap=True, markup=False, highlight=False)
err = Console(stderr=True, soft_wrap=True, markup=False, highlight=False)

LOG_FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"
_handler: logging.Handler | None = None

# What an operating-system error means to the office (errno -> Chinese reason).
OS_REASONS = {
    errno.ENOSPC: "磁盘空间已满",
    errno.EDQUOT: "磁盘配额已用完",
    errno.EROFS: "所在磁盘为只读",
    errno.EACCES: "没有写入或读取权限",
    errno.EPERM: "没有写入或读取权限",
    errno.ENOTDIR: "路径中有一项是文件而不是文件夹",
    errno.EEXIST: "已有同名文件",
    errno.EISDIR: "这是一个文件夹，不是文件",
    errno.ENOENT: "找不到该文件或文件夹",
    errno.EIO: "磁盘读写出错",
}


def styled(*parts: str | tuple[str, str]) -> Text:
    """Return text assembled from literal parts, each optionally (text, style)."""
    return Text.assemble(*parts)


def log_path() -> Path | None:
    """Return the log file this process writes to, if one is open."""
    return Path(_handler.baseFilename) if isinstance(_handler, logging.FileHandler) else None


def open_log(path: Path) -> Path:
    """Send this process's log records to ``path`` (else a file in the temp folder); return it."""
    global _handler
    for candidate in (path, Path(tempfile.gettempdir()) / "firescore.log"):
        try:
            candidate.parent.mkdir(parents=True, exist_ok=True)
            handler = logging.FileHandler(candidate, encoding="utf-8", delay=False)
        except OSError:
            continue  # e.g. a read-only output folder: the log still has to go somewhere
        break
    else:
        return path
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root = logging.getLogger()
    if _handler is not None:
        root.removeHandler(_handler)
        _handler.close()
    root.addHandler(handler)
    root.setLevel(min(root.level or logging.INFO, logging.INFO))
    logging.captureWarnings(True)
    # Engineers' noise even for the log: one line per Prefect API call, GX's import chatter.
    for name in ("httpx", "great_expectations"):
        logging.getLogger(name).setLevel(logging.WARNING)
    _handler = handler
    return candidate


def log_hint() -> str:
    """Return the Chinese pointer to the log file for an error message."""
    path = log_path()
    return f"（详情见日志 {path}）" if path else ""


def os_error_text(exc: OSError) -> str:
    """Return an operating-system error as the office reads it: the path and the reason."""
    reason = OS_REASONS.get(exc.errno or 0, f"系统错误 {exc.strerror or exc}")
    where = exc.filename if exc.filename is not None else ""
    return f"无法读写 {where}：{reason}" if where else f"读写文件失败：{reason}"


@contextmanager
def stderr_to_log() -> Iterator[None]:
    """Send everything written to stderr meanwhile (this process and its children) to the log.

    Prefect's engine and its temporary server log on stderr; the office reads only our own
    lines, printed after the block has restored stderr.
    """
    path = log_path()
    if path is None:
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    with path.open("a", encoding="utf-8") as log:
        os.dup2(log.fileno(), 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)

"""The warehouse file as a whole: checked before use, written as a copy, committed by rename.

- `check` refuses a corrupt or foreign file before anything is written, and leaves it as it
  is: DuckDB's header, a read-only open, firescore's marker table with its format version,
  and the sha256 the last run recorded when it closed the file cleanly (`<warehouse>.sha256`).
- `writing` gives a run a working copy beside the warehouse and renames it into place only when
  the run is done: a run that dies at any point leaves the previous warehouse as it was, and
  the warehouse file is never open for writing, so read-only commands (`reading`) never block
  a run and always see a file at rest.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from firescore.atomic import atomic_path, remove_stale_temps, temp_path
from firescore.warehouse.lock import WarehouseBusy, busy_message, run_in_progress

log = logging.getLogger(__name__)

FORMAT_VERSION = 1  # of firescore_meta; raise it when a change needs older files migrated
MAGIC = b"DUCK"  # DuckDB's file header: 8 bytes of checksum, then these 4
CHUNK = 1 << 20
MARKER = (
    "CREATE TABLE IF NOT EXISTS firescore_meta (format_version INTEGER NOT NULL)",
    "INSERT INTO firescore_meta SELECT $version WHERE NOT EXISTS (SELECT 1 FROM firescore_meta)",
)


class WarehouseDamaged(Exception):
    """The warehouse file is corrupt or not firescore's; the message is Chinese."""


def checksum_path(warehouse: Path) -> Path:
    """Return where the sha256 of the cleanly closed warehouse is kept (beside it)."""
    return warehouse.with_name(warehouse.name + ".sha256")


def _damaged(warehouse: Path, why: str) -> WarehouseDamaged:
    """Return the Chinese refusal of a damaged warehouse; the file is left untouched."""
    return WarehouseDamaged(
        f"数据仓库 {warehouse} {why}。本次未做任何改动；请从备份恢复该文件，"
        "或在配置文件中换一个数据仓库路径后重新运行"
    )


def check(warehouse: Path, verify_checksum: bool = True) -> None:
    """Raise WarehouseDamaged (or WarehouseBusy) unless the file is a sound firescore warehouse.

    A warehouse that does not exist yet is fine: the run creates it.
    """
    if not warehouse.exists():
        return
    if not warehouse.is_file():
        raise _damaged(warehouse, "不是文件")
    with warehouse.open("rb") as handle:
        head = handle.read(12)
    if len(head) < 12 or head[8:12] != MAGIC:
        raise _damaged(warehouse, "不是 DuckDB 数据库文件（文件已损坏、被截断或被其他内容覆盖）")
    if verify_checksum:
        expected = recorded_checksums(warehouse)
        if expected and sha256_of(warehouse) not in expected:
            raise _damaged(
                warehouse, "的内容与上次运行结束时记录的校验值不一致（文件已损坏或被改动）"
            )
    _probe(warehouse)


def _probe(warehouse: Path) -> None:
    """Open the file read-only and check that it is firescore's, in a format this version reads."""
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise WarehouseBusy(busy_message(warehouse, None)) from exc
        raise _damaged(warehouse, "无法打开（文件已损坏）") from exc
    except duckdb.Error as exc:
        raise _damaged(warehouse, "无法打开（文件已损坏）") from exc
    try:
        tables = {
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
            ).fetchall()
        }
        if "firescore_meta" in tables:
            row = con.execute("SELECT max(format_version) FROM firescore_meta").fetchone()
            if row[0] is None or row[0] > FORMAT_VERSION:
                raise _damaged(warehouse, "由更新版本的 firescore 创建，本版本无法使用")
        elif tables and "raw_files" not in tables:
            # Tables, but none of ours: another program's database.
            raise _damaged(warehouse, "不是 firescore 的数据仓库（其中没有 firescore 的数据表）")
    except duckdb.Error as exc:
        raise _damaged(warehouse, "无法读取（文件已损坏）") from exc
    finally:
        con.close()


def sha256_of(path: Path) -> str:
    """Return the sha256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def recorded_checksums(warehouse: Path) -> set[str]:
    """Return the checksums a clean close recorded (two while a commit is half done)."""
    try:
        return set(checksum_path(warehouse).read_text(encoding="utf-8").split())
    except (OSError, UnicodeDecodeError):
        return set()


def _record_checksums(warehouse: Path, checksums: list[str]) -> None:
    """Record the checksums a sound warehouse file may have."""
    with atomic_path(checksum_path(warehouse)) as tmp:
        tmp.write_text("\n".join(checksums) + "\n", encoding="utf-8")


def _copy_hashing(source: Path, target: Path) -> str:
    """Copy a file and return the sha256 of what was copied (one read for both)."""
    digest = hashlib.sha256()
    with source.open("rb") as src, target.open("wb") as dst:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
            dst.write(chunk)
    return digest.hexdigest()


def _settle_wal(warehouse: Path) -> None:
    """Fold a write-ahead log left by an older firescore into the file, so copies miss nothing."""
    if warehouse.with_name(warehouse.name + ".wal").exists():
        duckdb.connect(str(warehouse)).close()


@contextmanager
def writing(warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a connection to a working copy of the warehouse; rename it into place on success.

    The caller holds the run lock (firescore.warehouse.lock.hold).
    """
    from firescore.warehouse.store import connect  # the DDL

    check(warehouse, verify_checksum=False)  # the checksum is verified on the copy's bytes
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(warehouse.parent, recursive=False)  # working copies of killed runs
    _settle_wal(warehouse)
    work = temp_path(warehouse)
    try:
        before = _copy_hashing(warehouse, work) if warehouse.exists() else None
        expected = recorded_checksums(warehouse)
        if before is not None and expected and before not in expected:
            raise _damaged(
                warehouse, "的内容与上次运行结束时记录的校验值不一致（文件已损坏或被改动）"
            )
        con = connect(work)
        try:
            con.execute(MARKER[0])
            con.execute(MARKER[1], {"version": FORMAT_VERSION})
            yield con
            con.execute("CHECKPOINT")
        finally:
            con.close()
        _commit(warehouse, work, before)
    finally:
        work.unlink(missing_ok=True)
        work.with_name(work.name + ".wal").unlink(missing_ok=True)


def _commit(warehouse: Path, work: Path, before: str | None) -> None:
    """Rename the closed working copy onto the warehouse, recording its checksum first."""
    after = sha256_of(work)
    # Until the rename is done either file is sound: record both, then only the new one.
    _record_checksums(warehouse, [after] + ([before] if before else []))
    fd = os.open(work, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(work, warehouse)
    _record_checksums(warehouse, [after])
    log.info("warehouse %s committed (sha256 %s)", warehouse, after[:12])


def open_read(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """Return a read-only connection to the warehouse at rest, after checking it is sound.

    While a run is in progress the checksum is not compared (the run may be renaming a new
    file into place at that moment); the file read is then the previous run's.
    """
    check(warehouse, verify_checksum=run_in_progress(warehouse) is None)
    try:
        return duckdb.connect(str(warehouse), read_only=True)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise WarehouseBusy(busy_message(warehouse, None)) from exc
        raise _damaged(warehouse, "无法打开（文件已损坏）") from exc


@contextmanager
def reading(warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a read-only connection to the warehouse at rest (see open_read); close it after."""
    con = open_read(warehouse)
    try:
        yield con
    except duckdb.Error as exc:
        if "corrupt" in str(exc).lower() or "checksum" in str(exc).lower():
            raise _damaged(warehouse, "无法读取（文件已损坏）") from exc
        raise
    finally:
        con.close()

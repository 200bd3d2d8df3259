"""Find a quarter's submissions in the inbox: <inbox>/<quarter>/<unit code>/<any name>."""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from firescore.intake.casting import cast_sheet
from firescore.intake.contracts import contract
from firescore.intake.reader import read_csv

log = logging.getLogger(__name__)

RECEIPT_LOG = "收件登记.csv"
_CSV_NAME = re.compile(
    r"^(?P<unit>[^_]+)_(?P<quarter>[^_]+)_(?P<sheet>[^_.]+)\.csv$", re.IGNORECASE
)


@dataclass(frozen=True)
class Submission:
    """One version of a unit's quarterly submission: a workbook, or a bundle of CSV sheets."""

    quarter: str
    unit_code: str  # the inbox folder: the sender
    paths: tuple[Path, ...]
    rel_path: str  # relative to the inbox root (a bundle: its folder/<unit>_<quarter>_*.csv)
    file_name: str
    sha256: str
    size_bytes: int
    received_at: datetime  # aware
    received_source: str  # 收件登记 | 文件修改时间
    file_format: str  # xlsx | xlsm | xls | csv | unknown


def sha256_of(path: Path) -> str:
    """Return the hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_receipt_log(quarter_dir: Path, tz: ZoneInfo) -> dict[tuple[str, str], datetime]:
    """Return (unit code, file name) -> received time from the office's receipt log, if any."""
    path = quarter_dir / RECEIPT_LOG
    if not path.is_file():
        return {}
    result = read_csv(path, RECEIPT_LOG, contract("收件登记"))
    if "收件登记" not in result.sheets:
        log.warning("receipt log %s unreadable: %s", path, [i.message for i in result.issues])
        return {}
    typed, issues, _ = cast_sheet(result.sheets["收件登记"])
    for issue in issues:
        log.warning("receipt log %s: %s", path, issue.message)
    return {
        (row["unit_code"], row["file_name"]): row["received_at"].replace(tzinfo=tz)
        for row in typed.iter_rows(named=True)
        if row["unit_code"] and row["file_name"] and row["received_at"]
    }


def _format_of(path: Path) -> str:
    """Return the file format by suffix."""
    suffix = path.suffix.lower().lstrip(".")
    return suffix if suffix in {"xlsx", "xlsm", "xls", "csv"} else "unknown"


def _is_candidate(path: Path) -> bool:
    """Skip folders, hidden files and the lock files Excel/WPS leave behind (~$book.xlsx)."""
    return path.is_file() and not path.name.startswith((".", "~$"))


def discover(inbox: Path, quarter: str, tz: ZoneInfo) -> list[Submission]:
    """Return every submission of a quarter, sorted by unit then received time."""
    quarter_dir = inbox / quarter
    if not quarter_dir.is_dir():
        return []
    receipts = read_receipt_log(quarter_dir, tz)
    found = []
    for unit_dir in sorted(p for p in quarter_dir.iterdir() if p.is_dir()):
        unit = unit_dir.name.upper()
        files = sorted(p for p in unit_dir.iterdir() if _is_candidate(p))
        csvs = [p for p in files if _format_of(p) == "csv"]
        singles = [[p] for p in files if _format_of(p) != "csv"]
        for group in singles + _csv_bundles(csvs):
            found.append(_submission(inbox, quarter, unit, group, receipts, tz))
    # The same bytes sent twice (under another name, or again later) are one version: the first.
    unique: dict[tuple[str, str], Submission] = {}
    for sub in sorted(found, key=lambda s: (s.unit_code, s.received_at, s.sha256, s.file_name)):
        unique.setdefault((sub.unit_code, sub.sha256), sub)
    return list(unique.values())


def _csv_bundles(paths: list[Path]) -> list[list[Path]]:
    """Group CSV sheets named <单位代码>_<季度>_<表名>.csv into one bundle per prefix."""
    groups: dict[str, list[Path]] = {}
    for path in paths:
        match = _CSV_NAME.match(path.name)
        key = f"{match['unit']}_{match['quarter']}" if match else path.stem
        groups.setdefault(key, []).append(path)
    return [groups[k] for k in sorted(groups)]


def _submission(
    inbox: Path,
    quarter: str,
    unit: str,
    paths: list[Path],
    receipts: dict[tuple[str, str], datetime],
    tz: ZoneInfo,
) -> Submission:
    """Describe one file (or CSV bundle): hash, size and when it was received."""
    hashes = [sha256_of(p) for p in paths]
    if len(paths) == 1:
        sha = hashes[0]
    else:
        sha = hashlib.sha256(
            "".join(f"{p.name}:{h}\n" for p, h in zip(paths, hashes, strict=False)).encode()
        ).hexdigest()
    times, sources = [], []
    for path in paths:
        logged = receipts.get((unit, path.name))
        if logged is not None:
            times.append(logged)
            sources.append("收件登记")
        else:
            times.append(datetime.fromtimestamp(path.stat().st_mtime, tz).replace(microsecond=0))
            sources.append("文件修改时间")
    first = paths[0]
    name = (
        first.name if len(paths) == 1 else _CSV_NAME.sub(r"\g<unit>_\g<quarter>_*.csv", first.name)
    )
    return Submission(
        quarter=quarter,
        unit_code=unit,
        paths=tuple(paths),
        rel_path=str((first.parent / name).relative_to(inbox)),
        file_name=name,
        sha256=sha,
        size_bytes=sum(p.stat().st_size for p in paths),
        received_at=max(times),
        received_source="收件登记" if all(s == "收件登记" for s in sources) else "文件修改时间",
        file_format=_format_of(first),
    )

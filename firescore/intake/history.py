"""Earlier years' fire incident files (history/), the year-on-year baseline."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl

from firescore.intake.discover import Submission, sha256_of
from firescore.intake.pipeline import ReadFile, read_submission
from firescore.issues import ERROR
from firescore.registry import RegistryError
from firescore.scheme import Scheme
from firescore.warehouse.store import history_frame

SUFFIXES = {".xlsx", ".xlsm", ".xls", ".csv"}


def read_history(folder: Path, scheme: Scheme, max_bytes: int, max_rows: int) -> pl.DataFrame:
    """Read every history file as a 火灾情况 sheet; raise RegistryError on any error."""
    if not folder.is_dir():
        return history_frame([])
    files: list[ReadFile] = []
    for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES):
        sub = Submission(
            quarter="history",
            unit_code=scheme.fire_source_unit,
            paths=(path,),
            rel_path=path.name,
            file_name=path.name,
            sha256=sha256_of(path),
            size_bytes=path.stat().st_size,
            received_at=datetime.fromtimestamp(0, ZoneInfo(scheme.timezone)),
            received_source="history",
            file_format=path.suffix.lower().lstrip("."),
        )
        read = read_submission(sub, scheme, max_bytes, max_rows, sheets=["火灾情况"])
        errors = [f"{path.name}：{i.message}" for i in read.issues if i.severity == ERROR]
        if errors:
            raise RegistryError(errors)
        files.append(read)
    return history_frame(files)

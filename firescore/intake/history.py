"""Earlier years' fire incident files (history/), the year-on-year baseline."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl

from firescore.config import Limits
from firescore.intake.contracts import FIRE_SHEET, contract, format_of
from firescore.intake.discover import submission_of
from firescore.intake.fire_grade import as_stored
from firescore.intake.pipeline import ReadFile, read_files
from firescore.issues import ERROR
from firescore.registry import Registries, RegistryError
from firescore.scheme import Scheme


def read_history(
    folder: Path, scheme: Scheme, registries: Registries, limits: Limits
) -> pl.DataFrame:
    """Read every history file as a 火灾情况 sheet; raise RegistryError on any error."""
    if not folder.is_dir():
        return history_frame([])
    epoch = datetime.fromtimestamp(0, ZoneInfo(scheme.timezone))
    subs = [
        submission_of(
            [path],
            "history",
            scheme.fire_source_unit,
            path.name,
            [(epoch, "history")],
            origin="history",
        )
        for path in sorted(folder.iterdir())
        if format_of(path) != "unknown" and path.is_file()
    ]
    files = read_files(subs, scheme, registries, limits, sheets=[FIRE_SHEET])
    errors = [
        f"{read.submission.file_name}：{i.message}"
        for read in files
        for i in read.issues
        if i.severity == ERROR
    ]
    if errors:
        raise RegistryError(errors)
    return history_frame(files)


def history_frame(files: list[ReadFile]) -> pl.DataFrame:
    """Return the fire history rows of readable history files, with their source file name."""
    frames = [
        as_stored(f.typed[FIRE_SHEET]).with_columns(
            pl.lit(f.submission.file_name).alias("source_file")
        )
        for f in files
        if FIRE_SHEET in f.typed
    ]
    if not frames:
        return pl.DataFrame(schema={"source_file": pl.Utf8, **contract(FIRE_SHEET).typed_schema()})
    return pl.concat(frames)

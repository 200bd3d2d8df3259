"""out/<quarter>/validation/: the quarter's issue list as xlsx and csv (Data Docs beside them)."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
from xlsxwriter import Workbook

from firescore.publish import formats
from firescore.publish.atomic import atomic_path
from firescore.publish.formats import Formats
from firescore.publish.leader import ISSUES_SHEET, issue_columns, issue_values, write_issues_sheet
from firescore.publish.meta import PublishMeta
from firescore.publish.queries import ISSUES_SQL, QuarterData, fetch_rows
from firescore.publish.results_csv import CSV_ENCODING


def publish_validation(
    con: duckdb.DuckDBPyConnection,
    meta: PublishMeta,
    out_dir: Path,
    data: QuarterData | None = None,
) -> list[Path]:
    """Write 校验问题_<quarter>.xlsx and .csv (UTF-8 with BOM, so Excel opens it) into validation/."""
    issues = data.issues if data else fetch_rows(con, ISSUES_SQL, quarter=meta.quarter)
    target = Path(out_dir) / meta.quarter / "validation"
    workbook_path = target / f"校验问题_{meta.quarter}.xlsx"
    csv_path = target / f"校验问题_{meta.quarter}.csv"
    with atomic_path(workbook_path) as tmp, Workbook(tmp, formats.workbook_options()) as workbook:
        workbook.set_properties(formats.workbook_properties(meta.title, meta.created_utc()))
        heading = meta.heading(meta.sheet_title(ISSUES_SHEET))  # the office's own list: no 附件
        write_issues_sheet(workbook, Formats.create(workbook), heading, issues)
    with atomic_path(csv_path) as tmp, tmp.open("w", encoding=CSV_ENCODING, newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([c.header for c in issue_columns()])
        writer.writerows([_csv_text(v) for v in issue_values(row)] for row in issues)
    return [workbook_path, csv_path]


def _csv_text(value: object) -> str:
    """Return a cell for a CSV a person opens in Excel: text starting with = + - @ stays text."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in {"=", "+", "-", "@"} else text

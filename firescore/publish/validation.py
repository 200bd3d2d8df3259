"""out/<quarter>/validation/: the quarter's issue list as xlsx and csv (Data Docs beside them)."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
from xlsxwriter import Workbook

from firescore.atomic import atomic_path
from firescore.publish import formats
from firescore.publish.columns import issue_columns, issue_values
from firescore.publish.digests import content_digest, record, unchanged
from firescore.publish.formats import Formats
from firescore.publish.leader import ISSUES_SHEET, write_issues_sheet
from firescore.publish.meta import PublishMeta
from firescore.publish.queries import QuarterData, load_quarter
from firescore.publish.report_html import report_name, write_validation_report
from firescore.publish.results_csv import CSV_ENCODING


def publish_validation(
    con: duckdb.DuckDBPyConnection,
    meta: PublishMeta,
    out_dir: Path,
    data: QuarterData | None = None,
) -> list[Path]:
    """Write 校验问题_<quarter>.xlsx and .csv (UTF-8 with BOM, so Excel opens it) and
    校验报告_<quarter>.html (self-contained: opens offline) into validation/; return their paths."""
    data = data or load_quarter(con, meta.quarter, meta.timezone)
    issues = data.issues
    target = Path(out_dir) / meta.quarter / "validation"
    workbook_path = target / f"校验问题_{meta.quarter}.xlsx"
    csv_path = target / f"校验问题_{meta.quarter}.csv"
    paths = [workbook_path, csv_path, target / report_name(meta.quarter)]
    digest = content_digest("validation", meta, data.digest)
    if unchanged(paths, digest):  # nothing new since the last run
        return paths
    with atomic_path(workbook_path) as tmp, Workbook(tmp, formats.workbook_options()) as workbook:
        workbook.set_properties(formats.workbook_properties(meta.title, meta.created_utc()))
        heading = meta.heading(meta.sheet_title(ISSUES_SHEET))  # the office's own list: no 附件
        write_issues_sheet(workbook, Formats.create(workbook), heading, issues)
    with atomic_path(csv_path) as tmp, tmp.open("w", encoding=CSV_ENCODING, newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([c.header for c in issue_columns()])
        writer.writerows([_csv_text(v) for v in issue_values(row)] for row in issues)
    write_validation_report(paths[2], meta, data)
    record(paths, digest)
    return paths


def _csv_text(value: object) -> str:
    """Return a cell for a CSV a person opens in Excel: text starting with = + - @ stays text."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in {"=", "+", "-", "@"} else text

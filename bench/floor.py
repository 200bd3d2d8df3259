"""The I/O floor: read every sheet of every input file, write the product's output cells. Nothing else.

    python -m bench.floor --inputs DIR... --outputs OUT_QUARTER_DIR --scratch DIR --json floor.json

In one process and one thread: fastexcel/calamine reads every sheet of every input workbook
(and the CSV inputs), and plain xlsxwriter with no formats writes the same workbooks the
product wrote (the leader workbook and every feedback workbook: same sheets, same non-empty
cells, values as calamine reads them back) plus results.csv, in memory and without fsync. The product's output cells are
loaded before the clock starts; that is not part of the floor.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

EXCEL = {".xlsx", ".xlsm", ".xls"}

Sheet = tuple[str, list[list[object]]]  # name, rows of values (None = empty cell)


def input_files(roots: list[Path]) -> list[Path]:
    """Return every file under the given folders (or the files themselves), sorted."""
    found: list[Path] = []
    for root in roots:
        if root.is_file():
            found.append(root)
        else:
            found += sorted(p for p in root.rglob("*") if p.is_file())
    return found


def read_inputs(paths: list[Path]) -> dict[str, int]:
    """Read every sheet of every workbook (and every CSV) into polars frames; return counts."""
    import fastexcel
    import polars as pl

    counts = {"files": 0, "sheets": 0, "cells": 0, "unreadable": 0}
    for path in paths:
        counts["files"] += 1
        suffix = path.suffix.lower()
        try:
            if suffix in EXCEL:
                reader = fastexcel.read_excel(path)
                for name in reader.sheet_names:
                    frame = reader.load_sheet(name, header_row=None).to_polars()
                    counts["sheets"] += 1
                    counts["cells"] += frame.height * frame.width
            elif suffix == ".csv":
                frame = pl.read_csv(path, has_header=False, infer_schema=False)
                counts["sheets"] += 1
                counts["cells"] += frame.height * frame.width
        except Exception:  # a file that is not a workbook: the product rejects it too
            counts["unreadable"] += 1
    return counts


def output_workbooks(out_quarter: Path) -> list[Path]:
    """Return the product's output workbooks of a quarter (leader first, then feedback)."""
    leader = sorted(out_quarter.glob("*.xlsx"))
    feedback = sorted((out_quarter / "单位反馈").glob("*.xlsx"))
    return leader + feedback


def load_cells(workbook: Path) -> list[Sheet]:
    """Return the sheets of a workbook as rows of values (calamine's view of the cells)."""
    import fastexcel

    reader = fastexcel.read_excel(workbook)
    sheets = []
    for name in reader.sheet_names:
        frame = reader.load_sheet(name, header_row=None).to_polars()
        sheets.append((name, [list(row) for row in frame.iter_rows()]))
    return sheets


def load_outputs(out_quarter: Path) -> tuple[list[tuple[str, list[Sheet]]], list[str]]:
    """Return (file name, sheets) of every output workbook and the lines of results.csv."""
    books = [
        (p.relative_to(out_quarter).as_posix(), load_cells(p))
        for p in output_workbooks(out_quarter)
    ]
    csv_path = out_quarter / "results.csv"
    lines = csv_path.read_text(encoding="utf-8").splitlines() if csv_path.is_file() else []
    return books, lines


def write_outputs(
    books: list[tuple[str, list[Sheet]]], lines: list[str], scratch: Path
) -> dict[str, int]:
    """Write the same workbooks with plain xlsxwriter (no formats) and results.csv; return counts."""
    from xlsxwriter import Workbook

    counts = {"workbooks": 0, "sheets": 0, "cells": 0}
    for rel, sheets in books:
        path = scratch / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        # in_memory: no temporary file per worksheet (xlsxwriter's default writes one)
        with Workbook(path, {"in_memory": True}) as book:
            for name, rows in sheets:
                sheet = book.add_worksheet(name)
                for r, row in enumerate(rows):
                    for c, value in enumerate(row):
                        if value is not None and value != "":
                            sheet.write(r, c, value)
                            counts["cells"] += 1
                counts["sheets"] += 1
        counts["workbooks"] += 1
    if lines:
        (scratch / "results.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return counts


def measure_floor(inputs: list[Path], out_quarter: Path, scratch: Path) -> dict:
    """Load the product's outputs (untimed), then time the floor's reads and writes."""
    books, lines = load_outputs(out_quarter)
    paths = input_files(inputs)
    start = time.perf_counter()
    import fastexcel  # noqa: F401
    import polars  # noqa: F401
    import xlsxwriter  # noqa: F401

    imported = time.perf_counter()
    read = read_inputs(paths)
    done_reading = time.perf_counter()
    written = write_outputs(books, lines, scratch)
    end = time.perf_counter()
    return {
        "seconds": {
            "imports": imported - start,
            "read": done_reading - imported,
            "write": end - done_reading,
        },
        "total": end - start,
        "read_counts": read,
        "write_counts": written,
    }


def main(argv: list[str] | None = None) -> int:
    """Command line: measure the floor in this process and write JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench.floor")
    parser.add_argument("--inputs", type=Path, nargs="+", required=True)
    parser.add_argument("--outputs", type=Path, required=True, help="the product's out/<quarter>")
    parser.add_argument("--scratch", type=Path, required=True)
    parser.add_argument("--json", type=Path, required=True)
    args = parser.parse_args(argv)
    result = measure_floor(args.inputs, args.outputs, args.scratch)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

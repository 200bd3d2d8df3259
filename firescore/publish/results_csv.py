"""results.csv: one row per ranked unit, for other systems and for tests.

UTF-8 with a BOM, so that Excel and WPS open it by double-click with Chinese intact; "\\n"
line ends, numbers with exactly 2 decimals as shown, blank for a block that is not applicable,
veto as true/false.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from firescore.atomic import atomic_path

RESULTS_CSV_NAME = "results.csv"
# UTF-8 with a BOM: Excel (and WPS) take a CSV without one for the local code page (GBK).
CSV_ENCODING = "utf-8-sig"
HEADER = (
    "unit_code",
    "unit_name",
    "group",
    "tasks_score",
    "indicators_score",
    "fire_score",
    "reporting_score",
    "adjustment",
    "total",
    "grade",
    "veto",
    "rank",
)
_CENT = Decimal("0.01")


def two_decimals(value: Decimal | None) -> str:
    """Return a score with exactly 2 decimals, half-up, in Decimal arithmetic; blank for NULL."""
    if value is None:
        return ""
    return str(Decimal(value).quantize(_CENT, rounding=ROUND_HALF_UP))


def results_row(row: dict[str, Any]) -> list[str]:
    """Return one ranked unit's CSV fields."""
    return [
        row["unit_code"],
        row["unit_name"],
        row["grp"],
        two_decimals(row["tasks_score"]),
        two_decimals(row["indicators_score"]),
        two_decimals(row["fire_score"]),
        two_decimals(row["reporting_score"]),
        two_decimals(row["adjustment"]),
        two_decimals(row["total"]),
        row["grade"],
        "true" if row["veto"] else "false",
        "" if row["rank"] is None else str(row["rank"]),
    ]


def write_results_csv(path: Path, ranked: Iterable[dict[str, Any]]) -> None:
    """Write results.csv atomically; ``ranked`` is already in group, rank, unit-code order."""
    with atomic_path(path) as tmp, tmp.open("w", encoding=CSV_ENCODING, newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(results_row(row) for row in ranked)

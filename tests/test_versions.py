"""Versions of a unit's file: the newest valid one is used, nothing is ever lost."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from firescore.config import Limits
from firescore.intake.discover import discover
from firescore.intake.pipeline import Earlier, intake
from firescore.registry import load_registries
from firescore.scheme import load_scheme
from firescore.warehouse.store import connect, known_files, load_files
from tests.builders import street_file, write_registries

ROOT = Path(__file__).resolve().parent.parent
TZ = ZoneInfo("Asia/Shanghai")
LIMITS = Limits(max_file_bytes=10_000_000, max_sheet_rows=10_000)
GOOD = [
    ["T01", "消防用水整治", "已完成", date(2026, 6, 1), None, None, "报告"],
    ["T02", "消防宣传", "推进中", None, 2, "已开展", "照片"],
]
BAD = [["T01", "消防用水整治", "已完", date(2026, 6, 1), None, None, None]]


@pytest.fixture
def world(tmp_path):
    scheme = load_scheme(ROOT / "data_samples" / "scheme.yaml")
    registries = load_registries(*write_registries(tmp_path / "reg"), LIMITS)
    con = connect(tmp_path / "wh.duckdb")
    yield tmp_path, scheme, registries, con
    con.close()


def receive(tmp_path: Path, log: list[tuple[str, str]]) -> None:
    """Write the office's receipt log for JD01's files."""
    lines = ["单位代码,文件名,接收时间"] + [f"JD01,{name},{when}" for name, when in log]
    (tmp_path / "inbox/2026Q2/收件登记.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def run_intake(tmp_path, scheme, registries, con) -> None:
    """Discover, read, validate and load the new files of 2026Q2, as the flow does."""
    known = known_files(con, "2026Q2")
    subs = [
        s
        for s in discover(tmp_path / "inbox", "2026Q2", scheme, registries).submissions
        if (s.unit_code, s.sha256) not in known
    ]
    files = intake(subs, "2026Q2", scheme, registries, LIMITS, Earlier.none(), engine="polars")
    load_files(con, files, "test", datetime(2026, 7, 11, tzinfo=UTC))


def versions(con) -> list[tuple[str, str]]:
    """Return (file name, status) of JD01's versions, oldest first."""
    return con.execute(
        "SELECT file_name, status FROM file_versions WHERE unit_code = 'JD01' ORDER BY received_at"
    ).fetchall()


def test_later_valid_supersedes_later_invalid_does_not_displace(world):
    tmp_path, scheme, registries, con = world
    folder = tmp_path / "inbox/2026Q2/JD01"
    street_file(folder / "初稿.xlsx", tasks=GOOD[:1])
    street_file(folder / "定稿.xlsx", tasks=GOOD)
    receive(tmp_path, [("初稿.xlsx", "2026-07-03 10:00"), ("定稿.xlsx", "2026-07-05 10:00")])
    run_intake(tmp_path, scheme, registries, con)
    assert versions(con) == [("初稿.xlsx", "superseded"), ("定稿.xlsx", "accepted")]

    # A later file with an error is rejected; the valid version stays the one used.
    street_file(folder / "补充.xlsx", tasks=BAD)
    receive(
        tmp_path,
        [
            ("初稿.xlsx", "2026-07-03 10:00"),
            ("定稿.xlsx", "2026-07-05 10:00"),
            ("补充.xlsx", "2026-07-08 10:00"),
        ],
    )
    run_intake(tmp_path, scheme, registries, con)
    assert versions(con) == [
        ("初稿.xlsx", "superseded"),
        ("定稿.xlsx", "accepted"),
        ("补充.xlsx", "rejected"),
    ]
    rejected_issues = con.execute(
        "SELECT i.message FROM raw_issues i JOIN raw_files f USING (sha256) WHERE f.file_name = '补充.xlsx'"
    ).fetchall()
    assert ("任务进展!C3「完成状态」为“已完”，应为：已完成、推进中、未启动",) in rejected_issues
    # Rows are loaded for valid versions only: the rejected file left nothing half-loaded.
    assert con.execute(
        "SELECT count(*) FROM raw_task_rows r JOIN raw_files f USING (sha256) WHERE f.file_name = '补充.xlsx'"
    ).fetchone() == (0,)


def test_same_bytes_twice_are_one_version_and_not_parsed_again(world):
    tmp_path, scheme, registries, con = world
    folder = tmp_path / "inbox/2026Q2/JD01"
    street_file(folder / "报表.xlsx", tasks=GOOD)
    shutil.copy(folder / "报表.xlsx", folder / "报表(1).xlsx")
    receive(tmp_path, [("报表.xlsx", "2026-07-03 10:00"), ("报表(1).xlsx", "2026-07-04 10:00")])
    run_intake(tmp_path, scheme, registries, con)
    assert versions(con) == [("报表.xlsx", "accepted")]
    # A re-run finds nothing new to parse.
    known = known_files(con, "2026Q2")
    found = discover(tmp_path / "inbox", "2026Q2", scheme, registries).submissions
    assert all((s.unit_code, s.sha256) in known for s in found)

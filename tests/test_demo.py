"""`make demo` twice on one checkout: the second works (exit 0) and leaves every output as it was.

The commands are read from the Makefile's demo recipe, so this follows what `make demo` runs:
2026Q1, 2026Q2 (draft, the sample's disputes ruled), `appeals`, `publish --final`. The second
time 2026Q2 is final and its inputs unchanged: the run and the finalisation do nothing.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from firescore import cli
from tests.readback import table

ROOT = Path(__file__).resolve().parent.parent
STATE = ("firescore.duckdb", "firescore.duckdb.sha256", "firescore.duckdb.lock", "firescore.log")


def demo_commands() -> list[list[str]]:
    """Return the firescore commands of the Makefile's demo recipe, as argument lists."""
    recipe = re.search(r"^demo:.*\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text("utf-8"), re.M)
    lines = [line.strip() for line in recipe.group(1).splitlines()]
    return [shlex.split(line)[1:] for line in lines if line.startswith("$(BIN)/firescore ")]


def outputs(out: Path) -> dict[str, bytes | None]:
    """Return every output file by relative path with its bytes (the warehouse and the log are
    state, not outputs); Data Docs pages carry GX's run time, so only their names are compared,
    as tests/test_recovery.py does."""
    found: dict[str, bytes | None] = {}
    for path in sorted(out.rglob("*")):
        if not path.is_file() or path.name in STATE:
            continue
        parts = path.relative_to(out).parts
        if "data_docs" in parts:
            at = parts.index("data_docs")
            docs = parts[: at + 2] + ((parts[at + 2],) if len(parts) > at + 3 else ()) + parts[-1:]
            found["/".join(docs)] = None
        else:
            found["/".join(parts)] = path.read_bytes()
    return found


@pytest.fixture(scope="module")
def twice(prefect_harness, tmp_path_factory):
    """Run the demo's commands twice on a copy of the sample inbox; keep each pass's results."""
    root = tmp_path_factory.mktemp("demo")
    shutil.copytree(ROOT / "data_samples" / "inbox", root / "inbox")
    paths = ["--config", str(ROOT / "firescore.toml"), "--out", str(root / "out")]
    paths += ["--inbox", str(root / "inbox"), "--warehouse", str(root / "out" / "firescore.duckdb")]
    passes = []
    for _ in range(2):
        results = [CliRunner().invoke(cli.app, [*args, *paths]) for args in demo_commands()]
        passes.append((results, outputs(root / "out")))
    return root, passes


def test_the_demo_runs_2026q2_through_its_disputes_to_the_final():
    assert [args[:2] for args in demo_commands()] == [
        ["run", "--quarter"],
        ["run", "--quarter"],
        ["appeals", "--quarter"],
        ["publish", "--quarter"],
    ]


def test_a_second_demo_works_and_leaves_every_output_byte_for_byte(twice):
    root, [(first, before), (second, after)] = twice
    assert [r.exit_code for r in first] == [0, 0, 0, 0], [r.output for r in first]
    assert [r.exit_code for r in second] == [0, 0, 0, 0], [r.output for r in second]
    assert "无需重新评分，输出文件未改写" in second[1].output
    assert "无需再次定稿" in second[3].output
    assert sorted(after) == sorted(before)
    assert [name for name in before if before[name] != after[name]] == []


def test_the_demo_shows_a_dispute_ruled_and_the_quarter_final(twice):
    root, [(first, _), _] = twice
    appeals = first[2].output
    assert "申诉期：征求意见稿 2026-07-13 发布后5个工作日内，截至 2026-07-20（含当日）" in appeals
    assert "收到申诉表 3 份，申诉事项 2 项" in appeals
    assert (
        "2026Q2/申诉/JD10/大坪街道申诉表.xlsx：申诉表于 2026-07-21 08:40 收到，已过申诉期"
        in appeals
    )
    assert "发布状态：正式稿（2026年7月24日 17:00 由张明定稿，本季度已锁定）" in first[3].output
    book = openpyxl.load_workbook(root / "out" / "2026Q2" / "考核结果_2026Q2.xlsx")
    rows = table(book["申诉处理"])
    assert [(r[0], r[2], r[5], r[6], r[7]) for r in rows] == [
        ("JD06", "I01", "更正（数值改为36）", 1.31, 0.37),
        ("JD09", "T13", "维持", 1.5, 1.5),
    ]
    title = next(c for c in next(book["排名总表"].iter_rows(max_row=3, values_only=True)) if c)
    assert "征求意见稿" not in title


def test_the_committed_rulings_are_what_appeals_prefills_for_the_committed_forms(twice):
    # The office's workbook (data_samples/appeals.py) holds the disputes as `appeals` lists them
    # from the published draft: units, items, lost points, claims and their cells.
    root, _ = twice
    office = table(
        openpyxl.load_workbook(root / "inbox" / "2026Q2" / "申诉" / "申诉处理_2026Q2.xlsx")[
            "申诉处理"
        ]
    )
    prefilled = table(
        openpyxl.load_workbook(root / "out" / "2026Q2" / "申诉处理_2026Q2.xlsx")["申诉处理"]
    )
    assert [r[:7] for r in office] == [r[:7] for r in prefilled]
    assert [r[7:] for r in prefilled] == [(None,) * 5] * 2


def test_the_committed_forms_list_the_lost_points_as_the_draft_publishes_them(twice, tmp_path):
    # Each unit's 申诉表 (data_samples/appeals.py) holds the rows `templates --appeal` pre-fills
    # from the demo's warehouse: 项目编号, 扣分项目, 失分, 扣分原因.
    root, _ = twice
    paths = ["--config", str(ROOT / "firescore.toml")]
    paths += ["--warehouse", str(root / "out" / "firescore.duckdb"), "--out", str(tmp_path)]
    folder = root / "inbox" / "2026Q2" / "申诉"
    for unit in ("JD06", "JD09", "JD10"):
        args = ["templates", "--appeal", "--quarter", "2026Q2", "--unit", unit, *paths]
        made = CliRunner().invoke(cli.app, args)
        assert made.exit_code == 0, made.output
        [prefilled] = tmp_path.glob(f"{unit}_*.xlsx")
        [committed] = (folder / unit).glob("*.xlsx")
        expected = [r[:4] for r in table(openpyxl.load_workbook(prefilled)["申诉表"])]
        assert [r[:4] for r in table(openpyxl.load_workbook(committed)["申诉表"])] == expected

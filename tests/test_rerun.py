"""A re-run pays only for what changed: Great Expectations is loaded only when a file is new,
Data Docs get pages for the new validations only, beside those of earlier runs, and a run with
nothing new writes no output again."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from urllib.parse import unquote

import pytest

from firescore.config import load_config
from firescore.quarter import run_quarter
from tests.builders import street_file
from tests.office import ROOT, District, office_env, tiny_district

# A run in a process of its own, as `firescore run` is: it prints how many files were new and
# whether the process ever loaded Great Expectations (or pandas, which only GX needs).
RUN_AND_REPORT_MODULES = """
import json, sys
from pathlib import Path
from firescore.config import load_config
from firescore.quarter import run_quarter
summary = run_quarter(load_config(Path(sys.argv[1])), "2026Q2")
print(json.dumps([summary.files_new, "great_expectations" in sys.modules, "pandas" in sys.modules]))
"""


def docs_folder(district: District) -> Path:
    """Return the quarter's Data Docs folder."""
    return district.out / "2026Q2" / "validation" / "data_docs"


def pages(district: District) -> dict[str, bytes]:
    """Return every validation page of the Data Docs by relative path, with its bytes."""
    docs = docs_folder(district)
    return {
        str(p.relative_to(docs)): p.read_bytes()
        for p in sorted((docs / "validations").rglob("*.html"))
    }


def tree(folder: Path) -> dict[str, tuple[int, bytes]]:
    """Return every file under folder: its modification time and bytes."""
    return {
        str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.read_bytes())
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def first(tmp_path_factory) -> tuple[District, str]:
    """A district after its first run; return it and the run's id."""
    district = tiny_district(tmp_path_factory.mktemp("district"))
    summary = run_quarter(load_config(district.config), "2026Q2")
    assert summary.files_new == 2
    return district, summary.run_id


@pytest.fixture(scope="module")
def unchanged_rerun(first) -> tuple[list, dict, dict]:
    """Run again with nothing new, in a fresh process; return its report and the docs before/after."""
    district, _ = first
    before = tree(district.out / "2026Q2")
    process = subprocess.run(
        [sys.executable, "-c", RUN_AND_REPORT_MODULES, str(district.config)],
        env=office_env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert process.returncode == 0, process.stderr
    return (
        json.loads(process.stdout.strip().splitlines()[-1]),
        before,
        tree(district.out / "2026Q2"),
    )


def test_a_rerun_with_no_new_file_never_loads_great_expectations(unchanged_rerun) -> None:
    (files_new, gx_loaded, pandas_loaded), _, _ = unchanged_rerun
    assert files_new == 0
    # The seconds of GX's import are not paid when there is nothing to validate.
    assert (gx_loaded, pandas_loaded) == (False, False)


def test_a_rerun_with_no_new_file_writes_no_output_again(unchanged_rerun) -> None:
    _, before, after = unchanged_rerun
    names = {Path(name).name for name in before}
    assert {"考核结果_2026Q2.xlsx", "results.csv", "校验问题_2026Q2.xlsx", "index.html"} <= names
    # Workbooks, results.csv, validation outputs, Data Docs: same bytes, not even touched.
    assert after == before


@pytest.fixture(scope="module")
def changed_rerun(first, unchanged_rerun) -> tuple[dict, dict, str, str]:
    """Correct JD01's file and run again; return the pages before and after and both run ids."""
    district, first_id = first
    before = pages(district)
    leader = district.out / "2026Q2" / "考核结果_2026Q2.xlsx"
    stamp = leader.stat().st_mtime_ns
    street_file(district.inbox / "2026Q2" / "JD01" / "解放碑街道.xlsx", filled=date(2026, 7, 6))
    summary = run_quarter(load_config(district.config), "2026Q2")
    assert summary.files_new == 1
    assert leader.stat().st_mtime_ns != stamp  # the leaders' workbook follows every change
    return before, pages(district), first_id, summary.run_id


def test_a_rerun_renders_pages_for_its_new_file_only_and_keeps_the_earlier_ones(
    changed_rerun,
) -> None:
    before, after, first_id, second_id = changed_rerun
    # Every page of the first run is still there, not rendered again (same bytes).
    assert {name: after[name] for name in before} == before
    assert {name.split("/")[2] for name in before} == {first_id}
    new = sorted(name.split("/")[1] for name in set(after) - set(before))
    # One page per sheet type of the one new file, under the new run's id.
    assert new == ["任务进展", "基本信息", "工作指标"]
    assert {name.split("/")[2] for name in set(after) - set(before)} == {second_id}


def test_the_data_docs_index_lists_the_pages_of_every_run(first, changed_rerun) -> None:
    district, _ = first
    _, after, _, _ = changed_rerun
    index = unquote((docs_folder(district) / "index.html").read_text(encoding="utf-8"))
    assert [name for name in after if name not in index] == []

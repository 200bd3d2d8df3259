"""A run killed at any stage boundary, then run again, leaves exactly the outputs of a run that
was never interrupted (real processes killed by the injectable hook firescore.quarter.boundary)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from firescore.config import load_config
from firescore.quarter import BOUNDARIES, run_quarter
from tests.office import ROOT, District, office_env, tiny_district

DOCS = Path("2026Q2") / "validation" / "data_docs"
# One process imports the stack once, then forks one run per boundary (each a real process,
# killed by the hook at its boundary); it prints each child's exit status.
KILLED_RUNS = """
import json, os, sys
from pathlib import Path
from firescore.config import load_config
from firescore.quarter import BOUNDARIES, CRASH_AT, run_quarter
import great_expectations  # imported once, before forking (it takes seconds)
config, root = load_config(Path(sys.argv[1])), Path(sys.argv[2])
status = {}
for boundary in BOUNDARIES:
    pid = os.fork()
    if pid == 0:
        os.environ[CRASH_AT] = boundary
        place = root / boundary
        run_quarter(config.with_overrides(out=place / "out", warehouse=place / "wh" / "wh.duckdb"), "2026Q2")
        os._exit(0)
    status[boundary] = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
print(json.dumps(status))
"""


def outputs(out: Path) -> dict[str, bytes | int]:
    """Return every output file by relative path: its bytes, or for Data Docs how many there are.

    Data Docs pages and results carry GX's run time, in their content and in one folder name
    (…/<sheet>/<run id>/<run time>/<page>): they are counted by their path without that folder,
    so a re-run after a kill must replace the killed attempt's pages, not add to them.
    """
    found: dict[str, bytes | int] = {}
    for path in sorted(out.rglob("*")):
        if not path.is_file() or path.name == "firescore.log":
            continue
        relative = path.relative_to(out)
        if relative.is_relative_to(DOCS):
            parts = relative.relative_to(DOCS).parts
            name = str(DOCS / Path(*parts[:3], parts[-1]) if len(parts) == 5 else relative)
            found[name] = int(found.get(name, 0)) + 1
        else:
            found[str(relative)] = path.read_bytes()
    return found


@pytest.fixture(scope="module")
def district(tmp_path_factory) -> District:
    """One inbox (fixed receipt times) shared by every run of this module."""
    return tiny_district(tmp_path_factory.mktemp("district"))


@pytest.fixture(scope="module")
def uninterrupted(district, tmp_path_factory) -> dict[str, bytes | int]:
    """The outputs of a run that nobody interrupted."""
    out, warehouse = tmp_path_factory.mktemp("clean"), tmp_path_factory.mktemp("wh") / "wh.duckdb"
    config = load_config(district.config).with_overrides(out=out, warehouse=warehouse)
    run_quarter(config, "2026Q2")
    found = outputs(out)
    assert any(name.startswith("2026Q2/rejected/JD02/") for name in found)
    assert any(name.startswith(str(DOCS)) for name in found)
    return found


@pytest.fixture(scope="module")
def killed(district, tmp_path_factory) -> Path:
    """Kill one run at each boundary; return the folder holding each one's out/ and wh/."""
    root = tmp_path_factory.mktemp("killed")
    process = subprocess.run(
        [sys.executable, "-c", KILLED_RUNS, str(district.config), str(root)],
        env=office_env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert process.returncode == 0, process.stderr
    # Every run died at its boundary, like kill -9 (no finally blocks, no clean-up).
    assert json.loads(process.stdout) == {boundary: 137 for boundary in BOUNDARIES}
    return root


def stale_temps(out: Path, warehouse: Path) -> list[Path]:
    """Plant what a process killed mid-write leaves behind (pid 2**22 + 1 never runs)."""
    dead = 2**22 + 1
    planted = [
        out / "2026Q2" / f".考核结果_2026Q2.xlsx.{dead}.0badf00d.tmp",
        out / "2026Q2" / "单位反馈" / f".JD01_解放碑街道.xlsx.{dead}.0badf00d.tmp",
        out / "2026Q2" / "rejected" / f".问题清单.txt.{dead}.0badf00d.tmp",
        warehouse.with_name(f".{warehouse.name}.{dead}.0badf00d.tmp"),
    ]
    for path in planted:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half a file")
    return planted


@pytest.mark.parametrize("boundary", BOUNDARIES)
def test_a_rerun_after_a_kill_at_any_boundary_completes_every_output(
    uninterrupted, killed, district, boundary
):
    out, warehouse = killed / boundary / "out", killed / boundary / "wh" / "wh.duckdb"
    planted = stale_temps(out, warehouse)

    config = load_config(district.config).with_overrides(out=out, warehouse=warehouse)
    run_quarter(config, "2026Q2")

    assert outputs(out) == uninterrupted
    assert [path for path in planted if path.exists()] == []
    assert list((killed / boundary).rglob(".*.tmp*")) == []

"""The benchmark machinery on a tiny generated district: run, stages, floor, naive, re-run, tables."""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import pytest

from bench.floor import measure_floor
from bench.naive import run_naive
from bench.procs import Proc, tree_rss_mb
from bench.report import FLOW_STAGES, table
from bench.run import (
    SCHEME,
    SizeResult,
    bench_env,
    change_one_value,
    cli_run,
    estimate_naive,
    file_to_change,
    stage_labels,
    write_config,
)
from bench.stages import STAGES, run_stages
from data_samples.generate import generate

QUARTER = "2026Q1"


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    """Generate 6 units, run the stages, re-run after one change, measure floor and naive."""
    root = tmp_path_factory.mktemp("bench")
    data = root / "data"
    generate(data, 6, 2026, [QUARTER])
    config = write_config(root / "firescore.toml", data, root / "out")
    first = run_stages(config, QUARTER)
    changed = file_to_change(data, QUARTER)
    original = changed.read_bytes()
    change_one_value(changed)
    try:
        rerun = run_stages(config, QUARTER)
    finally:
        changed.write_bytes(original)
    inputs = [data / "inbox" / QUARTER, data / "history", data / "units.csv", data / "tasks.csv"]
    floor = measure_floor(inputs, root / "out" / QUARTER, root / "scratch")
    naive = run_naive(data, SCHEME, QUARTER, root / "naive")
    sample = run_naive(data, SCHEME, QUARTER, root / "naive-sample", limit_units=2)
    # The CLI as the bench runs it: a cold process, its own Prefect home and ephemeral server.
    cli = write_config(root / "cli" / "firescore.toml", data, root / "cli" / "out")
    env = bench_env(root / "work")
    run = cli_run(cli, QUARTER, env, root / "work" / "run.log", stage_labels())
    return {
        "root": root,
        "data": data,
        "first": first,
        "rerun": rerun,
        "floor": floor,
        "naive": naive,
        "sample": sample,
        "run": run,
    }


def totals(path: Path) -> dict[str, str]:
    """Return results.csv totals by unit code, as shown (2 decimals)."""
    with path.open(encoding="utf-8-sig") as handle:
        return {row["unit_code"]: f"{float(row['total']):.2f}" for row in csv.DictReader(handle)}


def test_stages_time_every_stage_and_the_rerun_parses_only_the_changed_file(measured):
    first, rerun = measured["first"], measured["rerun"]
    assert set(first["seconds"]) == set(STAGES)
    assert all(first["seconds"][s] > 0 for s in ("read", "validate", "load", "score", "publish"))
    assert first["files_new"] == first["files_seen"] == 9
    assert rerun["files_new"] == 1


def test_floor_reads_every_input_and_writes_every_output_workbook(measured):
    floor = measured["floor"]
    # inbox files, receipt log, history, registries
    assert floor["read_counts"]["files"] == 9 + 1 + 1 + 2
    assert floor["read_counts"]["unreadable"] == 0
    # the leader workbook and one feedback workbook per unit of the registry
    assert floor["write_counts"]["workbooks"] == 1 + measured["first"]["feedback_workbooks"]
    assert floor["write_counts"]["cells"] > 1000
    assert floor["total"] > 0


def test_naive_stack_scores_like_the_product(measured):
    product = totals(measured["root"] / "out" / QUARTER / "results.csv")
    naive = totals(measured["root"] / "naive" / QUARTER / "results.csv")
    assert naive == product
    assert measured["naive"]["rejected"] == measured["first"]["rejected"]


def test_naive_estimate_from_a_sample_extrapolates_per_file_and_per_unit(measured):
    sample = measured["sample"]
    assert sample["units"] == 2
    estimate = estimate_naive(
        sample, measured["data"], QUARTER, measured["first"]["feedback_workbooks"]
    )
    assert estimate["per_file"] > 0 and estimate["per_unit"] > 0
    assert estimate["total"] > sample["total"] - sample["seconds"]["score"]


def test_the_run_gives_its_stages_from_prefects_record_of_its_flow_run(measured):
    run = measured["run"]
    flow = run.flow
    assert flow is not None and flow["complete"]
    # every stage of the flow, each inside the flow run, the flow run inside the process
    assert set(flow["stages"]) == set(FLOW_STAGES)
    assert all(0 < seconds < flow["flow_s"] for seconds in flow["stages"].values())
    assert 0 <= flow["prefect_in_flow_s"] < flow["flow_s"] < run.wall
    assert run.tree_mb >= run.peak_mb > 50


def test_tree_memory_counts_a_child_process(tmp_path):
    import subprocess
    import sys
    import time

    own = tree_rss_mb(os.getpid())
    child = subprocess.Popen(
        [sys.executable, "-c", "import time; x = bytearray(200 << 20); time.sleep(30)"]
    )
    try:
        time.sleep(3)
        assert tree_rss_mb(os.getpid()) > own + 150
    finally:
        child.kill()
        child.wait()


def sized(units: int, measured: dict, scale: float) -> SizeResult:
    """Return a SizeResult at a pretended size: the tiny district's figures times scale."""
    run = measured["run"]
    flow = {**run.flow, "stages": {k: v * scale for k, v in run.flow["stages"].items()}}
    grown = Proc(run.wall * scale, run.peak_mb, 0, "", run.tree_mb, run.started_utc, flow)
    result = SizeResult(units=units, files=9, feedback_workbooks=8)
    result.floor.append({**measured["floor"], "peak_mb": 80.0})
    result.run.append(grown)
    result.rerun.append(Proc(run.wall * 0.5, run.peak_mb, 0, "", run.tree_mb))
    first = measured["first"]
    result.stages.append({**first, "total": sum(first["seconds"].values()), "peak_mb": 400.0})
    result.rerun_stages.append({**measured["rerun"], "peak_mb": 400.0})
    result.naive = {**measured["naive"], "peak_mb": 300.0}
    result.dask_note = "not available at commit x: no [runner] in its config"
    return result


def test_table_has_every_measure_and_each_goal_met_or_missed(measured):
    results = [sized(3000, measured, 1.0), sized(30000, measured, 12.0)]
    prefect = [Proc(1.0, 190.0, 0, "")]
    meta = {"started": "today", "host": "test machine", "product": "commit x"}
    report = table(results, prefect, {**meta, "quarter": QUARTER, "seed": 2026})
    rows = {
        line.split(" | ")[0].lstrip("| "): line
        for line in report.splitlines()
        if line.startswith("| ")
    }
    for label in (
        "(a) I/O floor",
        "(b) `firescore run`",
        "(b) stages",
        "(c) naive stack",
        "(d) re-run after one file changed, same warehouse, ephemeral",
        "(d) re-run after one file changed, persistent server",
        "(f) `firescore run`, Dask runner",
        "**run/floor**",
        "**naive/run**",
    ):
        assert any(key.startswith(label) for key in rows), label
    floor_row = next(v for k, v in rows.items() if k.startswith("(a) I/O floor"))
    assert float(re.search(r"\| ([0-9.]+) s \|", floor_row)[1]) > 0
    ratio_row = next(v for k, v in rows.items() if k.startswith("run/floor with stage times"))
    assert float(ratio_row.split(" | ")[1]) > 0
    dask_row = next(v for k, v in rows.items() if k.startswith("(f)"))
    assert "not available" in dask_row
    assert "- (f) at 30,000 units: not available at commit x" in report
    # every stage grew ×12 for ×10 units: each growth goal is missed, and says by how much
    goals = [line for line in report.splitlines() if line.startswith("| growth ≤ ×11")]
    stages = [line for line in goals if ": stage " in line]
    assert stages and all("**missed** by ×1.09 the limit" in line for line in stages)
    assert all("**missed**" in line for line in goals)
    memory = next(line for line in report.splitlines() if line.startswith("| peak memory ≤ 1,500"))
    assert "**met**" in memory


def test_naive_stack_follows_the_double_fall_switch(measured, tmp_path):
    # fire.require_fall (双降) on: some totals change, and the naive stack still scores like the product
    from firescore.config import load_config
    from firescore.quarter import run_quarter

    scheme = tmp_path / "scheme.yaml"
    text = SCHEME.read_text(encoding="utf-8")
    scheme.write_text(text.replace("require_fall: false", "require_fall: true"), encoding="utf-8")
    config = load_config(measured["root"] / "firescore.toml").with_overrides(
        scheme=scheme, out=tmp_path / "out", warehouse=tmp_path / "out" / "wh.duckdb"
    )
    run_quarter(config, QUARTER)
    product = totals(tmp_path / "out" / QUARTER / "results.csv")
    assert product != totals(measured["root"] / "out" / QUARTER / "results.csv")
    run_naive(measured["data"], scheme, QUARTER, tmp_path / "naive")
    assert totals(tmp_path / "naive" / QUARTER / "results.csv") == product

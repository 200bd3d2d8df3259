"""The benchmark machinery on a tiny generated district: stages, floor, naive stack, re-run, table."""

from __future__ import annotations

import argparse
import csv
import re
from pathlib import Path

import pytest

from bench.floor import measure_floor
from bench.naive import run_naive
from bench.run import (
    SCHEME,
    SizeResult,
    change_one_value,
    estimate_naive,
    file_to_change,
    table,
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
    return {
        "root": root,
        "data": data,
        "first": first,
        "rerun": rerun,
        "floor": floor,
        "naive": naive,
        "sample": sample,
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
    assert 0 < floor["total"] < sum(measured["first"]["seconds"].values())


def test_naive_stack_scores_like_the_product(measured):
    product = totals(measured["root"] / "out" / QUARTER / "results.csv")
    naive = totals(measured["root"] / "naive" / QUARTER / "results.csv")
    assert naive == product
    assert measured["naive"]["rejected"] == measured["first"]["rejected"]


def test_naive_estimate_from_a_sample_extrapolates_per_file_and_per_unit(measured):
    sample = measured["sample"]
    assert sample["units"] == 2
    estimate = estimate_naive(sample, measured["data"], QUARTER, measured["first"])
    assert estimate["per_file"] > 0 and estimate["per_unit"] > 0
    assert estimate["total"] > sample["total"] - sample["seconds"]["score"]


def test_table_has_every_measure_and_positive_figures(measured):
    result = SizeResult(units=6, files=9)
    result.floor.append({**measured["floor"], "peak_mb": 80.0})
    first = measured["first"]
    result.stages.append({**first, "total": sum(first["seconds"].values()), "peak_mb": 400.0})
    result.rerun_stages.append({**measured["rerun"], "peak_mb": 400.0})
    result.naive = {**measured["naive"], "peak_mb": 300.0}
    args = argparse.Namespace(quarter=QUARTER, seed=2026)
    report = table([result], [], args, "today", "test machine")
    rows = {
        line.split(" | ")[0].lstrip("| "): line
        for line in report.splitlines()
        if line.startswith("| ")
    }
    for label in (
        "(a) I/O floor",
        "(b) stages",
        "(c) naive stack",
        "(d) re-run",
        "**run/floor**",
        "**naive/run**",
    ):
        assert any(key.startswith(label) for key in rows), label
    floor_row = next(v for k, v in rows.items() if k.startswith("(a) I/O floor"))
    assert float(re.search(r"\| ([0-9.]+) s \|", floor_row)[1]) > 0
    ratio_row = next(v for k, v in rows.items() if k.startswith("run/floor with stage times"))
    assert float(ratio_row.split(" | ")[1]) > 1


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

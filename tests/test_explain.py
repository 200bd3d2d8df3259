"""`firescore explain` on the scored sample: every unit's ledger adds up to its results.csv total."""

from __future__ import annotations

import csv
import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from firescore.cli import app
from firescore.config import load_config
from firescore.quarter import run_quarter

ROOT = Path(__file__).resolve().parent.parent
QUARTER = "2026Q2"


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> dict:
    """Score the sample's 2026Q2 into a fresh warehouse and publish its results.csv."""
    out = tmp_path_factory.mktemp("out")
    config = load_config(ROOT / "firescore.toml").with_overrides(
        out=out, warehouse=out / "wh.duckdb"
    )
    run_quarter(config, QUARTER)
    with (out / QUARTER / "results.csv").open(encoding="utf-8-sig") as handle:
        results = {row["unit_code"]: row for row in csv.DictReader(handle)}
    return {"warehouse": out / "wh.duckdb", "results": results}


def explain(sample: dict, *args: str):
    """Run `firescore explain` on the sample's warehouse."""
    argv = [
        "explain",
        "--config",
        str(ROOT / "firescore.toml"),
        "--warehouse",
        str(sample["warehouse"]),
    ]
    return CliRunner().invoke(app, [*argv, *args])


def rounded(value: Decimal) -> Decimal:
    """Round as the total is rounded: at 10 decimals, then half-up to 2."""
    return value.quantize(Decimal("1e-10"), ROUND_HALF_UP).quantize(Decimal("0.01"), ROUND_HALF_UP)


def test_every_units_shown_figures_add_up_to_its_total_in_results_csv(sample):
    assert len(sample["results"]) == 31
    for unit, row in sample["results"].items():
        result = explain(sample, "--quarter", QUARTER, "--unit", unit, "--json")
        assert result.exit_code == 0, result.output
        doc = json.loads(result.output, parse_float=Decimal)
        sections = {s["block"]: s for s in doc["sections"]}
        # Each block: its items shown add up exactly to the block shown, and so do full points.
        for section in doc["sections"][:4]:
            points = sum((Decimal(str(i["points"])) for i in section["items"]), Decimal(0))
            assert points == Decimal(str(section["points"] or 0)), (unit, section["block"])
            if section["applicable"]:
                full = sum((Decimal(str(i["max_points"])) for i in section["items"]), Decimal(0))
                assert full == Decimal(str(section["max_points"])), (unit, section["block"])
            assert Decimal(str(section["points"] or 0)) == Decimal(
                row[f"{section['block']}_score"] or 0
            ), (unit, section["block"])
        # base = 100 × Σ shown blocks / Σ applicable points; total = base + adjustment (+ clamp)
        blocks = Decimal(str(doc["blocks_sum"]))
        base = blocks * 100 / Decimal(str(doc["applicable_points"]))
        clamp = sum(
            (Decimal(str(i["points"])) for i in sections.get("total", {"items": []})["items"]),
            Decimal(0),
        )
        adjustment = Decimal(row["adjustment"])
        assert str(rounded(base + adjustment + clamp)) == row["total"], unit
        if doc["scale"] is None:  # every block applies: the shown figures add up to the hundredth
            assert str(blocks + adjustment + clamp) == row["total"], unit


def test_rescaling_and_sources_are_shown_for_a_unit_without_fire_block(sample):
    doc = json.loads(explain(sample, "--quarter", QUARTER, "--unit", "bm01", "--json").output)
    fire = next(s for s in doc["sections"] if s["block"] == "fire")
    assert (fire["applicable"], doc["applicable_points"]) == (False, 85)  # 50 + 25 + 10
    i05 = next(i for s in doc["sections"] for i in s["items"] if i["item_id"] == "I05")
    assert (i05["points"], i05["max_points"]) == (2, 4)  # 1 of 2 training events
    assert i05["source"]["file"] == "BM01_2026Q2.xlsx" and i05["source"]["sheet"] == "工作指标"
    assert i05["source"]["cell"].startswith("C")


def test_text_output_shows_blocks_items_sources_and_the_total(sample):
    result = explain(sample, "--quarter", QUARTER, "--unit", "JD08")
    assert result.exit_code == 0, result.output
    text = result.output
    for expected in (
        "上清寺街道（JD08，镇街组）",
        "重点任务落实（满分 45）",
        "I02 火灾隐患整改率",
        "工作指标!C",
        "板块得分之和",
        "与评分结果一致",
    ):
        assert expected in text
    assert sample["results"]["JD08"]["total"] in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--quarter", QUARTER, "--unit", "JD99"), "单位名册中没有单位代码“JD99”"),
        (("--quarter", QUARTER, "--unit", "ZD01"), "不参与考核排名"),
        (("--quarter", "2026Q3", "--unit", "JD08"), "没有 2026Q3 的评分结果"),
        (("--quarter", "2026Q9", "--unit", "JD08"), "无法识别的考核季度"),
    ],
)
def test_unknown_unit_or_quarter_is_a_chinese_message_and_exit_2(sample, args, message):
    result = explain(sample, *args)
    assert result.exit_code == 2
    assert message in result.output

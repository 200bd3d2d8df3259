"""The quarterly flow on the sample district, as the office runs it (real Prefect, DuckDB, files)."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
from pathlib import Path

import openpyxl
import pytest

from firescore.quarter import STAGES
from tests.office import sample_config
from tests.readback import short_rows, tables

ROOT = Path(__file__).resolve().parent.parent
BATCH = 8  # files (units) a batch: several read and feedback batches of the sample's 33


def task_runs(state) -> list[str]:
    """Return the names of the task runs of the flow run that ended in this state."""
    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    flow_run_id = state.state_details.flow_run_id
    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
        )
    assert {run.state_type.value for run in runs} == {"COMPLETED"}
    return sorted(run.name for run in runs)


@pytest.fixture(scope="module")
def outputs(prefect_harness, tmp_path_factory):
    """Run 2026Q1 then 2026Q2 on data_samples into a temp out/, then 2026Q2 once more.

    2026Q1 as firescore.toml says (one batch: read and written in the flow's process); 2026Q2
    on two local worker processes in batches of 8. The warehouse after 2026Q1 is kept aside
    for the runs on the other runners.
    """
    from flows.quarter import quarter_flow

    out = tmp_path_factory.mktemp("out")
    paths = {"out": str(out), "warehouse": str(out / "wh.duckdb")}
    first = quarter_flow("2026Q1", config_file=str(ROOT / "firescore.toml"), **paths)
    paths["config_file"] = str(sample_config(out, "workers = 2", BATCH))
    after_q1 = tmp_path_factory.mktemp("after-q1")
    for name in ("wh.duckdb", "wh.duckdb.sha256"):
        shutil.copy2(out / name, after_q1 / name)
    state = quarter_flow("2026Q2", **paths, return_state=True)
    left = spawned_children()
    q2 = out / "2026Q2"
    before = {p.name: p.read_bytes() for p in (q2 / "考核结果_2026Q2.xlsx", q2 / "results.csv")}
    again = quarter_flow("2026Q2", **paths)
    return {
        "out": out,
        "q1": first,
        "q2": state.result(),
        "q2_state": state,
        "again": again,
        "before": before,
        "after_q1": after_q1,
        "left": left,
    }


def spawned_children() -> list[str]:
    """Return the command lines of this process's children started by multiprocessing's spawn."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError, ValueError):
            continue  # ended while we looked
        if ppid == os.getpid() and "multiprocessing.spawn" in cmdline:
            found.append(cmdline)
    return found


def results(outputs) -> dict[str, dict[str, str]]:
    """Return results.csv rows of 2026Q2 by unit code."""
    with (outputs["out"] / "2026Q2" / "results.csv").open(encoding="utf-8-sig") as handle:
        return {row["unit_code"]: row for row in csv.DictReader(handle)}


def test_results_csv_has_the_contract_columns_and_every_ranked_unit(outputs):
    with (outputs["out"] / "2026Q2" / "results.csv").open(encoding="utf-8-sig") as handle:
        header = next(csv.reader(handle))
    assert header == [
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
    ]
    rows = results(outputs)
    assert (
        len(rows) == outputs["q2"].units_scored == 31
    )  # 11 streets + 20 departments; ZD01/XAB not ranked
    assert {r["group"] for r in rows.values()} == {"镇街组", "部门组"}


def test_hand_checked_units(outputs):
    rows = results(outputs)
    # JD08 上清寺: fire 7 vs 5 fires (floor 10: rise 20% -> 0.6 x 10), 1 death (0.5 x 10), injuries
    # down (3), loss 18.03 vs 6.87 (floor 100: 0.8884 x 2) = 15.7768; I02 45/50 vs 95% = 4.7368;
    # tasks Σw 13: T05 推进中 overdue (0.3: 0.7 lost), T26 0 times (1 lost), T32 未启动 before its
    # 2026年9月 deadline (0.5 lost): 45 x (13 − 0.7 − 1 − 0.5) / 13 = 45 x 10.8 / 13 = 37.3846;
    # the total adds up the blocks as shown (SCORING.md "What is shown adds up"):
    # 37.38 + 24.74 + 15.78 + 5.00 = 82.90; minus 3 for the 通报批评（区级） of 2026-06-26: 79.90.
    assert (
        rows["JD08"]["tasks_score"],
        rows["JD08"]["fire_score"],
        rows["JD08"]["indicators_score"],
        rows["JD08"]["total"],
    ) == ("37.38", "15.78", "24.74", "79.90")
    assert rows["JD08"]["grade"] == "合格"
    # BM05 区司法局 sent nothing: tasks and indicators 0 (still applicable), fire n/a, reporting 0.
    assert [
        rows["BM05"][k]
        for k in (
            "tasks_score",
            "indicators_score",
            "fire_score",
            "reporting_score",
            "total",
            "grade",
        )
    ] == ["0.00", "0.00", "", "0.00", "0.00", "不合格"]
    assert rows["BM05"]["rank"] == "20"
    # JD03 七星岗 had a 较大 fire: vetoed, 不合格, ranked after every non-vetoed street.
    assert (rows["JD03"]["veto"], rows["JD03"]["grade"], rows["JD03"]["rank"]) == (
        "true",
        "不合格",
        "11",
    )
    # JD01 解放碑: bonuses above +5 are capped at 5; total may exceed 100 by the cap.
    assert (rows["JD01"]["adjustment"], rows["JD01"]["total"]) == ("5.00", "105.00")
    # JD05 菜园坝: received one day late: 5 x (1 - 0.2) = 4.
    assert rows["JD05"]["reporting_score"] == "4.00"
    # BM01 区发展改革委 supervises no place type: fire n/a, rescaled over 85 points. Tasks Σw 1.5:
    # T22 (牵头, 1) full, T24 (配合, 0.5) 未启动 before its deadline 0.5: 50 x 1.25 / 1.5 = 41.67;
    # I05 1 of 2: 25 − 4 x 0.5 = 23; 100 x (41.67 + 23 + 10) / 85 = 87.847 -> 87.85 良好.
    assert (rows["BM01"]["tasks_score"], rows["BM01"]["fire_score"], rows["BM01"]["total"]) == (
        "41.67",
        "",
        "87.85",
    )


def test_summary_reports_rejected_and_missing(outputs):
    summary = outputs["q2"]
    assert [(unit, first) for unit, _, first in summary.rejected] == [
        ("JD07", "任务进展!C7「完成状态」为“已完”，应为：已完成、推进中、未启动")
    ]
    assert summary.missing == ["BM05"]


def test_rejected_file_is_quarantined_with_report_and_corrected_version_used(outputs):
    rejected = list((outputs["out"] / "2026Q2" / "rejected" / "JD07").rglob("*"))
    names = {p.name for p in rejected if p.is_file()}
    assert "问题清单.txt" in names and any(n.endswith(".xlsx") for n in names)
    assert results(outputs)["JD07"]["tasks_score"] != "0.00"


def test_leader_workbook_sheets_and_ranking(outputs):
    book = openpyxl.load_workbook(outputs["out"] / "2026Q2" / "考核结果_2026Q2.xlsx")
    assert book.sheetnames == [
        "排名总表",
        "镇街组",
        "部门组",
        "得分明细",
        "扣分明细",
        "申诉处理",  # the sample's 2026Q2 disputes ruled (data_samples/inbox/2026Q2/申诉/)
        "整改跟踪",
        "报送情况",
        "校验问题",
        "说明",
    ]
    sheet = book["排名总表"]
    assert sheet["A1"].value == "附件1"  # firescore.toml [office] attachment
    assert "渝中区" in sheet["A2"].value and "2026年第二季度" in sheet["A2"].value
    assert sheet["A3"].value.startswith("渝中区消防安全委员会办公室")
    assert sheet.page_setup.orientation == "landscape"
    streets, departments = tables(sheet)
    assert (len(streets), len(departments)) == (11, 20)
    assert streets[0][0] == departments[0][0] == 1  # each group its own table, ranks from 1


def test_every_row_of_every_published_workbook_fits_its_text(outputs):
    q2 = outputs["out"] / "2026Q2"
    feedback = sorted((q2 / "单位反馈").glob("*.xlsx"))
    assert len(feedback) == 33
    for path in [
        q2 / "考核结果_2026Q2.xlsx",
        q2 / "validation" / "校验问题_2026Q2.xlsx",
        *feedback,
    ]:
        for ws in openpyxl.load_workbook(path):
            assert short_rows(ws) == [], f"{path.name} {ws.title}"


def test_rerun_is_byte_identical_and_parses_nothing_new(outputs):
    q2 = outputs["out"] / "2026Q2"
    for name, data in outputs["before"].items():
        assert (q2 / name).read_bytes() == data, name
    assert outputs["again"].files_new == 0


def test_summary_and_ranking_are_prefect_artifacts(outputs):
    from prefect.artifacts import Artifact

    summary = Artifact.get("firescore-summary-2026q2")
    ranking = Artifact.get("firescore-ranking-2026q2")
    assert "参与排名单位 31 个" in summary.data and "BM05" in summary.data
    rows = ranking.data if isinstance(ranking.data, list) else json.loads(ranking.data)
    # 排名总表's order: 镇街组 by rank, then 部门组 by rank; Chinese headers, numbers as numbers.
    assert len(rows) == 31 and list(rows[0])[:4] == ["排名", "单位代码", "单位名称", "考核组"]
    assert [row["考核组"] for row in rows] == ["镇街组"] * 11 + ["部门组"] * 20
    assert (rows[0]["单位代码"], rows[0]["排名"], rows[0]["总分"]) == ("JD01", 1, 105.0)
    assert [row["排名"] for row in rows[11:]] == sorted(row["排名"] for row in rows[11:])


def test_validation_report_is_one_page_naming_files_by_name(outputs):
    report = outputs["out"] / "2026Q2" / "validation" / "校验报告_2026Q2.html"
    assert report in outputs["q2"].outputs
    page = report.read_text(encoding="utf-8")
    assert "两路口街道2026年二季度考核表.xlsx" in page  # JD07's rejected version, by its name
    assert "<td>完成状态</td>" in page and "<td>已完</td>" in page
    assert not re.search(r"[0-9a-f]{64}", page)  # no sha256 stands for a file
    assert not re.search(r"<script|<link|src=|https?:", page)  # nothing to fetch: opens offline


def test_each_batch_of_files_and_of_feedback_workbooks_is_a_task_run(outputs):
    # 33 files and 33 units in batches of 8: 5 read and 5 feedback task runs, every other
    # stage one task run.
    others = [label for key, label in STAGES.items() if key not in ("read", "publish-feedback")]
    assert task_runs(outputs["q2_state"]) == sorted([*others, *["读取"] * 5, *["发布单位反馈"] * 5])


def published_files(q2: Path) -> dict[str, bytes]:
    """Return results.csv, the leaders' workbook and every feedback workbook of 2026Q2, by name."""
    paths = [q2 / "results.csv", q2 / "考核结果_2026Q2.xlsx", *(q2 / "单位反馈").glob("*.xlsx")]
    return {path.relative_to(q2).as_posix(): path.read_bytes() for path in paths}


def test_no_worker_process_is_left_once_the_run_returns(outputs):
    assert outputs["left"] == []


@pytest.mark.parametrize(
    "runner",
    ['kind = "dask"\nn_workers = 2', "workers = 1"],
    ids=["dask-local-cluster", "one-process"],
)
def test_every_runner_publishes_the_same_bytes_as_local_processes(
    outputs, tmp_path_factory, runner
):
    from flows.quarter import quarter_flow

    # 2026Q2 again from the warehouse as 2026Q1 left it: on a Dask LocalCluster of 2 workers,
    # or in the flow's own process.
    other = tmp_path_factory.mktemp("runner")
    for name in ("wh.duckdb", "wh.duckdb.sha256"):
        shutil.copy2(outputs["after_q1"] / name, other / name)
    config = sample_config(other, runner, BATCH)
    state = quarter_flow(
        "2026Q2",
        config_file=str(config),
        out=str(other),
        warehouse=str(other / "wh.duckdb"),
        return_state=True,
    )
    assert state.result().units_scored == 31
    local = published_files(outputs["out"] / "2026Q2")
    assert len(local) == 2 + 33
    assert published_files(other / "2026Q2") == local
    assert task_runs(state) == task_runs(outputs["q2_state"])

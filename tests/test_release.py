"""Draft and final: 征求意见稿 after a run, the lock after `publish --final`, reopening with a reason."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import duckdb
import openpyxl
import pytest
from typer.testing import CliRunner

from firescore import cli

ROOT = Path(__file__).resolve().parent.parent
DRAFT_TITLE = "渝中区2026年第二季度消防工作考核结果（征求意见稿）——排名总表"
FINAL_TITLE = "渝中区2026年第二季度消防工作考核结果——排名总表"


def invoke(out: Path, *args: str):
    """Run the CLI on the sample district with a temp out/ and warehouse."""
    common = ["--config", str(ROOT / "firescore.toml"), "--out", str(out)]
    common += ["--warehouse", str(out / "wh.duckdb")]
    return CliRunner().invoke(cli.app, [*args, *common])


def first_cell(path: Path, sheet: str) -> str:
    """Return the title row of a sheet (its first non-empty cell of the first rows)."""
    ws = openpyxl.load_workbook(path, read_only=True)[sheet]
    texts = [c for row in ws.iter_rows(max_row=3, values_only=True) for c in row if c]
    return next(t for t in texts if "考核" in str(t))


def notes(path: Path) -> dict[str, list[str]]:
    """Return the 说明 sheet's rows: label -> texts (a label may repeat)."""
    ws = openpyxl.load_workbook(path, read_only=True)["说明"]
    found: dict[str, list[str]] = {}
    for row in ws.iter_rows(values_only=True):
        if len(row) >= 2 and row[0] and row[1]:
            found.setdefault(row[0], []).append(row[1])
    return found


@pytest.fixture(scope="module")
def story(prefect_harness, tmp_path_factory):
    """Run 2026Q2 (draft), finalise it, try to run it again, then reopen it with a reason."""
    out = tmp_path_factory.mktemp("release")
    workbook = out / "2026Q2" / "考核结果_2026Q2.xlsx"
    steps = {}
    steps["draft"] = invoke(out, "run", "--quarter", "2026Q2", "--at", "2026-07-13 09:00")
    steps["draft_title"] = first_cell(workbook, "排名总表")
    steps["draft_notes"] = notes(workbook)
    steps["final"] = invoke(
        out, "publish", "--quarter", "2026Q2", "--final", "--by", "张明", "--at", "2026-07-24 17:00"
    )
    steps["final_title"] = first_cell(workbook, "排名总表")
    steps["final_notes"] = notes(workbook)
    steps["final_bytes"] = workbook.read_bytes()
    steps["unchanged"] = invoke(out, "run", "--quarter", "2026Q2")
    steps["again"] = invoke(out, "publish", "--quarter", "2026Q2", "--final", "--by", "张明")
    steps["unchanged_bytes"] = workbook.read_bytes()
    # The same inbox with one more file (a stray note): the inputs changed since the final.
    changed = out / "inbox"
    shutil.copytree(ROOT / "data_samples" / "inbox", changed)
    (changed / "2026Q2" / "备注.txt").write_text("补充说明", encoding="utf-8")
    steps["locked"] = invoke(out, "run", "--quarter", "2026Q2", "--inbox", str(changed))
    steps["locked_final"] = invoke(
        out, "publish", "--quarter", "2026Q2", "--final", "--by", "李华", "--inbox", str(changed)
    )
    steps["locked_bytes"] = workbook.read_bytes()
    steps["annual_final"] = invoke(out, "run", "--year", "2026")
    steps["annual_final_notes"] = notes(out / "2026" / "年度考核结果_2026.xlsx")
    steps["no_reason"] = invoke(out, "run", "--quarter", "2026Q2", "--reopen")
    steps["reopen"] = invoke(
        out,
        "run",
        "--quarter",
        "2026Q2",
        "--reopen",
        "--reason",
        "申诉复核发现录入错误",
        "--by",
        "李华",
    )
    steps["reopen_title"] = first_cell(workbook, "排名总表")
    steps["reopen_notes"] = notes(workbook)
    steps["annual"] = invoke(out, "run", "--year", "2026")
    steps["annual_notes"] = notes(out / "2026" / "年度考核结果_2026.xlsx")
    with duckdb.connect(str(out / "wh.duckdb"), read_only=True) as con:
        steps["events"] = con.execute(
            "SELECT seq, event, by_name, reason, happened_at FROM quarter_releases ORDER BY seq"
        ).fetchall()
        steps["final_at"] = con.execute(
            "SELECT happened_at FROM quarter_releases WHERE event = 'final'"
        ).fetchone()[0]
    return steps


def test_a_run_publishes_a_draft(story):
    assert story["draft"].exit_code == 0, story["draft"].output
    assert "发布状态：征求意见稿" in story["draft"].output
    assert story["draft_title"] == DRAFT_TITLE
    assert story["draft_notes"]["发布状态"] == [
        "征求意见稿：各单位可对扣分提出申诉，办公室处理申诉后定稿。"
    ]


def test_publish_final_titles_the_workbook_final_and_records_who_and_when(story):
    assert story["final"].exit_code == 0, story["final"].output
    assert (
        "发布状态：正式稿（2026年7月24日 17:00 由张明定稿，本季度已锁定）" in story["final"].output
    )
    assert story["final_title"] == FINAL_TITLE
    assert story["final_notes"]["发布状态"] == [
        "正式稿：2026年7月24日 17:00 由张明定稿，不再重新评分。"
    ]
    assert story["final_at"] == datetime(2026, 7, 24, 17, 0)


def test_a_final_quarter_on_unchanged_inputs_is_left_as_it_is(story):
    # A second `make demo`: the run and the finalisation have nothing to change (exit 0).
    assert story["unchanged"].exit_code == 0, story["unchanged"].output
    assert (
        "2026Q2 已于 2026-07-24 17:00 由 张明 定稿（正式稿），收件和申诉处理结果与定稿时相同"
    ) in story["unchanged"].output
    assert "无需重新评分，输出文件未改写" in story["unchanged"].output
    assert story["again"].exit_code == 0, story["again"].output
    assert "无需再次定稿" in story["again"].output
    assert story["unchanged_bytes"] == story["final_bytes"]


def test_a_run_of_a_final_quarter_on_changed_inputs_is_refused_and_changes_nothing(story):
    assert story["locked"].exit_code == 2
    assert (
        "2026Q2 已于 2026-07-24 17:00 由 张明 定稿（正式稿），此后收件或申诉处理结果有变化，"
        "不再重新评分；如确需更改，请运行 firescore run --quarter 2026Q2 --reopen --reason 原因"
    ) in story["locked"].output
    assert story["locked_final"].exit_code == 2  # finalising again on other inputs: the same
    assert "已于 2026-07-24 17:00 由 张明 定稿" in story["locked_final"].output
    assert story["locked_bytes"] == story["final_bytes"]


def test_reopening_needs_a_reason_and_is_kept_in_the_notes(story):
    assert story["no_reason"].exit_code == 2
    assert "重新打开已定稿的季度须写明原因：--reopen --reason 原因" in story["no_reason"].output
    assert story["reopen"].exit_code == 0, story["reopen"].output
    assert story["reopen_title"] == DRAFT_TITLE
    [reopened] = story["reopen_notes"]["重新打开"]
    assert reopened.endswith("由李华重新打开：申诉复核发现录入错误")
    assert [e[:4] for e in story["events"]] == [
        (1, "draft", "", None),  # the draft's first publication: the dispute window starts
        (2, "final", "张明", None),
        (3, "reopen", "李华", "申诉复核发现录入错误"),
    ]
    assert story["events"][0][4] == datetime(2026, 7, 13, 9, 0)


def test_the_annual_roll_up_says_which_quarters_are_still_drafts(story):
    assert story["annual_final"].exit_code == 0, story["annual_final"].output
    # Only 2026Q2 was run here: it was final, then reopened (a draft again).
    assert story["annual_final_notes"]["定稿情况"] == ["各已评分季度均已定稿（正式稿）。"]
    assert "尚未定稿（征求意见稿）的季度：2026Q2" in story["annual"].output
    assert story["annual_notes"]["定稿情况"] == [
        "2026年第二季度尚未定稿（征求意见稿），其得分在定稿前可能因申诉处理而变化。"
    ]


def test_a_warehouse_written_before_releases_were_recorded_runs_as_a_draft(
    prefect_harness, tmp_path
):
    """An office upgrading firescore keeps its warehouse: one written before quarter_releases
    existed (no such table, no checksum beside it) is run as a draft, not a traceback."""
    assert invoke(tmp_path, "run", "--quarter", "2026Q1").exit_code == 0
    warehouse = tmp_path / "wh.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("DROP TABLE quarter_releases")
    warehouse.with_name(warehouse.name + ".sha256").unlink()
    result = invoke(tmp_path, "run", "--quarter", "2026Q1")
    assert result.exit_code == 0, result.output
    assert "征求意见稿" in result.output
    assert first_cell(tmp_path / "2026Q1" / "考核结果_2026Q1.xlsx", "排名总表").endswith(
        "（征求意见稿）——排名总表"
    )

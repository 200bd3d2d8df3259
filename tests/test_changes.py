"""What changed between versions: a unit's corrected file, cell by cell, and how its figures moved.

End to end on the sample's 2026Q2: a first run, then 解放碑街道 (JD01) sends a corrected workbook
(four cells changed) and the quarter is run again. Its feedback (本次变更), the leaders'
报送情况 (较上次运行) and `firescore explain --since` show the same cells and the same move.
"""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest
from typer.testing import CliRunner

from firescore import cli
from firescore.commands.explain import since_run
from firescore.config import Limits, load_config
from firescore.intake.discover import discover
from firescore.intake.pipeline import Earlier, intake
from firescore.publish.changes import (
    NO_CELLS,
    cell_changes,
    cells_note,
    summary_text,
    unit_changes,
)
from firescore.quarter import run_quarter
from firescore.registry import load_registries
from firescore.scheme import load_scheme
from firescore.warehouse.store import connect, load_files
from tests.builders import street_file, write_registries

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_JD01 = ROOT / "data_samples/inbox/2026Q2/JD01/解放碑街道二季度考核材料.xlsx"
CORRECTED = "解放碑街道二季度考核材料（更正）.xlsx"
# The cells the correction changes, as every view lists them: sheet!cell, row and column, old → new.
CHANGED = [
    ("任务进展!C8", "T08 完成状态", "推进中", "已完成"),
    ("任务进展!D8", "T08 完成日期", None, "2026-06-20"),
    ("任务进展!E8", "T08 本季度开展次数", "3", None),
    ("工作指标!C3", "I01 数值", "214", "250"),
]


def totals(config) -> dict[str, Decimal]:
    """Return each unit's 2026Q2 total in the warehouse."""
    with duckdb.connect(str(config.warehouse), read_only=True) as con:
        rows = con.execute("SELECT unit_code, total FROM unit_scores WHERE quarter = '2026Q2'")
        return dict(rows.fetchall())


def correct_jd01(inbox: Path) -> None:
    """Save JD01's workbook again with four cells changed, received on 9 July (on time)."""
    book = openpyxl.load_workbook(SAMPLE_JD01)
    tasks = book["任务进展"]
    tasks["C8"], tasks["D8"], tasks["E8"] = "已完成", datetime(2026, 6, 20), None
    book["工作指标"]["C3"] = 250
    book.save(inbox / "2026Q2" / "JD01" / CORRECTED)
    with (inbox / "2026Q2" / "收件登记.csv").open("a", encoding="utf-8") as log:
        log.write(f"JD01,{CORRECTED},2026-07-09 10:00\n")


@pytest.fixture(scope="module")
def corrected(tmp_path_factory):
    """Run 2026Q2, add JD01's corrected workbook, run again; return config, both runs, totals."""
    root = tmp_path_factory.mktemp("changes")
    shutil.copytree(ROOT / "data_samples" / "inbox" / "2026Q2", root / "inbox" / "2026Q2")
    config = load_config(ROOT / "firescore.toml").with_overrides(
        inbox=root / "inbox", out=root / "out", warehouse=root / "out" / "wh.duckdb"
    )
    first = run_quarter(config, "2026Q2")
    before = totals(config)
    correct_jd01(config.inbox)
    second = run_quarter(config, "2026Q2")
    return config, first.run_id, second.run_id, before, totals(config)


def feedback(config, unit: str) -> openpyxl.Workbook:
    """Return a unit's feedback workbook of 2026Q2."""
    (path,) = (config.out / "2026Q2" / "单位反馈").glob(f"{unit}_*.xlsx")
    return openpyxl.load_workbook(path)


def table(ws, header: str) -> list[tuple]:
    """Return the rows under the header row whose first cell is ``header``, up to a blank row."""
    rows = list(ws.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] == header) + 1
    body = []
    for row in rows[start:]:
        if all(value is None for value in row):
            break
        body.append(row)
    return body


def signed(value: Decimal) -> str:
    """Return a move as the workbooks write it: +1.50, −3.46."""
    return f"+{value:.2f}" if value > 0 else f"−{-value:.2f}" if value < 0 else "0.00"


def test_the_two_runs_are_two_runs_and_jd01_total_moved(corrected):
    config, first, second, before, after = corrected
    assert first != second
    assert before["JD01"] != after["JD01"]
    # Only JD01's file changed: every other unit keeps its total.
    assert {u: t for u, t in after.items() if u != "JD01"} == {
        u: t for u, t in before.items() if u != "JD01"
    }


def test_feedback_lists_exactly_the_changed_cells_and_the_move(corrected):
    config, first, _, before, after = corrected
    book = feedback(config, "JD01")
    assert "本次变更" in book.sheetnames
    ws = book["本次变更"]
    cells = [row[:1] + row[1:2] + row[3:5] for row in table(ws, "单元格")]
    assert cells == CHANGED
    assert [row[2] for row in table(ws, "单元格")] == ["修改"] * 4
    moves = {row[0]: row for row in table(ws, "项目")}
    # The total moved by exactly the difference of the two runs' totals.
    assert moves["总分"][1:4] == (
        float(before["JD01"]),
        float(after["JD01"]),
        signed(after["JD01"] - before["JD01"]),
    )
    titles = [row[0] for row in ws.iter_rows(values_only=True) if row[0]]
    assert f"得分变化（较上次运行，运行编号 {first}）" in titles
    assert f"单元格变化（解放碑街道二季度考核材料.xlsx → {CORRECTED}）" in titles
    summary = {row[0]: row[4] for row in book["得分情况"].iter_rows(values_only=True)}
    assert summary["较上次运行"].startswith("换用新版本，4格有变化；总分")


def test_an_unchanged_unit_gets_no_changes_sheet(corrected):
    config, *_ = corrected
    book = feedback(config, "JD02")
    assert "本次变更" not in book.sheetnames
    summary = [row[0] for row in book["得分情况"].iter_rows(values_only=True)]
    assert "较上次运行" not in summary


def test_leader_submissions_say_what_changed_since_the_previous_run(corrected):
    config, first, _, before, after = corrected
    book = openpyxl.load_workbook(config.out / "2026Q2" / "考核结果_2026Q2.xlsx")
    rows = table(book["报送情况"], "单位代码")
    header = next(r for r in book["报送情况"].iter_rows(values_only=True) if r[0] == "单位代码")
    assert header[-1] == "较上次运行"
    changed = {row[0]: row[-1] for row in rows if row[-1]}
    move = f"{before['JD01']:.2f} → {after['JD01']:.2f}（{signed(after['JD01'] - before['JD01'])}）"
    assert changed == {"JD01": f"换用新版本，4格有变化；总分 {move}"}
    notes = {row[0]: row[1] for row in book["说明"].iter_rows(values_only=True)}
    assert notes["上次运行"].startswith(f"运行编号 {first}（")
    assert "此后有变化的单位 1 个" in notes["上次运行"]


def invoke(config, *args: str):
    """Run the CLI against the fixture's warehouse."""
    paths = ["--config", str(ROOT / "firescore.toml"), "--warehouse", str(config.warehouse)]
    return CliRunner().invoke(cli.app, [*args, *paths])


def test_explain_since_prints_the_same_cells_and_move(corrected):
    config, first, second, before, after = corrected
    result = invoke(config, "explain", "--quarter", "2026Q2", "--unit", "JD01", "--since", first)
    assert result.exit_code == 0, result.output
    assert f"自运行 {first} 以来的变化（至最近一次运行 {second}）" in result.output
    for cell, what, old, new in CHANGED:
        assert f"{cell}（{what}）：{old or '（空）'} → {new or '（空）'}" in result.output
    total = next(line for line in result.output.splitlines() if "总分" in line)
    assert f"{before['JD01']:.2f}" in total and f"{after['JD01']:.2f}" in total
    assert signed(after["JD01"] - before["JD01"]) in total

    document = json.loads(
        invoke(
            config, "explain", "--quarter", "2026Q2", "--unit", "JD01", "--since", first, "--json"
        ).output
    )
    assert [(f"{c['sheet']}!{c['cell']}", c["old"], c["new"]) for c in document["cells"]] == [
        (cell, old, new) for cell, _, old, new in CHANGED
    ]
    (total_move,) = [m for m in document["moves"] if m["item"] == "总分"]
    assert Decimal(str(total_move["delta"])) == after["JD01"] - before["JD01"]


def test_explain_since_an_unchanged_unit_says_nothing_changed(corrected):
    config, first, *_ = corrected
    result = invoke(config, "explain", "--quarter", "2026Q2", "--unit", "JD02", "--since", first)
    assert result.exit_code == 0, result.output
    assert "没有变化" in result.output


def test_explain_since_an_unknown_run_lists_the_known_ones(corrected):
    config, first, second, *_ = corrected
    result = invoke(config, "explain", "--quarter", "2026Q2", "--unit", "JD01", "--since", "abc")
    assert result.exit_code == 2
    assert "运行编号“abc”不是 2026Q2 的运行" in result.output
    assert first in result.output and second in result.output
    assert "Traceback" not in result.output


def test_a_version_stored_without_its_cells_is_said_plainly(corrected, tmp_path):
    config, first, *_ = corrected
    copy = tmp_path / "old.duckdb"
    shutil.copy(config.warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        # As a warehouse written before cells were kept: the first version has none.
        con.execute(
            "DELETE FROM raw_cells WHERE sha256 IN (SELECT sha256 FROM raw_files "
            "WHERE unit_code = 'JD01' AND file_name = '解放碑街道二季度考核材料.xlsx')"
        )
        report = since_run(con, "2026Q2", "JD01", first, "Asia/Shanghai")
    assert report.change is not None
    assert report.change.cells == () and report.change.cells_missing
    assert NO_CELLS in cells_note(report.change)
    assert summary_text(report.change).startswith("换用新版本（未能逐格比较）；总分")
    assert report.change.total.before != report.change.total.after


def test_a_run_repeated_on_the_same_inputs_writes_the_same_workbooks(corrected):
    config, _, second, *_ = corrected
    leader = config.out / "2026Q2" / "考核结果_2026Q2.xlsx"
    jd01 = next((config.out / "2026Q2" / "单位反馈").glob("JD01_*.xlsx"))
    written = leader.read_bytes(), jd01.read_bytes()
    again = run_quarter(config, "2026Q2")
    # The same inputs are the same run: it still compares with the run before it.
    assert again.run_id == second
    assert (leader.read_bytes(), jd01.read_bytes()) == written


LIMITS = Limits(max_file_bytes=10_000_000, max_sheet_rows=10_000)


def test_rows_added_and_removed_are_listed_cell_by_cell(tmp_path):
    scheme = load_scheme(ROOT / "data_samples" / "scheme.yaml")
    registries = load_registries(*write_registries(tmp_path / "reg"), LIMITS)
    folder = tmp_path / "inbox" / "2026Q2" / "JD01"
    # T02 moves up a row when T01 is left out: T02's cells are compared with T02's, not by row.
    t01 = ["T01", "消防用水整治", "已完成", date(2026, 6, 1), None, None, "报告"]
    t02 = ["T02", "消防宣传", "推进中", None, 2, "已开展", "照片"]
    street_file(folder / "初稿.xlsx", tasks=[t01, t02])
    street_file(folder / "更正.xlsx", tasks=[[*t02[:4], 3, *t02[5:]]])
    subs = discover(tmp_path / "inbox", "2026Q2", scheme, registries).submissions
    files = intake(subs, "2026Q2", scheme, registries, LIMITS, Earlier.none(), engine="polars")
    with connect(tmp_path / "wh.duckdb") as con:
        load_files(con, files, "test", datetime(2026, 7, 11))
        shas = {f.submission.file_name: f.submission.sha256 for f in files}
        changes = cell_changes(con, shas["初稿.xlsx"], shas["更正.xlsx"])
        back = cell_changes(con, shas["更正.xlsx"], shas["初稿.xlsx"])
    assert [c.line for c in changes] == [
        "任务进展!A3（T01 任务编号，删除行）：T01 → （空）",
        "任务进展!B3（T01 重点任务，删除行）：消防用水整治 → （空）",
        "任务进展!C3（T01 完成状态，删除行）：已完成 → （空）",
        "任务进展!D3（T01 完成日期，删除行）：2026-06-01 → （空）",
        "任务进展!G3（T01 佐证材料，删除行）：报告 → （空）",
        "任务进展!E3（T02 本季度开展次数）：2 → 3",
    ]
    # The other way round, T01 is a row added (at row 3, T02 back at row 4).
    assert [c.line for c in back] == [
        "任务进展!A3（T01 任务编号，新增行）：（空） → T01",
        "任务进展!B3（T01 重点任务，新增行）：（空） → 消防用水整治",
        "任务进展!C3（T01 完成状态，新增行）：（空） → 已完成",
        "任务进展!D3（T01 完成日期，新增行）：（空） → 2026-06-01",
        "任务进展!G3（T01 佐证材料，新增行）：（空） → 报告",
        "任务进展!E4（T02 本季度开展次数）：3 → 2",
    ]


def test_a_ruling_counts_as_a_change_with_its_line():
    con = duckdb.connect()
    con.execute((ROOT / "firescore/warehouse/schema.sql").read_text(encoding="utf-8"))
    score = "'2026Q2', '{run}', 'JD07', 'abc', '两路口.xlsx', true, 40, 25, 20, 5, 0, {total}"
    con.execute(f"INSERT INTO run_scores VALUES ({score.format(run='r1', total=90)}, '良好', 3)")
    con.execute(f"INSERT INTO run_scores VALUES ({score.format(run='r2', total=93.46)}, '良好', 2)")
    con.execute(
        "INSERT INTO run_rulings VALUES "
        "('2026Q2', 'r2', 'JD07', 'T26', '微型消防站拉练', 3.46, 0, '经核实开展2次', NULL),"
        "('2026Q2', 'r2', 'JD07', 'I01', '物联感知接入率', 2, 0.5, NULL, '数值改为36')"
    )
    names = {
        "tasks": "重点任务落实",
        "indicators": "工作指标",
        "fire": "火灾形势",
        "reporting": "信息报送",
    }
    (change,) = unit_changes(con, "2026Q2", "r1", "r2", names).values()
    assert not change.version_changed and change.cells == ()
    assert change.rulings == (
        "申诉更正 I01 物联感知接入率（数值改为36）：失分 2 → 0.5",
        "申诉更正 T26 微型消防站拉练：失分 3.46 → 0：经核实开展2次",
    )
    assert (change.total.before, change.total.after) == (Decimal("90.00"), Decimal("93.46"))
    assert change.total.delta == Decimal("3.46")
    # The other way round nothing is new: a ruling withdrawn shows as the total's move alone.
    (back,) = unit_changes(con, "2026Q2", "r2", "r1", names).values()
    assert back.rulings == () and back.total.delta == Decimal("-3.46")

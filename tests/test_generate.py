"""The sample generator: layout, determinism, and the committed sample being up to date."""

from __future__ import annotations

import csv
import re
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from data_samples.generate import SAMPLE_DIR, generate, main

GENERATED = ("units.csv", "tasks.csv", "history", "inbox")
UNITS_HEADER = ["单位代码", "单位名称", "考核组", "区域类型", "监管场所类型", "是否参与考核"]
TASKS_HEADER = ["任务编号", "重点任务", "具体工作", "牵头单位", "配合单位", "完成时限", "权重"]
SHEET_HEADERS = {
    "基本信息": ["项目", "内容"],
    "任务进展": [
        "任务编号",
        "重点任务",
        "完成状态",
        "完成日期",
        "本季度开展次数",
        "进展情况",
        "佐证材料",
    ],
    "工作指标": ["指标编号", "指标名称", "数值", "分母", "说明"],
    "火灾情况": [
        "火灾编号",
        "起火时间",
        "镇街代码",
        "场所类型",
        "起火原因",
        "死亡人数",
        "受伤人数",
        "直接财产损失（万元）",
        "火灾等级",
    ],
    "加减分": ["单位代码", "事项", "分值", "事由", "依据文号", "日期"],
}
DEADLINE_FORMS = re.compile(r"^(持续开展|\d{4}-\d{2}-\d{2}|\d{4}年\d{1,2}月(底前)?)$")


def files_under(root: Path) -> dict[str, bytes]:
    """Return every generated file under root, by relative path, with its bytes."""
    out = {}
    for name in GENERATED:
        path = root / name
        paths = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        out.update({p.relative_to(root).as_posix(): p.read_bytes() for p in paths})
    return out


def read_csv(path: Path) -> list[list[str]]:
    """Return the rows of a UTF-8 CSV, header included."""
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def header_row(ws) -> int:
    """Return the 1-based row holding the sheet's header (row 2 or 3), or fail."""
    expected = SHEET_HEADERS[ws.title]
    for row in (2, 3):
        values = [ws.cell(row, col + 1).value for col in range(len(expected))]
        if values == expected:
            return row
    raise AssertionError(f"{ws.title}: no header on row 2 or 3")


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[Path, object]:
    """A tiny district at scale (12 units, two quarters) and what the generator returned."""
    out = tmp_path_factory.mktemp("small")
    return out, generate(out, 12, seed=7, quarters=["2026Q1", "2026Q2"])


def test_registries_parse_and_name_known_units(small):
    out, _ = small
    units = read_csv(out / "units.csv")
    assert units[0] == UNITS_HEADER
    codes = {row[0] for row in units[1:]}
    names = {row[1]: row[0] for row in units[1:]}
    assert len(codes) == len(units) - 1
    assert {"ZD01", "XAB"} <= codes
    assert {row[2] for row in units[1:]} == {"镇街组", "部门组"}
    assert all(row[5] in ("是", "否") for row in units[1:])

    tasks = read_csv(out / "tasks.csv")
    assert tasks[0] == TASKS_HEADER
    named = set()
    for row in tasks[1:]:
        assert DEADLINE_FORMS.match(row[5]), row[5]
        assert row[6] in ("", "1", "2")
        assert row[3], "every task has a lead unit"
        for cell in (row[3], row[4]):
            for ref in filter(None, re.split("[、，]", cell)):
                assert ref in codes or ref in names, ref
                named.add(names.get(ref, ref))
    ranked = {row[0] for row in units[1:] if row[5] == "是"}
    assert named <= ranked


def test_every_workbook_opens_with_its_sheets_and_headers(small):
    out, result = small
    corrupt = {v.rel_path for v in result.versions if v.defect == "corrupt"}
    files = sorted((out / "inbox").glob("*/*/*.xlsx"))
    assert files
    for path in files:
        rel = path.relative_to(out / "inbox").as_posix()
        if rel in corrupt:
            assert not zipfile.is_zipfile(path)
            continue
        wb = openpyxl.load_workbook(path)
        unit = path.parent.name
        assert wb.sheetnames[:2] == ["填报说明", "基本信息"], rel
        expected = {"ZD01": {"火灾情况"}, "XAB": {"加减分"}}.get(unit, {"任务进展", "工作指标"})
        assert set(wb.sheetnames[2:]) <= expected, rel
        for ws in wb.worksheets[1:]:
            assert ws.merged_cells.ranges, f"{rel} {ws.title}: merged title row"
            assert "消防" in ws.cell(1, 1).value
            header_row(ws)
        info = wb["基本信息"]
        start = header_row(info) + 1
        keys = [info.cell(start + i, 1).value for i in range(6)]
        assert keys == ["单位代码", "单位名称", "考核季度", "填报人", "联系电话", "填报日期"]
        assert isinstance(info.cell(start + 5, 2).value, datetime), "填报日期 is a date cell"
        assert isinstance(info.cell(start + 4, 2).value, str), "联系电话 is text"


def test_receipt_log_lists_every_file(small):
    out, _ = small
    for quarter in ("2026Q1", "2026Q2"):
        folder = out / "inbox" / quarter
        rows = read_csv(folder / "收件登记.csv")
        assert rows[0] == ["单位代码", "文件名", "接收时间"]
        logged = {(r[0], r[1]) for r in rows[1:]}
        on_disk = {(p.parent.name, p.name) for p in folder.glob("*/*") if p.is_file()}
        assert logged == on_disk
        for r in rows[1:]:
            datetime.strptime(r[2], "%Y-%m-%d %H:%M")


def test_rerun_is_byte_identical(small, tmp_path):
    out, _ = small
    generate(tmp_path, 12, seed=7, quarters=["2026Q1", "2026Q2"])
    assert files_under(tmp_path) == files_under(out)


def test_another_seed_gives_another_district(small, tmp_path):
    out, _ = small
    generate(tmp_path, 12, seed=8, quarters=["2026Q1", "2026Q2"])
    assert files_under(tmp_path) != files_under(out)


def test_committed_sample_is_up_to_date(tmp_path):
    generate(tmp_path)
    fresh = files_under(tmp_path)
    committed = files_under(SAMPLE_DIR)
    assert sorted(fresh) == sorted(committed), "run: python -m data_samples.generate"
    stale = [name for name in fresh if fresh[name] != committed[name]]
    assert not stale, f"stale sample files, run python -m data_samples.generate: {stale[:5]}"


def test_sample_scenario_as_documented():
    inbox = SAMPLE_DIR / "inbox"
    q2 = {r[0]: r for r in read_csv(inbox / "2026Q2" / "收件登记.csv")[1:] if r[0] != "JD07"}
    # 区司法局 sends nothing in Q2; 菜园坝, 城管局, 规划自然资源局 are 1, 2 and 4 days late.
    assert not (inbox / "2026Q2" / "BM05").exists() and "BM05" not in q2
    assert [q2[c][2][:10] for c in ("JD05", "BM08", "BM13")] == [
        "2026-07-11",
        "2026-07-12",
        "2026-07-14",
    ]
    # 两路口: a rejected file with 已完 at 任务进展!C7, then a corrected one.
    first, second = sorted((inbox / "2026Q2" / "JD07").glob("*.xlsx"), key=lambda p: len(p.name))
    assert openpyxl.load_workbook(first)["任务进展"]["C7"].value == "已完"
    assert openpyxl.load_workbook(second)["任务进展"]["C7"].value == "已完成"
    # The 较大 fire: 3 deaths in 七星岗 (JD03) in Q2.
    fires = openpyxl.load_workbook(next((inbox / "2026Q2" / "ZD01").glob("*.xlsx")))["火灾情况"]
    big = [r for r in fires.iter_rows(values_only=True) if r[2] == "JD03" and r[5] == 3]
    assert len(big) == 1
    # 解放碑 (JD01) earns +5 and +1 in Q2: above the +5 cap.
    adj = openpyxl.load_workbook(next((inbox / "2026Q2" / "XAB").glob("*.xlsx")))["加减分"]
    items = [r[1] for r in adj.iter_rows(values_only=True) if r[0] == "JD01"]
    assert items == ["通报表扬（市级）", "经验做法被推广（区级）"]


@pytest.mark.parametrize(
    "argv",
    [["--units", "50"], ["--quarters", "2026Q1"], ["--units", "1", "--out", "x"]],
)
def test_bad_usage_exits_2(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert capsys.readouterr().err


def test_every_unit_and_task_of_the_sample_names_its_source_in_the_readme():
    # data_samples/README.md "Where every number comes from": a unit or task added to the
    # sample without a seed quotation (or a "default" mark) fails here.
    readme = (SAMPLE_DIR / "README.md").read_text(encoding="utf-8")
    sources = readme.split("## Where every number comes from", 1)[1].split("\n## ", 1)[0]
    units_table = sources.split("### Units", 1)[1].split("### Tasks", 1)[0]
    tasks_table = sources.split("### Tasks", 1)[1].split("### Indicators", 1)[0]
    with (SAMPLE_DIR / "units.csv").open(encoding="utf-8") as f:
        units = [(r["单位代码"], r["单位名称"]) for r in csv.DictReader(f)]
    with (SAMPLE_DIR / "tasks.csv").open(encoding="utf-8") as f:
        tasks = [(r["任务编号"], r["重点任务"]) for r in csv.DictReader(f)]
    assert "JD01–JD11" in units_table  # the streets, cited together
    assert [(c, n) for c, n in units if not c.startswith("JD") and n not in units_table] == []
    assert all(f"| {t} {title}" in tasks_table for t, title in tasks), [
        t for t, title in tasks if f"| {t} {title}" not in tasks_table
    ]
    rows = [line for line in tasks_table.splitlines() if re.match(r"\| T\d\d ", line)]
    assert all('"' in row or "**default**" in row for row in rows)
    # every street takes the district's region (渝中区 is 中心城区, seed 002)
    with (SAMPLE_DIR / "units.csv").open(encoding="utf-8") as f:
        regions = {r["区域类型"] for r in csv.DictReader(f) if r["考核组"] == "镇街组"}
    assert regions == {"中心城区"}

"""Reading and validating submissions: what a unit sees when its file has a problem."""

from __future__ import annotations

import pickle
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pytest

from firescore.config import Limits
from firescore.intake.discover import discover
from firescore.intake.pipeline import Earlier, intake, read_files
from firescore.registry import load_registries
from firescore.scheme import load_scheme
from tests.builders import (
    INDICATOR_HEADER,
    TASK_HEADER,
    basic_info,
    street_file,
    write_registries,
    write_workbook,
)

ROOT = Path(__file__).resolve().parent.parent
TZ = ZoneInfo("Asia/Shanghai")
LIMITS = Limits(max_file_bytes=10_000_000, max_sheet_rows=10_000)


@pytest.fixture(scope="module")
def scheme():
    return load_scheme(ROOT / "data_samples" / "scheme.yaml")


@pytest.fixture
def registries(tmp_path):
    return load_registries(*write_registries(tmp_path / "reg"), LIMITS)


def messages(tmp_path, scheme, registries, unit="JD01", quarter="2026Q2"):
    """Run discovery, reading and whole-quarter validation over tmp_path/inbox."""
    subs = discover(tmp_path / "inbox", quarter, scheme, registries).submissions
    files = intake(subs, quarter, scheme, registries, LIMITS, Earlier.none(), engine="gx")
    return {f.submission.file_name: [(i.severity, i.message) for i in f.issues] for f in files}


def test_valid_file_has_no_errors(tmp_path, scheme, registries):
    street_file(tmp_path / "inbox/2026Q2/JD01/报表.xlsx")
    found = messages(tmp_path, scheme, registries)["报表.xlsx"]
    assert [m for s, m in found if s == "error"] == []


def test_status_not_allowed_names_the_cell(tmp_path, scheme, registries):
    street_file(
        tmp_path / "inbox/2026Q2/JD01/报表.xlsx",
        tasks=[
            ["T01", "消防用水整治", "已完", date(2026, 6, 1), None, None, None],
            ["T02", "消防宣传", "进行中", None, 2, "已开展", "照片"],
        ],
    )
    found = messages(tmp_path, scheme, registries)["报表.xlsx"]
    assert ("error", "任务进展!C3「完成状态」为“已完”，应为：已完成、推进中、未启动") in found
    assert not any("C4" in m for _, m in found), "a synonym (进行中) is not an error"


def test_done_without_date_and_unassigned_task(tmp_path, scheme, registries):
    street_file(
        tmp_path / "inbox/2026Q2/JD01/报表.xlsx",
        tasks=[
            ["T01", "消防用水整治", "已完成", None, None, None, None],
            ["T03", "隐患排查", "已完成", date(2026, 3, 1), None, None, None],
        ],
    )
    found = messages(tmp_path, scheme, registries)["报表.xlsx"]
    assert ("error", "任务进展!D3「完成日期」为空，应为：完成状态为已完成时须填写完成日期") in found
    assert (
        "error",
        "任务进展!A4「任务编号」为“T03”，应为：本单位在任务分解表中承担的任务编号：T01、T02",
    ) in found
    assert any(s == "warning" and "缺少任务T02" in m for s, m in found)


def test_unit_code_must_match_inbox_folder(tmp_path, scheme, registries):
    street_file(tmp_path / "inbox/2026Q2/JD02/报表.xlsx", unit="JD01")
    found = messages(tmp_path, scheme, registries)["报表.xlsx"]
    assert ("error", "基本信息!B3「单位代码」为“JD01”，应为：JD02（与收件箱文件夹一致）") in found


def test_wrong_quarter_and_completion_after_fill_date(tmp_path, scheme, registries):
    street_file(
        tmp_path / "inbox/2026Q2/JD01/报表.xlsx",
        quarter="2026年第一季度",
        tasks=[["T01", "消防用水整治", "已完成", date(2026, 7, 9), None, None, None]],
    )
    found = messages(tmp_path, scheme, registries)["报表.xlsx"]
    assert ("error", "基本信息!B5「考核季度」为“2026年第一季度”，应为：2026Q2") in found
    assert (
        "error",
        "任务进展!D3「完成日期」为“2026-07-09”，应为：不晚于填报日期 2026-07-05",
    ) in found


def test_header_found_below_titles_in_any_order_hidden_sheets_ignored(tmp_path, scheme, registries):
    order = [2, 0, 6, 5, 4, 3, 1]
    rows = [["", "", "", "", "", "", ""], [TASK_HEADER[i] for i in order]]
    rows.append(
        [["T01", "消防用水整治", "已完成", date(2026, 6, 1), None, None, "报告"][i] for i in order]
    )
    rows.append([["T02", "消防宣传", "未启动", None, 0, None, None][i] for i in order])
    write_workbook(
        tmp_path / "inbox/2026Q2/JD01/乱序.xlsx",
        {
            "基本信息": basic_info("JD01", "解放碑街道"),
            "任务进展": rows,
            "工作指标": [INDICATOR_HEADER, ["I02", "火灾隐患整改率", 1, 1, None]],
            "旧版": [["随便写的"]],
        },
        title_rows=2,
        hidden=("旧版",),
    )
    subs = discover(tmp_path / "inbox", "2026Q2", scheme, registries).submissions
    (read,) = read_files(subs, scheme, registries, LIMITS)
    tasks = read.typed["任务进展"]
    assert tasks.get_column("task_id").to_list() == ["T01", "T02"]
    assert tasks.get_column("excel_row").to_list() == [5, 6]
    assert read.sheets["任务进展"].cell("status", 5) == "A5"
    assert tasks.get_column("done_date").to_list() == [date(2026, 6, 1), None]


def test_missing_sheet_and_not_a_spreadsheet(tmp_path, scheme, registries):
    write_workbook(
        tmp_path / "inbox/2026Q2/JD01/缺表.xlsx", {"基本信息": basic_info("JD01", "解放碑街道")}
    )
    fake = tmp_path / "inbox/2026Q2/JD02/通知.xlsx"
    fake.parent.mkdir(parents=True)
    fake.write_bytes(b"%PDF-1.4 not a workbook")
    found = messages(tmp_path, scheme, registries)
    assert ("error", "文件中缺少工作表「任务进展」") in found["缺表.xlsx"]
    assert found["通知.xlsx"][0][0] == "error"
    assert found["通知.xlsx"] == [
        ("error", "这是 PDF 文件，不是 Excel 工作簿；请使用下发的填报模板")
    ]


def test_receipt_log_decides_received_time(tmp_path, scheme, registries):
    street_file(tmp_path / "inbox/2026Q2/JD01/报表.xlsx")
    street_file(tmp_path / "inbox/2026Q2/JD02/报表.xlsx", unit="JD02", name="朝天门街道")
    (tmp_path / "inbox/2026Q2/收件登记.csv").write_text(
        "单位代码,文件名,接收时间\nJD01,报表.xlsx,2026-07-12 09:30\n", encoding="gb18030"
    )
    found = discover(tmp_path / "inbox", "2026Q2", scheme, registries).submissions
    subs = {s.unit_code: s for s in found}
    assert subs["JD01"].received_at == datetime(2026, 7, 12, 9, 30, tzinfo=TZ)
    assert subs["JD01"].received_source == "收件登记"
    assert subs["JD02"].received_source == "文件修改时间"


def test_value_far_above_earlier_quarters_is_a_warning(tmp_path, scheme, registries):
    from firescore.intake.pipeline import EMPTY_EARLIER

    street_file(tmp_path / "inbox/2026Q2/JD01/报表.xlsx")  # I01 分母 50
    subs = discover(tmp_path / "inbox", "2026Q2", scheme, registries).submissions
    indicators = pl.concat(
        [
            EMPTY_EARLIER,
            pl.DataFrame(
                {
                    "unit_code": ["JD01"],
                    "quarter": ["2026Q1"],
                    "indicator_id": ["I01"],
                    "value": [4],
                    "denominator": [5],
                },
            ).cast(EMPTY_EARLIER.schema),
        ]
    )
    earlier = Earlier(Earlier.none().fires, indicators)
    files = intake(subs, "2026Q2", scheme, registries, LIMITS, earlier, engine="gx")
    found = [(i.severity, i.message) for i in files[0].issues]
    assert (
        "warning",
        "工作指标!D3「分母」为“50”，应为：与本单位以往季度相近（以往最高 5），请核实",
    ) in found
    assert files[0].valid


def test_a_batch_read_on_a_worker_comes_back_whole_and_compact(tmp_path, scheme, registries):
    # A worker process returns its batch pickled: every frame, issue and cell position must
    # come back as read, and the run's memory must not pay a frame header per file.
    for n in range(8):  # eight versions (different bytes) of a valid file
        tasks = [["T02", "消防宣传", "推进中", None, n, "开展宣传", "照片"]]
        street_file(tmp_path / f"inbox/2026Q2/JD01/报表{n}.xlsx", tasks=tasks)
    bad = [["T01", "消防用水整治", "已完成", "明天", None, None, None]]
    street_file(tmp_path / "inbox/2026Q2/JD01/日期错.xlsx", tasks=bad)
    street_file(tmp_path / "inbox/2026Q2/JD01/无任务行.xlsx", tasks=[])
    subs = discover(tmp_path / "inbox", "2026Q2", scheme, registries).submissions
    batch = read_files(subs, scheme, registries, LIMITS)
    back = pickle.loads(pickle.dumps(batch))
    assert len(back) == len(batch) == 10
    assert any(f.failed for f in batch) and any(f.typed["任务进展"].is_empty() for f in batch)
    for got, read in zip(back, batch, strict=True):
        assert (got.submission, got.role, got.issues, got.failed, got.encoding) == (
            read.submission,
            read.role,
            read.issues,
            read.failed,
            read.encoding,
        )
        assert got.sheets.keys() == read.sheets.keys() and got.typed.keys() == read.typed.keys()
        for name, sheet in read.sheets.items():
            assert got.sheets[name].frame.equals(sheet.frame)
            assert (got.sheets[name].letters, got.sheets[name].cells) == (
                sheet.letters,
                sheet.cells,
            )
        for name, typed in read.typed.items():
            assert got.typed[name].schema == typed.schema and got.typed[name].equals(typed)
    # Frame by frame (a plain list of the same files) the pickle is several times larger.
    assert 3 * len(pickle.dumps(batch)) < len(pickle.dumps(list(batch)))


def test_a_sheet_beyond_the_row_limit_is_refused_with_its_row_count(tmp_path, scheme, registries):
    # 工作指标 has 7 rows, 任务进展 2: only the longer sheet passes the limit of 5 rows.
    street_file(tmp_path / "inbox/2026Q2/JD01/报表.xlsx")
    subs = discover(tmp_path / "inbox", "2026Q2", scheme, registries).submissions
    limits = Limits(max_file_bytes=10_000_000, max_sheet_rows=5)
    [read] = read_files(subs, scheme, registries, limits)
    errors = [(i.rule_id, i.sheet, i.message) for i in read.issues if i.severity == "error"]
    assert errors == [
        ("sheet_too_long", "工作指标", "工作表「工作指标」有 7 行数据，超过上限 5 行")
    ]
    assert "工作指标" not in read.typed and "任务进展" in read.typed

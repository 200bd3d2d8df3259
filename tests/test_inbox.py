"""What lands in the inbox by accident never silently changes a score (issue: identity, paths).

One sample quarter is run twice from an empty warehouse: on the plain sample inbox, and on a copy
where an office made every ordinary mistake at once; the ranking must be the same, and every
mistake must be named in Chinese. The smaller checks below run discovery and reading alone.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from firescore.config import ConfigError, Limits, load_config
from firescore.intake.discover import RECEIPT_LOG, discover
from firescore.intake.pipeline import read_files
from firescore.quarter import run_quarter
from firescore.registry import load_registries
from firescore.scheme import load_scheme
from firescore.warehouse.store import connect
from tests.builders import street_file, write_registries

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data_samples" / "inbox"
Q = "2026Q2"
JD01_FILE = "解放碑街道二季度考核材料.xlsx"
BM01_FILE = "BM01_2026Q2.xlsx"
LATE = "2026-07-20 09:00"  # after every file of the sample (its latest is 07-14)


@pytest.fixture(scope="module")
def sample():
    """The sample district's config, scheme and registries."""
    config = load_config(ROOT / "firescore.toml")
    scheme = load_scheme(config.scheme)
    return config, scheme, load_registries(config.units, config.tasks, config.limits)


def _accidents(inbox: Path, outside: Path) -> None:
    """Make, in a copy of the sample inbox, the office's ordinary mistakes."""
    quarter = inbox / Q
    # The same bytes in another unit's folder, and in a folder named "..." (not a unit).
    shutil.copy(quarter / "JD01" / JD01_FILE, quarter / "JD02" / JD01_FILE)
    (quarter / "...").mkdir()
    shutil.copy(quarter / "BM01" / BM01_FILE, quarter / "..." / BM01_FILE)
    (quarter / "BM99").mkdir()
    shutil.copy(quarter / "BM01" / BM01_FILE, quarter / "BM99" / BM01_FILE)
    # A note saved as CSV in BM03's folder, newer than its workbook.
    (quarter / "BM03" / "备注.csv").write_text("备注\n材料随后补交\n", encoding="utf-8")
    # A folder named like a workbook.
    (quarter / "BM04" / "旧版.xlsx").mkdir()
    # Symbolic links out of the inbox: a file, a workbook, a CSV and a whole unit folder.
    outside.mkdir()
    (outside / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    (outside / "hostname").write_text("secret-host\n", encoding="utf-8")
    shutil.copy(quarter / "BM02" / "区教委二季度考核材料.xlsx", outside / "other.xlsx")
    shutil.copytree(quarter / "BM06", outside / "folder")
    os.symlink(outside / "passwd", quarter / "BM07" / "passwd.xlsx")
    os.symlink(outside / "other.xlsx", quarter / "BM08" / "补充材料.xlsx")
    os.symlink(outside / "hostname", quarter / "BM02" / "BM02_2026Q2_基本信息.csv")
    os.symlink(outside / "folder", quarter / "BM05")  # BM05 sent nothing this quarter
    # Receipt-log rows: the copies received late; then rows that cannot be used.
    with (quarter / RECEIPT_LOG).open("a", encoding="utf-8") as log:
        log.write(f"JD02,{JD01_FILE},{LATE}\nBM03,备注.csv,{LATE}\n")
        log.write(f"JD99,别人的.xlsx,{LATE}\n")  # a unit not in the registry
        log.write("JD05,只写了文件名.xlsx\n")  # too few fields
        log.write(f'=HYPERLINK("http://x"),a.xlsx,{LATE}\n')  # formula-like text


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """2026Q2 run from an empty warehouse on the plain sample inbox and on the one with accidents."""
    root = tmp_path_factory.mktemp("inbox_runs")
    base = load_config(ROOT / "firescore.toml")
    shutil.copytree(SAMPLE / Q, root / "inbox" / Q)
    _accidents(root / "inbox", root / "outside")
    clean = base.with_overrides(out=root / "out_clean", warehouse=root / "clean.duckdb")
    hostile = base.with_overrides(
        inbox=root / "inbox", out=root / "out_hostile", warehouse=root / "hostile.duckdb"
    )
    return {
        "clean": (clean, run_quarter(clean, Q)),
        "hostile": (hostile, run_quarter(hostile, Q)),
        "outside": root / "outside",
    }


def _rows(config, sql: str) -> list[tuple]:
    """Return the rows of a query on a run's warehouse."""
    con = connect(config.warehouse, read_only=True)
    try:
        return con.execute(sql, {"q": Q}).fetchall()
    finally:
        con.close()


def test_office_accidents_in_the_inbox_change_no_score(runs):
    clean, hostile = runs["clean"][0], runs["hostile"][0]
    results = (clean.out / Q / "results.csv").read_bytes()
    assert (hostile.out / Q / "results.csv").read_bytes() == results
    status = "SELECT unit_code, status, file_name FROM submissions WHERE quarter = $q ORDER BY 1"
    assert _rows(hostile, status) == _rows(clean, status)


def test_same_bytes_in_two_folders_are_two_submissions_each_judged_alone(runs):
    hostile = runs["hostile"][0]
    versions = dict(
        ((unit, name), state)
        for unit, name, state in _rows(
            hostile, "SELECT unit_code, file_name, status FROM file_versions WHERE quarter = $q"
        )
    )
    assert versions[("JD01", JD01_FILE)] == "accepted"
    assert versions[("JD02", JD01_FILE)] == "rejected"
    assert versions[("BM01", BM01_FILE)] == "accepted"
    assert versions[("BM99", BM01_FILE)] == "rejected"
    assert ("...", BM01_FILE) not in versions  # a hidden folder is listed, not read
    issues = _rows(
        hostile,
        "SELECT unit_code, message FROM raw_issues WHERE quarter = $q AND severity = 'error'",
    )
    genuine = [m for unit, m in issues if unit in ("JD01", "BM01")]
    assert genuine == []
    assert ("JD02", "基本信息!B3「单位代码」为“JD01”，应为：JD02（与收件箱文件夹一致）") in issues
    assert ("BM99", "收件箱文件夹“BM99”不是单位名册中的单位代码，无法确定发件单位") in issues
    assert f"{Q}/...：是隐藏文件夹，不是单位文件夹，未读取" in runs["hostile"][1].notes
    assert not [m for _, m in issues if "同一文件内不得重复" in m]


def test_nothing_outside_the_inbox_is_read_or_copied(runs):
    hostile, summary = runs["hostile"]
    read = {r[0] for r in _rows(hostile, "SELECT rel_path FROM raw_files WHERE quarter = $q")}
    links = [
        f"{Q}/BM07/passwd.xlsx",
        f"{Q}/BM08/补充材料.xlsx",
        f"{Q}/BM02/BM02_2026Q2_基本信息.csv",
        f"{Q}/BM05",
    ]
    for link in links:
        assert not any(path.startswith(link) for path in read), link
        assert (
            f"{link}：是符号链接（快捷方式），为防止读取收件箱以外的文件，不予读取" in summary.notes
        )
    copied = [p.read_bytes() for p in (hostile.out / Q / "rejected").rglob("*") if p.is_file()]
    for secret in runs["outside"].rglob("*"):
        if secret.is_file() and secret.suffix != ".xlsx":
            assert secret.read_bytes() not in copied, secret
    assert "BM05" in [
        r[0]
        for r in _rows(
            hostile, "SELECT unit_code FROM submissions WHERE quarter = $q AND status = '未报送'"
        )
    ]


def test_what_is_not_a_submission_is_listed_in_summary_and_issue_list(runs):
    hostile, summary = runs["hostile"]
    expected = [
        f"{Q}/BM03/备注.csv：CSV 文件名不符合 <单位代码>_<季度>_<表名>.csv 的命名，不是报送文件，已忽略",
        f"{Q}/BM04/旧版.xlsx：是文件夹而不是文件，未读取",
    ]
    listed = (hostile.out / Q / "validation" / f"校验问题_{Q}.csv").read_text(encoding="utf-8-sig")
    for line in expected:
        assert line in summary.notes
        assert line in listed


def test_unusable_receipt_log_rows_are_reported_with_their_row(runs):
    _, summary = runs["hostile"]
    log = f"{Q}/{RECEIPT_LOG}："
    reported = [n.removeprefix(log) for n in summary.notes if n.startswith(log)]
    assert any("JD99,别人的.xlsx" in n and "不在单位名册中，该行未采用" in n for n in reported)
    assert any("JD05,只写了文件名.xlsx" in n and "缺少接收时间" in n for n in reported)
    assert any("=HYPERLINK" in n and "公式样式的文本" in n for n in reported)
    assert len(reported) == 3, reported


@pytest.fixture
def tiny(tmp_path):
    """A tiny district (two streets, two departments) and its scheme."""
    scheme = load_scheme(ROOT / "data_samples" / "scheme.yaml")
    return tmp_path, scheme, load_registries(*write_registries(tmp_path / "reg"), Limits())


def test_missing_quarter_folder_is_a_clear_warning(tmp_path):
    from typer.testing import CliRunner

    from firescore.cli import app

    (tmp_path / "inbox").mkdir()
    args = ["status", "--quarter", Q, "--config", str(ROOT / "firescore.toml")]
    args += ["--inbox", str(tmp_path / "inbox"), "--warehouse", str(tmp_path / "none.duckdb")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert (
        f"{Q}：收件箱中没有本季度的文件夹，未收到任何文件；请核对收件箱路径（配置 paths.inbox "
        "或 --inbox）和季度"
    ) in result.output


def test_stray_csv_beside_a_workbook_is_ignored_not_a_version(tiny):
    tmp_path, scheme, registries = tiny
    street_file(tmp_path / "inbox" / Q / "JD01" / "报表.xlsx")
    (tmp_path / "inbox" / Q / "JD01" / "备注.csv").write_text("说明\n", encoding="utf-8")
    found = discover(tmp_path / "inbox", Q, scheme, registries)
    assert [s.file_name for s in found.submissions] == ["报表.xlsx"]
    assert [n.rel_path for n in found.notes] == [f"{Q}/JD01/备注.csv"]


def test_files_windows_leaves_in_a_folder_are_passed_over_without_a_note(tiny):
    tmp_path, scheme, registries = tiny
    street_file(tmp_path / "inbox" / Q / "JD01" / "报表.xlsx")
    # Explorer writes these beside pictures and customised folders; no unit sent them.
    for name in ("Thumbs.db", "desktop.ini", "~$报表.xlsx", ".DS_Store"):
        (tmp_path / "inbox" / Q / "JD01" / name).write_bytes(b"x")
    found = discover(tmp_path / "inbox", Q, scheme, registries)
    assert [s.file_name for s in found.submissions] == ["报表.xlsx"]
    assert found.notes == []


def test_basic_info_naming_another_unit_by_name_is_an_error(tiny):
    from firescore.intake.pipeline import Earlier, intake

    tmp_path, scheme, registries = tiny
    street_file(tmp_path / "inbox" / Q / "JD01" / "报表.xlsx", name="朝 天门街道")
    subs = discover(tmp_path / "inbox", Q, scheme, registries).submissions
    (read,) = intake(subs, Q, scheme, registries, Limits(), Earlier.none(), engine="polars")
    assert [i.message for i in read.issues if i.severity == "error"] == [
        "基本信息!B4「单位名称」为“朝 天门街道”，应为：解放碑街道（单位代码 JD01 在单位名册中的名称；"
        "所填为 JD02 的名称）"
    ]


def test_file_in_an_unregistered_folder_is_not_told_to_name_that_folder(tiny):
    from firescore.intake.pipeline import Earlier, intake

    tmp_path, scheme, registries = tiny
    street_file(tmp_path / "inbox" / Q / "JD99" / "报表.xlsx")
    subs = discover(tmp_path / "inbox", Q, scheme, registries).submissions
    (read,) = intake(subs, Q, scheme, registries, Limits(), Earlier.none(), engine="polars")
    # "应为：JD99" would ask the unit to write a code that is in no register.
    assert [i.message for i in read.issues if i.severity == "error"] == [
        "收件箱文件夹“JD99”不是单位名册中的单位代码，无法确定发件单位"
    ]


def test_config_limit_of_wrong_type_is_refused_naming_the_key(tmp_path):
    text = (ROOT / "firescore.toml").read_text(encoding="utf-8")
    for bad, shown in (("true", "true"), ('"200"', "'200'"), ("2.5", "2.5")):
        path = tmp_path / "firescore.toml"
        path.write_text(text.replace("batch_size = 200", f"batch_size = {bad}"), encoding="utf-8")
        with pytest.raises(ConfigError) as caught:
            load_config(path)
        assert f"limits.batch_size 为 {shown}，应为正整数" in str(caught.value)


def test_sheet_without_dimension_is_refused_before_parsing(tiny):
    import zipfile

    tmp_path, scheme, registries = tiny
    path = street_file(tmp_path / "inbox" / Q / "JD01" / "报表.xlsx")
    # Rewrite 任务进展 as a large sheet without a <dimension> tag (as some tools write it).
    rows = "".join(
        f'<row r="{r}">' + "".join(f'<c r="{c}{r}"><v>1</v></c>' for c in "ABCDEFGHIJ") + "</row>"
        for r in range(1, 1201)
    )
    huge = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet '
        'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{rows}</sheetData></worksheet>"
    ).encode()
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    parts["xl/worksheets/sheet3.xml"] = huge  # 填报说明, 基本信息, 任务进展
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    subs = discover(tmp_path / "inbox", Q, scheme, registries).submissions
    (read,) = read_files(subs, scheme, registries, Limits(max_sheet_cells=10_000))
    assert [i.message for i in read.issues] == [
        "工作表「任务进展」有超过 10000 个单元格（文件未标明范围），超过上限，未读取；"
        "请删除多余的行列、用 Excel 或 WPS 另存后重新报送"
    ]
    # Within the limit the same sheet is read (the count is of cells, not bytes).
    (read,) = read_files(subs, scheme, registries, Limits(max_sheet_cells=12_000))
    assert not any("单元格" in i.message for i in read.issues)
    # A <dimension> tag claiming one cell does not hide them either.
    lying = huge.replace(b"<sheetData>", b'<dimension ref="A1:A1"/><sheetData>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in {**parts, "xl/worksheets/sheet3.xml": lying}.items():
            target.writestr(name, data)
    subs = discover(tmp_path / "inbox", Q, scheme, registries).submissions
    (read,) = read_files(subs, scheme, registries, Limits(max_sheet_cells=10_000))
    assert [i.message for i in read.issues] == [
        "工作表「任务进展」有超过 10000 个单元格，超过上限，未读取；"
        "请删除多余的行列、用 Excel 或 WPS 另存后重新报送"
    ]


def _check(*paths: Path):
    """Run `firescore check` on files with the sample's config; return (exit code, output)."""
    from typer.testing import CliRunner

    from firescore.cli import app

    args = ["check", *map(str, paths), "--config", str(ROOT / "firescore.toml")]
    result = CliRunner().invoke(app, args)
    return result.exit_code, result.output


def test_check_of_unknown_unit_names_basic_info_not_an_inbox_folder(tmp_path):
    path = street_file(tmp_path / "报表.xlsx", unit="JD99", name="某某街道")
    code, output = _check(path)
    assert code == 1, output
    assert "基本信息!B3「单位代码」为“JD99”，应为：单位名册中的单位代码" in output
    assert "收件箱" not in output


def test_check_of_quarter_outside_scheme_year_is_an_error(tmp_path):
    path = street_file(tmp_path / "报表.xlsx", quarter="2019Q4")
    code, output = _check(path)
    assert code == 1, output
    assert (
        "基本信息!B5「考核季度」为“2019Q4”，应为：考核方案年度（2026年）的季度，如 2026Q2" in output
    )


def test_check_never_passes_a_file_the_run_would_not_read(tmp_path):
    stray = tmp_path / "备注.csv"
    stray.write_text("备注\n材料随后补交\n", encoding="utf-8")
    os.symlink(street_file(tmp_path / "真的.xlsx"), tmp_path / "链接.xlsx")
    for path, reason in (
        (stray, "CSV 文件名不符合 <单位代码>_<季度>_<表名>.csv 的命名"),
        (tmp_path / "链接.xlsx", "是符号链接（快捷方式）"),
    ):
        code, output = _check(path)
        assert code == 1, output
        assert "通过" not in output
        # The name and the reason apart, as the run lists them (not "备注.csvCSV 文件名…").
        assert f"{path.name}：{reason}" in output
        assert "正式运行时同样不会读取" in output


def test_status_lists_what_is_not_read_and_judges_like_check(tmp_path):
    import openpyxl
    from typer.testing import CliRunner

    from firescore.cli import app

    shutil.copytree(SAMPLE / Q, tmp_path / "inbox" / Q)
    (tmp_path / "inbox" / Q / "BM03" / "备注.csv").write_text("备注\n", encoding="utf-8")
    # JD02's own file, sent again later with JD01's name in 基本信息 (the code left right).
    (genuine,) = (tmp_path / "inbox" / Q / "JD02").iterdir()
    book = openpyxl.load_workbook(genuine)
    cell = next(row[1] for row in book["基本信息"].iter_rows() if row[0].value == "单位名称")
    cell.value = "解放碑街道"
    bad = tmp_path / "inbox" / Q / "JD02" / "更正.xlsx"
    book.save(bad)
    with (tmp_path / "inbox" / Q / RECEIPT_LOG).open("a", encoding="utf-8") as log:
        log.write("JD02,更正.xlsx,2026-07-08 10:00\n")
    args = ["--config", str(ROOT / "firescore.toml"), "--inbox", str(tmp_path / "inbox")]
    args += ["--warehouse", str(tmp_path / "none.duckdb"), "--now", "2026-07-20 10:00"]
    result = CliRunner().invoke(app, ["status", "--quarter", Q, *args])
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())  # the table may wrap long lines
    assert f"{Q}/BM03/备注.csv：CSV 文件名不符合" in output
    # BM03 keeps its workbook, on time.
    assert "逾期报送 3 个" in output
    # status and check speak with one voice about the same file.
    _, checked = _check(bad)
    name_error = f"基本信息!{cell.coordinate}「单位名称」为“解放碑街道”，应为：朝天门街道"
    assert name_error in checked
    assert name_error in output


def test_warehouse_written_before_the_identity_fix_is_rejudged_on_rerun(runs, tmp_path):
    hostile = runs["hostile"][0]
    old = hostile.with_overrides(out=tmp_path / "out", warehouse=tmp_path / "old.duckdb")
    shutil.copy(hostile.warehouse, old.warehouse)
    # What 8f3623a left when JD01's bytes were also in JD02's folder: JD01 valid but stored
    # without rows (its sha256 already had columns, so a re-run never parsed it again), and no
    # record of the file identity its verdicts were made under.
    con = connect(old.warehouse)
    try:
        (sha,) = con.execute(
            "SELECT sha256 FROM raw_files WHERE unit_code = 'JD01' AND quarter = $q", {"q": Q}
        ).fetchone()
        for table in ("raw_basic_info", "raw_task_rows", "raw_indicator_rows"):
            con.execute(f"DELETE FROM {table} WHERE sha256 = $sha", {"sha": sha})
        con.execute("DELETE FROM warehouse_meta")
    finally:
        con.close()
    summary = run_quarter(old, Q)
    assert (old.out / Q / "results.csv").read_bytes() == (
        hostile.out / Q / "results.csv"
    ).read_bytes()
    assert summary.rerun == []  # only this quarter held such files, and it was just re-judged
    # Once adopted, the identity is not re-judged again: a second run parses nothing.
    assert run_quarter(old, Q).files_new == 0

"""Files as people really send them: every sample in tests/bad_samples/ gives exactly its issues.

A case is a folder `tests/bad_samples/<case>/` holding `<UNIT CODE>/<file(s)>` (the unit folder is
the sender, as in the inbox), `expected.txt` (every issue line of that file, `错误 <message>` or
`警告 <message>`, or for what is not a submission at all `忽略 <note>`, sorted) and, while the
product gets it wrong, `xfail.txt` (the reason; the test is then a strict xfail). Adding a folder
adds a test; `make_samples.py` rewrites the files.

Names say what must happen: `err_*` is rejected (at least one error), `warn_*` is loaded with
warnings only, `ok_*` is loaded without any issue and must read exactly as the valid sample file
it was made from (apart from what make_samples.CHANGED lists), `ign_*` is not a submission: it is
listed as not read, with the reason, and never changes a unit's score or 报送状态.

All cases are read in one `read_files` call and then validated together in one `validate_files`
call, as a run does with a quarter's files (Great Expectations has a large fixed cost per
validation); each file keeps its own issues. The sample district's 2026Q1 files are the earlier quarter (fire
numbers already used, earlier indicator values).
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import shutil
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from firescore.config import load_config
from firescore.intake.discover import RECEIPT_LOG, Submission, discover
from firescore.intake.pipeline import (
    EMPTY_EARLIER,
    Earlier,
    ReadFile,
    read_files,
    validate_files,
)
from firescore.issues import SEVERITY_ZH
from firescore.registry import load_registries
from firescore.scheme import load_scheme

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = Path(__file__).resolve().parent / "bad_samples"
QUARTER = "2026Q2"
CASES = sorted(p.parent for p in SAMPLES.glob("*/expected.txt"))


def _load_make_samples():
    """Import tests/bad_samples/make_samples.py (a script, not a package) for BASES and CHANGED."""
    spec = importlib.util.spec_from_file_location("make_samples", SAMPLES / "make_samples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_samples = _load_make_samples()


def _param(case: Path):
    """Return the pytest param of a case, a strict xfail while its xfail.txt exists."""
    xfail = case / "xfail.txt"
    marks = (
        [pytest.mark.xfail(strict=True, reason=xfail.read_text(encoding="utf-8").strip())]
        if xfail.exists()
        else []
    )
    return pytest.param(case, id=case.name, marks=marks)


def expected_lines(case: Path) -> list[str]:
    """Return the expected issue lines of a case."""
    return [
        line
        for line in (case / "expected.txt").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def issue_lines(files: list[ReadFile]) -> list[str]:
    """Return the issues of files as sorted `错误 …` / `警告 …` lines."""
    return sorted(f"{SEVERITY_ZH[i.severity]} {i.message}" for f in files for i in f.issues)


@pytest.fixture(scope="module")
def district():
    """The sample district's config, scheme and registries."""
    config = load_config(ROOT / "firescore.toml")
    scheme = load_scheme(ROOT / "data_samples" / "scheme.yaml")
    registries = load_registries(
        ROOT / "data_samples" / "units.csv", ROOT / "data_samples" / "tasks.csv", config.limits
    )
    return config, scheme, registries


def _read(sub: Submission, district, sheets: list[str] | None = None) -> ReadFile:
    """Read one submission exactly as the flow does."""
    config, scheme, registries = district
    (read,) = read_files([sub], scheme, registries, config.limits, sheets)
    return read


@pytest.fixture(scope="module")
def earlier(district):
    """The 2026Q1 fire numbers and indicator values of the sample district (its latest files)."""
    _, scheme, registries = district
    latest = {
        s.unit_code: s
        for s in discover(ROOT / "data_samples" / "inbox", "2026Q1", scheme, registries).submissions
    }
    fires = _read(latest[scheme.fire_source_unit], district, ["火灾情况"]).typed["火灾情况"]
    indicators = [
        _read(sub, district, ["工作指标"])
        .typed["工作指标"]
        .with_columns(pl.lit(unit).alias("unit_code"), pl.lit("2026Q1").alias("quarter"))
        for unit, sub in latest.items()
        if unit.startswith(("JD", "BM"))
    ]
    return Earlier(
        fires=fires.select("fire_id", pl.lit("2026Q1").alias("quarter")),
        indicators=pl.concat(
            [
                EMPTY_EARLIER,
                *[f.select(EMPTY_EARLIER.columns).cast(EMPTY_EARLIER.schema) for f in indicators],
            ]
        ),
    )


def _inbox_of(case: Path, root: Path) -> Path:
    """Copy a case's unit folders into <root>/inbox/2026Q2/ and return the inbox."""
    for unit in (p for p in case.iterdir() if p.is_dir()):
        shutil.copytree(unit, root / "inbox" / QUARTER / unit.name)
    return root / "inbox"


@pytest.fixture(scope="module")
def checked(district, earlier, tmp_path_factory) -> dict[str, tuple[list[ReadFile], list[str]]]:
    """Every case discovered in its own inbox, then all read and validated together.

    Returns case -> (its files, its `忽略 …` lines for what was not read as a submission).
    """
    config, scheme, registries = district
    subs: dict[str, list[Submission]] = {}
    notes: dict[str, list[str]] = {}
    for case in CASES:
        found = discover(
            _inbox_of(case, tmp_path_factory.mktemp(case.name)), QUARTER, scheme, registries
        )
        # file ids must be unique across cases (two cases could hold the same bytes)
        subs[case.name] = [replace(s, sha256=f"{case.name}:{s.sha256}") for s in found.submissions]
        notes[case.name] = [f"忽略 {note.message}" for note in found.notes]
    files = read_files(
        [s for found in subs.values() for s in found], scheme, registries, config.limits
    )
    validate_files(files, QUARTER, scheme, registries, earlier, engine="gx")
    by_id = {f.file_id: f for f in files}
    return {case: ([by_id[s.file_id] for s in found], notes[case]) for case, found in subs.items()}


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_sample_gives_exactly_its_expected_issues(case, checked):
    files, notes = checked[case.name]
    wanted = 0 if case.name.startswith("ign_") else 1
    assert len(files) == wanted, (
        f"a case holds {wanted} submission (a workbook or one CSV bundle), found {len(files)}"
    )
    assert issue_lines(files) + notes == sorted(expected_lines(case))


def test_case_names_match_their_outcome():
    for case in CASES:
        errors = [line for line in expected_lines(case) if line.startswith("错误 ")]
        kinds = ("忽略 ",) if case.name.startswith("ign_") else ("错误 ", "警告 ")
        assert all(line.startswith(kinds) for line in expected_lines(case)), case.name
        assert expected_lines(case) == sorted(expected_lines(case)), (
            f"{case.name}: expected.txt is not sorted"
        )
        if case.name.startswith("err_"):
            assert errors, f"{case.name}: an err_ case must expect an error"
        elif case.name.startswith(("warn_", "ign_")):
            assert expected_lines(case) and not errors, (
                f"{case.name}: a warn_ or ign_ case expects warnings or notes only"
            )
        else:
            assert case.name.startswith("ok_") and not expected_lines(case), (
                f"{case.name}: an ok_ case expects no issue"
            )


def _shown(value: object) -> str | None:
    """Return a typed value as comparable text (decimals without trailing zeros)."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return None if value is None else str(value)


def typed_values(read: ReadFile) -> dict[tuple[str, str], dict[str, str | None]]:
    """Return (sheet, row key) -> field -> value of every typed row of a file."""
    values = {}
    for sheet, frame in read.typed.items():
        for row in frame.drop("file_id", "excel_row", "derived_grade", strict=False).iter_rows(
            named=True
        ):
            key = "" if sheet == "基本信息" else _shown(next(iter(row.values())))
            values[(sheet, key)] = {field: _shown(v) for field, v in row.items()}
    return values


@pytest.mark.parametrize("case", [_param(c) for c in CASES if c.name.startswith("ok_")])
def test_accepted_sample_reads_as_its_base(case, checked, district, tmp_path):
    """An untidy but acceptable file means exactly what the valid file it was made from means."""
    (read,), _ = checked[case.name]
    unit = read.submission.unit_code
    base_file = make_samples.BASES[unit]
    (tmp_path / "case" / unit).mkdir(parents=True)
    shutil.copy(base_file, tmp_path / "case" / unit / base_file.name)
    (base_sub,) = discover(
        _inbox_of(tmp_path / "case", tmp_path), QUARTER, district[1], district[2]
    ).submissions
    expected = typed_values(_read(base_sub, district))
    for (sheet, key), fields in make_samples.CHANGED.get(case.name, {}).items():
        expected[(sheet, key)] = {**expected[(sheet, key)], **fields}
    assert typed_values(read) == expected


# ---------------------------------------------------------------------------------------------
# the whole quarter with every rejected sample dropped into the inbox


def _run_quarter(config, quarter: str) -> None:
    """Run a quarter exactly as `firescore run` does, without Prefect (firescore.quarter)."""
    from firescore.quarter import run_quarter

    run_quarter(config, quarter)


def _dropped_name(path: Path, tag: str) -> str:
    """Return a unique name for a sample file in a shared unit folder (a CSV keeps its bundle)."""
    if path.suffix.lower() == ".csv" and path.name.count("_") == 2:
        unit, quarter, sheet = path.name.split("_", 2)
        return f"{unit}_{quarter}{tag}_{sheet}"
    return f"{tag}_{path.name}"


def _tree_digest(folder: Path) -> dict[str, str]:
    """Return relative path -> sha256 of every file under a folder."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def quarter_runs(tmp_path_factory):
    """2026Q1 once; then 2026Q2 on the plain sample and, in a copy of the warehouse, on the sample
    plus every rejected and every ignored case's files, received after the unit's valid file."""
    root = tmp_path_factory.mktemp("quarter")
    base = load_config(ROOT / "firescore.toml")
    _run_quarter(
        base.with_overrides(out=root / "out_q1", warehouse=root / "clean.duckdb"), "2026Q1"
    )
    shutil.copy(root / "clean.duckdb", root / "bad.duckdb")

    inbox = root / "inbox"
    shutil.copytree(ROOT / "data_samples" / "inbox" / QUARTER, inbox / QUARTER)
    log_lines, dropped = [], []
    received = datetime(2026, 7, 20, 9, 0)  # after every valid file of the sample (latest 07-14)
    dropped_cases = [
        c
        for c in CASES
        if c.name.startswith("ign_") or any(line.startswith("错误 ") for line in expected_lines(c))
    ]
    for n, case in enumerate(dropped_cases):
        for unit in (p for p in case.iterdir() if p.is_dir()):
            for path in sorted(unit.iterdir()):
                name = _dropped_name(path, f"x{n:02d}")
                (inbox / QUARTER / unit.name).mkdir(parents=True, exist_ok=True)
                if path.is_dir():  # a folder named like a workbook
                    shutil.copytree(path, inbox / QUARTER / unit.name / name)
                else:
                    shutil.copy(path, inbox / QUARTER / unit.name / name)
                log_lines.append(
                    f"{unit.name},{name},{received + timedelta(minutes=n):%Y-%m-%d %H:%M}\n"
                )
                dropped.append((case.name, unit.name, name))
    with (inbox / QUARTER / RECEIPT_LOG).open("a", encoding="utf-8") as handle:
        handle.writelines(log_lines)
    before = _tree_digest(inbox)

    clean = base.with_overrides(out=root / "out_clean", warehouse=root / "clean.duckdb")
    bad = base.with_overrides(inbox=inbox, out=root / "out_bad", warehouse=root / "bad.duckdb")
    _run_quarter(clean, QUARTER)
    _run_quarter(bad, QUARTER)
    return {"clean": clean, "bad": bad, "dropped": dropped, "inbox_before": before, "inbox": inbox}


def _results(config) -> dict[str, dict[str, str]]:
    with (config.out / QUARTER / "results.csv").open(encoding="utf-8-sig") as handle:
        return {row["unit_code"]: row for row in csv.DictReader(handle)}


def test_bad_files_change_no_score(quarter_runs):
    clean, bad = _results(quarter_runs["clean"]), _results(quarter_runs["bad"])
    assert len(clean) == 31
    for unit, row in clean.items():
        assert bad.get(unit) == row, unit
    assert bad.keys() == clean.keys()


def test_every_bad_file_is_rejected_and_quarantined(quarter_runs):
    from firescore.warehouse.store import connect

    con = connect(quarter_runs["bad"].warehouse, read_only=True)
    try:
        status = {
            (unit, name): state
            for unit, name, state in con.execute(
                "SELECT unit_code, file_name, status FROM file_versions WHERE quarter = $q",
                {"q": QUARTER},
            ).fetchall()
        }
    finally:
        con.close()
    rejected = quarter_runs["bad"].out / QUARTER / "rejected"
    for case, unit, name in quarter_runs["dropped"]:
        if case.startswith("ign_"):
            continue
        shown = (
            name
            if not name.endswith(".csv")
            else f"{name.split('_')[0]}_{name.split('_')[1]}_*.csv"
        )
        assert status.get((unit, shown)) == "rejected", (
            case,
            unit,
            name,
            status.get((unit, shown)),
        )
        copies = list((rejected / unit).glob(f"*/{name}"))
        assert len(copies) == 1, (case, name)
        assert (copies[0].parent / "问题清单.txt").is_file(), case
    assert len(quarter_runs["dropped"]) >= 30


def test_what_is_not_a_submission_is_listed_with_its_reason_and_never_read(quarter_runs):
    from firescore.warehouse.store import connect

    bad = quarter_runs["bad"]
    con = connect(bad.warehouse, read_only=True)
    try:
        notes = dict(
            con.execute(
                "SELECT rel_path, reason FROM inbox_notes WHERE quarter = $q", {"q": QUARTER}
            ).fetchall()
        )
        read = {r[0] for r in con.execute("SELECT rel_path FROM raw_files").fetchall()}
    finally:
        con.close()
    ignored = [(c, u, n) for c, u, n in quarter_runs["dropped"] if c.startswith("ign_")]
    assert len(ignored) >= 5
    for case, unit, name in ignored:
        shown = f"{QUARTER}/{unit}/{name}"
        if name.endswith(".csv") and name.count("_") == 2:  # an incomplete bundle: as a bundle
            shown = f"{QUARTER}/{unit}/{'_'.join(name.split('_')[:2])}_*.csv"
        assert shown in notes, (case, shown, sorted(notes))
        assert shown not in read, case
        assert not list((bad.out / QUARTER / "rejected").rglob(name)), case
    # The office sees them in the quarter's issue list, with the reason.
    with (bad.out / QUARTER / "validation" / f"校验问题_{QUARTER}.csv").open(
        encoding="utf-8-sig"
    ) as handle:
        listed = handle.read()
    for shown, reason in notes.items():
        assert f"{shown}：{reason}" in listed


def test_inbox_is_never_changed(quarter_runs):
    assert _tree_digest(quarter_runs["inbox"]) == quarter_runs["inbox_before"]


# ---------------------------------------------------------------------------------------------
# firescore check


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("err_status_not_allowed", 1),
        ("err_pdf_named_xlsx", 1),
        ("warn_task_row_missing", 0),
        ("ok_control_roundtrip", 0),
    ],
)
def test_check_command_prints_the_messages_and_exits(case, code):
    from typer.testing import CliRunner

    from firescore.cli import app

    (path,) = [p for p in (SAMPLES / case).rglob("*") if p.is_file() and p.parent != SAMPLES / case]
    result = CliRunner().invoke(app, ["check", str(path), "--config", str(ROOT / "firescore.toml")])
    assert result.exit_code == code, result.output
    for line in expected_lines(SAMPLES / case):
        assert f"  {line}\n" in result.output, (line, result.output)
    assert ("有错误，将被退回" in result.output) == (code == 1)


def test_a_run_id_that_overflows_a_date_parser_still_validates(district, earlier, tmp_path):
    """Data Docs name GX's results by the run id; GX used to parse that id as a date, and about
    one id in 3,000 (hex digits such as ad5736686512) overflowed its parser: the run stopped with a
    traceback. A file now gets exactly the issues it gets without Data Docs."""
    _, scheme, registries = district
    case = SAMPLES / "err_status_not_allowed"  # found by Great Expectations (allowed values)
    (sub,) = discover(_inbox_of(case, tmp_path), QUARTER, scheme, registries).submissions
    found = {}
    for docs_run in (None, "ad5736686512"):
        files = [_read(sub, district)]
        validate_files(files, QUARTER, scheme, registries, earlier, engine="gx", docs_run=docs_run)
        found[docs_run] = issue_lines(files)
    assert found["ad5736686512"] == found[None] == sorted(expected_lines(case))

"""One quarter end to end: discover -> read -> validate -> load -> score -> publish.

Each stage is a plain function of a QuarterRun (what the run has opened and found so far).
run_quarter lists the stages for tests and the benchmark; flows/quarter.py lists the same
stages, each as a Prefect task. A stage records its wall time and logs one Chinese line with its
counts (the run's logger: Prefect's run logger in the flow).
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import ParamSpec, TypeVar
from zoneinfo import ZoneInfo

import duckdb

from firescore.appeals import dispute_window, late_form_notes, load_rulings, rulings_file_name
from firescore.atomic import remove_stale_temps
from firescore.config import Config, load_config
from firescore.intake.discover import (
    AppealInbox,
    Inbox,
    Submission,
    discover,
    discover_appeals,
)
from firescore.intake.expectations import export_data_docs
from firescore.intake.history import read_history
from firescore.intake.pipeline import Earlier, ReadFile, read_files, validate_files
from firescore.progress import report
from firescore.publish import (
    PublishMeta,
    QuarterData,
    load_quarter,
    publish_feedback,
    publish_quarter,
)
from firescore.publish.quarantine import quarantine
from firescore.publish.validation import publish_validation
from firescore.registry import Registries, load_registries
from firescore.scheme import Quarter, QuarterError, Scheme, describe_scheme, load_scheme
from firescore.scheme.workdays import CalendarError
from firescore.warehouse.file import reading, writing
from firescore.warehouse.lock import hold
from firescore.warehouse.releases import (
    DRAFT,
    FINAL,
    REOPEN,
    Event,
    QuarterLocked,
    Release,
    record,
    refuse_if_final,
    release_of,
)
from firescore.warehouse.runs import record_run
from firescore.warehouse.store import (
    accepted_fire_ids,
    adopt_file_identity,
    earlier_indicators,
    known_files,
    load_files,
    load_notes,
)
from firescore.warehouse.store import (
    load_registries as load_registry_tables,
)
from firescore.workers import Pool, Workers, in_batch_order
from scoring.runner import run_scoring

log = logging.getLogger(__name__)

# The stages in run order, with the name the office reads (task names, logs, timing table).
STAGES: dict[str, str] = {
    "discover": "收件",
    "read": "读取",
    "validate": "校验",
    "load": "入库",
    "score": "评分",
    "publish-leader": "发布考核结果",
    "publish-feedback": "发布单位反馈",
    "publish-validation": "发布校验报告",
}
# Where a run may be cut short: after each stage, and after the warehouse is renamed into place.
BOUNDARIES = (*STAGES, "commit")
CRASH_AT = "FIRESCORE_CRASH_AT"  # testing hook: the boundary at which to die, as kill -9 would


class RunError(Exception):
    """A run asked for something the scheme does not allow; the message is Chinese."""


def load_run_config(config_file: str | None = None, **paths: str | None) -> tuple[Config, Scheme]:
    """Load the config (its path, else $FIRESCORE_CONFIG or ./firescore.toml) and its scheme."""
    config = load_config(Path(config_file) if config_file else None)
    config = config.with_overrides(**{k: Path(v) for k, v in paths.items() if v})
    return config, load_scheme(config.scheme)


def quarter_to_run(scheme: Scheme, quarter: str | None, now: datetime | None = None) -> Quarter:
    """Return the quarter to run: the one given, else the latest whose deadline has passed."""
    if quarter is None:
        due = scheme.due_quarter(now or datetime.now().astimezone())
        if due is None:
            first = Quarter(f"{scheme.year}Q1")
            raise RunError(
                f"{scheme.year} 年尚无已过报送截止日的季度（{first} 截止于 "
                f"{scheme.report_deadline(first)}），请用 --quarter 指定季度"
            )
        return due
    try:
        normal = Quarter(quarter)
    except QuarterError as exc:
        raise RunError(str(exc)) from exc
    if normal.year != scheme.year:
        raise RunError(
            f"考核季度 {normal} 不属于考核方案的年度 {scheme.year}：请改用 {scheme.year}Q1 至 "
            f"{scheme.year}Q4 中的季度，或在考核方案 scheme.yaml 中更新 year"
        )
    return normal


@dataclass
class RunSummary:
    """What the office is told at the end of a run."""

    quarter: str
    run_id: str
    files_seen: int = 0
    files_new: int = 0
    rejected: list[tuple[str, str, str]] = field(default_factory=list)  # unit, file, first issue
    units_scored: int = 0
    missing: list[str] = field(default_factory=list)  # unit codes with no accepted file
    notes: list[str] = field(default_factory=list)  # what the inbox held but was not read, why
    rerun: list[str] = field(default_factory=list)  # quarters whose old verdicts were dropped
    outputs: list[Path] = field(default_factory=list)
    timings: list[tuple[str, float]] = field(default_factory=list)  # (stage, seconds) per call
    release: Release = field(default_factory=Release)  # draft or final, with its reopenings
    window: str | None = None  # the dispute window (申诉期) in words, while a draft


@dataclass
class QuarterRun:
    """One quarter's run in progress: its inputs, its warehouse and what the stages found."""

    config: Config
    quarter: Quarter
    scheme: Scheme
    registries: Registries
    con: duckdb.DuckDBPyConnection
    logger: logging.Logger | logging.LoggerAdapter
    summary: RunSummary
    workers: Workers  # where the batches of reading and feedback writing run
    as_of: datetime | None = None  # the newest receipt time: the date of the data
    meta: PublishMeta | None = None  # set by score
    data: QuarterData | None = None  # the scored quarter every publisher reads, set by score


P = ParamSpec("P")
R = TypeVar("R")


def stage(name: str) -> Callable[[Callable[P, tuple[R, str]]], Callable[P, R]]:
    """Make a stage of a function returning (result, counts): timed, logged, result returned."""

    def wrap(fn: Callable[P, tuple[R, str]]) -> Callable[P, R]:
        @functools.wraps(fn)
        def timed(*args: P.args, **kwargs: P.kwargs) -> R:
            run = args[0]
            assert isinstance(run, QuarterRun), "a stage takes the QuarterRun first"
            report(name)
            start = time.perf_counter()
            result, counts = fn(*args, **kwargs)
            seconds = time.perf_counter() - start
            run.summary.timings.append((name, seconds))
            run.logger.info("%s：%s（用时 %.1f 秒）", STAGES[name], counts, seconds)
            report(name, done=f"{counts}（用时 {seconds:.1f} 秒）")
            boundary(name)
            return result

        return timed

    return wrap


def boundary(name: str) -> None:
    """Mark a boundary of the run; die there at once when $FIRESCORE_CRASH_AT names it (tests)."""
    assert name in BOUNDARIES, name
    if os.environ.get(CRASH_AT) == name:
        os._exit(137)  # like kill -9: no clean-up, no finally blocks, no atexit


@contextmanager
def quarter_run(
    config: Config,
    quarter: str,
    logger: logging.Logger | logging.LoggerAdapter = log,
    change: Event | None = None,
    workers: Workers | None = None,
) -> Iterator[QuarterRun]:
    """Open a quarter's run (scheme, registries, warehouse); fill the summary when it ends.

    `change` reopens a final quarter before the run, finalises the quarter with this run, or
    (a draft event) gives the time the draft is published at when this run is the quarter's
    first (default: now); a run of a final quarter that does not reopen it is refused
    (QuarterLocked) before anything is read. `workers` run the batches of reading and
    feedback writing (default: [runner] of the config, as concurrent.futures pools); they are
    stopped when the run ends.

    The run lock is held from before discover to after publish. The warehouse is written as a
    working copy renamed into place when the run ends, so a run that dies at any point leaves
    the previous warehouse as it was, and a re-run redoes (and so completes) every output.
    """
    quarter = Quarter(quarter)
    scheme = load_scheme(config.scheme)
    registries = load_registries(config.units, config.tasks, config.limits)
    workers = workers or Pool(config.runner)
    with hold(config.warehouse), closing(workers), writing(config.warehouse) as con:
        release = open_for_run(con, quarter, change, ZoneInfo(scheme.timezone))
        remove_stale_temps(config.out / quarter)  # left by runs that died mid-write
        run = QuarterRun(
            config=config,
            quarter=quarter,
            scheme=scheme,
            registries=registries,
            con=con,
            logger=logger,
            summary=RunSummary(quarter=quarter, run_id="", release=release),
            workers=workers,
        )
        yield run
        # Recorded only once the workbooks are written, with the inputs' run id.
        for event in release.events[len(release_of(con, quarter).events) :]:
            record(con, quarter, replace(event, run_id=run.summary.run_id))
        fill_summary(con, run.summary)
    boundary("commit")
    logger.info(
        "%s 考核完成：参与排名单位 %d 个，退回文件 %d 个，未报送单位 %d 个",
        quarter,
        run.summary.units_scored,
        len(run.summary.rejected),
        len(run.summary.missing),
    )


def run_quarter(
    config: Config,
    quarter: str,
    logger: logging.Logger | logging.LoggerAdapter = log,
    change: Event | None = None,
) -> RunSummary:
    """Run one quarter end to end and publish its workbooks; return the office's summary."""
    with quarter_run(config, quarter, logger, change) as run:
        batches = discover_files(run)
        files = read_new(run, batches)
        files = validate_new(run, files)
        load_new(run, files)
        score(run)
        # The leaders' workbook is written in a thread while the workers write the feedback.
        with ThreadPoolExecutor(max_workers=1) as thread:
            leader = thread.submit(publish_leader, run)
            publish_units(run)
        leader.result()
        publish_checks(run)
    return run.summary


@stage("discover")
def discover_files(run: QuarterRun) -> tuple[list[list[Submission]], str]:
    """List the quarter's submissions; return the new ones in batches (one read task each)."""
    config, scheme, registries = run.config, run.scheme, run.registries
    if (
        not known_files(run.con, run.quarter)
        and inbox_files(config, run.quarter) > config.limits.batch_size
    ):
        # The quarter's first run reads every file, in batches: spawn the workers while
        # discover hashes.
        run.workers.start()
    history = read_history(config.history, scheme, registries, config.limits)
    inbox = discover(config.inbox, run.quarter, scheme, registries)
    appeals = discover_appeals(
        config.inbox, run.quarter, scheme, registries, rulings_file_name(run.quarter)
    )
    summary = run.summary
    summary.run_id = run_id_of(inbox, config, appeals)
    # Appeal forms received after the dispute window are refused here, like stray files.
    inbox.notes += appeals.notes + late_form_notes(appeals.forms, scheme, summary.release)
    if summary.release.final is None:
        try:
            window = dispute_window(scheme, summary.release)
        except CalendarError:
            window = None  # said in the notes, with the calendar's reason
        summary.window = window.text if window is not None else None
    summary.files_seen = len(inbox.submissions)
    summary.notes = [note.message for note in inbox.notes]
    run.as_of = max(
        (s.received_at for s in inbox.submissions),
        default=datetime(scheme.year, 1, 1, tzinfo=ZoneInfo(scheme.timezone)),
    )
    load_registry_tables(run.con, registries, history)
    # A warehouse written before files were (quarter, unit folder, sha256): re-judge the
    # versions that shared their identity; other quarters must be run again.
    summary.rerun = [q for q in adopt_file_identity(run.con) if q != run.quarter]
    load_notes(run.con, run.quarter, inbox.notes)
    # Unchanged files (same sha256 for the same unit and quarter) are not parsed again.
    known = known_files(run.con, run.quarter)
    new = [s for s in inbox.submissions if (s.unit_code, s.sha256) not in known]
    summary.files_new = len(new)
    if new:  # 校验 will need Great Expectations: import it while the workers read the files
        import_in_background("great_expectations")
    size = config.limits.batch_size
    batches = [new[i : i + size] for i in range(0, len(new), size)]
    report("read", total=len(new))
    counts = f"收到文件 {len(inbox.submissions)} 个，其中新文件 {len(new)} 个，未读取 {len(inbox.notes)} 项"
    return batches, counts


def unit_folder_files(config: Config, quarter: str) -> Iterator[os.DirEntry]:
    """Yield the entries in the quarter's unit folders (symbolic links not followed)."""
    try:
        folders = list(os.scandir(config.inbox / quarter))
    except OSError:
        return  # discover says what is wrong with the inbox
    for folder in folders:
        if folder.is_dir(follow_symlinks=False):
            with os.scandir(folder.path) as entries:
                yield from entries


def inbox_files(config: Config, quarter: str) -> int:
    """Return how many entries the quarter's unit folders hold (listed, not read)."""
    return sum(1 for _ in unit_folder_files(config, quarter))


def changed_since_run(config: Config, quarter: str) -> bool:
    """Return whether a file of the quarter's unit folders changed since the warehouse was
    written (always before a first run): a hint, by modification time, that there is new work.

    Only what can start early uses it (Great Expectations' import); discover decides what is
    new by content. A file copied in with an older time is missed here and read all the same.
    """
    try:
        written = config.warehouse.stat().st_mtime
    except FileNotFoundError:
        return True
    return any(
        entry.stat(follow_symlinks=False).st_mtime > written
        for entry in unit_folder_files(config, quarter)
    )


def prepare_validation(config: Config, quarter: str) -> None:
    """Import Great Expectations in a daemon thread when a file of the quarter may be new."""

    def prepare() -> None:
        if changed_since_run(config, quarter):
            importlib.import_module("great_expectations")

    threading.Thread(target=prepare, name="import-great_expectations", daemon=True).start()


def import_in_background(module: str) -> None:
    """Start importing a module in a daemon thread; whoever imports it next waits for that."""
    # Python's per-module import lock makes a later `import` in any thread wait for this one.
    threading.Thread(
        target=importlib.import_module, args=(module,), name=f"import-{module}", daemon=True
    ).start()


@stage("read")
def read_new(run: QuarterRun, batches: list[list[Submission]]) -> tuple[list[ReadFile], str]:
    """Read and cast the new files, a batch per worker at a time; return them in inbox order."""
    jobs = [(batch, run.scheme, run.registries, run.config.limits) for batch in batches]
    files = in_batch_order(advancing("read", run.workers.map(read_files, jobs)))
    return files, f"读取文件 {len(files)} 个（{len(batches)} 批）"


def advancing(stage: str, results: Iterator[tuple[int, list[R]]]) -> Iterator[tuple[int, list[R]]]:
    """Pass batch results on, advancing the stage's progress bar by each batch's size."""
    for index, items in results:
        report(stage, advance=len(items))
        yield index, items


@stage("validate")
def validate_new(run: QuarterRun, files: list[ReadFile]) -> tuple[list[ReadFile], str]:
    """Validate every new file of the quarter at once (GX per sheet type, then rule queries)."""
    earlier = Earlier(
        fires=accepted_fire_ids(run.con, run.scheme.fire_source_unit),
        indicators=earlier_indicators(run.con),
    )
    validate_files(
        files,
        run.quarter,
        run.scheme,
        run.registries,
        earlier,
        engine="gx",
        docs_run=run.summary.run_id,  # GX results kept under the run's id for Data Docs
    )
    errors = sum(1 for f in files if not f.valid)
    return files, f"校验文件 {len(files)} 个，有错误（将退回）{errors} 个"


@stage("load")
def load_new(run: QuarterRun, files: list[ReadFile]) -> tuple[None, str]:
    """Store the new files and their findings; copy the rejected ones aside with their report.

    The files are let go once stored (the list is emptied): their frames, the run's largest
    holding, would otherwise stay in memory through scoring and publishing, held by the caller
    (and by Prefect's record of the validate task's result, the same list).
    """
    load_files(run.con, files, run.summary.run_id, run.as_of)
    quarantine(files, run.config.out)
    count = len(files)
    files.clear()
    return None, f"入库文件 {count} 个"


@stage("score")
def score(run: QuarterRun) -> tuple[None, str]:
    """Score the quarter in the warehouse and read the scored quarter back for the publishers."""
    scheme, config = run.scheme, run.config
    # The office's rulings on disputes (申诉处理) are scored as ledger rows of their own.
    run.summary.notes += load_rulings(
        run.con, config.inbox, run.quarter, scheme, run.registries, config.limits
    )
    run_scoring(run.con, scheme, run.quarter)
    # What this run publishes is kept, so the next run can say what moved since (较上次运行).
    record_run(run.con, run.quarter, run.summary.run_id, run.as_of)
    run.meta = PublishMeta(
        district=scheme.district,
        title=scheme.title,
        quarter=run.quarter,
        quarter_label=run.quarter.label,
        as_of=run.as_of,
        run_id=run.summary.run_id,
        scheme_lines=describe_scheme(scheme),
        deadline=scheme.report_deadline(run.quarter),
        timezone=scheme.timezone,
        office=config.office,
        attachment=config.attachment,
        release=run.summary.release.shown,
    )
    # Every publisher reads the same scored quarter: load it once.
    run.data = load_quarter(run.con, run.quarter, scheme.timezone)
    return None, f"评分单位 {len(run.data.scores)} 个"


@stage("publish-leader")
def publish_leader(run: QuarterRun) -> tuple[None, str]:
    """Write the leaders' workbook and results.csv (in a thread beside publish_units)."""
    # A DuckDB connection serves one thread at a time: this thread gets a cursor of its own.
    with closing(run.con.cursor()) as con:
        paths = publish_quarter(con, run.meta, run.config.out, run.data)
    # First in the list whichever of the two ends first, so the summary reads the same.
    run.summary.outputs[:0] = paths
    return None, "、".join(p.name for p in paths)


@stage("publish-feedback")
def publish_units(run: QuarterRun) -> tuple[None, str]:
    """Write one feedback workbook per unit."""
    paths = publish_feedback(
        run.con,
        run.meta,
        run.config.out,
        run.data,
        on_written=lambda units, total: report("publish-feedback", advance=units, total=total),
        workers=run.workers,
        batch_size=run.config.limits.batch_size,
    )
    if paths:
        run.summary.outputs.append(paths[0].parent)
    return None, f"单位反馈 {len(paths)} 份"


@stage("publish-validation")
def publish_checks(run: QuarterRun) -> tuple[None, str]:
    """Write 校验问题 (xlsx, csv) and the Data Docs of this run's validations."""
    paths = publish_validation(run.con, run.meta, run.config.out, run.data)
    docs_folder = run.config.out / run.quarter / "validation" / "data_docs"
    docs = export_data_docs(docs_folder, run.summary.run_id)
    if docs is not None:
        paths.append(docs)
    run.summary.outputs += paths
    return None, "、".join(p.name for p in paths)


def run_id_of(inbox: Inbox, config: Config, appeals: AppealInbox | None = None) -> str:
    """Return an id derived from the inputs, so a re-run on the same inputs is identical.

    The inputs are the scheme, the registries, the submissions with their received times,
    what the inbox held but was not read, and the 申诉 folder: the appeal forms (with their
    received times) and the office's rulings.
    """
    digest = hashlib.sha256()
    for path in (config.scheme, config.units, config.tasks):
        digest.update(path.read_bytes())
    for sub in inbox.submissions:
        digest.update(f"{sub.unit_code}:{sub.sha256}:{sub.received_at.isoformat()}\n".encode())
    for note in inbox.notes:
        digest.update(f"{note.message}\n".encode())
    appeals = appeals or AppealInbox()
    # The office's rulings change the scores too: a run after a ruling is another run.
    if appeals.rulings is not None:
        digest.update(hashlib.sha256(appeals.rulings.read_bytes()).digest())
    # So do the units' forms (a late one is listed): each with its received time.
    for form in appeals.forms:
        digest.update(
            f"申诉:{form.rel_path}:{form.sha256}:{form.received_at.isoformat()}\n".encode()
        )
    for note in appeals.notes:
        digest.update(f"{note.message}\n".encode())
    return digest.hexdigest()[:12]


def inputs_run_id(config: Config, scheme: Scheme, registries: Registries, quarter: Quarter) -> str:
    """Return the run id a run of the quarter would have now (the inbox is listed, not read)."""
    return run_id_of(
        discover(config.inbox, quarter, scheme, registries),
        config,
        discover_appeals(config.inbox, quarter, scheme, registries, rulings_file_name(quarter)),
    )


def final_unchanged(
    config: Config, scheme: Scheme, registries: Registries, quarter: Quarter
) -> Event | None:
    """Return the finalisation of a final quarter whose inputs are those it was finalised
    with (nothing to do), else None (a draft, or inputs changed since: the run decides)."""
    if not config.warehouse.is_file():
        return None
    with reading(config.warehouse) as con:
        final = release_of(con, quarter).final
    if final is None or final.run_id is None:
        return None
    return final if inputs_run_id(config, scheme, registries, quarter) == final.run_id else None


def open_for_run(
    con: duckdb.DuckDBPyConnection, quarter: str, change: Event | None, tz: ZoneInfo
) -> Release:
    """Return the release the run publishes under, with the events it records at its end
    (its draft's first publication, its finalisation); refuse a final quarter unless reopened."""
    release = release_of(con, quarter)
    if change is not None and change.event == REOPEN:
        if release.final is None:
            raise QuarterLocked(f"{quarter} 尚未定稿（仍为征求意见稿），无需重新打开")
        record(con, quarter, change)
        return release_of(con, quarter)
    refuse_if_final(release, quarter)
    if change is not None and change.event == FINAL:
        return Release((*release.events, change))
    if release.published is None:  # the quarter's first publication: its draft's date
        now = datetime.now(tz).replace(tzinfo=None, microsecond=0)
        at = change.at if change is not None else now
        return Release((*release.events, Event(DRAFT, "", at)))
    return release


def fill_summary(con: duckdb.DuckDBPyConnection, summary: RunSummary) -> None:
    """Fill the counts the CLI prints from the warehouse (the source of truth)."""
    q = {"quarter": summary.quarter}
    summary.units_scored = con.execute(
        "SELECT count(*) FROM unit_scores WHERE quarter = $quarter AND ranked", q
    ).fetchone()[0]
    summary.missing = [
        r[0]
        for r in con.execute(
            """
            SELECT unit_code FROM submissions
            WHERE quarter = $quarter AND status IN ('未报送', '仅有退回文件')
            ORDER BY unit_code
            """,
            q,
        ).fetchall()
    ]
    summary.rejected = con.execute(
        """
        SELECT v.unit_code, v.file_name,
               (SELECT first(i.message ORDER BY i.severity, i.rule_id) FROM raw_issues AS i
                WHERE i.sha256 = v.sha256 AND i.quarter = v.quarter AND i.severity = 'error')
        FROM file_versions AS v
        WHERE v.quarter = $quarter AND v.status = 'rejected'
        ORDER BY v.unit_code, v.received_at
        """,
        q,
    ).fetchall()

"""Find a quarter's submissions in the inbox: <inbox>/<quarter>/<unit code>/<any name>.

Only what can be a submission is returned as one: a workbook (.xlsx/.xlsm/.xls) or a complete
bundle of CSV sheets named <单位代码>_<季度>_<表名>.csv. Everything else met in the quarter's
folder (a stray CSV, a photo, a sub-folder, a symbolic link, a bad receipt-log row) is an
InboxNote saying in Chinese why it was not read, so nothing is skipped silently. Symbolic links
are never followed: nothing outside the inbox is ever read.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from firescore.intake.casting import cast_sheet
from firescore.intake.contracts import (
    RECEIPT_SHEET,
    TASK_SHEET,
    WORKBOOK_FORMATS,
    contract,
    format_of,
    submission_contracts,
    suffixes_text,
)
from firescore.intake.reader import read_csv
from firescore.registry import Registries
from firescore.scheme import Scheme

log = logging.getLogger(__name__)

RECEIPT_LOG = f"{RECEIPT_SHEET}.csv"
APPEALS_DIR = "申诉"  # inbox/<quarter>/申诉/<unit>/: appeal forms, read by `firescore appeals`
CSV_NAMING = "<单位代码>_<季度>_<表名>.csv"
_CSV_NAME = re.compile(
    r"^(?P<unit>[^_]+)_(?P<quarter>[^_]+)_(?P<sheet>[^_.]+)\.csv$", re.IGNORECASE
)
# What a spreadsheet would run as a formula (CSV injection): never taken from the receipt log.
_FORMULA_START = ("=", "+", "-", "@")
_SYMLINK = "是符号链接（快捷方式），为防止读取收件箱以外的文件，不予读取"
_WINDOWS_FILES = frozenset({"thumbs.db", "desktop.ini"})
_NO_QUARTER_FOLDER = "收件箱中没有本季度的文件夹，未收到任何文件；请核对收件箱路径（配置 paths.inbox 或 --inbox）和季度"


@dataclass(frozen=True)
class Submission:
    """One version of a unit's quarterly submission: a workbook, or a bundle of CSV sheets."""

    quarter: str
    unit_code: str  # the inbox folder: the sender (`check`: the unit its 基本信息 names)
    paths: tuple[Path, ...]
    rel_path: str  # relative to the inbox root (a bundle: its folder/<unit>_<quarter>_*.csv)
    file_name: str
    sha256: str
    size_bytes: int
    received_at: datetime  # aware
    received_source: str  # 收件登记 | 文件修改时间 | history
    file_format: str  # xlsx | xlsm | xls | csv | unknown
    origin: str = "inbox"  # inbox | check | history | appeal: where the sender was taken from

    @property
    def file_id(self) -> str:
        """Return the identity of this submission: the same bytes in two folders are two files."""
        return f"{self.quarter}/{self.unit_code}/{self.sha256}"


@dataclass(frozen=True)
class InboxNote:
    """Something in the quarter's inbox that was not read as a submission, and why."""

    quarter: str
    unit_code: str | None  # the unit folder it sits in, if any
    rel_path: str  # relative to the inbox root
    reason: str  # Chinese

    @property
    def message(self) -> str:
        """Return the note as one Chinese line naming the path."""
        return f"{self.rel_path}：{self.reason}"


@dataclass
class Inbox:
    """A quarter's inbox: its submissions and everything that was not read, with the reason."""

    submissions: list[Submission] = field(default_factory=list)
    notes: list[InboxNote] = field(default_factory=list)


@dataclass
class AppealInbox:
    """A quarter's 申诉 folder: the units' appeal forms (with received times) and the rulings."""

    forms: list[Submission] = field(default_factory=list)  # by unit folder, then file name
    rulings: Path | None = None  # the office's 申诉处理_<quarter>.xlsx, when there
    notes: list[InboxNote] = field(default_factory=list)  # unusable receipt-log rows


def sha256_of(path: Path) -> str:
    """Return the hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def role_of(unit_code: str, scheme: Scheme) -> str:
    """Return which sheets a sender submits: the fire detachment, the office, or a unit."""
    if unit_code == scheme.fire_source_unit:
        return "fire"
    if unit_code == scheme.adjustment_source_unit:
        return "adjustments"
    return "units"


def optional_sheets(unit_code: str, registries: Registries) -> frozenset[str]:
    """Return the sheets a unit may leave out: 任务进展 when it is named on no task."""
    return frozenset() if unit_code in registries.named_units else frozenset({TASK_SHEET})


def submission_of(
    paths: list[Path],
    quarter: str,
    unit_code: str,
    rel_path: str,
    received: list[tuple[datetime, str]],
    origin: str = "inbox",
) -> Submission:
    """Describe one file (or CSV bundle): the one way a Submission is made.

    `received` gives each path's (received time, source); the bundle counts from its last part.
    """
    hashes = [sha256_of(p) for p in paths]
    if len(paths) == 1:
        sha = hashes[0]
    else:
        sha = hashlib.sha256(
            "".join(f"{p.name}:{h}\n" for p, h in zip(paths, hashes, strict=True)).encode()
        ).hexdigest()
    sources = {source for _, source in received}
    return Submission(
        quarter=quarter,
        unit_code=unit_code,
        paths=tuple(paths),
        rel_path=rel_path,
        file_name=rel_path.rsplit("/", 1)[-1],
        sha256=sha,
        size_bytes=sum(p.stat().st_size for p in paths),
        received_at=max(when for when, _ in received),
        received_source=sources.pop() if len(sources) == 1 else "文件修改时间",
        file_format=format_of(paths[0]),
        origin=origin,
    )


def modified_at(path: Path, tz: ZoneInfo) -> datetime:
    """Return a file's modification time to the second, in the scheme's time zone."""
    return datetime.fromtimestamp(path.stat().st_mtime, tz).replace(microsecond=0)


def discover(inbox: Path, quarter: str, scheme: Scheme, registries: Registries) -> Inbox:
    """Return every submission of a quarter (by unit, then received time) and the notes."""
    tz = ZoneInfo(scheme.timezone)
    quarter_dir = inbox / quarter
    found = Inbox()
    if quarter_dir.is_symlink() or not quarter_dir.is_dir():
        reason = _SYMLINK if quarter_dir.is_symlink() else _NO_QUARTER_FOLDER
        found.notes.append(InboxNote(quarter, None, quarter, reason))
        return found
    receipts = read_receipt_log(quarter_dir, quarter, registries, tz, found.notes)
    candidates: list[Submission] = []
    # Sorted by name, the order of Path's own comparison within one folder, without its cost
    # per comparison (30,000 unit folders: about a second).
    for entry in sorted(quarter_dir.iterdir(), key=lambda p: p.name):
        if entry.name == RECEIPT_LOG or (_is_system_file(entry) and not entry.is_dir()):
            continue
        if entry.name == APPEALS_DIR and entry.is_dir() and not entry.is_symlink():
            continue  # the units' appeal forms: not a unit folder, not a stray either
        reason = _not_a_unit_folder(entry, quarter)
        if reason:
            found.notes.append(InboxNote(quarter, None, f"{quarter}/{entry.name}", reason))
            continue
        unit = entry.name.upper()
        for group in _unit_folder(entry, quarter, unit, scheme, registries, found.notes):
            received = [
                receipts.get((unit, p.name)) or (modified_at(p, tz), "文件修改时间") for p in group
            ]
            name = group[0].name if len(group) == 1 else _bundle_name(group[0])
            rel_path = f"{quarter}/{entry.name}/{name}"
            candidates.append(submission_of(group, quarter, unit, rel_path, received))
    # The same bytes sent twice to one unit (under another name, or again later) are one
    # version: the first. The same bytes in two unit folders are two submissions.
    unique: dict[tuple[str, str], Submission] = {}
    for sub in sorted(
        candidates, key=lambda s: (s.unit_code, s.received_at, s.sha256, s.file_name)
    ):
        unique.setdefault((sub.unit_code, sub.sha256), sub)
    found.submissions = list(unique.values())
    return found


def discover_appeals(
    inbox: Path, quarter: str, scheme: Scheme, registries: Registries, rulings_name: str
) -> AppealInbox:
    """Return the quarter's appeal forms (inbox/<q>/申诉/<unit>/) and the office's rulings workbook.

    A form's received time comes from 申诉/收件登记.csv like a submission's, else the file's
    modification time; it decides whether the form came within the dispute window.
    """
    folder = inbox / quarter / APPEALS_DIR
    found = AppealInbox()
    if folder.is_symlink() or not folder.is_dir():
        return found
    tz = ZoneInfo(scheme.timezone)
    rel_dir = f"{quarter}/{APPEALS_DIR}"
    receipts = read_receipt_log(folder, quarter, registries, tz, found.notes, rel_dir)
    rulings = folder / rulings_name
    found.rulings = rulings if rulings.is_file() and not rulings.is_symlink() else None
    for unit_dir in sorted(p for p in folder.iterdir() if p.is_dir() and not p.is_symlink()):
        unit = unit_dir.name.upper()
        for path in sorted(unit_dir.iterdir()):
            if path.name.startswith((".", "~$")) or not path.is_file() or path.is_symlink():
                continue
            received = receipts.get((unit, path.name)) or (modified_at(path, tz), "文件修改时间")
            rel_path = f"{rel_dir}/{unit_dir.name}/{path.name}"
            found.forms.append(
                submission_of([path], quarter, unit, rel_path, [received], origin="appeal")
            )
    return found


def _not_a_unit_folder(entry: Path, quarter: str) -> str | None:
    """Return why an entry of the quarter's folder is not a unit folder (Chinese), or None."""
    if entry.is_symlink():
        return _SYMLINK
    if not entry.is_dir():
        return f"不在单位文件夹中，未读取（报送文件应放在 {quarter}/<单位代码>/ 下）"
    if entry.name.startswith("."):
        return "是隐藏文件夹，不是单位文件夹，未读取"
    return None


def _is_system_file(path: Path) -> bool:
    """Return whether a name is hidden, a lock file Excel/WPS leaves (~$book.xlsx) or one Windows
    Explorer writes (Thumbs.db, desktop.ini): the system's, not a unit's, passed over silently."""
    return path.name.startswith((".", "~$")) or path.name.lower() in _WINDOWS_FILES


def _unit_folder(
    folder: Path,
    quarter: str,
    unit: str,
    scheme: Scheme,
    registries: Registries,
    notes: list[InboxNote],
) -> list[list[Path]]:
    """Return the submissions of one unit folder as path groups; note everything else."""
    groups: list[list[Path]] = []
    csvs: list[Path] = []
    for path in sorted(folder.iterdir()):
        if _is_system_file(path):
            continue
        reason = not_a_submission(path)
        if reason:
            notes.append(InboxNote(quarter, unit, f"{quarter}/{folder.name}/{path.name}", reason))
        elif format_of(path) == "csv":
            csvs.append(path)
        else:
            groups.append([path])
    for bundle in _csv_bundles(csvs):
        missing = _missing_sheets(bundle, unit, scheme, registries)
        if missing:
            notes.append(
                InboxNote(
                    quarter,
                    unit,
                    f"{quarter}/{folder.name}/{_bundle_name(bundle[0])}",
                    "CSV 文件不全，缺少 "
                    + "、".join(missing)
                    + "（每张应报送的工作表一个 CSV 文件），未作为报送文件读取",
                )
            )
        else:
            groups.append(bundle)
    return groups


def not_a_submission(path: Path) -> str | None:
    """Return why a path cannot be (part of) a submission, in Chinese, or None if it can."""
    if path.is_symlink():
        return _SYMLINK
    if path.is_dir():
        if format_of(path) != "unknown":
            return "是文件夹而不是文件，未读取"
        return "是子文件夹，其中的文件不读取（报送文件应直接放在单位文件夹中）"
    if not path.is_file():
        return "不是普通文件，未读取"
    if format_of(path) == "csv" and not _CSV_NAME.match(path.name):
        return f"CSV 文件名不符合 {CSV_NAMING} 的命名，不是报送文件，已忽略"
    if format_of(path) == "unknown":
        return (
            f"不是可报送的文件格式（应为 {suffixes_text(WORKBOOK_FORMATS)} 工作簿，"
            f"或按 {CSV_NAMING} 命名的整套 CSV 文件），已忽略"
        )
    return None


def _csv_bundles(paths: list[Path]) -> list[list[Path]]:
    """Group CSV sheets named <单位代码>_<季度>_<表名>.csv into one bundle per prefix."""
    groups: dict[str, list[Path]] = {}
    for path in paths:
        match = _CSV_NAME.match(path.name)
        groups.setdefault(f"{match['unit']}_{match['quarter']}", []).append(path)
    return [groups[k] for k in sorted(groups)]


def _bundle_name(path: Path) -> str:
    """Return the name a CSV bundle is shown by: <unit>_<quarter>_*.csv."""
    return _CSV_NAME.sub(r"\g<unit>_\g<quarter>_*.csv", path.name)


def _missing_sheets(
    bundle: list[Path], unit: str, scheme: Scheme, registries: Registries
) -> list[str]:
    """Return the CSV file names a bundle lacks for its sender's required sheets."""
    match = _CSV_NAME.match(bundle[0].name)
    present = {_CSV_NAME.match(p.name)["sheet"] for p in bundle}
    optional = optional_sheets(unit, registries)
    return [
        f"{match['unit']}_{match['quarter']}_{spec.sheet}.csv"
        for spec in submission_contracts(role_of(unit, scheme))
        if spec.required and spec.sheet not in optional and spec.sheet not in present
    ]


def read_receipt_log(
    quarter_dir: Path,
    quarter: str,
    registries: Registries,
    tz: ZoneInfo,
    notes: list[InboxNote],
    rel_dir: str | None = None,
) -> dict[tuple[str, str], tuple[datetime, str]]:
    """Return (unit code, file name) -> (received time, 收件登记) from the office's receipt log.

    The log sits in the folder it dates (`rel_dir`, relative to the inbox; the quarter's folder
    by default, its 申诉 folder for the appeal forms).

    A row that cannot be used is noted with its row number and content, never dropped silently.
    """
    path = quarter_dir / RECEIPT_LOG
    rel = f"{rel_dir or quarter}/{RECEIPT_LOG}"
    if path.is_symlink():
        notes.append(InboxNote(quarter, None, rel, _SYMLINK))
        return {}
    if not path.is_file():
        return {}
    result = read_csv(path, RECEIPT_LOG, contract(RECEIPT_SHEET))
    if RECEIPT_SHEET not in result.sheets:
        for issue in result.issues:
            notes.append(InboxNote(quarter, None, rel, f"{issue.message}；收件登记未采用"))
        return {}
    raw = result.sheets[RECEIPT_SHEET]
    typed, issues, failed = cast_sheet(raw)
    for issue in issues:
        notes.append(InboxNote(quarter, None, rel, f"{issue.message}；该行未采用"))
    known = set(registries.units.get_column("unit_code").to_list())
    texts = {r["excel_row"]: r for r in raw.frame.iter_rows(named=True)}
    receipts = {}
    for row in typed.iter_rows(named=True):
        line = texts[row["excel_row"]]
        shown = ",".join(line[f] or "" for f in ("unit_code", "file_name", "received_at"))
        where = f"第{row['excel_row']}行（{shown}）"
        if any((RECEIPT_LOG, row["excel_row"], f) in failed for f in line):
            continue  # already noted as a value that could not be read
        problem = _receipt_row_problem(row, line, known)
        if problem:
            notes.append(InboxNote(quarter, None, rel, f"{where}{problem}，该行未采用"))
            continue
        receipts[(row["unit_code"], row["file_name"])] = (
            row["received_at"].replace(tzinfo=tz),
            "收件登记",
        )
    return receipts


def _receipt_row_problem(row: dict, line: dict, known: set[str]) -> str | None:
    """Return why a receipt-log row cannot be used (Chinese), or None."""
    headers = {c.field: c.header for c in contract(RECEIPT_SHEET).columns}
    for name, header in headers.items():
        text = (line[name] or "").strip()
        if text.startswith(_FORMULA_START):
            return f"的“{header}”为公式样式的文本“{text}”"
    blank = [header for name, header in headers.items() if not row[name]]
    if blank:
        return f"缺少{'、'.join(blank)}（应为 单位代码,文件名,接收时间 三项）"
    if row["unit_code"] not in known:
        return f"的单位代码“{row['unit_code']}”不在单位名册中"
    return None

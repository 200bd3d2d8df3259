"""make bench: the I/O floor, firescore run, its stages, the naive stack and a re-run, per size.

    python -m bench.run [--sizes 300,3000] [--large] [--repeats N] [--seed 2026]
                        [--quarter 2026Q1] [--naive-full-max 300] [--naive-sample 150]
                        [--no-readme]

Per size, on the same generated district (bench/out/data/, reused when present):
  (a) bench.floor: read every sheet of every input file, write the product's output cells;
  (b) `firescore run` in a cold process, wall and peak RSS; bench.stages times each stage
      with the flow's plain functions in another cold process; Prefect's fixed start-up is a
      trivial flow in a cold process;
  (c) bench.naive: openpyxl + GX per file + pandas + openpyxl, in full up to
      --naive-full-max units, else on a sample of --naive-sample units and extrapolated;
  (d) `firescore run` again after one inbox file's content changed (same warehouse);
  (e) peak RSS of each process (os.wait4 of that child).
Each subprocess runs alone, one after the other. The table goes to stdout, bench/out/latest.md
and (unless --no-readme) bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from bench.stages import STAGE_NOTES, STAGES

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
SCHEME = ROOT / "data_samples" / "scheme.yaml"
README = BENCH / "README.md"
TABLE_START, TABLE_END = "<!-- bench:table:start -->", "<!-- bench:table:end -->"

PREFECT_TRIVIAL = """
from prefect import flow, task

@task
def one():
    return 1

@flow
def trivial():
    return one()

trivial()
"""


@dataclass
class Proc:
    """One finished subprocess: wall seconds, peak RSS of that process, exit code, output."""

    wall: float
    peak_mb: float
    rc: int
    out: str


@dataclass
class SizeResult:
    """Everything measured at one size."""

    units: int
    files: int = 0
    generate_s: float | None = None
    floor: list[dict] = field(default_factory=list)
    run: list[Proc] = field(default_factory=list)
    rerun: list[Proc] = field(default_factory=list)
    stages: list[dict] = field(default_factory=list)
    rerun_stages: list[dict] = field(default_factory=list)
    naive: dict | None = None
    naive_estimated: bool = False


def run_proc(cmd: list[str], env: dict[str, str], log: Path) -> Proc:
    """Run a command to completion; return its wall time and its own peak RSS (wait4)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w", encoding="utf-8") as handle:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    out = log.read_text(encoding="utf-8", errors="replace")
    return Proc(wall=wall, peak_mb=usage.ru_maxrss / 1024, rc=proc.returncode, out=out)


def checked(proc: Proc, what: str) -> Proc:
    """Return the process, or stop the benchmark with its output if it failed."""
    if proc.rc != 0:
        sys.exit(f"bench: {what} failed (exit {proc.rc}):\n{proc.out[-3000:]}")
    return proc


def bench_env(work: Path) -> dict[str, str]:
    """Return the environment of every measured process: Prefect home of the bench, offline, quiet."""
    env = dict(os.environ)
    env.update(
        {
            "PREFECT_HOME": str(work / "prefect-home"),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "DO_NOT_TRACK": "1",
            "PREFECT_LOGGING_LEVEL": "WARNING",
            "PREFECT_LOGGING_TO_API_ENABLED": "false",
            "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
            "GX_ANALYTICS_ENABLED": "false",
            "PYTHONPATH": str(ROOT),
        }
    )
    env.pop("PREFECT_API_URL", None)
    return env


# --- data ------------------------------------------------------------------------------------


def ensure_data(
    work: Path, units: int, seed: int, quarter: str, env: dict[str, str]
) -> tuple[Path, float | None]:
    """Generate the district once per (size, seed, quarter); return its folder and generation time."""
    data = work / "data" / f"u{units}-s{seed}-{quarter}"
    done = data / ".complete"
    if done.is_file():
        return data, None
    shutil.rmtree(data, ignore_errors=True)
    cmd = [
        sys.executable,
        "-m",
        "data_samples.generate",
        "--units",
        str(units),
        "--seed",
        str(seed),
    ]
    cmd += ["--quarters", quarter, "--out", str(data)]
    proc = checked(run_proc(cmd, env, work / "logs" / f"generate-{units}.log"), "generate")
    done.write_text(f"{proc.wall:.1f}\n", encoding="utf-8")
    return data, proc.wall


def write_config(path: Path, data: Path, out: Path) -> Path:
    """Write a firescore.toml for a generated district, with its own out/ and warehouse."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "[paths]\n"
        f'scheme = "{SCHEME}"\nunits = "{data / "units.csv"}"\ntasks = "{data / "tasks.csv"}"\n'
        f'history = "{data / "history"}"\ninbox = "{data / "inbox"}"\n'
        f'out = "{out}"\nwarehouse = "{out / "firescore.duckdb"}"\n',
        encoding="utf-8",
    )
    return path


def unit_files(data: Path, quarter: str) -> list[Path]:
    """Return every submitted file of the quarter."""
    return sorted(p for p in (data / "inbox" / quarter).glob("*/*") if p.is_file())


def file_to_change(data: Path, quarter: str) -> Path:
    """Return a street's only workbook (the middle one by code): the file the re-run changes."""
    singles = [
        d
        for d in sorted((data / "inbox" / quarter).iterdir())
        if d.is_dir() and d.name.startswith("JD") and len(list(d.iterdir())) == 1
    ]
    return next(singles[len(singles) // 2].iterdir())


def change_one_value(path: Path) -> None:
    """Rewrite a workbook with one 任务进展「进展情况」 value changed (a late correction)."""
    import openpyxl

    book = openpyxl.load_workbook(path)
    sheet = book["任务进展"]
    for row in sheet.iter_rows(min_row=1, max_row=6):
        for cell in row:
            if cell.value == "进展情况":
                target = sheet.cell(row=cell.row + 1, column=cell.column)
                target.value = f"{target.value or ''}（已更正）"
                book.save(path)
                return
    raise RuntimeError(f"no 进展情况 column in {path}")


def new_files(out: str) -> int | None:
    """Return the CLI's count of new files (其中新文件 N 个)."""
    match = re.search(r"其中新文件 (\d+) 个", out)
    return int(match[1]) if match else None


# --- measuring -------------------------------------------------------------------------------


def prefect_startup(work: Path, env: dict[str, str], repeats: int) -> list[Proc]:
    """Time a trivial one-task flow in a cold process (ephemeral server), after one warm-up."""
    cmd = [sys.executable, "-c", PREFECT_TRIVIAL]
    checked(run_proc(cmd, env, work / "logs" / "prefect-warmup.log"), "prefect warm-up")
    return [
        checked(run_proc(cmd, env, work / "logs" / f"prefect-{i}.log"), "prefect")
        for i in range(repeats)
    ]


def measure_size(
    work: Path, units: int, args: argparse.Namespace, env: dict[str, str]
) -> SizeResult:
    """Measure floor, run, stages, re-run and naive at one size."""
    repeats = args.repeats or (3 if units <= 300 else 1)
    data, generated = ensure_data(work, units, args.seed, args.quarter, env)
    result = SizeResult(
        units=units, files=len(unit_files(data, args.quarter)), generate_s=generated
    )
    runs = work / "runs" / f"u{units}"
    logs = work / "logs" / f"u{units}"
    changed = file_to_change(data, args.quarter)
    original = changed.read_bytes()
    say = lambda text: print(f"[bench {units}] {text}", file=sys.stderr, flush=True)  # noqa: E731
    for i in range(repeats):
        # (b) and (d): the CLI on a fresh warehouse, then again after one file changed.
        if not args.no_cli:
            shutil.rmtree(runs / "cli", ignore_errors=True)
            config = write_config(runs / "cli" / "firescore.toml", data, runs / "cli" / "out")
            cmd = [
                str(Path(sys.executable).parent / "firescore"),
                "run",
                "--quarter",
                args.quarter,
                "--config",
                str(config),
            ]
            run = checked(run_proc(cmd, env, logs / f"run-{i}.log"), "firescore run")
            result.run.append(run)
            say(f"run {i + 1}/{repeats}: {run.wall:.1f} s, {run.peak_mb:.0f} MB")
            try:
                change_one_value(changed)
                rerun = checked(run_proc(cmd, env, logs / f"rerun-{i}.log"), "firescore re-run")
            finally:
                changed.write_bytes(original)
            if new_files(rerun.out) != 1:
                sys.exit(f"bench: the re-run saw {new_files(rerun.out)} new files, expected 1")
            result.rerun.append(rerun)
            say(f"re-run {i + 1}/{repeats}: {rerun.wall:.1f} s")
        # Stage times: the flow's plain functions in a cold process, then the re-run likewise.
        shutil.rmtree(runs / "stages", ignore_errors=True)
        config = write_config(runs / "stages" / "firescore.toml", data, runs / "stages" / "out")
        for name, bucket in (("stages", result.stages), ("rerun-stages", result.rerun_stages)):
            out_json = runs / f"{name}-{i}.json"
            cmd = [
                sys.executable,
                "-m",
                "bench.stages",
                "--config",
                str(config),
                "--quarter",
                args.quarter,
                "--json",
                str(out_json),
            ]
            if name == "rerun-stages":
                change_one_value(changed)
            try:
                proc = checked(run_proc(cmd, env, logs / f"{name}-{i}.log"), name)
            finally:
                changed.write_bytes(original)
            measured = json.loads(out_json.read_text(encoding="utf-8"))
            measured["wall"], measured["peak_mb"] = proc.wall, proc.peak_mb
            bucket.append(measured)
            say(f"{name} {i + 1}/{repeats}: {proc.wall:.1f} s ({measured['files_new']} new files)")
        # (a) the floor, writing the cells the product just wrote.
        out_quarter = runs / "stages" / "out" / args.quarter
        inputs = [
            data / "inbox" / args.quarter,
            data / "history",
            data / "units.csv",
            data / "tasks.csv",
        ]
        out_json = runs / f"floor-{i}.json"
        shutil.rmtree(runs / "floor-scratch", ignore_errors=True)
        cmd = [
            sys.executable,
            "-m",
            "bench.floor",
            "--inputs",
            *map(str, inputs),
            "--outputs",
            str(out_quarter),
        ]
        cmd += ["--scratch", str(runs / "floor-scratch"), "--json", str(out_json)]
        proc = checked(run_proc(cmd, env, logs / f"floor-{i}.log"), "floor")
        measured = json.loads(out_json.read_text(encoding="utf-8"))
        measured["peak_mb"] = proc.peak_mb
        result.floor.append(measured)
        say(f"floor {i + 1}/{repeats}: {measured['total']:.1f} s")
    # (c) the naive stack: once (it is the slow one), in full or on a sample.
    if not args.no_naive:
        sample = None if units <= args.naive_full_max else args.naive_sample
        out_json = runs / "naive.json"
        shutil.rmtree(runs / "naive-out", ignore_errors=True)
        cmd = [
            sys.executable,
            "-m",
            "bench.naive",
            "--data",
            str(data),
            "--scheme",
            str(SCHEME),
            "--quarter",
            args.quarter,
        ]
        cmd += ["--out", str(runs / "naive-out"), "--json", str(out_json)]
        if sample:
            cmd += ["--limit-units", str(sample)]
        proc = checked(run_proc(cmd, env, logs / "naive.log"), "naive")
        measured = json.loads(out_json.read_text(encoding="utf-8"))
        measured["peak_mb"], measured["wall"] = proc.peak_mb, proc.wall
        if sample:
            measured = estimate_naive(measured, data, args.quarter, result.stages[0])
        result.naive, result.naive_estimated = measured, bool(sample)
        say(f"naive{' (sample)' if sample else ''}: {measured['total']:.1f} s")
    return result


def estimate_naive(sample: dict, data: Path, quarter: str, stages: dict) -> dict:
    """Extrapolate a sample's naive run: per-file read+validate, per-unit score and writes."""
    all_files = len(unit_files(data, quarter))
    special = sample["files"] - sample["unit_files"]
    s = sample["seconds"]
    per_file = (s["read"] + s["validate"] - sample["special_seconds"]) / sample["unit_files"]
    per_unit = (s["score"] + s["write_leader"] + s["write_feedback"]) / sample["units"]
    units = (
        stages["feedback_workbooks"] - 2
    )  # every unit gets feedback; ZD01 and XAB are not ranked
    estimate = dict(sample)
    estimate["sample_total"] = sample["total"]
    estimate["total"] = (
        s["imports"]
        + s["setup"]
        + sample["special_seconds"]
        + per_file * (all_files - special)
        + per_unit * units
    )
    estimate["per_file"], estimate["per_unit"] = per_file, per_unit
    return estimate


# --- the table -------------------------------------------------------------------------------


def med(values: list[float]) -> float | None:
    """Return the median, or None for no values."""
    return statistics.median(values) if values else None


def secs(value: float | None) -> str:
    """Return seconds for the table."""
    if value is None:
        return "–"
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s" if value < 100 else f"{value:.0f} s"


def ratio(a: float | None, b: float | None) -> float | None:
    """Return a / b, or None."""
    return a / b if a is not None and b else None


def product_version() -> str:
    """Return the product's commit: a snapshot's marker, else git HEAD (and whether it is dirty)."""
    marker = ROOT / ".bench-commit"
    if marker.is_file():
        return f"commit {marker.read_text(encoding='utf-8').strip()} (exported snapshot)"
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "firescore", "flows", "scoring", "schemas"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown commit"
    return f"commit {head}" + (" with uncommitted product changes" if dirty else "")


def machine() -> str:
    """Return cores, memory, CPU model and load: the machine line of the table."""
    memory = next(
        (
            int(line.split()[1]) / 1024**2
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0.0,
    )
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{os.cpu_count()} cores ({model}), {memory:.1f} GiB memory, Python {platform.python_version()}, load average at start {load}"


def table(
    results: list[SizeResult],
    prefect: list[Proc],
    args: argparse.Namespace,
    started: str,
    host: str,
    product: str | None = None,
) -> str:
    """Return the markdown report: one row per measure, one column per size, growth factors."""
    sizes = [r.units for r in results]
    startup = med([p.wall for p in prefect])
    startup_peak = med([p.peak_mb for p in prefect])
    rows: list[tuple[str, list[float | None], str, str]] = []  # label, values, kind, goal

    def add(label: str, values: list[float | None], kind: str = "s", goal: str = "") -> None:
        rows.append((label, values, kind, goal))

    def per(fn):
        return [fn(r) for r in results]

    floor = per(lambda r: med([f["total"] for f in r.floor]))
    run = per(lambda r: med([p.wall for p in r.run]))
    run_ex = [x - startup if x is not None and startup is not None else None for x in run]
    rerun = per(lambda r: med([p.wall for p in r.rerun]))
    rerun_ex = [x - startup if x is not None and startup is not None else None for x in rerun]
    stage_total = per(lambda r: med([s["total"] for s in r.stages]))
    naive = per(lambda r: r.naive["total"] if r.naive else None)
    add("input files (workbooks) of the quarter", per(lambda r: r.files), "n")
    add(
        "output workbooks (leader + feedback) / cells written",
        per(lambda r: r.floor[0]["write_counts"]["workbooks"] if r.floor else None),
        "n",
    )
    add("(a) I/O floor: read every input sheet + write the output cells, one process", floor)
    add(
        "  … read (fastexcel/calamine, all sheets)",
        per(lambda r: med([f["seconds"]["read"] for f in r.floor])),
    )
    add(
        "  … write (xlsxwriter, no formats, in memory)",
        per(lambda r: med([f["seconds"]["write"] for f in r.floor])),
    )
    add("(b) `firescore run`, cold process, wall", run)
    add("  … minus Prefect start-up", run_ex, "s", "growth ≤ ×11 per ×10 units")
    add(
        "Prefect start-up: trivial 1-task flow, cold process (ephemeral server)",
        [startup] * len(results),
    )
    add("(b) stages: the flow's body without Prefect, cold process", stage_total)
    for stage in STAGES:
        add(
            f"  … {stage}: {STAGE_NOTES[stage]}",
            per(lambda r, s=stage: med([x["seconds"][s] for x in r.stages])),
        )
    label = "(c) naive stack: openpyxl + GX per sheet of each file + pandas + openpyxl"
    add(label, naive)
    add("(d) re-run after one file changed, same warehouse, wall", rerun)
    add("  … minus Prefect start-up", rerun_ex)
    add(
        "  … its stages (flow body, no Prefect): read + validate + load",
        per(
            lambda r: med(
                [
                    x["seconds"]["read"] + x["seconds"]["validate"] + x["seconds"]["load"]
                    for x in r.rerun_stages
                ]
            )
        ),
    )
    add(
        "  … its stages: score + publish",
        per(
            lambda r: med([x["seconds"]["score"] + x["seconds"]["publish"] for x in r.rerun_stages])
        ),
    )
    add("(e) peak RSS MB: floor", per(lambda r: med([f["peak_mb"] for f in r.floor])), "mb")
    add(
        "(e) peak RSS MB: `firescore run` (main process; Prefect server apart)",
        per(lambda r: med([p.peak_mb for p in r.run])),
        "mb",
        "≤ 1,500 at 3,000",
    )
    add(
        "(e) peak RSS MB: stages process",
        per(lambda r: med([s["peak_mb"] for s in r.stages])),
        "mb",
    )
    add("(e) peak RSS MB: re-run", per(lambda r: med([p.peak_mb for p in r.rerun])), "mb")
    add(
        "(e) peak RSS MB: naive (sample when estimated)",
        per(lambda r: r.naive["peak_mb"] if r.naive else None),
        "mb",
    )
    add(
        "(e) peak RSS MB: Prefect trivial flow (client; its server is a child)",
        [startup_peak] * len(results),
        "mb",
    )
    add(
        "**run/floor** (Prefect excluded)",
        [ratio(a, b) for a, b in zip(run_ex, floor, strict=True)],
        "x",
        "≤ 2",
    )
    add(
        "run/floor with stage times (no Prefect at all)",
        [ratio(a, b) for a, b in zip(stage_total, floor, strict=True)],
        "x",
    )
    add(
        "**naive/run** (Prefect excluded)",
        [ratio(a, b) for a, b in zip(naive, run_ex, strict=True)],
        "x",
        "≥ 20",
    )
    add(
        "**rerun/run** (Prefect excluded)",
        [ratio(a, b) for a, b in zip(rerun_ex, run_ex, strict=True)],
        "x",
        "≤ 0.15",
    )

    def cell(value: float | None, kind: str) -> str:
        if value is None:
            return "–"
        if kind == "n":
            return f"{value:,.0f}"
        if kind == "mb":
            return f"{value:,.0f}"
        if kind == "x":
            return f"{value:.2f}"
        return secs(value)

    head = ["measure", *[f"{s:,} units" for s in sizes]]
    head += [f"growth {a:,}→{b:,}" for a, b in zip(sizes, sizes[1:], strict=False)] + ["goal"]
    lines = [
        f"Measured {started} on {host}; product {product or product_version()}.",
        f"Quarter {args.quarter}, seed {args.seed}; medians of {', '.join(f'{len(r.stages)} ({r.units:,})' for r in results)} repeats"
        f"; Prefect start-up median of {len(prefect)}.",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" + "---:|" * (len(head) - 2) + "---|",
    ]
    for label, values, kind, goal in rows:
        if label.startswith("output workbooks"):
            shown = [
                f"{r.floor[0]['write_counts']['workbooks']:,} / {r.floor[0]['write_counts']['cells']:,}"
                if r.floor
                else "–"
                for r in results
            ]
        else:
            shown = [cell(v, kind) for v in values]
        if label.startswith("(c)"):
            shown = [
                f"{s} (est.)" if r.naive_estimated else s
                for s, r in zip(shown, results, strict=True)
            ]
        growth = [
            f"×{b / a:.1f}" if kind in ("s", "mb") and a and b else "–"
            for a, b in zip(values, values[1:], strict=False)
        ]
        lines.append("| " + " | ".join([label, *shown, *growth, goal]) + " |")
    notes = []
    for r in results:
        if r.naive_estimated and r.naive:
            n = r.naive
            notes.append(
                f"- (c) at {r.units:,} units is **estimated** from a measured sample of {n['units']} units "
                f"({n['files']} files, {n['sample_total']:.1f} s): {n['per_file'] * 1000:.0f} ms per unit file "
                f"(read + validate), {n['per_unit'] * 1000:.0f} ms per unit (score + write), plus the fixed "
                f"imports/set-up and the fire-detachment and office files as measured."
            )
        unmapped = sorted(
            {name for s in r.stages + r.rerun_stages for name in s.get("unmapped", [])}
        )
        if unmapped:
            notes.append(f'- stage "other" at {r.units:,} units holds: {", ".join(unmapped)}.')
        if r.generate_s:
            notes.append(
                f"- generating {r.units:,} units took {r.generate_s:.1f} s (not part of any figure)."
            )
    return "\n".join(lines + ([""] + notes if notes else [])) + "\n"


def load_results(path: Path) -> tuple[list[SizeResult], list[Proc], dict]:
    """Return the sizes, Prefect start-ups and settings saved in a latest.json."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    sizes = []
    for item in raw["sizes"]:
        item["run"] = [Proc(**p) for p in item["run"]]
        item["rerun"] = [Proc(**p) for p in item["rerun"]]
        sizes.append(SizeResult(**item))
    return sizes, [Proc(**p) for p in raw["prefect"]], raw.get("meta", {})


def update_readme(report: str) -> None:
    """Replace the table between the markers of bench/README.md."""
    text = README.read_text(encoding="utf-8")
    start, end = text.index(TABLE_START) + len(TABLE_START), text.index(TABLE_END)
    README.write_text(text[:start] + "\n" + report + text[end:], encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Command line entry: measure every size, print the table."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.run", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--sizes", default="300,3000", help="units per district, comma-separated (default 300,3000)"
    )
    parser.add_argument(
        "--large", action="store_true", help="add 30,000 units (long: generation and runs)"
    )
    parser.add_argument(
        "--repeats", type=int, help="runs per size (default 3 up to 300 units, else 1)"
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--quarter", default="2026Q1")
    parser.add_argument(
        "--naive-full-max",
        type=int,
        default=300,
        help="run the naive stack in full up to this many units",
    )
    parser.add_argument(
        "--naive-sample", type=int, default=150, help="units of the naive sample above that"
    )
    parser.add_argument(
        "--work", type=Path, default=BENCH / "out", help="data, runs and logs (default bench/out)"
    )
    parser.add_argument(
        "--no-cli", action="store_true", help="skip `firescore run` and Prefect (stages only)"
    )
    parser.add_argument("--no-naive", action="store_true", help="skip the naive stack")
    parser.add_argument(
        "--render", type=Path, help="only re-render the table of a saved latest.json"
    )
    parser.add_argument(
        "--no-readme", action="store_true", help="do not write the table into bench/README.md"
    )
    args = parser.parse_args(argv)
    if args.render:
        results, prefect, meta = load_results(args.render)
        args.quarter, args.seed = meta.get("quarter", args.quarter), meta.get("seed", args.seed)
        report = table(results, prefect, args, meta["started"], meta["host"], meta.get("product"))
        print(report)
        if not args.no_readme:
            update_readme(report)
        return 0
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.large and 30000 not in sizes:
        sizes.append(30000)
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    env = bench_env(work)
    started = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    host = machine()
    prefect = [] if args.no_cli else prefect_startup(work, env, max(3, args.repeats or 3))
    results = []
    for units in sizes:
        results.append(measure_size(work, units, args, env))
        report = table(results, prefect, args, started, host)
        (work / "latest.md").write_text(report, encoding="utf-8")
        meta = {"started": started, "host": host, "product": product_version()}
        meta |= {"quarter": args.quarter, "seed": args.seed}
        raw = {"meta": meta, "prefect": [asdict(p) for p in prefect]}
        raw["sizes"] = [asdict(r) for r in results]
        (work / "latest.json").write_text(json.dumps(raw, indent=1, default=str), encoding="utf-8")
    print(report)
    if not args.no_readme:
        update_readme(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""make bench: the I/O floor, firescore run and its stages, re-runs, Dask, the naive stack, per size.

    python -m bench.run [--sizes 3000,30000] [--repeats N] [--seed 2026] [--quarter 2026Q1]
                        [--stages-max 3000] [--naive-full-max 300] [--naive-sample 150]
                        [--no-naive] [--no-readme] [--render latest.json]

Per size, on the same generated district (bench/out/data/, generated once and reused):
  (b) `firescore run` in a cold process on a fresh warehouse (ephemeral Prefect server): wall,
      peak memory, and its stages as Prefect recorded the flow run's task runs;
  (d) `firescore run` again after one inbox file's content changed, same warehouse: once with
      the ephemeral server, once against a persistent `prefect server start` on 127.0.0.1
      (started by the bench on its own PREFECT_HOME, stopped afterwards);
  (a) bench.floor: read every sheet of every input file, write the cells the run wrote;
  (f) `firescore run` with `[runner] kind = "dask"` on a LocalCluster of 2 workers, when the
      product has a [runner] config (else the row says so), results compared with (b)'s;
  (b) bench.stages up to --stages-max units: the flow's body without Prefect, per function;
  (c) bench.naive: in full up to --naive-full-max units, else on a sample, extrapolated;
  (e) peak memory of each process (os.wait4) and of its process tree (sampled).
Prefect's fixed start-up is a trivial one-task flow in a cold process, against each server.
Each subprocess runs alone, one after the other. The table goes to stdout, bench/out/latest.md
and (unless --no-readme) bench/README.md; bench/out/latest.json keeps every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from bench.procs import Proc, flow_timings, run_proc
from bench.report import table

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
SCHEME = ROOT / "data_samples" / "scheme.yaml"
README = BENCH / "README.md"
TABLE_START, TABLE_END = "<!-- bench:table:start -->", "<!-- bench:table:end -->"
DASK_WORKERS = 2

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
class SizeResult:
    """Everything measured at one size."""

    units: int
    files: int = 0
    feedback_workbooks: int = 0
    generate_s: float | None = None
    floor: list[dict] = field(default_factory=list)
    run: list[Proc] = field(default_factory=list)
    rerun: list[Proc] = field(default_factory=list)
    rerun_server: list[Proc] = field(default_factory=list)  # against a persistent server
    server_startup: list[Proc] = field(default_factory=list)  # trivial flow, persistent server
    dask: list[Proc] = field(default_factory=list)
    dask_note: str = ""  # why there is no Dask figure, or how its results compare
    stages: list[dict] = field(default_factory=list)
    rerun_stages: list[dict] = field(default_factory=list)
    naive: dict | None = None
    naive_estimated: bool = False


def checked(proc: Proc, what: str) -> Proc:
    """Return the process, or stop the benchmark with its output if it failed."""
    if proc.rc != 0:
        sys.exit(f"bench: {what} failed (exit {proc.rc}):\n{proc.out[-3000:]}")
    return proc


def measure(cmd: list[str], env: dict[str, str], log: Path) -> Proc:
    """Run one measured process from the product's root."""
    return run_proc(cmd, env, log, ROOT)


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
    cmd = [sys.executable, "-m", "data_samples.generate", "--units", str(units)]
    cmd += ["--seed", str(seed), "--quarters", quarter, "--out", str(data)]
    proc = checked(measure(cmd, env, work / "logs" / f"generate-{units}.log"), "generate")
    done.write_text(f"{proc.wall:.1f}\n", encoding="utf-8")
    return data, proc.wall


def write_config(path: Path, data: Path, out: Path, runner: str = "") -> Path:
    """Write a firescore.toml for a generated district, with its own out/ and warehouse."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "[paths]\n"
        f'scheme = "{SCHEME}"\nunits = "{data / "units.csv"}"\ntasks = "{data / "tasks.csv"}"\n'
        f'history = "{data / "history"}"\ninbox = "{data / "inbox"}"\n'
        f'out = "{out}"\nwarehouse = "{out / "firescore.duckdb"}"\n' + runner,
        encoding="utf-8",
    )
    return path


def dask_runner_section() -> str | None:
    """Return the [runner] section for a LocalCluster of 2 workers, or None if the product has none."""
    section = f'\n[runner]\nkind = "dask"\nn_workers = {DASK_WORKERS}\n'
    try:
        from firescore.config import ConfigError, load_config
    except ImportError:
        return None
    with tempfile.TemporaryDirectory() as folder:
        probe = write_config(Path(folder) / "firescore.toml", Path(folder), Path(folder), section)
        try:
            config = load_config(probe)
        except ConfigError:
            return None
    return section if getattr(config, "runner", None) is not None else None


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


def change_one_value(path: Path, note: str = "（已更正）") -> None:
    """Rewrite a workbook with one 任务进展「进展情况」 value changed (a late correction)."""
    import openpyxl

    book = openpyxl.load_workbook(path)
    sheet = book["任务进展"]
    for row in sheet.iter_rows(min_row=1, max_row=6):
        for cell in row:
            if cell.value == "进展情况":
                target = sheet.cell(row=cell.row + 1, column=cell.column)
                target.value = f"{target.value or ''}{note}"
                book.save(path)
                return
    raise RuntimeError(f"no 进展情况 column in {path}")


def new_files(out: str) -> int | None:
    """Return the CLI's count of new files (其中新文件 N 个)."""
    match = re.search(r"其中新文件 (\d+) 个", out)
    return int(match[1]) if match else None


def stage_labels() -> dict[str, str]:
    """Return the stage key of each Chinese task name of the flow (firescore.quarter.STAGES)."""
    from firescore.quarter import STAGES as PRODUCT_STAGES

    return {label: key for key, label in PRODUCT_STAGES.items()}


# --- Prefect ---------------------------------------------------------------------------------


def prefect_startup(work: Path, env: dict[str, str], repeats: int, name: str) -> list[Proc]:
    """Time a trivial one-task flow in a cold process, after one warm-up."""
    cmd = [sys.executable, "-c", PREFECT_TRIVIAL]
    checked(measure(cmd, env, work / "logs" / f"{name}-warmup.log"), f"{name} warm-up")
    return [
        checked(measure(cmd, env, work / "logs" / f"{name}-{i}.log"), name) for i in range(repeats)
    ]


def free_port() -> int:
    """Return a TCP port free on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def prefect_server(work: Path, env: dict[str, str]):
    """Run `prefect server start` on 127.0.0.1 with the bench's PREFECT_HOME; yield a client env."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/api"
    log = (work / "logs" / "prefect-server.log").open("w", encoding="utf-8")
    cmd = [str(Path(sys.executable).parent / "prefect"), "server", "start"]
    cmd += ["--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(
        cmd, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"bench: prefect server did not start (see {log.name})")
            time.sleep(0.5)
        yield {**env, "PREFECT_API_URL": url}
    finally:
        os.killpg(server.pid, 15)  # its own session: the server and its workers, nothing else
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
            server.wait()
        log.close()


# --- measuring -------------------------------------------------------------------------------


def cli_run(config: Path, quarter: str, env: dict[str, str], log: Path, labels: dict) -> Proc:
    """Run `firescore run` in a cold process; attach Prefect's record of its flow run."""
    cmd = [str(Path(sys.executable).parent / "firescore"), "run", "--quarter", quarter]
    cmd += ["--config", str(config)]
    proc = checked(measure(cmd, env, log), f"firescore run ({log.name})")
    proc.flow = flow_timings(Path(env["PREFECT_HOME"]), proc.started_utc, labels)
    return proc


def rerun_one_change(
    changed: Path, note: str, config: Path, quarter: str, env: dict, log: Path, labels: dict
) -> Proc:
    """Change one value of one file, run again on the same warehouse, restore the file."""
    original = changed.read_bytes()
    try:
        change_one_value(changed, note)
        proc = cli_run(config, quarter, env, log, labels)
    finally:
        changed.write_bytes(original)
    if new_files(proc.out) != 1:
        sys.exit(f"bench: the re-run saw {new_files(proc.out)} new files, expected 1 ({log})")
    return proc


def measure_floor(runs: Path, logs: Path, data: Path, quarter: str, env: dict, i: int) -> dict:
    """Run the I/O floor on the inputs and the cells the run just wrote."""
    inputs = [data / "inbox" / quarter, data / "history", data / "units.csv", data / "tasks.csv"]
    out_json = runs / f"floor-{i}.json"
    shutil.rmtree(runs / "floor-scratch", ignore_errors=True)
    cmd = [sys.executable, "-m", "bench.floor", "--inputs", *map(str, inputs)]
    cmd += ["--outputs", str(runs / "cli" / "out" / quarter)]
    cmd += ["--scratch", str(runs / "floor-scratch"), "--json", str(out_json)]
    proc = checked(measure(cmd, env, logs / f"floor-{i}.log"), "floor")
    shutil.rmtree(runs / "floor-scratch", ignore_errors=True)
    measured = json.loads(out_json.read_text(encoding="utf-8"))
    measured["peak_mb"] = proc.peak_mb
    return measured


def measure_stages(place: Place, result: SizeResult, args: argparse.Namespace, env: dict) -> None:
    """Time the flow's body without Prefect (bench.stages), then its re-run after one change."""
    runs, logs, data, changed = place.runs, place.logs, place.data, place.changed
    shutil.rmtree(runs / "stages", ignore_errors=True)
    config = write_config(runs / "stages" / "firescore.toml", data, runs / "stages" / "out")
    for name, bucket in (("stages", result.stages), ("rerun-stages", result.rerun_stages)):
        out_json = runs / f"{name}.json"
        cmd = [sys.executable, "-m", "bench.stages", "--config", str(config)]
        cmd += ["--quarter", args.quarter, "--json", str(out_json)]
        original = changed.read_bytes()
        if name == "rerun-stages":
            change_one_value(changed)
        try:
            proc = checked(measure(cmd, env, logs / f"{name}.log"), name)
        finally:
            changed.write_bytes(original)
        measured = json.loads(out_json.read_text(encoding="utf-8"))
        measured["wall"], measured["peak_mb"] = proc.wall, proc.peak_mb
        bucket.append(measured)
        place.say(f"{name}: {proc.wall:.1f} s")
    shutil.rmtree(runs / "stages", ignore_errors=True)


def same_results(a: Path, b: Path) -> bool:
    """Return whether two runs wrote the same results.csv, byte for byte."""
    return a.is_file() and b.is_file() and a.read_bytes() == b.read_bytes()


@dataclass
class Place:
    """Where one size's data, runs and logs are, and the file its re-runs change."""

    units: int
    data: Path
    runs: Path
    logs: Path
    changed: Path

    @property
    def cli(self) -> Path:
        """Return the folder of the local runner's run (config, out/, warehouse)."""
        return self.runs / "cli"

    def say(self, text: str) -> None:
        """Print a progress line."""
        print(f"[bench {self.units:,}] {text}", file=sys.stderr, flush=True)


def place_of(work: Path, result: SizeResult, args: argparse.Namespace, env: dict) -> Place:
    """Generate (once) the size's district and return where its runs go."""
    data, result.generate_s = ensure_data(work, result.units, args.seed, args.quarter, env)
    result.files = len(unit_files(data, args.quarter))
    runs, logs = work / "runs" / f"u{result.units}", work / "logs" / f"u{result.units}"
    return Place(result.units, data, runs, logs, file_to_change(data, args.quarter))


def measure_core(
    work: Path,
    place: Place,
    result: SizeResult,
    args: argparse.Namespace,
    env: dict[str, str],
    labels: dict,
    checkpoint: Callable[[], None],
) -> None:
    """Measure the run, the naive stack, the re-runs (both servers) and the floor at one size."""
    repeats = args.repeats or (3 if place.units <= 300 else 1)
    cli, quarter = place.cli, args.quarter
    for i in range(repeats):
        # (b) and (d): the CLI on a fresh warehouse, then again after one file changed.
        shutil.rmtree(cli, ignore_errors=True)
        config = write_config(cli / "firescore.toml", place.data, cli / "out")
        run = cli_run(config, quarter, env, place.logs / f"run-{i}.log", labels)
        result.run.append(run)
        place.say(f"run {i + 1}/{repeats}: {run.wall:.1f} s, {run.tree_mb:.0f} MB")
        result.feedback_workbooks = len(list((cli / "out" / quarter / "单位反馈").glob("*.xlsx")))
        checkpoint()
        # (c) the naive stack, once: cheap on a sample, so before the longer measures.
        if i == 0 and not args.no_naive:
            result.naive, result.naive_estimated = measure_naive(place, args, env, result)
            shown = f"{result.naive['total']:.1f} s" + (" (est.)" if result.naive_estimated else "")
            place.say(f"naive: {shown}")
            checkpoint()
        log = place.logs / f"rerun-{i}.log"
        rerun = rerun_one_change(place.changed, "（已更正）", config, quarter, env, log, labels)
        result.rerun.append(rerun)
        place.say(f"re-run {i + 1}/{repeats}: {rerun.wall:.1f} s")
        # (a) the floor, writing the cells the run wrote.
        result.floor.append(measure_floor(place.runs, place.logs, place.data, quarter, env, i))
        place.say(f"floor {i + 1}/{repeats}: {result.floor[-1]['total']:.1f} s")
        checkpoint()
    # (d) against a persistent server: the warehouse of the last run, another one-value change.
    with prefect_server(work, env) as server_env:
        name = f"prefect-server-u{place.units}"
        result.server_startup = prefect_startup(work, server_env, 2, name)
        for i in range(repeats):
            log, note = place.logs / f"rerun-server-{i}.log", f"（第{i + 2}次更正）"
            proc = rerun_one_change(place.changed, note, config, quarter, server_env, log, labels)
            result.rerun_server.append(proc)
            place.say(f"re-run, persistent server {i + 1}/{repeats}: {proc.wall:.1f} s")
    checkpoint()


def measure_dask(
    place: Place, result: SizeResult, args: argparse.Namespace, env: dict, labels: dict
) -> None:
    """Run the CLI with the Dask runner on a LocalCluster; compare its results with the local run's."""
    section = dask_runner_section()
    if section is None:
        result.dask_note = f"not available at {product_version()}: no [runner] in its config"
        return
    dask = place.runs / "dask"
    shutil.rmtree(dask, ignore_errors=True)
    config = write_config(dask / "firescore.toml", place.data, dask / "out", section)
    proc = cli_run(config, args.quarter, env, place.logs / "run-dask.log", labels)
    result.dask.append(proc)
    local, remote = (d / "out" / args.quarter / "results.csv" for d in (place.cli, dask))
    result.dask_note = (
        "results.csv identical to the local runner's, byte for byte"
        if same_results(local, remote)
        else "results.csv DIFFERS from the local runner's"
    )
    place.say(f"dask: {proc.wall:.1f} s, {proc.tree_mb:.0f} MB; {result.dask_note}")
    shutil.rmtree(dask, ignore_errors=True)


def measure_naive(place: Place, args: argparse.Namespace, env: dict, result: SizeResult):
    """Run the naive stack in full, or on a sample extrapolated to the district."""
    runs, logs, data = place.runs, place.logs, place.data
    sample = None if result.units <= args.naive_full_max else args.naive_sample
    out_json = runs / "naive.json"
    shutil.rmtree(runs / "naive-out", ignore_errors=True)
    cmd = [sys.executable, "-m", "bench.naive", "--data", str(data), "--scheme", str(SCHEME)]
    cmd += ["--quarter", args.quarter, "--out", str(runs / "naive-out"), "--json", str(out_json)]
    if sample:
        cmd += ["--limit-units", str(sample)]
    proc = checked(measure(cmd, env, logs / "naive.log"), "naive")
    measured = json.loads(out_json.read_text(encoding="utf-8"))
    measured["peak_mb"], measured["wall"] = proc.peak_mb, proc.wall
    if sample:
        measured = estimate_naive(measured, data, args.quarter, result.feedback_workbooks)
    return measured, bool(sample)


def estimate_naive(sample: dict, data: Path, quarter: str, feedback_workbooks: int) -> dict:
    """Extrapolate a sample's naive run: per-file read+validate, per-unit score and writes."""
    all_files = len(unit_files(data, quarter))
    special = sample["files"] - sample["unit_files"]
    s = sample["seconds"]
    per_file = (s["read"] + s["validate"] - sample["special_seconds"]) / sample["unit_files"]
    per_unit = (s["score"] + s["write_leader"] + s["write_feedback"]) / sample["units"]
    units = feedback_workbooks - 2  # every unit gets feedback; ZD01 and XAB are not ranked
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


# --- what was measured -----------------------------------------------------------------------


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
    return f"{os.cpu_count()} cores ({model}), {memory:.1f} GiB memory, Python {platform.python_version()}"


def load_average() -> str:
    """Return the 1, 5 and 15 minute load averages."""
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def load_results(path: Path) -> tuple[list[SizeResult], list[Proc], dict]:
    """Return the sizes, Prefect start-ups and settings saved in a latest.json."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    sizes = []
    for item in raw["sizes"]:
        for key in ("run", "rerun", "rerun_server", "server_startup", "dask"):
            item[key] = [Proc(**p) for p in item.get(key, [])]
        sizes.append(SizeResult(**item))
    return sizes, [Proc(**p) for p in raw["prefect"]], raw.get("meta", {})


def save_results(work: Path, results: list[SizeResult], prefect: list[Proc], meta: dict) -> None:
    """Write every figure to latest.json (the table can be re-rendered from it)."""
    raw = {"meta": meta, "prefect": [asdict(p) for p in prefect]}
    raw["sizes"] = [asdict(r) for r in results]
    for size in raw["sizes"]:  # logs stay in bench/out/logs; the table needs none of them
        for key in ("run", "rerun", "rerun_server", "server_startup", "dask"):
            for proc in size[key]:
                proc["out"] = proc["out"][-2000:]
    for proc in raw["prefect"]:
        proc["out"] = ""
    (work / "latest.json").write_text(json.dumps(raw, indent=1, default=str), encoding="utf-8")


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
        "--sizes",
        default="3000,30000",
        help="units per district, comma-separated (default 3000,30000)",
    )
    parser.add_argument(
        "--repeats", type=int, help="runs per size (default 3 up to 300 units, else 1)"
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--quarter", default="2026Q1")
    parser.add_argument(
        "--stages-max",
        type=int,
        default=3000,
        help="time the flow's body without Prefect (bench.stages) up to this many units",
    )
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
        report = table(results, prefect, meta)
        print(report)
        if not args.no_readme:
            update_readme(report)
        return 0
    sizes = [int(s) for s in args.sizes.split(",") if s]
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    env = bench_env(work)
    labels = stage_labels()
    start = time.perf_counter()
    meta = {
        "started": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "host": machine(),
        "load_start": load_average(),
        "product": product_version(),
        "quarter": args.quarter,
        "seed": args.seed,
        "stages_max": args.stages_max,
        "complete": False,
    }
    prefect = prefect_startup(work, env, max(2, args.repeats or 2), "prefect")
    results: list[SizeResult] = []

    def checkpoint() -> None:
        """Save what is measured so far: an interrupted invocation still leaves its table."""
        meta["load_end"] = load_average()
        meta["minutes"] = (time.perf_counter() - start) / 60
        save_results(work, results, prefect, meta)
        (work / "latest.md").write_text(table(results, prefect, meta), encoding="utf-8")

    # The goals' figures at every size first; then the Dask runner; then the stages split.
    places = []
    for units in sizes:
        results.append(SizeResult(units=units))
        places.append(place_of(work, results[-1], args, env))
        measure_core(work, places[-1], results[-1], args, env, labels, checkpoint)
    for place, result in zip(places, results, strict=True):
        measure_dask(place, result, args, env, labels)
        checkpoint()
    for place, result in zip(places, results, strict=True):
        if place.units <= args.stages_max:
            measure_stages(place, result, args, env)
            checkpoint()
    meta["complete"] = True
    save_results(work, results, prefect, meta)
    report = table(results, prefect, meta)
    (work / "latest.md").write_text(report, encoding="utf-8")
    print(report)
    if not args.no_readme:
        update_readme(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

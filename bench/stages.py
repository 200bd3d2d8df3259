"""Time each stage of a quarter run: firescore.quarter.run_quarter, the flow's body, without Prefect.

    python -m bench.stages --config firescore.toml --quarter 2026Q1 --json stages.json [--profile DIR]

run_quarter runs in this process with every firescore/scoring function it calls wrapped, in the
firescore.quarter module only (product code is not changed), in a timer that books its wall
time to a stage; the read and feedback batches run where [runner] of the config says (worker
processes by default), so a stage's time is its wall time in this process. Calls running in
parallel threads count once, as the union of their time spans. A function the flow gains later lands in "other", by name,
until STAGE_OF learns it. Prefect's own start-up is measured apart by bench.run.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import resource
import threading
import time
from pathlib import Path

STAGES = (
    "imports",
    "gx_import",
    "setup",
    "discover",
    "read",
    "validate",
    "load",
    "score",
    "publish",
    "other",
)

# Which stage each function called by firescore/quarter.py belongs to (by its name there).
STAGE_OF = {
    "load_scheme": "setup",
    "load_registries": "setup",
    "read_history": "setup",
    "discover": "discover",
    "discover_files": "discover",
    "run_id_of": "discover",
    "read_new": "read",
    "advancing": "read",
    "in_batch_order": "read",
    "validate_new": "validate",
    "load_new": "load",
    "score": "score",
    "publish_leader": "publish",
    "publish_units": "publish",
    "publish_checks": "publish",
    "read_files": "read",
    "_read_raw": "read",
    "cast_files": "read",
    "optional_sheets": "read",
    "accepted_fire_ids": "validate",
    "earlier_indicators": "validate",
    "validate_files": "validate",
    "connect": "load",
    "load_registry_tables": "load",
    "known_files": "load",
    "load_files": "load",
    "load_notes": "load",
    "quarantine": "load",
    "run_scoring": "score",
    "record_run": "score",
    "load_quarter": "publish",
    "publish_quarter": "publish",
    "publish_feedback": "publish",
    "publish_validation": "publish",
    "export_data_docs": "publish",
    "fill_summary": "publish",
    "quarter_label": "publish",
}

# What each stage covers, for the table.
STAGE_NOTES = {
    "imports": "import firescore.quarter (firescore, polars, duckdb, xlsxwriter)",
    "gx_import": "import great_expectations (the product imports it lazily)",
    "setup": "load_scheme, load_registries, read_history",
    "discover": "discover (list, sha256, receipt log), run id",
    "read": "read and cast every new file (batches on worker processes, [runner])",
    "validate": "GX per sheet type + rule SQL (validate_files, earlier fires/indicators)",
    "load": "connect, registries, known_files, load_files, quarantine",
    "score": "run_scoring (SQL stages + invariants)",
    "publish": "leader workbook, results.csv, feedback workbooks, validation outputs",
    "other": "flow functions not yet mapped to a stage",
}


class Spans:
    """Record (start, end) spans per stage from any thread; report the union per stage."""

    def __init__(self) -> None:
        self.spans: dict[str, list[tuple[float, float]]] = {}
        self.unmapped: set[str] = set()
        self.lock = threading.Lock()

    def add(self, stage: str, start: float, end: float) -> None:
        """Record one call's span."""
        with self.lock:
            self.spans.setdefault(stage, []).append((start, end))

    def seconds(self) -> dict[str, float]:
        """Return each stage's wall time: the length of the union of its spans."""
        result = {}
        for stage, spans in self.spans.items():
            total, reach = 0.0, float("-inf")
            for start, end in sorted(spans):
                if end > reach:
                    total += end - max(start, reach)
                    reach = end
            result[stage] = total
        return result


_inside = threading.local()  # the stage whose call is running in this thread, if any


def timed(spans: Spans, name: str, fn):
    """Wrap a function so that each call books its span to the function's stage."""
    stage = STAGE_OF.get(name, "other")

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        # A stage function's callees are booked to that stage: only the outermost call counts.
        if getattr(_inside, "stage", None):
            return fn(*args, **kwargs)
        if stage == "other":
            spans.unmapped.add(name)
        _inside.stage = stage
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            spans.add(stage, start, time.perf_counter())
            _inside.stage = None

    return wrapper


def _is_flow_callee(name: str, value: object) -> bool:
    """Return whether a name of firescore.quarter is a product function run_quarter calls."""
    module = getattr(value, "__module__", "") or ""
    return (
        callable(value)
        and not isinstance(value, type)
        and module.startswith(("firescore", "scoring", "flows"))
        and name not in {"run_quarter", "quarter_run", "stage", "RunSummary", "QuarterRun"}
        and name not in BATCH_FUNCTIONS
    )


# Sent to worker processes by name: a wrapper would not pickle; the stage calling them counts.
BATCH_FUNCTIONS = {"read_files"}


def run_stages(config_path: Path, quarter: str) -> dict:
    """Run the flow's body without Prefect, timing every stage; return seconds and counts."""
    spans = Spans()
    start = time.perf_counter()
    import firescore.quarter as module
    from firescore.config import load_config

    imported = time.perf_counter()
    import great_expectations  # noqa: F401

    gx_imported = time.perf_counter()
    spans.add("imports", start, imported)
    spans.add("gx_import", imported, gx_imported)
    originals = dict(vars(module))
    for name, value in originals.items():
        if _is_flow_callee(name, value):
            setattr(module, name, timed(spans, name, value))

    config = load_config(config_path)
    try:
        body_start = time.perf_counter()
        summary = module.run_quarter(config, quarter)
        body = time.perf_counter() - body_start
    finally:
        vars(module).update(originals)  # leave the module as found (a second run in-process)
    seconds = spans.seconds()
    return {
        "seconds": {name: seconds.get(name, 0.0) for name in STAGES},
        "unmapped": sorted(spans.unmapped),
        "flow_body": body,
        "files_seen": summary.files_seen,
        "files_new": summary.files_new,
        "rejected": len(summary.rejected),
        "units_scored": summary.units_scored,
        "feedback_workbooks": len(list((config.out / quarter / "单位反馈").glob("*.xlsx"))),
    }


def main(argv: list[str] | None = None) -> int:
    """Command line: time the stages in this (cold) process and write them as JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench.stages")
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--quarter", required=True)
    parser.add_argument("--json", type=Path, required=True)
    parser.add_argument("--profile", type=Path, help="write pyinstrument reports (text, html) here")
    args = parser.parse_args(argv)
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    profiler = None
    if args.profile:
        from pyinstrument import Profiler  # dev dependency, only for --profile

        profiler = Profiler(interval=0.005)
        profiler.start()
    start = time.perf_counter()
    result = run_stages(args.config, args.quarter)
    result["total"] = time.perf_counter() - start
    if profiler is not None:
        profiler.stop()
        args.profile.mkdir(parents=True, exist_ok=True)
        (args.profile / "profile.txt").write_text(
            profiler.output_text(unicode=True, color=False, show_all=False), encoding="utf-8"
        )
        (args.profile / "profile.html").write_text(profiler.output_html(), encoding="utf-8")
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

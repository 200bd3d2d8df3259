"""The bench's tables: every measure per size with its growth, then the goals, met or missed by how much.

Ratios use each run's wall minus the median Prefect start-up of the same server (a trivial
one-task flow in a cold process), measured in the same invocation. Growth is per ×10 units
(normalised when two sizes are not ten apart).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from typing import TYPE_CHECKING

from bench.stages import STAGE_NOTES, STAGES

if TYPE_CHECKING:
    from bench.procs import Proc
    from bench.run import SizeResult

# The product's stages as its flow names them (firescore.quarter.STAGES), in run order.
FLOW_STAGES = {
    "discover": "收件 discover: list, sha256, receipt log, registries",
    "read": "读取 read: read and cast the new files (one task per batch)",
    "validate": "校验 validate: GX per sheet type + rule SQL",
    "load": "入库 load: store files, findings, quarantine",
    "score": "评分 score: SQL stages + invariants, scored quarter read back",
    "publish-leader": "发布考核结果 leader workbook + results.csv (while 发布单位反馈 runs)",
    "publish-feedback": "发布单位反馈 one feedback workbook per unit",
    "publish-validation": "发布校验报告 校验问题 + Data Docs",
}
GOAL_RUN_FLOOR = 2.0
GOAL_NAIVE_RUN = 20.0
GOAL_RERUN_RUN = 0.15
GOAL_GROWTH = 11.0
MEMORY_GOALS_MB = {3000: 1500, 30000: 6000}  # peak of the run's process tree
GROWTH_MIN_SECONDS = 1.0  # stages shorter than this at the larger size: growth too noisy to judge

Values = list[float | None]


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


def minus(a: float | None, b: float | None) -> float | None:
    """Return a − b, or None."""
    return a - b if a is not None and b is not None else None


def growth_per_10(a: float | None, b: float | None, units_a: int, units_b: int) -> float | None:
    """Return how much a figure grows per ×10 units between two sizes."""
    if not a or not b or a <= 0 or b <= 0:
        return None
    return (b / a) ** (1 / math.log10(units_b / units_a))


def flow_stage(proc: Proc, key: str) -> float | None:
    """Return a stage's seconds in a run as Prefect recorded it."""
    return proc.flow["stages"].get(key) if proc.flow else None


def table(results: list[SizeResult], prefect: list[Proc], meta: dict) -> str:
    """Return the markdown report: the measures per size with growth, then the goals."""
    sizes = [r.units for r in results]
    startup = med([p.wall for p in prefect])
    server_startup = med([p.wall for r in results for p in r.server_startup])
    rows: list[tuple[str, list[str], Values, str]] = []  # label, cells, values for growth, goal

    def add(label: str, values: Values, kind: str = "s", goal: str = "", cells=None) -> None:
        shown = cells or [cell(v, kind) for v in values]
        rows.append((label, shown, values if kind in ("s", "mb") else [], goal))

    def per(fn: Callable[[SizeResult], float | None]) -> Values:
        return [fn(r) for r in results]

    def first(procs: list[Proc], fn: Callable[[Proc], float | None]) -> float | None:
        return med([x for x in map(fn, procs) if x is not None])

    floor = per(lambda r: med([f["total"] for f in r.floor]))
    run = per(lambda r: med([p.wall for p in r.run]))
    run_ex = [minus(x, startup) for x in run]
    rerun_ex = [minus(x, startup) for x in per(lambda r: med([p.wall for p in r.rerun]))]
    rerun_server_ex = [
        minus(x, server_startup) for x in per(lambda r: med([p.wall for p in r.rerun_server]))
    ]
    dask_ex = [minus(x, startup) for x in per(lambda r: med([p.wall for p in r.dask]))]
    naive = per(lambda r: r.naive["total"] if r.naive else None)
    tree = per(lambda r: med([p.tree_mb for p in r.run]))

    add("input files (workbooks) of the quarter", per(lambda r: r.files), "n")
    add(
        "output workbooks (leader + feedback) / cells written",
        [],
        cells=[
            f"{r.floor[0]['write_counts']['workbooks']:,} / {r.floor[0]['write_counts']['cells']:,}"
            if r.floor
            else "–"
            for r in results
        ],
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
    add("(b) `firescore run`, cold process, local runner, wall", run)
    add(
        "  … minus Prefect start-up (ephemeral server)",
        run_ex,
        goal=f"growth ≤ ×{GOAL_GROWTH:g} per ×10 units",
    )
    add(
        "  … outside the flow run: interpreter, imports, Prefect start-up and shut-down",
        per(lambda r: first(r.run, lambda p: p.wall - p.flow["flow_s"] if p.flow else None)),
    )
    add(
        "  … the flow run, as Prefect recorded it",
        per(lambda r: first(r.run, lambda p: p.flow["flow_s"] if p.flow else None)),
    )
    extra = sorted(
        {k for r in results for p in r.run if p.flow for k in p.flow["stages"]} - set(FLOW_STAGES)
    )
    for key in [*FLOW_STAGES, *extra]:
        note = FLOW_STAGES.get(key, f"{key}: a task the bench does not know yet")
        add(f"  … … {note}", per(lambda r, k=key: first(r.run, lambda p: flow_stage(p, k))))
    add(
        "  … … Prefect inside the flow run, between and around the tasks",
        per(lambda r: first(r.run, lambda p: p.flow["prefect_in_flow_s"] if p.flow else None)),
    )
    add(
        "Prefect start-up: trivial 1-task flow, cold process, ephemeral server",
        [startup] * len(results),
    )
    add(
        "Prefect start-up: the same against a persistent `prefect server start` (127.0.0.1)",
        [server_startup] * len(results),
    )
    stage_total = per(lambda r: med([s["total"] for s in r.stages]))
    add("(b) stages: the flow's body without Prefect, cold process (bench.stages)", stage_total)
    for stage in STAGES:
        add(
            f"  … {stage}: {STAGE_NOTES[stage]}",
            per(lambda r, s=stage: med([x["seconds"][s] for x in r.stages])),
        )
    add(
        "(c) naive stack: openpyxl + GX per sheet of each file + pandas + openpyxl",
        naive,
        cells=[
            f"{secs(v)} (est.)" if r.naive_estimated and v is not None else secs(v)
            for v, r in zip(naive, results, strict=True)
        ],
    )
    add(
        "(d) re-run after one file changed, same warehouse, ephemeral server, wall",
        per(lambda r: med([p.wall for p in r.rerun])),
    )
    add("  … minus Prefect start-up (ephemeral)", rerun_ex)
    add(
        "  … its read + validate + load (Prefect's record)",
        per(
            lambda r: first(
                r.rerun,
                lambda p: (
                    sum(flow_stage(p, k) or 0 for k in ("read", "validate", "load"))
                    if p.flow
                    else None
                ),
            )
        ),
    )
    add(
        "  … its score + publish (Prefect's record)",
        per(
            lambda r: first(
                r.rerun,
                lambda p: (
                    sum(
                        flow_stage(p, k) or 0
                        for k in (
                            "score",
                            "publish-leader",
                            "publish-feedback",
                            "publish-validation",
                        )
                    )
                    if p.flow
                    else None
                ),
            )
        ),
    )
    add(
        "(d) re-run after one file changed, persistent server, wall",
        per(lambda r: med([p.wall for p in r.rerun_server])),
    )
    add("  … minus Prefect start-up (persistent server)", rerun_server_ex)
    add(
        "(f) `firescore run`, Dask runner, LocalCluster of 2 workers, wall",
        per(lambda r: med([p.wall for p in r.dask])),
        cells=[
            secs(med([p.wall for p in r.dask]))
            if r.dask
            else "– (not available, see the notes)"
            if r.dask_note
            else "–"
            for r in results
        ],
    )
    add("  … minus Prefect start-up (ephemeral)", dask_ex)
    add(
        "(e) peak RSS MB: `firescore run`, main process",
        per(lambda r: med([p.peak_mb for p in r.run])),
        "mb",
    )
    add(
        "(e) peak RSS MB: `firescore run`, process tree (workers included, Prefect server not)",
        tree,
        "mb",
        "≤ 1,500 at 3,000; ≤ 6,000 at 30,000",
    )
    add(
        "(e) peak RSS MB: re-run, process tree",
        per(lambda r: med([p.tree_mb for p in r.rerun])),
        "mb",
    )
    add(
        "(e) peak RSS MB: Dask run, process tree (LocalCluster included)",
        per(lambda r: med([p.tree_mb for p in r.dask])),
        "mb",
    )
    add("(e) peak RSS MB: floor", per(lambda r: med([f["peak_mb"] for f in r.floor])), "mb")
    add(
        "(e) peak RSS MB: stages process",
        per(lambda r: med([s["peak_mb"] for s in r.stages])),
        "mb",
    )
    add(
        "(e) peak RSS MB: naive (the sample when estimated)",
        per(lambda r: r.naive["peak_mb"] if r.naive else None),
        "mb",
    )
    add(
        "**run/floor** (Prefect excluded)",
        [ratio(a, b) for a, b in zip(run_ex, floor, strict=True)],
        "x",
        f"≤ {GOAL_RUN_FLOOR:g}",
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
        f"≥ {GOAL_NAIVE_RUN:g}",
    )
    add(
        "**rerun/run**, ephemeral server (Prefect excluded)",
        [ratio(a, b) for a, b in zip(rerun_ex, run_ex, strict=True)],
        "x",
        f"≤ {GOAL_RERUN_RUN:g}",
    )
    add(
        "**rerun/run**, persistent server (Prefect excluded)",
        [ratio(a, b) for a, b in zip(rerun_server_ex, run_ex, strict=True)],
        "x",
        f"≤ {GOAL_RERUN_RUN:g}",
    )
    add(
        "Dask run / local run (Prefect excluded)",
        [ratio(a, b) for a, b in zip(dask_ex, run_ex, strict=True)],
        "x",
    )

    head = ["measure", *[f"{s:,} units" for s in sizes]]
    head += [f"growth {a:,}→{b:,}" for a, b in zip(sizes, sizes[1:], strict=False)] + ["goal"]
    repeats = ", ".join(f"{len(r.run)} ({r.units:,})" for r in results)
    lines = [
        f"Measured {meta['started']} on {meta['host']}; load average at start {meta.get('load_start', '?')}"
        f", at end {meta.get('load_end', '?')}; product {meta['product']}"
        + (f"; the invocation took {meta['minutes']:.0f} min." if meta.get("minutes") else "."),
        f"Quarter {meta['quarter']}, seed {meta['seed']}; medians of {repeats} repeats"
        f"; Prefect start-up median of {len(prefect)} (ephemeral), "
        f"{sum(len(r.server_startup) for r in results)} (persistent).",
        *(
            ["**Partial:** the invocation did not finish; a – was not measured."]
            if meta.get("complete") is False
            else []
        ),
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" + "---:|" * (len(head) - 2) + "---|",
    ]
    for label, shown, values, goal in rows:
        growth = (
            [
                f"×{g:.1f}" if (g := growth_per_10(a, b, ua, ub)) is not None else "–"
                for a, b, ua, ub in zip(values, values[1:], sizes, sizes[1:], strict=False)
            ]
            if values
            else ["–"] * (len(sizes) - 1)
        )
        lines.append("| " + " | ".join([label, *shown, *growth, goal]) + " |")
    lines += ["", *goals(results, run_ex, floor, naive, rerun_ex, rerun_server_ex, tree)]
    lines += notes(results, meta)
    return "\n".join(lines) + "\n"


def cell(value: float | None, kind: str) -> str:
    """Return one figure as the table shows it."""
    if value is None:
        return "–"
    if kind in ("n", "mb"):
        return f"{value:,.0f}"
    if kind == "x":
        return f"{value:.2f}"
    return secs(value)


def verdict_at_most(value: float | None, limit: float, unit: str = "") -> str:
    """Return 'met' or 'missed by …' for a figure that must stay at or under a limit."""
    if value is None:
        return "not measured"
    if value <= limit:
        return (
            f"**met** ({limit - value:,.2f}{unit} to spare)"
            if unit != " MB"
            else f"**met** ({limit - value:,.0f} MB to spare)"
        )
    times = f"{value / limit:.2f}" if value / limit >= 1.005 else f"{value / limit:.3f}"
    over = f"{value - limit:,.0f} MB" if unit == " MB" else f"×{times} the limit"
    return f"**missed** by {over}"


def goals(
    results: list[SizeResult],
    run_ex: Values,
    floor: Values,
    naive: Values,
    rerun_ex: Values,
    rerun_server_ex: Values,
    tree: Values,
) -> list[str]:
    """Return the goals table: each goal at each size, met or missed by how much."""
    lines = ["| goal | at | measured | verdict |", "|---|---|---:|---|"]

    def row(goal: str, at: str, shown: str, verdict: str) -> None:
        lines.append(f"| {goal} | {at} | {shown} | {verdict} |")

    for i, r in enumerate(results):
        at = f"{r.units:,} units"
        value = ratio(run_ex[i], floor[i])
        extra = (
            f"; run {secs(run_ex[i])} vs 2 × floor {secs(2 * floor[i])}"
            if value is not None and value > GOAL_RUN_FLOOR
            else ""
        )
        row(
            f"run ≤ {GOAL_RUN_FLOOR:g}× I/O floor",
            at,
            cell(value, "x"),
            verdict_at_most(value, GOAL_RUN_FLOOR) + extra,
        )
    for i, r in enumerate(results):
        value = ratio(naive[i], run_ex[i])
        est = " (naive est.)" if r.naive_estimated else ""
        if value is None:
            verdict = "not measured"
        elif value >= GOAL_NAIVE_RUN:
            verdict = "**met**"
        else:
            verdict = f"**missed**: the run would need to be ×{GOAL_NAIVE_RUN / value:.2f} faster"
        row(f"naive/run ≥ {GOAL_NAIVE_RUN:g}", f"{r.units:,} units{est}", cell(value, "x"), verdict)
    for name, values in (("ephemeral server", rerun_ex), ("persistent server", rerun_server_ex)):
        for i, r in enumerate(results):
            value = ratio(values[i], run_ex[i])
            row(
                f"rerun/run ≤ {GOAL_RERUN_RUN:.0%}, {name}",
                f"{r.units:,} units",
                f"{value:.0%}" if value is not None else "–",
                verdict_at_most(value, GOAL_RERUN_RUN),
            )
    for i, r in enumerate(results):
        limit = MEMORY_GOALS_MB.get(r.units)
        if limit is not None:
            row(
                f"peak memory ≤ {limit:,} MB (run's process tree)",
                f"{r.units:,} units",
                cell(tree[i], "mb"),
                verdict_at_most(tree[i], limit, " MB"),
            )
    for a, b in zip(results, results[1:], strict=False):
        at = f"{a.units:,}→{b.units:,}"
        pairs = [("run (Prefect excluded)", run_ex[results.index(a)], run_ex[results.index(b)])]
        for key in FLOW_STAGES:
            x = med([v for p in a.run if (v := flow_stage(p, key)) is not None])
            y = med([v for p in b.run if (v := flow_stage(p, key)) is not None])
            if y is not None and y >= GROWTH_MIN_SECONDS:
                pairs.append((f"stage {key}", x, y))
        for what, x, y in pairs:
            g = growth_per_10(x, y, a.units, b.units)
            row(
                f"growth ≤ ×{GOAL_GROWTH:g} per ×10 units: {what}",
                at,
                f"×{g:.1f}" if g else "–",
                verdict_at_most(g, GOAL_GROWTH),
            )
    return lines


def notes(results: list[SizeResult], meta: dict) -> list[str]:
    """Return the notes under the tables: estimates, unmapped functions, generation, Dask."""
    found = []
    for r in results:
        if r.naive_estimated and r.naive:
            n = r.naive
            found.append(
                f"- (c) at {r.units:,} units is **estimated** from a measured sample of {n['units']} units "
                f"({n['files']} files, {n['sample_total']:.1f} s): {n['per_file'] * 1000:.0f} ms per unit file "
                f"(read + validate), {n['per_unit'] * 1000:.0f} ms per unit (score + write), plus the fixed "
                f"imports/set-up and the fire-detachment and office files as measured."
            )
        unmapped = sorted(
            {name for s in r.stages + r.rerun_stages for name in s.get("unmapped", [])}
        )
        if unmapped:
            found.append(
                f'- bench.stages\' stage "other" at {r.units:,} units holds: {", ".join(unmapped)}.'
            )
        if not r.stages and r.units > meta.get("stages_max", 3000):
            found.append(
                f"- bench.stages is not run at {r.units:,} units (above --stages-max): "
                "the run's stages there are Prefect's record of the run only."
            )
        if r.dask_note:
            found.append(f"- (f) at {r.units:,} units: {r.dask_note}.")
        if r.generate_s:
            found.append(
                f"- generating {r.units:,} units took {r.generate_s:.1f} s (not part of any figure)."
            )
    return [""] + found if found else []

"""The naive stack a contractor would write for the same job, to compare the product against.

    python -m bench.naive --data DIR --scheme scheme.yaml --quarter 2026Q1 --out DIR --json naive.json
                          [--limit-units K]

openpyxl reads each workbook (read-only mode, values only), pandas casts the values, one
Great Expectations validation runs per sheet of each file (the same expectations as the
product's contracts: required, allowed values, ranges, patterns, uniqueness), a few pandas
checks cover the main cross-row rules, pandas scores, and openpyxl writes the leader workbook
and one feedback workbook per unit. Honest, not sabotaged: read-only openpyxl, vectorised
pandas where a contractor would naturally use it, GX suites built once and reused.

Scored in pandas (a subset of scoring/sql, say so wherever it is shown): tasks (credit
table, late completion, 持续开展), indicators (rate, count_min; year_min counted as reported
before Q4, no Q4 year totals), fire (this quarter's detachment file against the history
baseline: no earlier quarters of the year, so exact for Q1 only; 一票否决 by derived grade),
reporting (days late), adjustments (sign, override, bonus cap), rescaling to 100, clamp,
grade bands, competition rank. Not done: rank change, 优秀 share, superseded-version logic
beyond "newest valid file", cell references in reasons, per-cell Chinese messages (one line
per failed expectation).

Scheme and registries come from firescore's own loaders (small, not per-file work).
With --limit-units K only K units (every n-th by code: streets and departments) and the fire detachment and the office
are processed; bench.run extrapolates per-file and per-unit costs from that sample.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
import unicodedata
from contextlib import contextmanager
from pathlib import Path

PHASES = ("imports", "setup", "read", "validate", "score", "write_leader", "write_feedback")


class Clock:
    """Accumulate wall time per phase."""

    def __init__(self) -> None:
        self.seconds = {p: 0.0 for p in PHASES}

    @contextmanager
    def phase(self, name: str):
        """Time the body and add it to the phase's total."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] += time.perf_counter() - start


# --- reading ---------------------------------------------------------------------------------


def _norm(value):
    """Return a cell value with surrounding spaces stripped; empty text is None."""
    if isinstance(value, str):
        return value.strip() or None
    return value


def read_workbook(path: Path, contracts: list) -> tuple[dict, list[str]]:
    """Read the contract sheets of one workbook with openpyxl; return raw frames and errors."""
    import openpyxl
    import pandas as pd

    frames: dict[str, object] = {}
    errors: list[str] = []
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        return {}, [f"无法读取工作簿：{type(exc).__name__}"]
    try:
        for spec in contracts:
            if spec.sheet not in book.sheetnames:
                if spec.required:
                    errors.append(f"缺少工作表「{spec.sheet}」")
                continue
            rows = [list(r) for r in book[spec.sheet].iter_rows(values_only=True)]
            if spec.layout == "key_value":
                names = {_norm(c.header): c.field for c in spec.columns}
                record = {}
                for row in rows:
                    key = _norm(row[0]) if row else None
                    if key in names and len(row) > 1:
                        record[names[key]] = row[1]
                frames[spec.sheet] = pd.DataFrame([record], columns=spec.fields).assign(excel_row=0)
                continue
            headers = {_norm(h): c.field for c in spec.columns for h in [c.header, *c.aliases]}
            header_at = next(
                (
                    i
                    for i, row in enumerate(rows[:10])
                    if sum(_norm(v) in headers for v in row) >= 2
                ),
                None,
            )
            if header_at is None:
                errors.append(f"工作表「{spec.sheet}」找不到表头")
                continue
            positions = {
                headers[_norm(v)]: j for j, v in enumerate(rows[header_at]) if _norm(v) in headers
            }
            body = [
                {f: (row[j] if j < len(row) else None) for f, j in positions.items()}
                | {"excel_row": header_at + 2 + k}
                for k, row in enumerate(rows[header_at + 1 :])
                if any(v not in (None, "") for v in row)
            ]
            frame = pd.DataFrame(body, columns=[*spec.fields, "excel_row"])
            frames[spec.sheet] = frame
    finally:
        book.close()
    return frames, errors


def cast_frame(frame, spec, quarter_names: dict[str, str]):
    """Cast a raw frame's columns by the contract's types with pandas; return it and bad cells."""
    import pandas as pd

    frame = frame.copy()
    bad = []
    for column in spec.columns:
        raw = frame[column.field].map(_norm)
        if column.type in ("integer", "decimal"):
            text = raw.map(
                lambda v: (
                    unicodedata.normalize("NFKC", v).replace(",", "") if isinstance(v, str) else v
                )
            )
            pct = text.map(lambda v: isinstance(v, str) and v.endswith("%"))
            number = pd.to_numeric(
                text.map(lambda v: v.rstrip("%") if isinstance(v, str) else v), errors="coerce"
            )
            number = number.where(~pct, number / 100)
            value = number.astype("float64")
        elif column.type in ("date", "datetime"):
            text = raw.map(
                lambda v: (
                    v.replace("年", "-").replace("月", "-").replace("日", "").replace("/", "-")
                    if isinstance(v, str)
                    else v
                )
            )
            value = pd.to_datetime(text, errors="coerce", format="mixed")
        elif column.type == "enum":
            synonyms = column.synonyms
            value = raw.map(lambda v, m=synonyms: m.get(v, v) if isinstance(v, str) else v)
        elif column.type == "quarter":
            value = raw.map(lambda v: quarter_names.get(v, v) if isinstance(v, str) else v)
        else:
            value = raw.map(lambda v: v if isinstance(v, str) else None if pd.isna(v) else str(v))
        failed = raw.notna() & pd.Series(value).isna()
        bad += [
            f"{spec.sheet}「{column.header}」第{r}行无法识别：{raw[i]}"
            for i, r in frame.loc[failed, "excel_row"].items()
        ]
        frame[column.field] = value
    return frame, bad


# --- validation ------------------------------------------------------------------------------


class Validator:
    """One GX suite per sheet type, built once; one validation per sheet of each file."""

    def __init__(self, contracts: dict) -> None:
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.gx = gx
        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        source = context.data_sources.add_pandas("naive")
        self.suites = {}
        for sheet, spec in contracts.items():
            asset = source.add_dataframe_asset(name=sheet)
            batch = asset.add_batch_definition_whole_dataframe(f"{sheet}-file")
            suite = gx.ExpectationSuite(name=sheet)
            for column in spec.columns:
                if column.required:
                    suite.add_expectation(
                        gx.expectations.ExpectColumnValuesToNotBeNull(column=column.field)
                    )
                if column.type == "enum":
                    suite.add_expectation(
                        gx.expectations.ExpectColumnValuesToBeInSet(
                            column=column.field, value_set=column.allowed
                        )
                    )
                if column.min is not None or column.max is not None:
                    suite.add_expectation(
                        gx.expectations.ExpectColumnValuesToBeBetween(
                            column=column.field, min_value=column.min, max_value=column.max
                        )
                    )
                if column.pattern:
                    suite.add_expectation(
                        gx.expectations.ExpectColumnValuesToMatchRegex(
                            column=column.field, regex=column.pattern
                        )
                    )
            if spec.unique:
                if len(spec.unique) == 1:
                    unique = gx.expectations.ExpectColumnValuesToBeUnique(column=spec.unique[0])
                else:
                    unique = gx.expectations.ExpectCompoundColumnsToBeUnique(
                        column_list=spec.unique
                    )
                suite.add_expectation(unique)
            self.suites[sheet] = (batch, suite)

    def validate(self, sheet: str, frame) -> list[str]:
        """Validate one sheet of one file; return one message per failed expectation."""
        batch, suite = self.suites[sheet]
        result = batch.get_batch(batch_parameters={"dataframe": frame}).validate(suite)
        return [
            f"{sheet}：{r.expectation_config.type}（{r.expectation_config.kwargs.get('column')}）"
            f"不通过 {r.result.get('unexpected_count', '')} 处"
            for r in result.results
            if not r.success
        ]


# --- scoring ---------------------------------------------------------------------------------


def half_up(values):
    """Return float values half-up to 2 decimals (a float's 1e-9 noise does not flip a half)."""
    import numpy as np

    return np.floor(values * 100 + 0.5 + 1e-9) / 100


def score(ctx: dict):
    """Score every unit with pandas; return (scores, ledger) frames."""
    import numpy as np
    import pandas as pd

    from firescore.scheme import Quarter

    scheme, quarter, units = ctx["scheme"], ctx["quarter"], ctx["units"]
    qno = int(quarter[-1])
    qend = pd.Timestamp(Quarter(quarter).last_day)
    accepted = ctx["accepted"]  # unit_code -> file record
    blocks = {g: {b: float(p) for b, p in scheme.block_points(g).items()} for g in scheme.groups}
    ledger = []

    # 重点任务落实
    t = scheme.tasks
    roles = {k: float(v) for k, v in t.role_weights.items()}
    assigned = (
        ctx["assignments"]
        .merge(ctx["tasks"], on="task_id")
        .merge(units[["unit_code", "grp"]], on="unit_code")
    )
    assigned["w"] = assigned["weight"].astype(float).fillna(1.0) * assigned["role"].map(roles)
    assigned["total_w"] = assigned.groupby("unit_code")["w"].transform("sum")
    rows = ctx["task_rows"].drop(columns=["title"]).drop_duplicates(["unit_code", "task_id"])
    df = assigned.merge(rows, on=["unit_code", "task_id"], how="left")
    df["submitted"] = df["unit_code"].isin(accepted)
    df["deadline"] = pd.to_datetime(df["deadline"])
    df["overdue"] = (df["deadline"] < qend).fillna(False)
    times = df["times"].fillna(0)
    done_late = (
        (df["status"] == "已完成")
        & df["done_date"].notna()
        & df["deadline"].notna()
        & (df["done_date"] > df["deadline"])
    )
    days_late = (df["done_date"] - df["deadline"]).dt.days
    months = np.ceil(days_late / t.late_completion.days_per_month)
    cr = t.credit
    df["credit"] = np.select(
        [
            ~df["submitted"],
            df["ongoing"] & (times >= 1) & df["evidence"].notna(),
            df["ongoing"] & (times >= 1),
            df["ongoing"],
            df["status"].isna(),
            (df["status"] == "已完成") & ~done_late,
            done_late,
            (df["status"] == "推进中") & df["overdue"],
            df["status"] == "推进中",
            (df["status"] == "未启动") & df["overdue"],
            df["status"] == "未启动",
        ],
        [
            0.0,
            float(t.ongoing.with_evidence),
            float(t.ongoing.without_evidence),
            float(t.ongoing.not_done),
            float(cr.missing.overdue),
            float(cr.done_on_time),
            np.maximum(
                float(t.late_completion.floor), 1 - float(t.late_completion.per_month) * months
            ),
            float(cr.in_progress.overdue),
            float(cr.in_progress.not_due),
            float(cr.not_started.overdue),
            float(cr.not_started.not_due),
        ],
        0.0,
    )
    df["max_points"] = df["grp"].map(lambda g: blocks[g]["tasks"]) * df["w"] / df["total_w"]
    df["points"] = df["max_points"] * df["credit"]
    df["reason"] = df.apply(
        lambda r: (
            f"任务{r.task_id}「{r.title}」（{r.role}）状态{r.status if isinstance(r.status, str) else '未填报'}，得分系数{r.credit:.4g}"
        ),
        axis=1,
    )
    ledger.append(df.assign(block="tasks", item_id=df["task_id"], item_name=df["title"])[LEDGER])

    # 工作指标
    due = []
    for grp in scheme.groups:
        for ind in scheme.indicators_for(grp):
            due.append(
                {
                    "grp": grp,
                    "indicator_id": ind.id,
                    "item_name": ind.name,
                    "kind": ind.kind,
                    "ipoints": float(ind.points[grp]),
                }
            )
    ind = units[["unit_code", "grp", "region"]].merge(pd.DataFrame(due), on="grp")
    ind["target"] = [
        float(scheme.indicator_target(i, r, quarter) or 0)
        for i, r in zip(ind["indicator_id"], ind["region"].fillna(""), strict=True)
    ]
    rows = (
        ctx["indicator_rows"]
        .drop(columns=["name", "target"])
        .drop_duplicates(["unit_code", "indicator_id"])
    )
    ind = ind.merge(rows, on=["unit_code", "indicator_id"], how="left")
    submitted = ind["unit_code"].isin(accepted)
    value = ind["value"].fillna(0).clip(lower=0)
    rate_na = (ind["kind"] == "rate") & (ind["denominator"].fillna(0) == 0)
    ind["applicable"] = ~(submitted & ind["value"].notna() & rate_na)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate_ratio = np.minimum(
            1, np.where(ind["target"] > 0, value / (ind["denominator"] * ind["target"]), 1)
        )
        count_ratio = np.minimum(1, np.where(ind["target"] > 0, value / ind["target"], 1))
    ind["credit"] = np.select(
        [
            ~submitted,
            ind["value"].isna(),
            rate_na,
            ind["kind"] == "rate",
            ind["kind"] == "count_min",
        ],
        [0.0, 0.0, 0.0, rate_ratio, count_ratio],
        1.0 if qno < 4 else 0.0,
    )
    applicable_pts = (
        ind["ipoints"].where(ind["applicable"], 0).groupby(ind["unit_code"]).transform("sum")
    )
    ind["max_points"] = np.where(
        ind["applicable"],
        ind["grp"].map(lambda g: blocks[g]["indicators"]) * ind["ipoints"] / applicable_pts,
        0,
    )
    ind["points"] = ind["max_points"] * ind["credit"]
    ind["reason"] = ind.apply(
        lambda r: (
            f"指标{r.indicator_id}「{r.item_name}」数值{r.value}，分母{r.denominator}，得分系数{r.credit:.4g}"
        ),
        axis=1,
    )
    ledger.append(
        ind.assign(block="indicators", item_id=ind["indicator_id"])[LEDGER + ["applicable"]]
    )

    # 火灾形势
    f = scheme.fire
    fires, base = ctx["fires"], ctx["history"]
    ly_start, ly_end = pd.Timestamp(qend.year - 1, 1, 1), qend - pd.DateOffset(years=1)
    base = base[
        (base["fire_time"] >= ly_start) & (base["fire_time"] < ly_end + pd.Timedelta(days=1))
    ]
    places = units[["unit_code", "grp", "place_types"]].explode("place_types")

    def attributed(frame):
        streets = frame.merge(
            units[units["grp"] == "镇街组"][["unit_code"]],
            left_on="street_code",
            right_on="unit_code",
        )
        depts = frame.merge(
            places[places["grp"] == "部门组"], left_on="place_type", right_on="place_types"
        )
        both = pd.concat([streets, depts])
        return both.groupby("unit_code").agg(
            count=("fire_id", "size"),
            deaths=("deaths", "sum"),
            injuries=("injuries", "sum"),
            loss=("loss", "sum"),
        )

    cur, old = attributed(fires), attributed(base)
    fire_units = units[(units["grp"] == "镇街组") | (units["place_types"].map(len) > 0)]
    for item in ("count", "deaths", "injuries", "loss"):
        c = cur[item].reindex(fire_units["unit_code"]).fillna(0).to_numpy(dtype=float)
        b = old[item].reindex(fire_units["unit_code"]).fillna(0).to_numpy(dtype=float)
        # 双降 (fire.require_fall): 起数 against last year − 1, 亡人 0, unless they fell (or are 0)
        no_fall = f.require_fall & (item in ("count", "deaths")) & (c > 0) & (c >= b)
        if item == "deaths":
            ratio = np.where(no_fall, 0.0, np.maximum(0, 1 - float(f.per_death) * c))
        else:
            fl, zero = float(getattr(f.floor, item)), float(getattr(f.zero_at_rise, item))
            excess = c - b + no_fall
            ratio = np.where(
                excess <= 0, 1.0, np.maximum(0, 1 - excess / (np.maximum(b, fl) * zero))
            )
        mx = fire_units["grp"].map(lambda g: blocks[g]["fire"]).to_numpy() * float(
            getattr(f.split, item)
        )
        part = pd.DataFrame(
            {
                "unit_code": fire_units["unit_code"].to_numpy(),
                "block": "fire",
                "item_id": item,
                "item_name": item,
                "max_points": mx,
                "points": mx * ratio,
            }
        )
        part["reason"] = [
            f"火灾{item}：本年{x:g}，去年同期{y:g}，得分系数{z:.4g}"
            for x, y, z in zip(c, b, ratio, strict=True)
        ]
        ledger.append(part)
    serious = fires[fires["grade"].isin(["较大", "重大", "特别重大"])]
    veto_units = set(serious["street_code"]) & set(units.loc[units["grp"] == "镇街组", "unit_code"])

    # 信息报送
    deadline = pd.Timestamp(scheme.report_deadline(quarter))
    per_day = float(scheme.reporting.late_penalty_per_day)
    rep = units[["unit_code", "grp"]].copy()
    received = pd.to_datetime(
        rep["unit_code"].map(lambda u: accepted[u]["received_at"] if u in accepted else None)
    )
    late = (received.dt.normalize() - deadline).dt.days.clip(lower=0)
    rep["max_points"] = rep["grp"].map(lambda g: blocks[g]["reporting"])
    rep["points"] = rep["max_points"] * np.where(
        late.isna(), 0.0, np.maximum(0.0, 1 - per_day * late.fillna(0))
    )
    rep["reason"] = [("未报送" if pd.isna(d) else f"逾期{int(d)}天") for d in late]
    ledger.append(rep.assign(block="reporting", item_id="reporting", item_name="信息报送")[LEDGER])

    ledger = pd.concat(ledger, ignore_index=True)
    ledger["applicable"] = ledger["applicable"].fillna(True).astype(bool)

    # 加减分
    types = {k: float(v) for k, v in scheme.adjustment_points.items()}
    adj = ctx["adjustments"]
    adj = adj[adj["unit_code"].isin(units["unit_code"]) & adj["item"].isin(types)].copy()
    default = adj["item"].map(types).astype("float64")
    adj["points"] = np.sign(default) * pd.to_numeric(adj["points"], errors="coerce").abs().fillna(
        default.abs()
    )
    adj_sum = adj.groupby("unit_code")["points"].agg(
        bonus=lambda p: min(p[p > 0].sum(), float(scheme.adjustments.bonus_cap)),
        deductions=lambda p: -p[p < 0].sum(),
    )

    # Totals: block scores rescaled over applicable blocks, adjustments, clamp, grade, rank.
    by_block = (
        ledger.groupby(["unit_code", "block"])
        .agg(score=("points", "sum"), applicable=("applicable", "any"))
        .reset_index()
    )
    # block scores as shown: half-up to 2 decimals (the total is built from them)
    by_block["score"] = half_up(by_block["score"])
    by_block = by_block.merge(units[["unit_code", "grp"]], on="unit_code")
    by_block["block_points"] = [
        blocks[g][b] for g, b in zip(by_block["grp"], by_block["block"], strict=True)
    ]
    task_na = ~units["unit_code"].isin(assigned["unit_code"])
    by_block.loc[
        by_block["block"].eq("tasks") & by_block["unit_code"].isin(units.loc[task_na, "unit_code"]),
        "applicable",
    ] = False
    app = by_block[by_block["applicable"]]
    base_total = app.groupby("unit_code").apply(
        lambda g: 100 * g["score"].sum() / g["block_points"].sum(), include_groups=False
    )
    scores = by_block.pivot(index="unit_code", columns="block", values="score").add_suffix("_score")
    scores = units.set_index("unit_code")[["unit_name", "grp"]].join(scores).join(adj_sum)
    scores[["bonus", "deductions"]] = scores[["bonus", "deductions"]].fillna(0)
    scores["base"] = base_total
    cap = float(scheme.adjustments.bonus_cap)
    adjustment = half_up(scores["bonus"] - scores["deductions"])
    scores["total"] = half_up((scores["base"].fillna(0) + adjustment).clip(0, 100 + cap))
    bands = sorted(((float(g.min_total), g.grade) for g in scheme.grades), reverse=True)
    scores["grade"] = scores["total"].map(lambda x: next(g for m, g in bands if x >= m))
    scores["veto"] = scores.index.isin(veto_units)
    scores.loc[scores["veto"], "grade"] = scheme.veto.grade
    key = scores["veto"].astype(int) * 1000 - scores["total"]
    scores["rank"] = key.groupby(scores["grp"]).rank(method="min").astype(int)
    scores = scores.reset_index().sort_values(["grp", "rank", "unit_code"])
    return scores, ledger


LEDGER = ["unit_code", "block", "item_id", "item_name", "max_points", "points", "reason"]


# --- writing ---------------------------------------------------------------------------------


def _sheet(book, name: str, frame, header_font) -> None:
    """Append a frame as a sheet with a bold header, frozen header row and set widths."""
    ws = book.create_sheet(name)
    ws.append(list(frame.columns))
    for cell in ws[1]:
        cell.font = header_font
    for row in frame.itertuples(index=False):
        ws.append([None if v is None or (isinstance(v, float) and v != v) else v for v in row])
    ws.freeze_panes = "A2"
    for i, _ in enumerate(frame.columns, start=1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = 16


def write_outputs(
    scores, ledger, issues, submissions, out: Path, quarter: str, clock: Clock
) -> int:
    """Write the leader workbook, results.csv and one feedback workbook per unit with openpyxl."""
    import openpyxl
    import pandas as pd
    from openpyxl.styles import Font

    bold = Font(bold=True)
    target = out / quarter
    (target / "单位反馈").mkdir(parents=True, exist_ok=True)
    lost = ledger[ledger["points"] < ledger["max_points"] - 1e-9]
    with clock.phase("write_leader"):
        book = openpyxl.Workbook()
        book.remove(book.active)
        _sheet(book, "排名总表", scores, bold)
        for grp, part in scores.groupby("grp"):
            _sheet(book, grp, part, bold)
        _sheet(book, "得分明细", ledger, bold)
        _sheet(book, "扣分明细", lost, bold)
        _sheet(book, "报送情况", submissions, bold)
        _sheet(book, "校验问题", issues, bold)
        book.save(target / f"考核结果_{quarter}.xlsx")
        scores.to_csv(target / "results.csv", index=False)
    with clock.phase("write_feedback"):
        lost_by = dict(list(lost.groupby("unit_code")))
        issues_by = dict(list(issues.groupby("unit_code"))) if len(issues) else {}
        blocks_by = dict(list(ledger.groupby("unit_code")))
        empty = pd.DataFrame(columns=LEDGER)
        for row in scores.itertuples(index=False):
            book = openpyxl.Workbook()
            book.remove(book.active)
            summary = (
                blocks_by[row.unit_code]
                .groupby("block")[["max_points", "points"]]
                .sum()
                .reset_index()
            )
            _sheet(book, "得分情况", summary, bold)
            _sheet(book, "失分明细", lost_by.get(row.unit_code, empty), bold)
            _sheet(
                book,
                "校验问题",
                issues_by.get(
                    row.unit_code, pd.DataFrame(columns=["unit_code", "file", "message"])
                ),
                bold,
            )
            book.save(target / "单位反馈" / f"{row.unit_code}_{row.unit_name}.xlsx")
    return len(scores)


# --- the run ---------------------------------------------------------------------------------


def run_naive(
    data: Path, scheme_path: Path, quarter: str, out: Path, limit_units: int | None = None
) -> dict:
    """Run the naive stack on one quarter of a generated district; return phase times and counts."""
    clock = Clock()
    with clock.phase("imports"):
        import great_expectations  # noqa: F401
        import openpyxl  # noqa: F401
        import pandas as pd

        from firescore.config import Limits
        from firescore.intake.contracts import load_contracts, submission_contracts
        from firescore.registry import load_registries
        from firescore.scheme import Quarter, load_scheme
    with clock.phase("setup"):
        scheme = load_scheme(scheme_path)
        reg = load_registries(data / "units.csv", data / "tasks.csv", Limits())
        units = reg.units.to_pandas()
        units = units[units["ranked"]]
        special = {scheme.fire_source_unit, scheme.adjustment_source_unit}
        if limit_units:  # an even spread of streets and departments across the clusters
            units = units.sort_values("unit_code")
            units = units.iloc[:: max(1, len(units) // limit_units)].head(limit_units)
        tasks = reg.tasks.to_pandas()
        assignments = reg.assignments.to_pandas()
        assignments = assignments[assignments["unit_code"].isin(units["unit_code"])]
        contracts = load_contracts()
        validator = Validator(
            {
                s: c
                for s, c in contracts.items()
                if s in {"基本信息", "任务进展", "工作指标", "火灾情况", "加减分"}
            }
        )
        quarter_names = {quarter: quarter, Quarter(quarter).label: quarter}
        log = pd.read_csv(data / "inbox" / quarter / "收件登记.csv", dtype=str)
        receipts = {
            (u, n): pd.Timestamp(t)
            for u, n, t in zip(log["单位代码"], log["文件名"], log["接收时间"], strict=True)
        }
        assigned_tasks = assignments.groupby("unit_code")["task_id"].agg(set).to_dict()
    wanted_units = set(units["unit_code"]) | special
    folders = sorted(
        p for p in (data / "inbox" / quarter).iterdir() if p.is_dir() and p.name in wanted_units
    )
    records, issues = [], []
    frames: dict[str, list] = {"任务进展": [], "工作指标": [], "火灾情况": [], "加减分": []}
    unit_files, special_seconds = 0, 0.0
    for folder in folders:
        unit = folder.name
        role = (
            "fire"
            if unit == scheme.fire_source_unit
            else "adjustments"
            if unit == scheme.adjustment_source_unit
            else "units"
        )
        for path in sorted(folder.iterdir()):
            unit_files += role == "units"
            started = time.perf_counter()
            with clock.phase("read"):
                wanted = [
                    c.model_copy(update={"required": False})
                    if c.sheet == "任务进展" and unit not in assigned_tasks
                    else c
                    for c in submission_contracts(role)
                ]  # a unit named on no task may leave 任务进展 out
                raw, errors = read_workbook(path, wanted)
                typed = {}
                for sheet, frame in raw.items():
                    typed[sheet], bad = cast_frame(frame, contracts[sheet], quarter_names)
                    errors += bad
            with clock.phase("validate"):
                for sheet, frame in typed.items():
                    errors += validator.validate(sheet, frame)
                basic = typed.get("基本信息")
                if basic is not None and len(basic):
                    if basic["unit_code"].iloc[0] != unit:
                        errors.append(
                            f"基本信息 单位代码 {basic['unit_code'].iloc[0]} 与 {unit} 不符"
                        )
                    if basic["quarter"].iloc[0] != quarter:
                        errors.append(
                            f"基本信息 考核季度 {basic['quarter'].iloc[0]} 不是 {quarter}"
                        )
                rows = typed.get("任务进展")
                if rows is not None and len(rows):
                    extra = set(rows["task_id"].dropna()) - assigned_tasks.get(unit, set())
                    if extra and role == "units":
                        errors.append(f"任务进展 非本单位任务：{sorted(extra)}")
                    if ((rows["status"] == "已完成") & rows["done_date"].isna()).any():
                        errors.append("任务进展 已完成但未填完成日期")
                ind = typed.get("工作指标")
                if ind is not None and (ind["value"] > ind["denominator"]).any():
                    errors.append("工作指标 数值大于分母")
            if role != "units":
                special_seconds += time.perf_counter() - started
            received = receipts.get((unit, path.name)) or pd.Timestamp.fromtimestamp(
                path.stat().st_mtime
            )
            records.append(
                {
                    "unit_code": unit,
                    "file": path.name,
                    "received_at": received,
                    "valid": not errors,
                    "typed": typed,
                }
            )
            issues += [{"unit_code": unit, "file": path.name, "message": m} for m in errors]
    with clock.phase("score"):
        accepted = {}
        for rec in sorted((r for r in records if r["valid"]), key=lambda r: r["received_at"]):
            accepted[rec["unit_code"]] = rec
        for sheet in frames:
            for unit, rec in accepted.items():
                if sheet in rec["typed"]:
                    frames[sheet].append(
                        rec["typed"][sheet].assign(unit_code=unit)
                        if sheet in ("任务进展", "工作指标")
                        else rec["typed"][sheet]
                    )
        empty = {s: pd.DataFrame(columns=[*contracts[s].fields, "excel_row"]) for s in frames}
        for s in ("任务进展", "工作指标"):
            empty[s]["unit_code"] = []
        data_frames = {
            s: pd.concat(v, ignore_index=True) if v else empty[s] for s, v in frames.items()
        }
        history_raw, _ = read_workbook(
            next((data / "history").glob("*.xlsx")), [contracts["火灾情况"]]
        )
        history, _ = cast_frame(history_raw["火灾情况"], contracts["火灾情况"], quarter_names)
        fires = data_frames["火灾情况"].copy()
        for frame in (fires, history):
            derived = [
                scheme.fire_grade(int(d), int(i), loss, t.date()) if not pd.isna(t) else None
                for d, i, loss, t in zip(
                    frame["deaths"].fillna(0),
                    frame["injuries"].fillna(0),
                    frame["loss"].fillna(0),
                    frame["fire_time"],
                    strict=True,
                )
            ]
            frame["grade"] = frame["grade"].fillna(pd.Series(derived, index=frame.index))
        ctx = {
            "scheme": scheme,
            "quarter": quarter,
            "units": units,
            "tasks": tasks,
            "assignments": assignments,
            "accepted": accepted,
            "task_rows": data_frames["任务进展"],
            "indicator_rows": data_frames["工作指标"],
            "fires": fires,
            "history": history,
            "adjustments": data_frames["加减分"],
        }
        scores, ledger = score(ctx)
        submissions = pd.DataFrame(
            [{k: r[k] for k in ("unit_code", "file", "received_at", "valid")} for r in records]
        )
    issues_frame = pd.DataFrame(issues, columns=["unit_code", "file", "message"])
    written = write_outputs(scores, ledger, issues_frame, submissions, out, quarter, clock)
    return {
        "seconds": clock.seconds,
        "total": sum(clock.seconds.values()),
        "files": len(records),
        "unit_files": unit_files,
        "special_seconds": special_seconds,
        "units": len(units),
        "rejected": sum(not r["valid"] for r in records),
        "feedback_workbooks": written,
        "sample_units": limit_units,
    }


def main(argv: list[str] | None = None) -> int:
    """Command line: run the naive stack in this process and write JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench.naive")
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--scheme", type=Path, required=True)
    parser.add_argument("--quarter", required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--json", type=Path, required=True)
    parser.add_argument("--limit-units", type=int)
    args = parser.parse_args(argv)
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    result = run_naive(args.data, args.scheme, args.quarter, args.out, args.limit_units)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

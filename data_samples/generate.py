"""Generate the sample district, or a district of any size, deterministically.

    python -m data_samples.generate                       # rewrite the committed sample
    python -m data_samples.generate --out DIR             # the sample, elsewhere
    python -m data_samples.generate --units 3000 --out DIR [--seed S] [--quarters 2026Q1..2026Q4]

The sample is the 渝中区 district of district.py: a clean background (every task and
indicator at full credit, every file on time) with the hand-written scenario of
district.py on top, so that every point lost is documented in README.md. At scale the
sample district is copied cluster by cluster (11 streets and 20 departments each) and
the scenario is drawn at random: late, missing, rejected and resubmitted files, overdue
tasks, indicator shortfalls, 较大 fires and adjustments.

Every random draw comes from random.Random seeded by the seed and the thing drawn
(quarter, unit, task ...), iteration is sorted, and workbooks carry a fixed creation
time, so the same arguments give byte-identical files.
"""

from __future__ import annotations

import argparse
import copy
import math
import random
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from data_samples import district as D
from data_samples.appeals import APPEALS_DIR, APPEALS_QUARTER, write_appeals
from data_samples.district import Delivery, Timeline
from data_samples.model import (
    CN_NUMERALS,
    GROUP_DEPT,
    GROUP_STREET,
    AdjustmentRow,
    BasicInfo,
    FileVersion,
    FireRow,
    IndicatorRow,
    Report,
    Task,
    TaskRow,
    Unit,
    expand_quarters,
    month_end,
    parse_deadline,
    parse_quarter,
    quarter_end,
    quarter_label,
    quarter_of,
    quarter_start,
    reporting_deadline,
)
from data_samples.workbooks import (
    write_history,
    write_receipt_log,
    write_submission,
    write_tasks,
    write_units,
)

SAMPLE_DIR = Path(__file__).resolve().parent
DEFAULT_SEED = 2026
DEFAULT_SCALE_QUARTERS = "2026Q1..2026Q2"
RECEIPT_LOG = "收件登记.csv"

STREETS_PER_CLUSTER = len(D.STREETS)
DEPTS_PER_CLUSTER = len(D.DEPARTMENTS)

STATUS_DONE, STATUS_DOING, STATUS_TODO = "已完成", "推进中", "未启动"

# Invalid-file kinds drawn at scale (the sample uses bad_status only).
DEFECTS = (
    "bad_status",  # 完成状态 “已完”, not an allowed value
    "done_without_date",  # 已完成 without 完成日期
    "ratio_above",  # 数值 above 分母
    "negative_count",  # a negative count
    "wrong_unit",  # 基本信息 单位代码 of another unit
    "wrong_quarter",  # 基本信息 考核季度 of the previous quarter
    "unassigned_task",  # a row for a task the unit is not named on
    "missing_sheet",  # the 工作指标 sheet left out
    "corrupt",  # not a workbook at all
)

EVIDENCE = (
    "会议纪要、照片",
    "检查记录、整改通知书",
    "培训签到表、照片",
    "工作台账",
    "工作方案、情况通报",
    "演练方案、现场照片",
    "宣传图片、新闻稿",
)
PROGRESS_DONE = (
    "已按要求完成，形成工作台账",
    "已完成并报区消安委办备案",
    "已全部完成整改销号",
    "已印发工作方案并组织实施完毕",
)
PROGRESS_DOING = (
    "已制定工作方案，正在组织推进",
    "已完成排查摸底，正在督促整改",
    "按计划推进，已完成约{pct}%",
    "已召开专题会议部署，分阶段推进",
)
PROGRESS_TODO = ("", "待区级统一部署后启动", "正在协调经费，尚未启动")
NOTES = {
    "I01": ("数据来源：“高楼消防”应用，截至季末", "新建高层建筑已同步接入"),
    "I02": ("含挂牌督办隐患", "未整改隐患已落实管控措施"),
    "I03": ("含安委会会议研究消防工作",),
    "I05": ("含“119”消防宣传月活动", "含线上培训"),
    "I06": ("独居老人、留守儿童等特殊群体",),
    "I08": ("按行业重点单位名册统计",),
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅建国志文俊海燕琳雪晨宇浩鑫欣怡婷佳颖丹蕾鹏飞波斌"
# Hour of day weights for fires: more in the evening.
HOUR_WEIGHTS = (2, 2, 2, 1, 1, 1, 2, 3, 4, 4, 5, 6, 6, 5, 5, 5, 6, 7, 8, 8, 7, 6, 4, 3)


@dataclass(frozen=True)
class Settings:
    """What to generate: the seed, the quarters, and whether this is the hand-written sample."""

    seed: int
    quarters: tuple[str, ...]
    sample: bool

    @property
    def year(self) -> int:
        """Return the assessed year (of the first quarter)."""
        return parse_quarter(self.quarters[0])[0]


@dataclass
class Result:
    """What generate() wrote."""

    units: list[Unit]
    tasks: list[Task]
    history: list[FireRow]
    versions: list[FileVersion]


def rng_for(seed: int, *parts: str) -> random.Random:
    """Return a random generator seeded by the seed and what is being drawn."""
    return random.Random("|".join((str(seed), *parts)))


def suffixed(name: str, cluster: int) -> str:
    """Return a unit name for a cluster: the sample name, then name（2）, name（3）..."""
    return name if cluster == 0 else f"{name}（{cluster + 1}）"


def build_units(n_units: int | None, seed: int) -> list[Unit]:
    """Return the units: streets, departments, the fire detachment and the office."""
    if n_units is None:
        n_streets, n_depts = STREETS_PER_CLUSTER, DEPTS_PER_CLUSTER
    else:
        share = STREETS_PER_CLUSTER / (STREETS_PER_CLUSTER + DEPTS_PER_CLUSTER)
        n_streets = max(1, round(n_units * share))
        n_depts = max(1, n_units - n_streets)
    ws, wd = max(2, len(str(n_streets))), max(2, len(str(n_depts)))
    units: list[Unit] = []
    for i in range(n_streets):
        cluster, slot = divmod(i, STREETS_PER_CLUSTER)
        name, region, high_rises = D.STREETS[slot]
        if cluster:
            high_rises = round(high_rises * rng_for(seed, "high", str(i)).uniform(0.6, 1.4))
        units.append(
            Unit(
                f"JD{i + 1:0{ws}d}",
                suffixed(name, cluster),
                GROUP_STREET,
                region,
                (),
                True,
                slot,
                cluster,
                high_rises,
            )
        )
    for i in range(n_depts):
        cluster, slot = divmod(i, DEPTS_PER_CLUSTER)
        name, places = D.DEPARTMENTS[slot]
        units.append(
            Unit(
                f"BM{i + 1:0{wd}d}",
                suffixed(name, cluster),
                GROUP_DEPT,
                "",
                places,
                True,
                slot,
                cluster,
            )
        )
    units.append(Unit(D.FIRE_DETACHMENT[0], D.FIRE_DETACHMENT[1], GROUP_DEPT, "", (), False))
    units.append(Unit(D.OFFICE[0], D.OFFICE[1], GROUP_DEPT, "", (), False))
    return units


def build_tasks(units: Sequence[Unit], year: int) -> list[Task]:
    """Return the task table: the sample's templates, once per cluster of units."""
    streets = {(u.cluster, u.slot): u for u in units if u.is_street and u.ranked}
    depts = {(u.cluster, u.slot): u for u in units if not u.is_street and u.ranked}
    street_slot = {name: i for i, (name, _, _) in enumerate(D.STREETS)}
    dept_slot = {name: i for i, (name, _) in enumerate(D.DEPARTMENTS)}
    clusters = 1 + max(c for c, _ in (*streets, *depts))

    def resolve(refs: Sequence[str], cluster: int) -> list[Unit]:
        out: list[Unit] = []
        for ref in refs:
            if ref == D.ALL_STREETS:
                out += [streets[k] for k in sorted(streets) if k[0] == cluster]
            elif ref in street_slot:
                out += [u for u in [streets.get((cluster, street_slot[ref]))] if u]
            else:
                out += [u for u in [depts.get((cluster, dept_slot[ref]))] if u]
        return out

    drafts = []
    for cluster in range(clusters):
        for template in D.TASKS:
            lead = resolve(template.lead, cluster)
            support = resolve(template.support, cluster)
            if lead:
                drafts.append((template, lead, support))

    width = max(2, len(str(len(drafts))))
    tasks = []
    for n, (t, lead, support) in enumerate(drafts, start=1):
        lead_as = "name" if t.style == "name" else "code"
        support_as = "code" if t.style == "code" else "name"
        deadline_text = t.deadline.replace("2026", str(year))
        tasks.append(
            Task(
                task_id=f"T{n:0{width}d}",
                title=t.title,
                detail=t.detail.replace("2026", str(year)),
                lead=tuple(u.code for u in lead),
                support=tuple(u.code for u in support),
                lead_text=t.sep.join(getattr(u, lead_as) for u in lead),
                support_text=t.sep.join(getattr(u, support_as) for u in support),
                deadline_text=deadline_text,
                deadline=parse_deadline(deadline_text),
                weight=t.weight,
            )
        )
    return tasks


def tasks_by_unit(tasks: Sequence[Task]) -> dict[str, list[Task]]:
    """Return, per unit code, the tasks it is named on (牵头 or 配合), in task order."""
    out: dict[str, list[Task]] = {}
    for task in tasks:
        for code in dict.fromkeys((*task.lead, *task.support)):
            out.setdefault(code, []).append(task)
    return out


# --- tasks ------------------------------------------------------------------------------


def timeline(settings: Settings, unit: Unit, task: Task) -> Timeline:
    """Return when a unit started and finished a dated task."""
    if settings.sample and (unit.code, task.task_id) in D.TIMELINES:
        return D.TIMELINES[(unit.code, task.task_id)]
    assert task.deadline is not None
    rng = rng_for(settings.seed, "timeline", unit.code, task.task_id)
    started = date(settings.year, 1, 5) + timedelta(days=rng.randrange(80))
    started = min(started, task.deadline - timedelta(days=10))
    span = (task.deadline - started).days
    done = started + timedelta(days=rng.randint(min(7, span), span))
    if not settings.sample:
        r = rng.random()
        if r < 0.04:
            return Timeline(None, None)
        if r < 0.07:
            return Timeline(task.deadline + timedelta(days=rng.randint(1, 60)), None)
        if r < 0.14:
            return Timeline(started, None)
        if r < 0.24:
            return Timeline(started, task.deadline + timedelta(days=rng.randint(1, 100)))
    return Timeline(started, done)


def typed_date(day: date, rng: random.Random) -> date | str:
    """Return a completion date as a date cell, now and then as text typed by hand."""
    r = rng.random()
    if r < 0.03:
        return f"{day.year}年{day.month}月{day.day}日"
    if r < 0.06:
        return f"{day.year}/{day.month}/{day.day}"
    return day


def ongoing_row(
    settings: Settings, unit: Unit, task: Task, quarter: str, rng: random.Random
) -> TaskRow:
    """Return the 任务进展 row of a 持续开展 task."""
    times, evidence = rng.randint(1, 6), rng.choice(EVIDENCE)
    hazards = rng.randint(times, times * 8)
    r = rng.random()
    key = (quarter, unit.code, task.task_id)
    if settings.sample and key in D.ONGOING:
        times, evidence = D.ONGOING[key]
    elif not settings.sample and r < 0.06:
        times, evidence = 0, ""
    elif not settings.sample and r < 0.12:
        evidence = ""
    tail = rng.choice(("，发现并督促整改隐患{n}处", "，已形成工作台账", "，覆盖重点单位{n}家"))
    if times == 0:
        progress = "本季度因人员调整未组织开展，下季度补开"
    else:
        progress = f"本季度开展{times}次" + tail.format(n=hazards)
    return TaskRow(task.task_id, task.title, STATUS_DOING, None, times, progress, evidence)


def dated_row(
    settings: Settings, unit: Unit, task: Task, quarter: str, rng: random.Random
) -> TaskRow:
    """Return the 任务进展 row of a task with a 完成时限, from the unit's timeline."""
    qend = quarter_end(quarter)
    tl = timeline(settings, unit, task)
    pct = rng.randrange(30, 95, 5)
    done_text = rng.choice(PROGRESS_DONE)
    doing_text = rng.choice(PROGRESS_DOING).format(pct=pct)
    todo_text = rng.choice(PROGRESS_TODO)
    typed = typed_date(tl.done, rng) if tl.done else None
    if tl.done is not None and tl.done <= qend:
        return TaskRow(task.task_id, task.title, STATUS_DONE, typed, None, done_text, "")
    if tl.started is not None and tl.started <= qend:
        return TaskRow(task.task_id, task.title, STATUS_DOING, None, None, doing_text, "")
    return TaskRow(task.task_id, task.title, STATUS_TODO, None, None, todo_text, "")


def mess_up(row: TaskRow, how: str) -> None:
    """Make a valid cell look the way people type it (text numbers, stray spaces)."""
    if how == "times_as_text" and isinstance(row.times, int):
        row.times = str(row.times)
    elif how == "times_fullwidth" and isinstance(row.times, int):
        row.times = str(row.times).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    elif how == "status_spaces":
        row.status = f" {row.status} "


def task_rows(
    settings: Settings, unit: Unit, quarter: str, tasks: Sequence[Task]
) -> list[TaskRow] | None:
    """Return the 任务进展 rows a unit reports for a quarter (None: no tasks, no sheet)."""
    if not tasks:
        return None
    rng = rng_for(settings.seed, "tasks", quarter, unit.code)
    rows = []
    for task in tasks:
        key = (quarter, unit.code, task.task_id)
        build = ongoing_row if task.deadline is None else dated_row
        row = build(settings, unit, task, quarter, rng)
        r = rng.random()
        if settings.sample:
            if key in D.MISSING_TASK_ROWS:
                continue
            if key in D.MESSY_TASK_CELLS:
                mess_up(row, D.MESSY_TASK_CELLS[key])
        else:
            if r < 0.01:
                continue
            if r < 0.03:
                mess_up(row, rng.choice(("times_as_text", "status_spaces", "times_fullwidth")))
        rows.append(row)
    return rows


# --- indicators ---------------------------------------------------------------------------


def ceil_pct(pct: int, n: int) -> int:
    """Return the smallest count that is at least pct percent of n."""
    return -(-pct * n // 100)


def clean_indicator(iid: str, unit: Unit, q: int, rng: random.Random) -> tuple[int, int | None]:
    """Return an indicator's (数值, 分母) at or above the default target."""
    if iid == "I01":
        denom = unit.high_rises
        target = D.I01_TARGETS[unit.region or "其他"][q]
        return min(denom, ceil_pct(target, denom) + rng.randint(0, denom // 12)), denom
    if iid == "I02":
        found = rng.randint(12, 140) if unit.is_street else rng.randint(8, 90)
        return found - rng.randint(0, found * 5 // 100), found
    if iid in ("I06", "I08"):
        denom = rng.randint(20, 160) if iid == "I06" else rng.randint(30, 320)
        return denom, denom
    low, high = {"I03": (1, 3), "I04": (3, 5), "I05": (2, 8), "I07": (0, 2), "I09": (0, 2)}[iid]
    return rng.randint(low, high), None


def short_indicator(value: int, denom: int | None, rng: random.Random) -> tuple[int, int | None]:
    """Return an indicator value that falls short of its target."""
    if denom is not None:
        return (denom * rng.randint(50, 90) // 100 if denom else 0), denom
    return rng.randint(0, max(0, value - 1)), None


def indicator_rows(settings: Settings, unit: Unit, quarter: str) -> list[IndicatorRow]:
    """Return the 工作指标 rows a unit reports for a quarter."""
    rng = rng_for(settings.seed, "indicators", quarter, unit.code)
    q = parse_quarter(quarter)[1]
    rows = []
    for iid, name, _kind, groups in D.INDICATORS:
        if unit.group not in groups:
            continue
        key = (quarter, unit.code, iid)
        value, denom = clean_indicator(iid, unit, q, rng)
        r = rng.random()
        note = rng.choice(NOTES[iid]) if iid in NOTES and rng.random() < 0.25 else ""
        if settings.sample:
            if key in D.MISSING_INDICATOR_ROWS:
                continue
            value, denom = D.INDICATOR_VALUES.get(key, (value, denom))
        elif r < 0.01:
            continue
        elif r < 0.11:
            value, denom = short_indicator(value, denom, rng)
        if iid == "I01" and denom == 0:
            note = "辖区无高层建筑"
        rows.append(IndicatorRow(iid, name, value, denom, note))
    return rows


# --- fires --------------------------------------------------------------------------------


def poisson(lam: float, rng: random.Random) -> int:
    """Return a Poisson draw (Knuth), enough for a handful of fires a month."""
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def fire_rates(settings: Settings, street: Unit) -> tuple[float, float]:
    """Return a street's fires per year in the baseline year and its factor afterwards."""
    base, factor = D.FIRE_RATES[f"JD{street.slot + 1:02d}"]
    if street.cluster:
        rng = rng_for(settings.seed, "rate", street.code)
        return base * rng.uniform(0.6, 1.4), rng.uniform(0.6, 1.4)
    return base, factor


def random_fire(when: datetime, street: str, rng: random.Random, deaths: int) -> FireRow:
    """Return one ordinary fire (id assigned later)."""
    places, place_w = zip(*D.PLACE_WEIGHTS, strict=True)
    causes, cause_w = zip(*D.CAUSE_WEIGHTS, strict=True)
    r = rng.random()
    injuries = 2 if r < 0.02 else 1 if r < 0.09 else 0
    loss = round(min(rng.lognormvariate(0.2, 1.2), 400.0), 2)
    grade = "一般" if rng.random() < 0.2 else ""
    place, cause = rng.choices(places, place_w)[0], rng.choices(causes, cause_w)[0]
    return FireRow("", when, street, place, cause, deaths, injuries, loss, grade)


def year_fires(settings: Settings, streets: Sequence[Unit], year: int) -> list[FireRow]:
    """Return a year of fires over the streets, numbered YZ<year>-0001 in time order."""
    fires: list[FireRow] = []
    for street in streets:
        base, factor = fire_rates(settings, street)
        rate = base if year < settings.year else base * factor
        for month in range(1, 13):
            rng = rng_for(settings.seed, "fires", str(year), street.code, str(month))
            for _ in range(poisson(rate / 12, rng)):
                days = month_end(year, month).day
                when = datetime(year, month, rng.randint(1, days), 0, 0) + timedelta(
                    hours=rng.choices(range(24), HOUR_WEIGHTS)[0], minutes=rng.randrange(60)
                )
                deaths = 0 if settings.sample or rng.random() > 0.004 else 1
                fires.append(random_fire(when, street.code, rng, deaths))
    fires += special_fires(settings, streets, year)
    fires.sort(key=lambda f: (f.fire_time, f.street_code))
    width = max(4, len(str(len(fires))))
    for n, fire in enumerate(fires, start=1):
        fire.fire_id = f"YZ{year}-{n:0{width}d}"
    return fires


def special_fires(settings: Settings, streets: Sequence[Unit], year: int) -> list[FireRow]:
    """Return the sample's hand-written fires, or at scale a few 较大 fires per quarter."""
    if settings.sample:
        specials = (*D.SPECIAL_FIRES, *D.SPECIAL_HISTORY_FIRES)
        return [
            FireRow("", s.when, s.street, s.place, s.cause, s.deaths, s.injuries, s.loss, s.grade)
            for s in specials
            if s.when.year == year
        ]
    out = []
    for q in range(1, 5):
        rng = rng_for(settings.seed, "big-fires", f"{year}Q{q}")
        for _ in range(len(streets) // 150):
            street = rng.choice(streets)
            start = quarter_start(f"{year}Q{q}")
            when = datetime.combine(start, time(rng.randrange(24), rng.randrange(60)))
            when += timedelta(days=rng.randrange(90))
            fire = random_fire(when, street.code, rng, rng.randint(3, 4))
            fire.grade = "较大" if rng.random() < 0.3 else ""
            out.append(fire)
    return out


# --- adjustments --------------------------------------------------------------------------


def adjustment_rows(settings: Settings, units: Sequence[Unit], quarter: str) -> list[AdjustmentRow]:
    """Return the office's 加减分 rows for a quarter."""
    if settings.sample:
        return [AdjustmentRow(*row) for row in D.ADJUSTMENTS.get(quarter, ())]
    rng = rng_for(settings.seed, "adjustments", quarter)
    ranked = [u for u in units if u.ranked]
    year = parse_quarter(quarter)[0]
    start = quarter_start(quarter)
    weights = (1, 3, 1, 3, 1, 2, 2, 2)
    rows = []
    chosen = rng.sample(ranked, min(len(ranked), max(2, len(ranked) // 12)))
    picks = [(u, rng.choices(D.ADJUSTMENT_ITEMS, weights)[0]) for u in chosen]
    capped = rng.choice(ranked)
    picks += [(capped, "通报表扬（市级）"), (capped, "经验做法被推广（区级）")]
    for unit, item in picks:
        points = float(rng.choice((1, 2, 4))) if rng.random() < 0.1 else None
        reason = f"{unit.name}{item.split('（')[0]}事项"
        doc = f"渝中消委办〔{year}〕{rng.randint(1, 60)}号"
        rows.append(
            AdjustmentRow(
                unit.code, item, points, reason, doc, start + timedelta(rng.randrange(88))
            )
        )
    rows.sort(key=lambda r: (r.adj_date, r.unit_code, r.item))
    return rows


# --- deliveries ---------------------------------------------------------------------------


def person(seed: int, unit: Unit) -> tuple[str, str]:
    """Return the unit's contact person and phone (the same every quarter)."""
    rng = rng_for(seed, "contact", unit.code)
    name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
    if rng.random() < 0.5:
        phone = f"023-6{rng.randrange(10**7):07d}"
    else:
        phone = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
    return name, phone


def file_name(unit: Unit, quarter: str, rng: random.Random) -> str:
    """Return the name a unit gives its file (any name is allowed)."""
    year, q = parse_quarter(quarter)
    cn = CN_NUMERALS[q - 1]
    if unit.code == D.FIRE_DETACHMENT[0]:
        return f"{unit.name}{quarter_label(quarter)}火灾情况统计.xlsx"
    if unit.code == D.OFFICE[0]:
        return f"{quarter_label(quarter)}考核加减分事项汇总.xlsx"
    patterns = (
        f"{unit.name}{quarter_label(quarter)}消防工作考核填报表.xlsx",
        f"{unit.name}{year}年{cn}季度消防考核.xlsx",
        f"附件：{unit.name}消防工作季度考核表.xlsx",
        f"{D.DISTRICT}{year}年第{cn}季度消防工作考核表（{unit.name}）.xlsx",
        f"{unit.code}_{quarter}.xlsx",
        f"{unit.name}{cn}季度考核材料.xlsx",
    )
    return rng.choice(patterns)


def renamed(name: str, rng: random.Random) -> str:
    """Return the name of a later version of a file."""
    return (
        name.removesuffix(".xlsx")
        + rng.choice(("（更正）", "（修改版）", "（终稿）", "v2"))
        + ".xlsx"
    )


def receipt_time(day: date, rng: random.Random) -> datetime:
    """Return a time of day on which the office logged a file."""
    return datetime.combine(day, time(rng.randint(8, 17), rng.randrange(60)))


def deliveries(settings: Settings, unit: Unit, quarter: str) -> list[Delivery]:
    """Return the files a unit sends for a quarter (empty: nothing sent)."""
    if settings.sample and (quarter, unit.code) in D.DELIVERIES:
        return list(D.DELIVERIES[(quarter, unit.code)])
    rng = rng_for(settings.seed, "delivery", quarter, unit.code)
    qend, deadline = quarter_end(quarter), reporting_deadline(quarter)
    on_time_day = qend + timedelta(days=rng.choices(range(1, 10), (1, 1, 2, 2, 3, 3, 4, 4, 3))[0])
    name = file_name(unit, quarter, rng)
    on_time = Delivery(receipt_time(on_time_day, rng), name)
    r = rng.random()
    if settings.sample or not unit.ranked or r >= 0.15:
        return [on_time]
    late = receipt_time(deadline + timedelta(days=rng.randint(1, 5)), rng)
    if r < 0.02:
        return []
    if r < 0.08:
        return [Delivery(late, name)]
    defect = rng.choice(DEFECTS)
    early = Delivery(on_time.received_at - timedelta(days=2), name, defect=defect)
    if r < 0.11:
        later = on_time if rng.random() < 0.6 else Delivery(late, name)
        return [early, Delivery(later.received_at, renamed(name, rng))]
    if r < 0.12:
        return [early]
    draft = Delivery(on_time.received_at - timedelta(days=3), name, draft=True)
    return [draft, Delivery(on_time.received_at, renamed(name, rng))]


# --- versions -----------------------------------------------------------------------------


def header_rows(
    settings: Settings, unit: Unit, quarter: str, report: Report, rng: random.Random
) -> dict[str, int]:
    """Return, per sheet, the row its header sits on (2, or 3 below a subtitle or blank row)."""
    sheets = ["基本信息"]
    sheets += ["任务进展"] if report.tasks is not None else []
    sheets += ["工作指标"] if report.indicators is not None else []
    sheets += ["火灾情况"] if report.fires is not None else []
    sheets += ["加减分"] if report.adjustments is not None else []
    if settings.sample:
        return {s: 3 if (quarter, unit.code, s) in D.HEADER_ON_ROW_3 else 2 for s in sheets}
    return {s: 3 if rng.random() < 0.12 else 2 for s in sheets}


def apply_draft(settings: Settings, version: FileVersion, rng: random.Random) -> None:
    """Turn a report into an earlier, valid draft that a later version supersedes."""
    rows = version.report.tasks or []
    if settings.sample:
        for row in rows:
            status = D.DRAFT_STATUS.get((version.quarter, version.unit.code, row.task_id))
            if status:
                row.status, row.done, row.progress = status, None, ""
        return
    doing = [r for r in rows if r.status == STATUS_DOING and r.times is None]
    if doing:
        row = rng.choice(doing)
        row.status, row.progress = STATUS_TODO, ""
    elif version.report.indicators:
        row = version.report.indicators[0]
        row.value = row.value // 2


def apply_defect(
    version: FileVersion, units: Sequence[Unit], tasks: Sequence[Task], rng: random.Random
) -> None:
    """Make a file invalid in the way its defect says, and note where."""
    report, kind = version.report, version.defect
    task_start = version.header_rows.get("任务进展", 2) + 1
    ind_start = version.header_rows.get("工作指标", 2) + 1
    basic_start = version.header_rows.get("基本信息", 2) + 1
    done_rows = [i for i, r in enumerate(report.tasks or []) if r.status == STATUS_DONE]
    rates = [i for i, r in enumerate(report.indicators or []) if r.denominator]
    counts = [i for i, r in enumerate(report.indicators or []) if r.denominator is None]
    if kind in ("bad_status", "done_without_date") and not done_rows:
        kind = "ratio_above" if rates else "wrong_quarter"
    if kind == "ratio_above" and not rates:
        kind = "wrong_quarter"
    if kind == "negative_count" and not counts:
        kind = "wrong_quarter"
    if kind == "unassigned_task" and report.tasks is None:
        kind = "wrong_quarter"
    if kind == "missing_sheet" and report.indicators is None:
        kind = "wrong_quarter"
    version.defect = kind
    if kind == "bad_status":
        wanted = D.REJECTED_ROWS.get((version.quarter, version.unit.code))
        ids = [r.task_id for r in report.tasks]
        i = ids.index(wanted) if wanted in ids else done_rows[0]
        report.tasks[i].status = "已完"
        version.defect_note = f"任务进展!C{task_start + i} 完成状态 “已完”"
    elif kind == "done_without_date":
        i = done_rows[0]
        report.tasks[i].done = None
        version.defect_note = f"任务进展!D{task_start + i} 已完成 without 完成日期"
    elif kind == "ratio_above":
        i = rates[0]
        row = report.indicators[i]
        row.value = row.denominator + rng.randint(1, 5)
        version.defect_note = f"工作指标!C{ind_start + i} 数值 above 分母"
    elif kind == "negative_count":
        i = counts[0]
        report.indicators[i].value = -1
        version.defect_note = f"工作指标!C{ind_start + i} negative count"
    elif kind == "wrong_unit":
        other = rng.choice([u for u in units if u.ranked and u.code != version.unit.code])
        report.basic.unit_code, report.basic.unit_name = other.code, other.name
        version.defect_note = f"基本信息!B{basic_start} 单位代码 {other.code}"
    elif kind == "wrong_quarter":
        year, q = parse_quarter(version.quarter)
        previous = f"{year - 1}Q4" if q == 1 else f"{year}Q{q - 1}"
        report.basic.quarter_text = previous
        version.defect_note = f"基本信息!B{basic_start + 2} 考核季度 {previous}"
    elif kind == "unassigned_task":
        mine = {r.task_id for r in report.tasks}
        other = next(t for t in tasks if t.task_id not in mine)
        report.tasks.append(
            TaskRow(other.task_id, other.title, STATUS_DOING, None, None, "已部署", "")
        )
        version.defect_note = (
            f"任务进展!A{task_start + len(report.tasks) - 1} {other.task_id} not assigned"
        )
    elif kind == "missing_sheet":
        report.indicators = None
        version.defect_note = "sheet 工作指标 missing"
    elif kind == "corrupt":
        version.defect_note = "not a workbook"


def unit_report(
    settings: Settings,
    unit: Unit,
    quarter: str,
    my_tasks: Sequence[Task],
    fires: Sequence[FireRow],
    units: Sequence[Unit],
) -> Report:
    """Return what a unit reports for a quarter (its final, valid version)."""
    name, phone = person(settings.seed, unit)
    style = rng_for(settings.seed, "quarter-style", quarter, unit.code).random()
    basic = BasicInfo(
        unit.code,
        unit.name,
        quarter if style < 0.5 else quarter_label(quarter),
        name,
        phone,
        quarter_end(quarter),
    )
    if unit.code == D.FIRE_DETACHMENT[0]:
        return Report(basic, fires=[f for f in fires if quarter_of(f.fire_time.date()) == quarter])
    if unit.code == D.OFFICE[0]:
        return Report(basic, adjustments=adjustment_rows(settings, units, quarter))
    return Report(
        basic,
        tasks=task_rows(settings, unit, quarter, my_tasks),
        indicators=indicator_rows(settings, unit, quarter),
    )


def unit_versions(
    settings: Settings,
    unit: Unit,
    quarter: str,
    report: Report,
    units: Sequence[Unit],
    tasks: Sequence[Task],
) -> list[FileVersion]:
    """Return the files a unit sent for a quarter, each with its own content."""
    rng = rng_for(settings.seed, "versions", quarter, unit.code)
    qend = quarter_end(quarter)
    versions = []
    for delivery in deliveries(settings, unit, quarter):
        version = FileVersion(
            unit=unit,
            quarter=quarter,
            file_name=delivery.file_name,
            received_at=delivery.received_at,
            report=copy.deepcopy(report),
            defect=delivery.defect,
            draft=delivery.draft,
        )
        version.header_rows = header_rows(settings, unit, quarter, version.report, rng)
        version.subtitle = rng.random() < 0.6
        received = delivery.received_at.date()
        version.report.basic.fill_date = max(qend, received - timedelta(days=rng.randint(0, 2)))
        if delivery.draft:
            apply_draft(settings, version, rng)
        if delivery.defect:
            apply_defect(version, units, tasks, rng)
        versions.append(version)
    return versions


# --- writing ------------------------------------------------------------------------------


def clean_outputs(out: Path) -> None:
    """Remove the generated outputs of an earlier run (never scheme.yaml or code)."""
    for sub in ("inbox", "history"):
        if (out / sub).is_dir():
            shutil.rmtree(out / sub)
    for name in ("units.csv", "tasks.csv"):
        (out / name).unlink(missing_ok=True)


def generate(
    out: Path,
    n_units: int | None = None,
    seed: int = DEFAULT_SEED,
    quarters: Sequence[str] | None = None,
) -> Result:
    """Write the sample (n_units None) or a district of about n_units units into out."""
    if n_units is None:
        settings = Settings(seed, tuple(quarters or D.SAMPLE_QUARTERS), True)
    else:
        if n_units < 2:
            raise ValueError("a district needs at least 2 units (a street and a department)")
        chosen = quarters or expand_quarters(DEFAULT_SCALE_QUARTERS)
        settings = Settings(seed, tuple(sorted(chosen, key=parse_quarter)), False)
    units = build_units(n_units, seed)
    tasks = build_tasks(units, settings.year)
    mine = tasks_by_unit(tasks)
    streets = [u for u in units if u.is_street]
    years = sorted({parse_quarter(q)[0] for q in settings.quarters})
    fires = {y: year_fires(settings, streets, y) for y in [settings.year - 1, *years]}

    clean_outputs(out)
    write_units(out / "units.csv", units)
    write_tasks(out / "tasks.csv", tasks)
    history_year = settings.year - 1
    write_history(
        out / "history" / f"{history_year}_火灾情况.xlsx",
        history_year,
        fires[history_year],
        D.DISTRICT,
    )

    all_versions: list[FileVersion] = []
    for quarter in settings.quarters:
        year_fires_q = fires[parse_quarter(quarter)[0]]
        versions: list[FileVersion] = []
        for unit in sorted(units, key=lambda u: u.code):
            report = unit_report(
                settings, unit, quarter, mine.get(unit.code, []), year_fires_q, units
            )
            versions += unit_versions(settings, unit, quarter, report, units, tasks)
        for version in versions:
            write_submission(out / "inbox" / version.rel_path, version, D.DISTRICT)
        write_receipt_log(out / "inbox" / quarter / RECEIPT_LOG, versions)
        if settings.sample and quarter == APPEALS_QUARTER:
            persons = {u.code: person(seed, u) for u in units}
            write_appeals(out / "inbox" / quarter / APPEALS_DIR, units, persons)
        all_versions += versions
    return Result(units, tasks, fires[history_year], all_versions)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point: python -m data_samples.generate."""
    parser = argparse.ArgumentParser(
        prog="python -m data_samples.generate",
        description="Write the firescore sample district, or a district of any size.",
    )
    parser.add_argument("--units", type=int, help="about this many ranked units (scale mode)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default 2026)")
    parser.add_argument("--out", type=Path, help="output folder (default: data_samples/)")
    parser.add_argument(
        "--quarters",
        help=f"scale mode: quarters, e.g. 2026Q1..2026Q4 or 2026Q1,2026Q2 (default {DEFAULT_SCALE_QUARTERS})",
    )
    args = parser.parse_args(argv)
    if args.units is None:
        if args.quarters:
            parser.error("--quarters only applies with --units; the sample has 2026Q1 and 2026Q2")
        out = args.out or SAMPLE_DIR
        quarters = None
    else:
        if args.out is None:
            parser.error("--out is required with --units (the committed sample is left alone)")
        if args.units < 2:
            parser.error("--units must be at least 2")
        try:
            quarters = expand_quarters(args.quarters or DEFAULT_SCALE_QUARTERS)
        except ValueError as exc:
            parser.error(str(exc))
        out = args.out
    result = generate(out, args.units, args.seed, quarters)
    files = len(result.versions) + 1
    print(f"wrote {len(result.units)} units, {len(result.tasks)} tasks, {files} workbooks to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

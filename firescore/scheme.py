"""The assessment scheme (考核方案): scheme.yaml -> pydantic Scheme -> scheme_* tables.

Every number of SCORING.md lives in scheme.yaml; this module only checks its shape and
turns it into tables that the scoring SQL joins.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb
import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

Group = Literal["镇街组", "部门组"]
GROUPS: tuple[str, ...] = ("镇街组", "部门组")
BLOCKS: tuple[str, ...] = ("tasks", "indicators", "fire", "reporting")
FIRE_ITEMS: tuple[str, ...] = ("count", "deaths", "injuries", "loss")
FIRE_ITEM_NAMES = {
    "count": "火灾起数",
    "deaths": "亡人",
    "injuries": "受伤",
    "loss": "直接财产损失",
}
FIRE_ITEM_UNITS = {"count": "起", "deaths": "人", "injuries": "人", "loss": "万元"}
ROLES: tuple[str, ...] = ("牵头", "配合")
QUARTER_NUMERALS = "一二三四"

NonNegative = Annotated[Decimal, Field(ge=0)]
Fraction = Annotated[Decimal, Field(ge=0, le=1)]


class SchemeError(Exception):
    """A scheme file the program refuses; `message` is Chinese and names the key."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Block(_Model):
    name: str
    points: dict[Group, NonNegative]

    @field_validator("points")
    @classmethod
    def _every_group(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        missing = [g for g in GROUPS if g not in value]
        if missing:
            raise ValueError(f"缺少考核组 {'、'.join(missing)} 的分值")
        return value


class Blocks(_Model):
    tasks: Block
    indicators: Block
    fire: Block
    reporting: Block


class StatusCredit(_Model):
    not_due: Fraction  # 完成时限 ≥ 季度末
    overdue: Fraction  # 完成时限 < 季度末


class CreditTable(_Model):
    done_on_time: Fraction
    in_progress: StatusCredit
    not_started: StatusCredit
    missing: StatusCredit


class LateCompletion(_Model):
    per_month: Fraction
    floor: Fraction
    days_per_month: Annotated[int, Field(gt=0)]


class OngoingCredit(_Model):
    with_evidence: Fraction
    without_evidence: Fraction
    not_done: Fraction


class TaskRules(_Model):
    role_weights: dict[Literal["牵头", "配合"], NonNegative]
    credit: CreditTable
    late_completion: LateCompletion
    ongoing: OngoingCredit

    @field_validator("role_weights")
    @classmethod
    def _both_roles(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        missing = [r for r in ROLES if r not in value]
        if missing:
            raise ValueError(f"缺少角色 {'、'.join(missing)} 的权重")
        return value


class Indicator(_Model):
    id: Annotated[str, Field(pattern=r"^\S+$")]
    name: str
    kind: Literal["rate", "count_min", "year_min"]
    points: dict[Group, Annotated[Decimal, Field(gt=0)]]
    target: NonNegative | None = None
    target_by_region: dict[str, list[NonNegative]] | None = None

    @model_validator(mode="after")
    def _one_target(self) -> Indicator:
        if (self.target is None) == (self.target_by_region is None):
            raise ValueError("target 与 target_by_region 必须且只能填写其中一个")
        if not self.points:
            raise ValueError("points 至少要给一个考核组的分值")
        for region, values in (self.target_by_region or {}).items():
            if len(values) != 4:
                raise ValueError(f"target_by_region.{region} 应列出第一至第四季度共 4 个目标值")
        return self

    def target_for(self, region: str, quarter_no: int) -> Decimal:
        """Target for a region (already defaulted) and quarter number 1–4."""
        if self.target is not None:
            return self.target
        assert self.target_by_region is not None
        return self.target_by_region[region][quarter_no - 1]


class FireSplit(_Model):
    count: Fraction
    deaths: Fraction
    injuries: Fraction
    loss: Fraction


class FireFloor(_Model):
    count: Annotated[Decimal, Field(gt=0)]
    injuries: Annotated[Decimal, Field(gt=0)]
    loss: Annotated[Decimal, Field(gt=0)]


class FireZeroAtRise(_Model):
    count: Annotated[Decimal, Field(gt=0)]
    injuries: Annotated[Decimal, Field(gt=0)]
    loss: Annotated[Decimal, Field(gt=0)]


class GradeThreshold(_Model):
    grade: str
    deaths: Annotated[int, Field(ge=0)]
    injuries: Annotated[int, Field(ge=0)]
    loss: NonNegative


class GradeTable(_Model):
    version: str
    valid_from: date | None
    grades: Annotated[list[GradeThreshold], Field(min_length=1)]


class FireRules(_Model):
    split: FireSplit
    floor: FireFloor
    zero_at_rise: FireZeroAtRise
    per_death: NonNegative
    lowest_grade: str
    grade_tables: Annotated[list[GradeTable], Field(min_length=1)]

    @model_validator(mode="after")
    def _consistent(self) -> FireRules:
        total = self.split.count + self.split.deaths + self.split.injuries + self.split.loss
        if total != 1:
            raise ValueError(f"split 各项之和应为 1，实际为 {total}")
        names = [g.grade for g in self.grade_tables[0].grades]
        for table in self.grade_tables:
            if [g.grade for g in table.grades] != names:
                raise ValueError(f"各版本火灾等级表的等级及顺序应一致：{'、'.join(names)}")
        if self.lowest_grade in names:
            raise ValueError(f"lowest_grade「{self.lowest_grade}」不应出现在等级表中")
        undated = [t.version for t in self.grade_tables if t.valid_from is None]
        if len(undated) > 1:
            raise ValueError("最多只能有一个火灾等级表不填 valid_from")
        return self

    def severities(self) -> dict[str, int]:
        """Grade name -> severity (lowest grade 0, most severe highest)."""
        names = [g.grade for g in self.grade_tables[0].grades]
        return {self.lowest_grade: 0} | {n: len(names) - i for i, n in enumerate(names)}

    def table_for(self, when: date | None) -> GradeTable:
        """The grade table in force on a date (the newest one when no date)."""
        ordered = sorted(self.grade_tables, key=lambda t: t.valid_from or date.min)
        if when is None:
            return ordered[-1]
        in_force = [t for t in ordered if (t.valid_from or date.min) <= when]
        return in_force[-1] if in_force else ordered[0]


class ReportingRules(_Model):
    deadline_days: Annotated[int, Field(ge=0)]
    late_penalty_per_day: NonNegative


class AdjustmentType(_Model):
    item: str
    points: Decimal

    @field_validator("points")
    @classmethod
    def _signed(cls, value: Decimal) -> Decimal:
        if value == 0:
            raise ValueError("分值不能为 0（正数为加分，负数为减分）")
        return value


class AdjustmentRules(_Model):
    bonus_cap: NonNegative
    types: Annotated[list[AdjustmentType], Field(min_length=1)]

    @field_validator("types")
    @classmethod
    def _unique(cls, value: list[AdjustmentType]) -> list[AdjustmentType]:
        _refuse_duplicates([t.item for t in value], "事项")
        return value


class GradeBand(_Model):
    grade: str
    min_total: NonNegative


class VetoRules(_Model):
    groups: dict[Group, bool]
    min_grade: str
    grade: str


class ExcellentShare(_Model):
    enabled: bool
    share: Fraction
    fallback_grade: str


class Scheme(_Model):
    year: Annotated[int, Field(ge=2000, le=2100)]
    district: str
    title: str
    timezone: str
    fire_source_unit: str
    adjustment_source_unit: str
    regions: Annotated[list[str], Field(min_length=1)]
    default_region: str
    blocks: Blocks
    tasks: TaskRules
    indicators: Annotated[list[Indicator], Field(min_length=1)]
    fire: FireRules
    reporting: ReportingRules
    adjustments: AdjustmentRules
    grades: Annotated[list[GradeBand], Field(min_length=1)]
    veto: VetoRules
    excellent_share: ExcellentShare

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"未知的时区「{value}」，应如 Asia/Shanghai") from None
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Scheme:
        if self.default_region not in self.regions:
            raise ValueError(f"default_region「{self.default_region}」不在 regions 中")
        _refuse_duplicates([i.id for i in self.indicators], "指标编号")
        for ind in self.indicators:
            for region in ind.target_by_region or {}:
                if region not in self.regions:
                    raise ValueError(f"指标 {ind.id} 的区域类型「{region}」不在 regions 中")
            if ind.target_by_region is not None and set(ind.target_by_region) != set(self.regions):
                raise ValueError(f"指标 {ind.id} 的 target_by_region 应覆盖全部区域类型")
        bounds = [b.min_total for b in self.grades]
        if bounds != sorted(bounds, reverse=True) or len(set(bounds)) != len(bounds):
            raise ValueError("grades 应按 min_total 从高到低排列且不重复")
        if bounds[-1] != 0:
            raise ValueError("grades 最后一个等次的 min_total 应为 0")
        grade_names = [b.grade for b in self.grades]
        _refuse_duplicates(grade_names, "等次")
        for key, grade in (
            ("veto.grade", self.veto.grade),
            ("excellent_share.fallback_grade", self.excellent_share.fallback_grade),
        ):
            if grade not in grade_names:
                raise ValueError(f"{key}「{grade}」不是 grades 中的等次")
        if self.veto.min_grade not in self.fire.severities():
            raise ValueError(f"veto.min_grade「{self.veto.min_grade}」不是火灾等级表中的等级")
        return self

    # --- quarters and dates -------------------------------------------------------------

    def quarter_end(self, quarter: str) -> date:
        """Last day of a quarter like 2026Q2."""
        return quarter_bounds(quarter)[1]

    def report_deadline(self, quarter: str) -> date:
        """The last day (in the scheme's time zone) on which a file is on time."""
        return self.quarter_end(quarter) + timedelta(days=self.reporting.deadline_days)

    # --- rules looked up by other modules -------------------------------------------------

    @property
    def groups(self) -> tuple[str, ...]:
        """The two 考核组."""
        return GROUPS

    def block_points(self, group: str) -> dict[str, Decimal]:
        """Block id -> points for a group."""
        return {b: getattr(self.blocks, b).points[group] for b in BLOCKS}

    @property
    def adjustment_points(self) -> dict[str, Decimal]:
        """事项 -> signed default points."""
        return {t.item: t.points for t in self.adjustments.types}

    def indicators_for(self, group: str) -> list[Indicator]:
        """Indicators that apply to a group, in scheme order."""
        return [i for i in self.indicators if group in i.points]

    def indicator_target(self, ind_id: str, region: str | None, quarter: str) -> Decimal | None:
        """Target of an indicator for a unit's region in a quarter; None for an unknown id."""
        for ind in self.indicators:
            if ind.id == ind_id:
                region = region if region in self.regions else self.default_region
                return ind.target_for(region, quarter_bounds(quarter)[2])
        return None

    def fire_grade(
        self, deaths: int, injuries: int, loss_wan: Decimal, when: date | None = None
    ) -> str:
        """火灾等级: the highest grade any figure reaches, by the table in force on `when`."""
        for g in self.fire.table_for(when).grades:
            if deaths >= g.deaths or injuries >= g.injuries or Decimal(loss_wan) >= g.loss:
                return g.grade
        return self.fire.lowest_grade

    def describe_zh(self) -> list[tuple[str, str]]:
        """The scheme in words (Chinese label, text), for the 说明 sheet."""
        rows: list[tuple[str, str]] = [("考核方案", self.title), ("考核年度", f"{self.year}年")]
        for group in GROUPS:
            parts = [
                f"{getattr(self.blocks, b).name}{_num(getattr(self.blocks, b).points[group])}分"
                for b in BLOCKS
                if getattr(self.blocks, b).points[group] > 0
            ]
            rows.append((f"{group}分值", "、".join(parts)))
        rows.append(
            (
                "不适用项",
                "单位无可评内容的板块（未分配任务、无适用指标、部门未设监管场所类型）"
                "不计分，按其余板块折算为百分制。",
            )
        )
        for group in GROUPS:
            inds = "；".join(
                f"{i.id} {i.name} {_num(i.points[group])}分" for i in self.indicators_for(group)
            )
            rows.append((f"{group}工作指标", inds))
        split = self.fire.split
        rows.append(
            (
                "火灾形势",
                f"本年累计与去年同期比较：起数{_pct(split.count)}、亡人{_pct(split.deaths)}、"
                f"受伤{_pct(split.injuries)}、直接财产损失{_pct(split.loss)}；"
                f"每亡1人扣该项{_pct(self.fire.per_death)}。",
            )
        )
        bands = "，".join(
            f"{b.grade}≥{_num(b.min_total)}分" if b.min_total > 0 else f"{b.grade}低于上一档"
            for b in self.grades
        )
        rows.append(("等次", bands))
        veto_groups = "、".join(g for g, on in self.veto.groups.items() if on) or "无"
        rows.append(
            (
                "一票否决",
                f"适用于{veto_groups}：本年累计发生{self.veto.min_grade}及以上火灾的，"
                f"保留得分，等次评为{self.veto.grade}，排名列于未否决单位之后。",
            )
        )
        rows.append(
            (
                "加减分",
                f"加分每季度累计不超过{_num(self.adjustments.bonus_cap)}分，减分不设上限；"
                + "、".join(f"{t.item}{_signed(t.points)}分" for t in self.adjustments.types),
            )
        )
        rows.append(
            (
                "报送时限",
                f"季度结束后{self.reporting.deadline_days}日内报送（以{self.timezone}时间为准），"
                f"逾期每日扣信息报送分值的{_pct(self.reporting.late_penalty_per_day)}。",
            )
        )
        if self.excellent_share.enabled:
            rows.append(
                (
                    "优秀比例",
                    f"优秀不超过本组参与排名单位的{_pct(self.excellent_share.share)}，"
                    f"超出者按排名降为{self.excellent_share.fallback_grade}。",
                )
            )
        return rows


def _refuse_duplicates(values: list[str], what: str) -> None:
    """Raise a Chinese ValueError when a list repeats a value."""
    seen: set[str] = set()
    for v in values:
        if v in seen:
            raise ValueError(f"{what}「{v}」重复")
        seen.add(v)


def _num(value: Decimal) -> str:
    """A decimal without trailing zeros: 45, 0.5."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _pct(value: Decimal) -> str:
    """A fraction as a percentage: 0.4 -> 40%."""
    return f"{_num(value * 100)}%"


def _signed(value: Decimal) -> str:
    """A signed number: +5, -3."""
    return f"+{_num(value)}" if value > 0 else _num(value)


# --- quarters ---------------------------------------------------------------------------

_QUARTER_RE = re.compile(r"^(\d{4})\s*[-_ ]?\s*Q([1-4])$", re.IGNORECASE)
_QUARTER_ZH_RE = re.compile(r"^(\d{4})\s*年\s*第?\s*([一二三四1-4])\s*季度?$")


def parse_quarter(text: str) -> str | None:
    """Normalise 2026Q2 / 2026年第二季度 / 2026年第2季度 to 2026Q2; None if not a quarter."""
    if not isinstance(text, str):
        return None
    s = unicodedata.normalize("NFKC", text).strip()
    m = _QUARTER_RE.match(s) or _QUARTER_ZH_RE.match(s)
    if not m:
        return None
    q = m.group(2)
    number = QUARTER_NUMERALS.index(q) + 1 if q in QUARTER_NUMERALS else int(q)
    return f"{m.group(1)}Q{number}"


def quarter_bounds(quarter: str) -> tuple[date, date, int, int]:
    """(first day, last day, quarter number, year) of a quarter like 2026Q2."""
    normal = parse_quarter(quarter)
    if normal is None:
        raise ValueError(f"无法识别的考核季度「{quarter}」，应如 2026Q2 或 2026年第二季度")
    year, number = int(normal[:4]), int(normal[5])
    first = date(year, 3 * number - 2, 1)
    last_month = 3 * number
    last = date(year, last_month, calendar.monthrange(year, last_month)[1])
    return first, last, number, year


def quarter_label(quarter: str) -> str:
    """2026Q2 -> 2026年第二季度."""
    _, _, number, year = quarter_bounds(quarter)
    return f"{year}年第{QUARTER_NUMERALS[number - 1]}季度"


# --- loading ------------------------------------------------------------------------------


class _UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses a key written twice in one mapping."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"键「{key}」重复", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node)
    return mapping


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,  # type: ignore[arg-type]
)


_ERROR_TEXT = {
    "decimal_parsing": "应为数字",
    "decimal_type": "应为数字",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "finite_number": "应为有限的数字",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "string_type": "应为文本",
    "date_type": "应为日期（如 2025-01-01）",
    "date_parsing": "应为日期（如 2025-01-01）",
    "date_from_datetime_parsing": "应为日期（如 2025-01-01）",
    "dict_type": "应为键值映射",
    "model_type": "应为键值映射",
    "model_attributes_type": "应为键值映射",
    "list_type": "应为列表",
    "too_short": "不能为空",
    "string_pattern_mismatch": "不能含空白",
}


def _key_path(loc: tuple[Any, ...]) -> str:
    """Pydantic location -> key path like fire.split.count or indicators[3].points."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part + 1}]"
        elif part == "[key]":
            continue
        else:
            path += f".{part}" if path else str(part)
    return path or "（文件顶层）"


def _shown(value: Any) -> str:
    """A value as shown in a message: strings quoted, None as 空."""
    if value is None:
        return "空"
    if isinstance(value, str):
        return f"“{value}”" if "\n" in value else f'"{value}"'
    if isinstance(value, dict):
        return "键值映射"
    return str(value)


def _error_text(err: dict[str, Any]) -> str:
    """One pydantic error as a Chinese sentence."""
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "missing":
        return "缺少此键"
    if kind == "extra_forbidden":
        return "不认识此键（请检查拼写，或删除此键）"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    if kind == "literal_error":
        allowed = "、".join(re.findall(r"'([^']*)'", str(ctx.get("expected", ""))))
        text = f"应为以下之一：{allowed}"
    elif kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = next(iter(ctx.values()), "")
        word = {
            "greater_than_equal": "不小于",
            "greater_than": "大于",
            "less_than_equal": "不大于",
            "less_than": "小于",
        }[kind]
        text = f"应{word} {bound}"
    else:
        text = _ERROR_TEXT.get(kind, f"取值无效（{err['msg']}）")
    return f"{text}，实际为 {_shown(err.get('input'))}"


def _scheme_error(name: str, exc: ValidationError) -> SchemeError:
    """Turn a ValidationError into one SchemeError listing every problem."""
    lines = []
    for err in exc.errors():
        path = _key_path(err["loc"])
        if err["type"] == "missing":
            lines.append(f"方案文件 {name} 缺少键 {path}")
        elif err["loc"] and err["loc"][-1] == "[key]":
            lines.append(f"方案文件 {name} 中的键 {path} 名称有误：{_error_text(err)}")
        else:
            lines.append(f"方案文件 {name} 中的键 {path}：{_error_text(err)}")
    return SchemeError("\n".join(lines))


def load_scheme(path: str | Path) -> Scheme:
    """Read and check scheme.yaml; raise SchemeError with a Chinese message naming the key."""
    path = Path(path)
    name = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SchemeError(f"找不到方案文件 {path}") from None
    except UnicodeDecodeError:
        raise SchemeError(f"方案文件 {name} 不是 UTF-8 编码的文本") from None
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"第 {mark.line + 1} 行" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise SchemeError(f"方案文件 {name} 不是有效的 YAML：{where}{problem}") from None
    if not isinstance(data, dict):
        raise SchemeError(f"方案文件 {name} 的顶层应为键值映射")
    try:
        return Scheme.model_validate(data)
    except ValidationError as exc:
        raise _scheme_error(name, exc) from None


# --- tables -------------------------------------------------------------------------------

_TABLES = {
    "scheme_blocks": "grp VARCHAR, block VARCHAR, block_name VARCHAR, points DECIMAL(38,12)",
    "scheme_task_roles": "role VARCHAR, weight DECIMAL(38,12)",
    "scheme_task_credits": "status VARCHAR, overdue BOOLEAN, credit DECIMAL(38,12)",
    "scheme_indicators": (
        "indicator_id VARCHAR, name VARCHAR, kind VARCHAR, grp VARCHAR, "
        "points DECIMAL(38,12), sort_order INTEGER"
    ),
    "scheme_indicator_targets": (
        "indicator_id VARCHAR, region VARCHAR, quarter_no INTEGER, target DECIMAL(38,12)"
    ),
    "scheme_fire_items": (
        "item VARCHAR, item_name VARCHAR, unit VARCHAR, share DECIMAL(38,12), "
        "floor DECIMAL(38,12), zero_at_rise DECIMAL(38,12), per_event DECIMAL(38,12), "
        "sort_order INTEGER"
    ),
    "scheme_fire_grades": (
        "grade VARCHAR, severity INTEGER, deaths INTEGER, injuries INTEGER, "
        "loss DECIMAL(38,12), rule_version VARCHAR, valid_from DATE"
    ),
    "scheme_adjustment_types": "item VARCHAR, points DECIMAL(38,12), is_bonus BOOLEAN",
    "scheme_grades": "grade VARCHAR, min_total DECIMAL(38,12)",
    "scheme_veto": "grp VARCHAR, enabled BOOLEAN",
    "scheme_params": "key VARCHAR, num DECIMAL(38,12), text VARCHAR",
}


def _table_rows(scheme: Scheme) -> dict[str, list[tuple[Any, ...]]]:
    """The rows of every scheme_* table."""
    t = scheme.tasks
    credit = t.credit
    fire = scheme.fire
    severities = fire.severities()
    rows: dict[str, list[tuple[Any, ...]]] = {
        "scheme_blocks": [
            (g, b, getattr(scheme.blocks, b).name, getattr(scheme.blocks, b).points[g])
            for g in GROUPS
            for b in BLOCKS
        ],
        "scheme_task_roles": list(t.role_weights.items()),
        "scheme_task_credits": [
            ("已完成", False, credit.done_on_time),
            ("已完成", True, credit.done_on_time),
            ("推进中", False, credit.in_progress.not_due),
            ("推进中", True, credit.in_progress.overdue),
            ("未启动", False, credit.not_started.not_due),
            ("未启动", True, credit.not_started.overdue),
            ("漏报", False, credit.missing.not_due),
            ("漏报", True, credit.missing.overdue),
        ],
        "scheme_indicators": [
            (i.id, i.name, i.kind, g, p, n)
            for n, i in enumerate(scheme.indicators)
            for g, p in i.points.items()
        ],
        "scheme_indicator_targets": [
            (i.id, r, q, i.target_for(r, q))
            for i in scheme.indicators
            for r in scheme.regions
            for q in range(1, 5)
        ],
        "scheme_fire_items": [
            (
                item,
                FIRE_ITEM_NAMES[item],
                FIRE_ITEM_UNITS[item],
                getattr(fire.split, item),
                getattr(fire.floor, item, None),
                getattr(fire.zero_at_rise, item, None),
                fire.per_death if item == "deaths" else None,
                n,
            )
            for n, item in enumerate(FIRE_ITEMS)
        ],
        "scheme_fire_grades": [
            (
                g.grade,
                severities[g.grade],
                g.deaths,
                g.injuries,
                g.loss,
                tab.version,
                tab.valid_from,
            )
            for tab in fire.grade_tables
            for g in tab.grades
        ]
        + [
            (fire.lowest_grade, 0, None, None, None, tab.version, tab.valid_from)
            for tab in fire.grade_tables
        ],
        "scheme_adjustment_types": [
            (a.item, a.points, a.points > 0) for a in scheme.adjustments.types
        ],
        "scheme_grades": [(b.grade, b.min_total) for b in scheme.grades],
        "scheme_veto": [(g, scheme.veto.groups.get(g, False)) for g in GROUPS],
        "scheme_params": [
            ("late_per_month", t.late_completion.per_month, None),
            ("late_floor", t.late_completion.floor, None),
            ("days_per_month", Decimal(t.late_completion.days_per_month), None),
            ("ongoing_with_evidence", t.ongoing.with_evidence, None),
            ("ongoing_without_evidence", t.ongoing.without_evidence, None),
            ("ongoing_not_done", t.ongoing.not_done, None),
            ("deadline_days", Decimal(scheme.reporting.deadline_days), None),
            ("late_penalty_per_day", scheme.reporting.late_penalty_per_day, None),
            ("bonus_cap", scheme.adjustments.bonus_cap, None),
            (
                "veto_min_severity",
                Decimal(severities[scheme.veto.min_grade]),
                scheme.veto.min_grade,
            ),
            ("veto_grade", None, scheme.veto.grade),
            ("excellent_share", scheme.excellent_share.share, None),
            ("excellent_enabled", Decimal(int(scheme.excellent_share.enabled)), None),
            ("excellent_fallback_grade", None, scheme.excellent_share.fallback_grade),
            ("default_region", None, scheme.default_region),
            ("timezone", None, scheme.timezone),
            ("fire_source_unit", None, scheme.fire_source_unit),
            ("adjustment_source_unit", None, scheme.adjustment_source_unit),
        ],
    }
    return rows


def load_scheme_tables(con: duckdb.DuckDBPyConnection, scheme: Scheme) -> None:
    """(Re)create the scheme_* tables from the model, so the scoring SQL joins rules as tables."""
    for table, rows in _table_rows(scheme).items():
        con.execute(f"CREATE OR REPLACE TABLE {table} ({_TABLES[table]})")
        if rows:
            # one multi-row INSERT per table: executemany costs a round trip per row
            row_marks = "(" + ", ".join("?" for _ in rows[0]) + ")"
            values = ", ".join(row_marks for _ in rows)
            con.execute(f"INSERT INTO {table} VALUES {values}", [v for row in rows for v in row])

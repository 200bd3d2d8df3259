"""The assessment scheme (考核方案) as a pydantic model: its shape, its rules, its lookups.

Every number of SCORING.md lives in scheme.yaml; this model only checks its shape (with
Chinese messages naming the key, see load.py) and answers the rule look-ups of other modules.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from firescore.scheme.calendar import Quarter, year_quarters
from firescore.scheme.workdays import DayKind, days_after

Group = Literal["镇街组", "部门组"]
Role = Literal["牵头", "配合"]
GROUPS: tuple[str, ...] = get_args(Group)  # the two 考核组, in display order
BLOCKS: tuple[str, ...] = ("tasks", "indicators", "fire", "reporting")
FIRE_ITEMS: tuple[str, ...] = ("count", "deaths", "injuries", "loss")
FIRE_ITEM_NAMES = {
    "count": "火灾起数",
    "deaths": "亡人",
    "injuries": "受伤",
    "loss": "直接财产损失",
}
FIRE_ITEM_UNITS = {"count": "起", "deaths": "人", "injuries": "人", "loss": "万元"}
ROLES: tuple[str, ...] = get_args(Role)

NonNegative = Annotated[Decimal, Field(ge=0)]
Fraction = Annotated[Decimal, Field(ge=0, le=1)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Block(_Model):
    name: str
    points: dict[Group, NonNegative]

    @field_validator("points")
    @classmethod
    def _every_group(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        return _every_key(value, GROUPS, "缺少考核组 {} 的分值")


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
    role_weights: dict[Role, NonNegative]
    credit: CreditTable
    late_completion: LateCompletion
    ongoing: OngoingCredit

    @field_validator("role_weights")
    @classmethod
    def _both_roles(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        return _every_key(value, ROLES, "缺少角色 {} 的权重")


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
    # 双降 (seed 002): 起数 and 亡人 earn full marks only when they fell year on year.
    require_fall: bool = False
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


class DayCount(_Model):
    """A period such as 报送时限 counted after a date: natural days or working days (工作日)."""

    days: Annotated[int, Field(ge=0)]
    kind: DayKind = "natural"


class ReportingRules(_Model):
    deadline: DayCount  # counted after the quarter's last day
    late_penalty_per_day: NonNegative


class AppealRules(_Model):
    # 申诉期: counted after the day the quarter's draft (征求意见稿) was first published
    window: DayCount = DayCount(days=5, kind="natural")


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
    appeals: AppealRules = AppealRules()

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

    def report_deadline(self, quarter: str) -> date:
        """The last day (in the scheme's time zone) on which a file is on time."""
        deadline = self.reporting.deadline
        return days_after(Quarter(quarter).last_day, deadline.days, deadline.kind)

    def appeal_window_end(self, published: date) -> date:
        """The last day (inclusive) on which an appeal form is taken up, after the draft's day."""
        window = self.appeals.window
        return days_after(published, window.days, window.kind)

    def due_quarter(self, now: datetime) -> Quarter | None:
        """The scheme year's latest quarter whose reporting deadline has passed at ``now``."""
        today = now.astimezone(ZoneInfo(self.timezone)).date()
        due = None
        for quarter in year_quarters(self.year):
            # In order, stopping at the first not yet due: a later deadline in working days
            # may fall in a year the holiday calendar does not cover yet.
            if self.report_deadline(quarter) >= today:
                break
            due = quarter
        return due

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
                return ind.target_for(region, Quarter(quarter).number)
        return None

    def fire_grade(
        self, deaths: int, injuries: int, loss_wan: Decimal, when: date | None = None
    ) -> str:
        """火灾等级: the highest grade any figure reaches, by the table in force on `when`."""
        for g in self.fire.table_for(when).grades:
            if deaths >= g.deaths or injuries >= g.injuries or Decimal(loss_wan) >= g.loss:
                return g.grade
        return self.fire.lowest_grade


def _every_key(
    value: dict[str, Decimal], keys: tuple[str, ...], message: str
) -> dict[str, Decimal]:
    """Return the mapping, or raise a Chinese ValueError naming the keys it lacks."""
    missing = [k for k in keys if k not in value]
    if missing:
        raise ValueError(message.format("、".join(missing)))
    return value


def _refuse_duplicates(values: list[str], what: str) -> None:
    """Raise a Chinese ValueError when a list repeats a value."""
    seen: set[str] = set()
    for v in values:
        if v in seen:
            raise ValueError(f"{what}「{v}」重复")
        seen.add(v)

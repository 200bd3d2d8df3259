"""What the caller tells the publish step about the run: district, quarter, as-of time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from firescore.publish.sheets import Heading
from firescore.warehouse.releases import Release

DEFAULT_TIMEZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class PublishMeta:
    """Run facts shown in the workbooks; nothing here is read from the clock."""

    district: str  # 渝中区
    title: str  # 渝中区2026年度消防工作季度考核
    quarter: str  # 2026Q2
    quarter_label: str  # 2026年第二季度
    as_of: datetime  # data as of; also the workbooks' created time (naive = local time)
    run_id: str
    scheme_lines: list[tuple[str, str]]  # the scheme in words, for 说明
    deadline: date  # 报送截止日期
    timezone: str = DEFAULT_TIMEZONE  # the scheme's time zone: receipt times are shown in it
    office: str = ""  # the issuing office, under every sheet's title (firescore.toml [office])
    attachment: str | None = None  # 附件 label of the leaders' workbook, e.g. 附件1
    release: Release = field(default_factory=Release)  # draft (征求意见稿) until finalised

    @property
    def draft_mark(self) -> str:
        """Return （征求意见稿） for a draft's titles, nothing once the quarter is final."""
        return "" if self.release.final else f"（{self.release.label}）"

    def release_lines(self) -> list[tuple[str, str]]:
        """Return the 说明 rows on draft or final: who finalised when, every reopening and why."""
        final = self.release.final
        state = (
            f"正式稿：{chinese_datetime(final.at)} 由{final.by}定稿，不再重新评分。"
            if final
            else "征求意见稿：各单位可对扣分提出申诉，办公室处理申诉后定稿。"
        )
        reopened = [
            ("重新打开", f"{chinese_datetime(e.at)} 由{e.by}重新打开：{e.reason}")
            for e in self.release.reopenings
        ]
        return [("发布状态", state), *reopened]

    def sheet_title(self, sheet: str) -> str:
        """Return a sheet's title row, e.g. 渝中区2026年第二季度消防工作考核结果——排名总表."""
        return f"{self.district}{self.quarter_label}消防工作考核结果{self.draft_mark}——{sheet}"

    def heading(self, title: str, *, attachment: bool = False) -> Heading:
        """Return a sheet's heading: title, office, data as of, and the 附件 label if asked."""
        return Heading(
            title=title,
            office=self.office,
            dated=f"数据截至：{chinese_datetime(self.as_of_local())}",
            attachment=self.attachment if attachment else None,
        )

    def as_of_local(self) -> datetime:
        """Return the as-of time as a naive local time in the scheme's time zone."""
        return local_time(self.as_of, self.timezone)

    def created_utc(self) -> datetime:
        """Return the as-of time as naive UTC, the form xlsxwriter writes as the created time."""
        local = self.as_of
        if local.tzinfo is None:
            local = local.replace(tzinfo=ZoneInfo(self.timezone))
        return local.astimezone(UTC).replace(tzinfo=None)


def local_time(moment: datetime, timezone: str) -> datetime:
    """Return a moment as naive local time in ``timezone`` (a naive moment is already local)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)


def chinese_date(day: date) -> str:
    """Return a date as 2026年7月10日."""
    return f"{day.year}年{day.month}月{day.day}日"


def chinese_datetime(moment: datetime) -> str:
    """Return a time as 2026年7月10日 09:30."""
    return f"{chinese_date(moment)} {moment:%H:%M}"

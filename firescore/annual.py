"""The annual roll-up as stages (roll up, publish), like firescore/quarter.py for a quarter.

run_year lists the stages for the CLI without a server; flows/quarter.py's annual_flow lists
the same stages as Prefect tasks.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from firescore.config import Config
from firescore.publish.annual import annual_meta, publish_annual
from firescore.quarter import RunError
from firescore.scheme import Scheme
from firescore.warehouse.file import writing
from firescore.warehouse.lock import hold
from scoring.annual import run_annual

log = logging.getLogger(__name__)


@dataclass
class AnnualSummary:
    """What the office is told after a roll-up."""

    year: int
    quarters: list[str] = field(default_factory=list)  # the quarters scored so far
    period: str = "全年"  # or 截至第N季度（预计） while Q4 is not scored
    provisional: bool = False
    drafts: tuple[str, ...] = ()  # scored quarters still drafts (征求意见稿)
    outputs: list[Path] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        """Return the year's quarters not scored yet (they count as 0)."""
        return [f"{self.year}Q{n}" for n in range(1, 5) if f"{self.year}Q{n}" not in self.quarters]


@dataclass
class AnnualRun:
    """One year's roll-up in progress."""

    config: Config
    scheme: Scheme
    year: int
    con: duckdb.DuckDBPyConnection
    logger: logging.Logger | logging.LoggerAdapter
    summary: AnnualSummary


def year_to_run(scheme: Scheme, year: int | None, now: datetime | None = None) -> int:
    """Return the year to roll up: the one given, else the scheme's year once its Q4 is due."""
    if year is None:
        due = scheme.due_quarter(now or datetime.now().astimezone())
        if due is None or due.number != 4:
            raise RunError(
                f"{scheme.year} 年第四季度的报送截止日尚未过，请指定年度（如 {scheme.year}）"
            )
        return due.year
    if year != scheme.year:
        raise RunError(
            f"年度 {year} 与考核方案的年度 {scheme.year} 不一致：请改用 {scheme.year}，"
            "或在考核方案 scheme.yaml 中更新 year"
        )
    return year


@contextmanager
def annual_run(
    config: Config, scheme: Scheme, year: int, logger: logging.Logger | logging.LoggerAdapter = log
) -> Iterator[AnnualRun]:
    """Open the warehouse for a year's roll-up (run lock held, working copy) and commit it."""
    with hold(config.warehouse), writing(config.warehouse) as con:
        yield AnnualRun(config, scheme, year, con, logger, AnnualSummary(year))


def run_year(
    config: Config, scheme: Scheme, year: int, logger: logging.Logger | logging.LoggerAdapter = log
) -> AnnualSummary:
    """Roll a year up and publish its workbook; return the office's summary."""
    with annual_run(config, scheme, year, logger) as run:
        roll_up(run)
        publish(run)
    return run.summary


def roll_up(run: AnnualRun) -> None:
    """Rebuild the year's annual scores from its scored quarters."""
    start = time.perf_counter()
    run.summary.quarters = run_annual(run.con, run.scheme, run.year)
    run.logger.info(
        "年度汇总：已评分季度 %s（用时 %.1f 秒）",
        "、".join(run.summary.quarters),
        time.perf_counter() - start,
    )


def publish(run: AnnualRun) -> None:
    """Write 年度考核结果_<year>.xlsx and annual_results.csv."""
    start = time.perf_counter()
    meta = annual_meta(
        run.con,
        run.scheme,
        run.year,
        run.summary.quarters,
        run.config.office,
        run.config.attachment,
    )
    run.summary.outputs = publish_annual(run.con, meta, run.config.out)
    run.summary.period, run.summary.provisional = meta.period, meta.provisional
    run.summary.drafts = meta.drafts
    run.logger.info(
        "发布年度考核结果：%s（用时 %.1f 秒）",
        "、".join(p.name for p in run.summary.outputs),
        time.perf_counter() - start,
    )

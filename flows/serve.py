"""firescore serve: the quarter's and the year's deployments, scheduled from the scheme.

The quarter flow runs the day after each reporting deadline of the scheme's year (its deadline
rule, natural or working days, in its time zone: one schedule per quarter) and works out at run
time which quarter is due; the annual flow runs after the fourth quarter's. Both can be started
by hand from the UI with a quarter or year parameter.
"""

from __future__ import annotations

import os
from pathlib import Path

import httpx
from prefect import serve as prefect_serve
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron

from firescore.scheme import Scheme, year_quarters
from firescore.scheme.calendar import ANNUAL_RUN_AT, QUARTER_RUN_AT, day_after_cron
from flows.quarter import annual_flow, quarter_flow

QUARTER_DEPLOYMENT = "季度考核"
ANNUAL_DEPLOYMENT = "年度考核"


def deployments(config_file: Path, scheme: Scheme) -> list[RunnerDeployment]:
    """Return the quarter's and the year's deployments with their schedules."""
    parameters = {"config_file": str(config_file.resolve())}
    quarterly = quarter_flow.to_deployment(
        name=QUARTER_DEPLOYMENT,
        schedules=quarter_schedules(scheme),
        parameters=parameters,
        description="报送截止日次日自动运行已到期的季度；手动运行时可填写季度（如 2026Q2）",
        tags=["firescore"],
    )
    annual = annual_flow.to_deployment(
        name=ANNUAL_DEPLOYMENT,
        schedules=annual_schedules(scheme),
        parameters=parameters,
        description="第四季度报送截止日次日汇总年度考核结果；手动运行时可填写年度（如 2026）",
        tags=["firescore"],
    )
    return [quarterly, annual]


def quarter_schedules(scheme: Scheme) -> list[Cron]:
    """Return one schedule per quarter: the day after its deadline (natural or working days)."""
    return [
        Cron(day_after_cron(scheme.report_deadline(q), QUARTER_RUN_AT), scheme.timezone)
        for q in year_quarters(scheme.year)
    ]


def annual_schedules(scheme: Scheme) -> list[Cron]:
    """Return the year's schedule: the day after the fourth quarter's deadline, later that day."""
    q4 = year_quarters(scheme.year)[-1]
    return [Cron(day_after_cron(scheme.report_deadline(q4), ANNUAL_RUN_AT), scheme.timezone)]


def server_problem() -> str | None:
    """Return why the Prefect server named by PREFECT_API_URL cannot be used (Chinese), or None."""
    url = os.environ.get("PREFECT_API_URL", "").rstrip("/")
    if not url:
        return (
            "未设置 PREFECT_API_URL：请先启动 Prefect 服务（prefect server start），"
            "再设置 PREFECT_API_URL=http://127.0.0.1:4200/api 后重试"
        )
    try:
        answer = httpx.get(f"{url}/health", timeout=5)
    except httpx.HTTPError:
        answer = None
    if answer is None or answer.status_code != 200:
        return (
            f"无法连接 Prefect 服务 {url}：请先启动 prefect server start，"
            "并确认 PREFECT_API_URL 填写正确"
        )
    return None


def serve(served: list[RunnerDeployment]) -> None:
    """Register the deployments on the server and run their flows when due (until stopped)."""
    prefect_serve(*served, print_starting_message=False)

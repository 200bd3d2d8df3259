"""firescore serve: the quarter's and the year's deployments, scheduled from the scheme.

The quarter flow runs the day after each reporting deadline (the scheme's deadline rule, in its
time zone) and works out at run time which quarter is due; the annual flow runs after the fourth
quarter's. Both can be started by hand from the UI with a quarter or year parameter.
"""

from __future__ import annotations

import os
from pathlib import Path

import httpx
from prefect import serve
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron

from firescore.scheme import Scheme
from firescore.scheme.calendar import day_after_deadline_cron
from flows.quarter import annual_flow, quarter_flow

QUARTER_DEPLOYMENT = "季度考核"
ANNUAL_DEPLOYMENT = "年度考核"


def deployments(config_file: Path, scheme: Scheme) -> list[RunnerDeployment]:
    """Return the quarter's and the year's deployments with their schedules."""
    parameters = {"config_file": str(config_file.resolve())}
    quarterly = quarter_flow.to_deployment(
        name=QUARTER_DEPLOYMENT,
        schedules=[Cron(day_after_deadline_cron(scheme.reporting.deadline.days), scheme.timezone)],
        parameters=parameters,
        description="报送截止日次日自动运行已到期的季度；手动运行时可填写季度（如 2026Q2）",
        tags=["firescore"],
    )
    annual = annual_flow.to_deployment(
        name=ANNUAL_DEPLOYMENT,
        schedules=[
            Cron(
                day_after_deadline_cron(scheme.reporting.deadline.days, annual=True),
                scheme.timezone,
            )
        ],
        parameters=parameters,
        description="第四季度报送截止日次日汇总年度考核结果；手动运行时可填写年度（如 2026）",
        tags=["firescore"],
    )
    return [quarterly, annual]


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


def serve_deployments(config_file: Path, scheme: Scheme) -> None:
    """Register the deployments on the server and run their flows when due (until stopped)."""
    serve(*deployments(config_file, scheme), print_starting_message=False)

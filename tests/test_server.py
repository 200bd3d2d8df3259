"""The quarter on a real `prefect server start` (loopback): what the office sees in its UI.

The CLI runs in its own process against the session's server; everything is read back from the
server's REST API, as the UI reads it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from firescore.quarter import STAGES
from firescore.scheme import load_scheme
from tests.conftest import client_env, free_loopback_port
from tests.office import sample_config

ROOT = Path(__file__).resolve().parent.parent
FIRESCORE = str(Path(sys.executable).with_name("firescore"))


def api(url: str, path: str, body: dict | None = None) -> list[dict]:
    """POST a filter to the server's API and return the rows it answers."""
    answer = httpx.post(f"{url}/{path}", json=body or {}, timeout=30)
    answer.raise_for_status()
    return answer.json()


@pytest.fixture(scope="module")
def served_run(prefect_server, tmp_path_factory):
    """Run `firescore run --quarter 2026Q2` against the server; return its flow run and output."""
    out = tmp_path_factory.mktemp("served")
    # Two worker processes, batches of 10: 4 read and 4 feedback batches of the sample's 33.
    config = sample_config(out, "workers = 2", 10)
    done = subprocess.run(
        [FIRESCORE, "run", "--quarter", "2026Q2", "--config", str(config)]
        + ["--out", str(out), "--warehouse", str(out / "wh.duckdb")],
        env=client_env(prefect_server),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    run_id = re.search(r"运行编号 (\w+)", done.stdout).group(1)
    (flow_run,) = api(
        prefect_server,
        "flow_runs/filter",
        {"flow_runs": {"name": {"any_": [f"考核-2026Q2-{run_id}"]}}},
    )
    return {"url": prefect_server, "flow_run": flow_run, "out": out, "run": done}


def of_run(served_run, path: str) -> list[dict]:
    """Return the task runs, logs or artifacts of the served flow run."""
    kind = path.split("/")[0]
    key = {"task_runs": "flow_runs", "logs": "logs", "artifacts": "artifacts"}[kind]
    run_id = served_run["flow_run"]["id"]
    if key == "flow_runs":
        body = {"flow_runs": {"id": {"any_": [run_id]}}}
    else:
        body = {key: {"flow_run_id": {"any_": [run_id]}}}
    return api(served_run["url"], path, body)


def test_the_flow_run_is_named_after_its_quarter_and_tagged(served_run):
    flow_run = served_run["flow_run"]
    assert flow_run["state_type"] == "COMPLETED"
    assert {"2026Q2", "2026年"} <= set(flow_run["tags"])
    assert flow_run["parameters"]["quarter"] == "2026Q2"


def test_every_stage_is_a_completed_task_run_and_each_batch_one_of_its_own(served_run):
    task_runs = of_run(served_run, "task_runs/filter")
    batched = {"read": 4, "publish-feedback": 4}  # 33 files, 33 units, 10 a batch
    expected = [label for key, label in STAGES.items() for _ in range(batched.get(key, 1))]
    assert sorted(run["name"] for run in task_runs) == sorted(expected)
    assert {run["state_type"] for run in task_runs} == {"COMPLETED"}
    assert all(run["total_run_time"] > 0 for run in task_runs)


def test_each_stage_logs_one_chinese_line_with_its_counts_to_the_server(served_run):
    messages = [log["message"] for log in of_run(served_run, "logs/filter")]
    for label in STAGES.values():
        assert len([m for m in messages if m.startswith(f"{label}：")]) == 1, label
    assert "收件：收到文件 33 个，其中新文件 33 个，未读取 0 项" in "\n".join(messages)
    assert "校验：校验文件 33 个，有错误（将退回）1 个" in "\n".join(messages)


def test_summary_ranking_and_timings_are_artifacts_of_the_run(served_run):
    artifacts = {a["key"]: a for a in of_run(served_run, "artifacts/filter")}
    assert set(artifacts) == {
        "firescore-summary-2026q2",
        "firescore-ranking-2026q2",
        "firescore-timings-2026q2",
    }
    summary = artifacts["firescore-summary-2026q2"]["data"]
    assert "参与排名单位 31 个" in summary
    assert str(served_run["out"] / "2026Q2" / "考核结果_2026Q2.xlsx") in summary
    ranking = artifacts["firescore-ranking-2026q2"]["data"]
    ranking = ranking if isinstance(ranking, list) else json.loads(ranking)
    assert ranking[0]["排名"] == 1 and ranking[0]["单位代码"] == "JD01"
    timings = artifacts["firescore-timings-2026q2"]["data"]
    timings = timings if isinstance(timings, list) else json.loads(timings)
    assert [row["阶段"] for row in timings] == [*STAGES.values(), "合计"]
    assert all(isinstance(row["用时（秒）"], float) for row in timings)


def next_day_after_deadline(now: datetime, deadline_days: int, tz: str) -> datetime:
    """Return the next 01:30 local on the day after a quarter's reporting deadline."""
    local = now.astimezone(ZoneInfo(tz))
    candidates = [
        datetime(year, month, 1, 1, 30, tzinfo=ZoneInfo(tz)) + timedelta(days=deadline_days)
        for year in (local.year, local.year + 1)
        for month in (1, 4, 7, 10)
    ]
    return min(c for c in candidates if c > local)


def test_serve_registers_both_deployments_scheduled_after_the_deadlines(prefect_server):
    scheme = load_scheme(ROOT / "data_samples" / "scheme.yaml")
    serve = subprocess.Popen(
        [FIRESCORE, "serve", "--config", str(ROOT / "firescore.toml")],
        env=client_env(prefect_server),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while len(deployments := api(prefect_server, "deployments/filter")) < 2:
            assert serve.poll() is None, serve.stdout.read()
            assert time.monotonic() < deadline, "serve registered no deployments in 120 s"
            time.sleep(0.5)
        by_name = {d["name"]: d for d in deployments}
        assert set(by_name) == {"季度考核", "年度考核"}
        crons = {
            name: [(s["schedule"]["cron"], s["schedule"]["timezone"]) for s in d["schedules"]]
            for name, d in by_name.items()
        }
        # The sample's deadline is 10 natural days after the quarter: the day after is the 11th
        # of April, July, October and (the fourth quarter's) January, in Asia/Shanghai.
        assert sorted(crons["季度考核"]) == [
            ("30 1 11 1 *", "Asia/Shanghai"),
            ("30 1 11 10 *", "Asia/Shanghai"),
            ("30 1 11 4 *", "Asia/Shanghai"),
            ("30 1 11 7 *", "Asia/Shanghai"),
        ]
        assert crons["年度考核"] == [("30 4 11 1 *", "Asia/Shanghai")]
        assert by_name["季度考核"]["parameters"] == {"config_file": str(ROOT / "firescore.toml")}
        # The scheduler creates the next run: the day after the next deadline, 01:30 local.
        expected = next_day_after_deadline(datetime.now().astimezone(), 10, scheme.timezone)
        while not (
            scheduled := api(
                prefect_server,
                "flow_runs/filter",
                {"deployments": {"id": {"any_": [by_name["季度考核"]["id"]]}}},
            )
        ):
            assert time.monotonic() < deadline, "no scheduled run in 120 s"
            time.sleep(0.5)
        starts = sorted(datetime.fromisoformat(r["expected_start_time"]) for r in scheduled)
        assert starts[0] == expected
    finally:
        serve.terminate()
        serve.wait(timeout=60)


@pytest.mark.parametrize("api_url", [None, "down"])
def test_serve_refuses_without_a_server_in_chinese(api_url):
    url = f"http://127.0.0.1:{free_loopback_port()}/api" if api_url == "down" else None
    done = subprocess.run(
        [FIRESCORE, "serve", "--config", str(ROOT / "firescore.toml")],
        env=client_env(url),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert (
        "未设置 PREFECT_API_URL" if url is None else f"无法连接 Prefect 服务 {url}"
    ) in done.stderr


def test_the_piped_console_shows_one_line_per_stage_and_no_prefect_chatter(served_run):
    lines = served_run["run"].stdout.splitlines()
    stage_lines = [line for line in lines if line.split("：")[0] in STAGES.values()]
    assert [line.split("：")[0] for line in stage_lines] == list(STAGES.values())
    assert "Finished in state" not in served_run["run"].stdout + served_run["run"].stderr

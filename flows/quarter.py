"""The quarterly Prefect flow: firescore.quarter.run_quarter with its file steps as tasks.

Only wiring: reading runs as one task per batch of files (never one per file), and only the
steps that touch files retry.
"""

from __future__ import annotations

import csv
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

import firescore.quarter as plain
from firescore.config import Config
from firescore.intake.discover import Submission
from firescore.intake.pipeline import ReadFile
from firescore.publish.results_csv import CSV_ENCODING, RESULTS_CSV_NAME
from firescore.quarter import RunSummary, Steps, run_quarter
from firescore.registry import Registries
from firescore.scheme import Scheme

discover_files = task(plain.discover_files, retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
read_batch = task(plain.read_batch, retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
validate = task(plain.validate_new, cache_policy=NO_CACHE)


def read_in_tasks(
    batches: list[list[Submission]], scheme: Scheme, registries: Registries, config: Config
) -> list[ReadFile]:
    """Submit one read task per batch (Prefect's thread pool) and gather their files in order."""
    futures = [read_batch.submit(batch, scheme, registries, config) for batch in batches]
    return [read for future in futures for read in future.result()]


@flow(name="firescore-quarter", log_prints=False)
def quarter_flow(config: Config, quarter: str) -> RunSummary:
    """Run one quarter end to end, publish its workbooks, and show the result as artifacts."""
    steps = Steps(discover=discover_files, read=read_in_tasks, validate=validate)
    summary = run_quarter(config, quarter, steps, logger=get_run_logger())
    publish_artifacts(summary, config.out / quarter / RESULTS_CSV_NAME)
    return summary


def publish_artifacts(summary: RunSummary, results_csv: Path) -> None:
    """Show the run's summary and ranking on the Prefect server (keys: lowercase and dashes)."""
    key = summary.quarter.lower()
    rejected = "".join(f"\n- {unit} {name}：{first}" for unit, name, first in summary.rejected)
    create_markdown_artifact(
        key=f"firescore-summary-{key}",
        markdown=(
            f"## {summary.quarter} 考核完成（运行编号 {summary.run_id}）\n\n"
            f"- 收到文件 {summary.files_seen} 个，新文件 {summary.files_new} 个\n"
            f"- 参与排名单位 {summary.units_scored} 个\n"
            f"- 退回文件 {len(summary.rejected)} 个{rejected}\n"
            f"- 未报送单位：{'、'.join(summary.missing) or '无'}\n"
            + "".join(f"- 未读取：{note}\n" for note in summary.notes)
            + "".join(f"- 需重新运行的季度：{q}（旧版本判定已清除）\n" for q in summary.rerun)
        ),
        description="firescore 季度考核运行摘要",
    )
    with results_csv.open(encoding=CSV_ENCODING) as handle:
        ranking = list(csv.DictReader(handle))
    create_table_artifact(
        key=f"firescore-ranking-{key}", table=ranking, description="firescore 季度考核排名"
    )


__all__ = ["RunSummary", "quarter_flow"]

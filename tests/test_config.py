"""firescore.toml: the [office] section that heads every printed sheet."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from firescore.config import ConfigError, load_config

ROOT = Path(__file__).resolve().parent.parent
PATHS = """
[paths]
scheme = "scheme.yaml"
units = "units.csv"
tasks = "tasks.csv"
history = "history"
inbox = "inbox"
out = "out"
warehouse = "out/wh.duckdb"
"""


def write(tmp_path: Path, office: str) -> Path:
    """Write a config with the given office text above the paths; return its path."""
    path = tmp_path / "firescore.toml"
    path.write_text(office + PATHS, encoding="utf-8")
    return path


def test_the_sample_config_names_the_office_and_its_attachment_label() -> None:
    config = load_config(ROOT / "firescore.toml")
    assert config.office == "渝中区消防安全委员会办公室"
    assert config.attachment == "附件1"


def test_office_section_is_optional_and_attachment_too(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, ""))
    assert (config.office, config.attachment) == ("", None)
    config = load_config(write(tmp_path, '[office]\nname = " 某区消安委办 "\n'))
    assert (config.office, config.attachment) == ("某区消安委办", None)


@pytest.mark.parametrize(
    ("office", "message"),
    [
        ('[office]\nname = ""\n', "office.name 应为一行非空文字"),
        ("[office]\nname = 3\n", "office.name 应为一行非空文字"),
        ('[office]\nname = "a\\nb"\n', "office.name 应为一行非空文字"),
        ('[office]\nattachment = "   "\n', "office.attachment 应为一行非空文字"),
        (f'[office]\nname = "{"办" * 61}"\n', "office.name 过长（61个字），应不超过60个字"),
        ('[office]\nlabel = "附件1"\n', "未知的键 office.label"),
        ('office = "渝中区"\n', "office 应为一节"),
    ],
)
def test_a_bad_office_value_is_refused_naming_the_key(
    tmp_path: Path, office: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path, office))


def test_runner_defaults_to_local_processes_on_the_cores_available(tmp_path: Path) -> None:
    runner = load_config(write(tmp_path, "")).runner
    assert (runner.kind, runner.workers) == ("local", None)
    assert runner.processes == len(os.sched_getaffinity(0))
    assert load_config(write(tmp_path, "[runner]\nworkers = 3\n")).runner.processes == 3


def test_runner_dask_takes_a_scheduler_address_or_a_local_cluster_size(tmp_path: Path) -> None:
    cluster = load_config(write(tmp_path, '[runner]\nkind = "dask"\nn_workers = 2\n')).runner
    assert (cluster.kind, cluster.n_workers, cluster.address) == ("dask", 2, None)
    text = '[runner]\nkind = "dask"\naddress = "tcp://10.0.0.5:8786"\n'
    remote = load_config(write(tmp_path, text)).runner
    assert (remote.address, remote.n_workers) == ("tcp://10.0.0.5:8786", None)


@pytest.mark.parametrize(
    ("runner", "message"),
    [
        ('kind = "spark"', 'runner.kind 为 \'spark\'，应为 "local"（本机多进程）或 "dask"'),
        ("workers = 0", "runner.workers 为 0，应为正整数"),
        ("workers = true", "runner.workers 为 true，应为正整数"),
        ('workers = "2"', "runner.workers 为 '2'，应为正整数"),
        ('kind = "dask"\nn_workers = -1', "runner.n_workers 为 -1，应为正整数"),
        ("n_workers = 2", 'runner.n_workers 不适用于 kind = "local"'),
        ('address = "tcp://h:8786"', 'runner.address 不适用于 kind = "local"'),
        ('kind = "dask"\nworkers = 2', 'runner.workers 不适用于 kind = "dask"'),
        ('kind = "dask"\naddress = "10.0.0.5:8786"', "runner.address 为 '10.0.0.5:8786'，应为"),
        (
            'kind = "dask"\naddress = "tcp://h:8786"\nn_workers = 2',
            "runner.address 与 runner.n_workers 只能选一个",
        ),
        ("cores = 2", "未知的键 runner.cores"),
    ],
)
def test_a_bad_runner_value_is_refused_naming_the_key(
    tmp_path: Path, runner: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(write(tmp_path, f"[runner]\n{runner}\n"))


def test_firescore_run_refuses_a_bad_runner_with_exit_2(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from firescore.cli import app

    config = write(tmp_path, '[runner]\nkind = "spark"\n')
    result = CliRunner().invoke(app, ["run", "--quarter", "2026Q2", "--config", str(config)])
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 2
    assert "runner.kind 为 'spark'" in result.output

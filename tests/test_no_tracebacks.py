"""No path a user can reach prints a traceback: a Chinese message, a documented exit code, and
the traceback in the log file the message names (corrupt warehouse and a second run: see
test_warehouse_damage.py and test_run_lock.py)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from firescore.cli import app
from tests.office import firescore, office_env, tiny_district


def assert_told(process, code: int, *phrases: str) -> None:
    """The office saw our Chinese message with the exit code, and no traceback."""
    shown = process.stdout + process.stderr
    assert process.returncode == code, shown
    assert "Traceback" not in shown and "Error" not in shown, shown
    for phrase in phrases:
        assert phrase in shown, shown


@pytest.fixture(scope="module")
def harness_env(prefect_harness) -> dict[str, str]:
    """The environment of a firescore process that reports to the session's Prefect server."""
    from prefect.settings import PREFECT_API_URL

    return office_env(PREFECT_API_URL=PREFECT_API_URL.value())


def test_a_gbk_config_is_refused_with_a_chinese_message(tmp_path):
    district = tiny_district(tmp_path)
    text = "# 消防考核配置\n" + district.config.read_text(encoding="utf-8")
    district.config.write_bytes(text.encode("gbk"))
    result = CliRunner().invoke(
        app, ["templates", "--quarter", "2026Q2", "--config", str(district.config)]
    )
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 2
    assert "请用UTF-8保存" in result.output


def test_templates_out_pointing_at_a_file_is_refused(tmp_path):
    district = tiny_district(tmp_path)
    target = tmp_path / "模板.xlsx"
    target.write_bytes(b"not a folder")
    result = CliRunner().invoke(
        app,
        [
            "templates",
            "--quarter",
            "2026Q2",
            "--config",
            str(district.config),
            "--out",
            str(target),
        ],
    )
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 2
    assert f"--out 应为文件夹，但 {target} 是一个文件" in result.output
    assert target.read_bytes() == b"not a folder"


def test_read_only_outputs_give_a_message_and_the_log_has_the_traceback(tmp_path, harness_env):
    district = tiny_district(tmp_path, log=tmp_path / "logs" / "firescore.log")
    district.out.mkdir()
    out = district.out
    process = firescore(
        "run",
        "--quarter",
        "2026Q2",
        "--config",
        str(district.config),
        env=harness_env,
        inside=f"mount --bind {out} {out} && mount -o remount,bind,ro {out}",
    )
    assert_told(process, 2, "所在磁盘为只读", f"详情见日志 {district.log}")
    assert "Traceback" in district.log.read_text(encoding="utf-8")
    assert not district.warehouse.exists()  # nothing half-done is kept


def test_a_full_disk_gives_a_message_and_the_log_has_the_traceback(tmp_path, harness_env):
    district = tiny_district(tmp_path, log=tmp_path / "logs" / "firescore.log")
    district.out.mkdir()
    process = firescore(
        "run",
        "--quarter",
        "2026Q2",
        "--config",
        str(district.config),
        env=harness_env,
        inside=f"mount -t tmpfs -o size=48k tmpfs {district.out}",
    )
    assert_told(process, 2, "磁盘空间已满", f"详情见日志 {district.log}")
    assert "Traceback" in district.log.read_text(encoding="utf-8")
    assert not district.warehouse.exists()


def test_a_prefect_server_that_does_not_start_gives_a_one_line_message(tmp_path):
    district = tiny_district(tmp_path)
    process = firescore(
        "run",
        "--quarter",
        "2026Q2",
        "--config",
        str(district.config),
        # Prefect's temporary server gets one second to start (its imports alone take more).
        env=office_env(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="1"),
    )
    assert_told(process, 2, "无法启动或连接 Prefect 服务", f"详情见日志 {district.log}")
    assert len(process.stderr.strip().splitlines()) == 1
    assert "Traceback" in district.log.read_text(encoding="utf-8")

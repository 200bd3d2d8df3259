"""One run at a time, for the whole run; read-only commands never block it (real processes)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

import firescore.quarter as plain
from firescore.config import load_config
from firescore.quarter import quarter_run, run_quarter
from tests.office import ROOT, firescore, office_env, tiny_district

HOLD = """
import sys
from pathlib import Path
from firescore.warehouse.lock import hold
with hold(Path(sys.argv[1])):
    print("held", flush=True)
    sys.stdin.readline()
"""
READ = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print("reading", flush=True)
sys.stdin.readline()
"""


def holding(script: str, path) -> subprocess.Popen:
    """Start a process that holds something on path until its stdin closes."""
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert process.stdout.readline().strip() in ("held", "reading")
    return process


def release(process: subprocess.Popen) -> None:
    """Let a holding process end."""
    process.stdin.close()
    process.wait(timeout=60)


def second_run(district) -> subprocess.CompletedProcess:
    """Start `firescore run` on the same warehouse from another process."""
    return firescore("run", "--quarter", "2026Q2", "--config", str(district.config))


def assert_refused(process: subprocess.CompletedProcess, pid: int) -> None:
    """The second run was refused with exit 3, naming the holder, without a traceback."""
    shown = process.stdout + process.stderr
    assert process.returncode == 3, shown
    assert "正被另一个 firescore 进程使用" in shown
    assert f"主机 {socket.gethostname()} 上的进程 {pid}" in shown and "开始运行" in shown
    assert "Traceback" not in shown


def test_a_second_run_is_refused_at_once_naming_the_holder(tmp_path):
    district = tiny_district(tmp_path)
    holder = holding(HOLD, district.warehouse)
    try:
        assert_refused(second_run(district), holder.pid)
    finally:
        release(holder)
    assert not district.out.exists() or not any((district.out).rglob("*.xlsx"))  # no work done
    assert not district.warehouse.exists()


def test_the_lock_is_held_from_discover_to_the_end_of_publish(tmp_path):
    district = tiny_district(tmp_path)
    second = []
    # run_quarter's stages, with a second `firescore run` started before discover and after
    # the last publish stage.
    with quarter_run(load_config(district.config), "2026Q2") as run:
        second.append(second_run(district))
        files = plain.read_new(run, plain.discover_files(run))
        plain.load_new(run, plain.validate_new(run, files))
        plain.score(run)
        plain.publish_leader(run)
        plain.publish_units(run)
        plain.publish_checks(run)
        second.append(second_run(district))
    assert run.summary.units_scored == 4  # the first run is unharmed
    for process in second:
        assert_refused(process, os.getpid())


def test_a_reader_holding_the_warehouse_does_not_block_a_run(tmp_path):
    district = tiny_district(tmp_path)
    config = load_config(district.config)
    run_quarter(config, "2026Q2")
    reader = holding(READ, district.warehouse)  # what explain and status do while they read
    try:
        again = run_quarter(config, "2026Q2")
    finally:
        release(reader)
    assert again.units_scored == 4


@pytest.mark.parametrize("command", ["status", "explain"])
def test_read_only_commands_say_a_run_is_in_progress_and_do_not_block(tmp_path, command):
    district = tiny_district(tmp_path)
    run_quarter(load_config(district.config), "2026Q2")
    args = {
        "status": ["status", "--quarter", "2026Q2", "--now", "2030-01-01 12:00"],
        "explain": ["explain", "--quarter", "2026Q2", "--unit", "JD01"],
    }[command]
    holder = holding(HOLD, district.warehouse)
    try:
        process = firescore(*args, "--config", str(district.config), env=office_env())
    finally:
        release(holder)
    shown = process.stdout + process.stderr
    assert process.returncode == 0, shown
    assert "正在进行一次考核运行" in shown and "上一次运行" in shown
    assert f"进程 {holder.pid}" in shown
    for english in ("WARNING", "INFO", "warehouse", "Traceback"):
        assert english not in shown, shown

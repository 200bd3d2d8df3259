"""A second run while another process holds the warehouse is refused at once (exit 3)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from firescore.cli import app

ROOT = Path(__file__).resolve().parent.parent
HOLD = "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(60)"


def test_run_refuses_a_held_warehouse_with_exit_3(tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(warehouse)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        result = CliRunner().invoke(
            app,
            [
                "run",
                "--quarter",
                "2026Q2",
                "--config",
                str(ROOT / "firescore.toml"),
                "--warehouse",
                str(warehouse),
                "--out",
                str(tmp_path / "out"),
            ],
        )
        assert result.exit_code == 3
        assert "正被另一个 firescore 进程使用" in result.output
    finally:
        holder.kill()
        holder.wait()

"""A corrupt or foreign warehouse file is refused before anything is written, and left as it is."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from firescore.cli import app
from firescore.config import load_config
from firescore.quarter import run_quarter
from tests.office import firescore, tiny_district


def garbage(path: Path) -> None:
    """Overwrite the whole file with bytes that are not a database."""
    path.write_bytes(b"\x13\x37garbage" * (path.stat().st_size // 9))


def truncated(path: Path) -> None:
    """Keep only the first half of the file (a copy cut short)."""
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def overwritten_mid_file(path: Path) -> None:
    """Overwrite 64 KiB in the middle of the file, leaving its header intact."""
    with path.open("r+b") as handle:
        handle.seek(path.stat().st_size // 2)
        handle.write(b"\xff" * 65536)


def foreign(path: Path) -> None:
    """Replace the file with another program's DuckDB database."""
    path.unlink()
    path.with_name(path.name + ".sha256").unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE accounts AS SELECT 1 AS id, 'x' AS name")
    con.close()


DAMAGE = [garbage, truncated, overwritten_mid_file, foreign]


@pytest.fixture
def damaged(tmp_path, request):
    """A district scored once, then its warehouse damaged; return it with every output's bytes."""
    district = tiny_district(tmp_path)
    run_quarter(load_config(district.config), "2026Q2")
    request.param(district.warehouse)
    before = {
        path: path.read_bytes()
        for path in sorted(district.out.rglob("*"))
        if path.is_file() and path.name != "firescore.log"
    }
    return district, district.warehouse.read_bytes(), before


@pytest.mark.parametrize("damaged", DAMAGE, indirect=True, ids=lambda f: f.__name__)
def test_a_damaged_warehouse_stops_the_run_and_is_left_untouched(damaged):
    district, warehouse_bytes, outputs = damaged
    process = firescore("run", "--quarter", "2026Q2", "--config", str(district.config))
    shown = process.stdout + process.stderr
    assert process.returncode == 2, shown
    assert f"数据仓库 {district.warehouse}" in shown and "本次未做任何改动" in shown
    assert "Traceback" not in shown
    assert district.warehouse.read_bytes() == warehouse_bytes
    after = {
        path: path.read_bytes()
        for path in sorted(district.out.rglob("*"))
        if path.is_file() and path.name != "firescore.log"
    }
    assert after == outputs


@pytest.mark.parametrize("damaged", DAMAGE, indirect=True, ids=lambda f: f.__name__)
@pytest.mark.parametrize("command", ["explain", "status"])
def test_read_only_commands_refuse_a_damaged_warehouse(damaged, command):
    district, warehouse_bytes, _ = damaged
    args = {
        "explain": ["explain", "--quarter", "2026Q2", "--unit", "JD01"],
        "status": ["status", "--quarter", "2026Q2", "--now", "2030-01-01 12:00"],
    }[command]
    result = CliRunner().invoke(app, [*args, "--config", str(district.config)])
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 2
    assert f"数据仓库 {district.warehouse}" in result.output
    assert district.warehouse.read_bytes() == warehouse_bytes

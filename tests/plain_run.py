"""Score a quarter in tests the way the flow does, with the plain functions it wires (no Prefect)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import duckdb

from firescore.config import Config
from firescore.discover import discover
from firescore.history import read_history
from firescore.intake import ReadFile, optional_sheets, read_submission, validate_quarter
from firescore.registry import Registries
from firescore.scheme import Scheme
from firescore.warehouse import accepted_fire_ids, connect, load_files
from firescore.warehouse import load_registries as load_registry_tables
from scoring.runner import run_scoring


def score_quarter(
    config: Config, scheme: Scheme, registries: Registries, quarter: str
) -> tuple[duckdb.DuckDBPyConnection, list[ReadFile]]:
    """Discover, read, validate, load and score a quarter; return the open warehouse and files."""
    subs = discover(config.inbox, quarter, ZoneInfo(scheme.timezone))
    files = [
        read_submission(
            s,
            scheme,
            config.max_file_bytes,
            config.max_sheet_rows,
            optional=optional_sheets(s.unit_code, registries),
        )
        for s in subs
    ]
    con = connect(config.warehouse)
    history = read_history(config.history, scheme, config.max_file_bytes, config.max_sheet_rows)
    load_registry_tables(con, registries, history)
    validate_quarter(
        files, quarter, scheme, registries, accepted_fire_ids(con, scheme.fire_source_unit)
    )
    load_files(con, files, "test", max(s.received_at for s in subs))
    run_scoring(con, scheme, quarter)
    return con, files

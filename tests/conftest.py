"""Shared test set-up: Prefect offline and quiet, one session-wide Prefect test harness."""

from __future__ import annotations

import os
import tempfile

# Prefect reads these at import: keep its home in a temp dir and everything offline and quiet.
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="firescore-prefect-"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def prefect_harness():
    """Run flows against one temporary Prefect server for the whole session (~10 s once)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        yield

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


def free_loopback_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory):
    """Start `prefect server start` on a free loopback port for the session; yield its API URL."""
    import subprocess
    import sys
    import time
    from pathlib import Path

    import httpx

    home = tmp_path_factory.mktemp("prefect-server-home")
    port = free_loopback_port()
    url = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    prefect = Path(sys.executable).with_name("prefect")
    command = [str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    log = (home / "server.log").open("w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, (home / "server.log").read_text()
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "prefect server did not start in 120 s"
            time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def client_env(api_url: str | None) -> dict[str, str]:
    """Return the environment of a `firescore` process talking to the server at api_url.

    Without the test session's quiet logging: the CLI itself decides what reaches the server.
    """
    env = dict(os.environ)
    for key in ("PREFECT_LOGGING_TO_API_ENABLED", "PREFECT_LOGGING_LEVEL", "PREFECT_API_URL"):
        env.pop(key, None)
    if api_url is not None:
        env["PREFECT_API_URL"] = api_url
    return env

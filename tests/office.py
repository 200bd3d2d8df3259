"""A tiny district on disk and the real `firescore` command run as the office runs it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from tests.builders import street_file, write_registries

ROOT = Path(__file__).resolve().parent.parent
FIRESCORE = Path(sys.executable).with_name("firescore")
REJECTED_TASKS = [["T01", "消防用水整治", "已完", date(2026, 6, 1), None, None, "报告"]]


@dataclass(frozen=True)
class District:
    """Where a tiny district's config, inbox, outputs and warehouse are."""

    root: Path
    config: Path
    inbox: Path
    out: Path
    warehouse: Path
    log: Path


def tiny_district(root: Path, log: Path | None = None, tasks_jd02: list | None = None) -> District:
    """Write registries, two street files (JD02's rejected) and a firescore.toml under root.

    The log file is the default (<out>/logs/firescore.log) unless ``log`` is given.
    """
    units, tasks = write_registries(root / "reg")
    inbox = root / "inbox"
    street_file(inbox / "2026Q2" / "JD01" / "解放碑街道.xlsx")
    street_file(
        inbox / "2026Q2" / "JD02" / "朝天门街道.xlsx",
        unit="JD02",
        name="朝天门街道",
        tasks=tasks_jd02 if tasks_jd02 is not None else REJECTED_TASKS,
    )
    out = root / "out"
    warehouse = root / "wh" / "firescore.duckdb"
    config = root / "firescore.toml"
    config.write_text(
        "[paths]\n"
        f'scheme = "{ROOT / "data_samples" / "scheme.yaml"}"\n'
        f'units = "{units}"\n'
        f'tasks = "{tasks}"\n'
        f'history = "{ROOT / "data_samples" / "history"}"\n'
        f'inbox = "{inbox}"\n'
        f'out = "{out}"\n'
        f'warehouse = "{warehouse}"\n' + (f'log = "{log}"\n' if log else ""),
        encoding="utf-8",
    )
    return District(root, config, inbox, out, warehouse, log or out / "logs" / "firescore.log")


def office_env(**extra: str) -> dict[str, str]:
    """Return the environment of a firescore process started by a test."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FIRESCORE_")}
    env.update(extra)
    return env


def firescore(
    *args: str, env: dict[str, str] | None = None, inside: str | None = None, timeout: int = 300
) -> subprocess.CompletedProcess:
    """Run the real command line; ``inside`` is shell set-up run first in a private mount namespace."""
    command = [str(FIRESCORE), *args]
    if inside is not None:
        script = f'{inside} && exec "$@"'
        command = ["unshare", "-rm", "sh", "-c", script, "sh", *command]
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        env=env if env is not None else office_env(),
        timeout=timeout,
        cwd=ROOT,
    )


def sample_config(folder: Path, runner: str, batch_size: int) -> Path:
    """Write the sample district's firescore.toml into folder, with this [runner] and batch size."""
    text = (ROOT / "firescore.toml").read_text(encoding="utf-8")
    text = text.replace('"data_samples/', f'"{ROOT.as_posix()}/data_samples/')
    text = re.sub(r"batch_size = \d+", f"batch_size = {batch_size}", text)
    path = folder / "firescore.toml"
    path.write_text(f"{text}\n[runner]\n{runner}\n", encoding="utf-8")
    return path

"""How far a run is: its stages report, `firescore run` shows it.

Stages call `report` (a record on the firescore.progress logger: library code never prints);
the command line shows those records with `follow`: on a terminal a progress bar per stage
(files read of N, workbooks written of N), when piped one plain line per finished stage.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

LOGGER = logging.getLogger("firescore.progress")


def report(stage: str, *, advance: int = 0, total: int | None = None, done: str = "") -> None:
    """Tell whoever follows the run how far a stage is (done: its closing line, with counts)."""
    LOGGER.info(done, extra={"stage": stage, "advance": advance, "total": total, "done": done})


class Display(logging.Handler):
    """Show progress records: bars on a terminal, one plain line per finished stage otherwise."""

    def __init__(self, console: Console, labels: Mapping[str, str]) -> None:
        super().__init__(logging.INFO)
        self.console, self.labels = console, labels
        self.bars: Progress | None = None
        if console.is_terminal:
            columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
            self.bars = Progress(*columns, console=console, transient=False)
        self.tasks: dict[str, TaskID] = {}

    def emit(self, record: logging.LogRecord) -> None:
        """Show one progress record."""
        stage: str = record.stage  # type: ignore[attr-defined]
        label = self.labels.get(stage, stage)
        done: str = record.done  # type: ignore[attr-defined]
        if self.bars is None:
            if done:
                self.console.print(f"{label}：{done}", markup=False, highlight=False)
            return
        if stage not in self.tasks:
            self.tasks[stage] = self.bars.add_task(label, total=None)
        task = self.tasks[stage]
        if record.total is not None:  # type: ignore[attr-defined]
            self.bars.update(task, total=record.total)  # type: ignore[attr-defined]
        if record.advance:  # type: ignore[attr-defined]
            self.bars.advance(task, record.advance)  # type: ignore[attr-defined]
        if done:
            state = self.bars.tasks[self.tasks[stage]]
            if state.total is None or state.completed >= state.total:
                total = state.total or 1
                self.bars.update(task, total=total, completed=total)
            self.bars.update(task, description=f"{label}：{done}")


@contextmanager
def follow(console: Console, labels: Mapping[str, str]) -> Iterator[None]:
    """Show the progress the stages report while the block runs."""
    display = Display(console, labels)
    LOGGER.addHandler(display)
    LOGGER.setLevel(logging.INFO)
    LOGGER.propagate = False  # progress is for the person at the console, not the log
    try:
        if display.bars is None:
            yield
        else:
            with display.bars:
                yield
    finally:
        LOGGER.removeHandler(display)

"""What a person sees while a quarter runs: bars on a terminal, one line per stage when piped."""

from __future__ import annotations

import io

from rich.console import Console

from firescore.progress import follow, report
from firescore.quarter import STAGES


def run_two_stages() -> None:
    """Report what a run of 3 files and 2 feedback workbooks reports, stage by stage."""
    report("read")
    report("read", total=3)
    report("read", advance=2)
    report("read", advance=1, done="已读取文件 3 个")
    report("publish-feedback")
    report("publish-feedback", advance=1, total=2)
    report("publish-feedback", advance=1, total=2, done="单位反馈 2 份")


def test_piped_output_is_one_plain_line_per_finished_stage():
    out = io.StringIO()
    console = Console(file=out, force_terminal=False, width=100)
    with follow(console, STAGES):
        run_two_stages()
    assert out.getvalue().splitlines() == ["读取：已读取文件 3 个", "发布单位反馈：单位反馈 2 份"]


def test_a_terminal_shows_files_and_workbooks_done_of_n():
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=100)
    with follow(console, STAGES):
        run_two_stages()
    shown = out.getvalue()
    assert "读取：已读取文件 3 个" in shown and "3/3" in shown
    assert "发布单位反馈：单位反馈 2 份" in shown and "2/2" in shown
    assert "\x1b[" in shown  # drawn as a live display, not as plain lines

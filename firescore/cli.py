"""The firescore command line (user-facing text in Chinese)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(add_completion=False, no_args_is_help=True, help="firescore：消防工作季度考核")
console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

EXIT_OK, EXIT_CHECK_FAILED, EXIT_USAGE, EXIT_BUSY = 0, 1, 2, 3

ConfigOption = Annotated[Path | None, typer.Option("--config", help="配置文件（默认 ./firescore.toml）")]
QuarterOption = Annotated[str, typer.Option("--quarter", help="考核季度，如 2026Q2")]


def _quiet_prefect() -> None:
    """Keep Prefect's ephemeral server quiet and offline (set before Prefect is imported)."""
    defaults = {
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "PREFECT_LOGGING_TO_API_ENABLED": "false",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
        "GX_ANALYTICS_ENABLED": "false",
    }
    for key, value in defaults.items():
        os.environ.setdefault(key, value)


def _fail(message: str, code: int) -> typer.Exit:
    """Print a Chinese error and return the exit to raise."""
    err.print(f"[bold red]错误：[/]{message}")
    return typer.Exit(code)


def _load(config_path: Path | None, quarter: str | None):
    """Load config, scheme and registries, turning user mistakes into exit 2."""
    from firescore.config import ConfigError, load_config
    from firescore.registry import RegistryError, load_registries
    from firescore.scheme import SchemeError, load_scheme, parse_quarter

    try:
        config = load_config(config_path)
        scheme = load_scheme(config.scheme)
        registries = load_registries(config.units, config.tasks)
    except (ConfigError, SchemeError) as exc:
        raise _fail(str(exc), EXIT_USAGE) from exc
    except RegistryError as exc:
        raise _fail("登记表有误：\n" + "\n".join(exc.lines), EXIT_USAGE) from exc
    normal = None
    if quarter is not None:
        normal = parse_quarter(quarter)
        if normal is None:
            raise _fail(f"无法识别的考核季度“{quarter}”，应如 2026Q2", EXIT_USAGE)
    return config, scheme, registries, normal


@app.command()
def run(
    quarter: QuarterOption,
    config: ConfigOption = None,
    inbox: Annotated[Path | None, typer.Option(help="收件箱目录")] = None,
    out: Annotated[Path | None, typer.Option(help="输出目录")] = None,
    warehouse: Annotated[Path | None, typer.Option(help="数据仓库文件")] = None,
) -> None:
    """运行一个季度的考核：收件、校验、入库、评分、发布。"""
    _quiet_prefect()
    cfg, _, _, normal = _load(config, quarter)
    cfg = cfg.with_overrides(inbox=inbox, out=out, warehouse=warehouse)
    from firescore.warehouse import WarehouseBusy, connect

    try:
        connect(cfg.warehouse).close()  # refuse at once if another run holds the warehouse
    except WarehouseBusy as exc:
        raise _fail(str(exc), EXIT_BUSY) from exc
    with console.status(f"正在运行 {normal} 季度考核（收件 → 校验 → 入库 → 评分 → 发布）…"):
        from flows.quarter import quarter_flow

        try:
            summary = quarter_flow(cfg, normal)
        except WarehouseBusy as exc:
            raise _fail(str(exc), EXIT_BUSY) from exc
    _print_summary(summary)


def _print_summary(summary) -> None:
    """Print the run's summary for the office."""
    console.print(f"[bold]{summary.quarter} 考核完成[/]（运行编号 {summary.run_id}）")
    console.print(f"  收到文件 {summary.files_seen} 个，其中新文件 {summary.files_new} 个")
    console.print(f"  参与排名单位 {summary.units_scored} 个")
    console.print(f"  退回文件 {len(summary.rejected)} 个")
    for unit, name, first in summary.rejected:
        console.print(f"    {unit} {name}：{first}", markup=False)
    missing = "、".join(summary.missing) if summary.missing else "无"
    console.print(f"  未报送（无有效文件）单位：{missing}")
    console.print("  输出文件：")
    for path in summary.outputs:
        console.print(f"    {path}", markup=False)


@app.command()
def check(
    files: Annotated[list[Path], typer.Argument(help="要检查的填报文件")],
    config: ConfigOption = None,
) -> None:
    """按正式运行的规则检查填报文件；有错误时退出码为 1。"""
    from firescore.checking import check_files

    cfg, scheme, registries, _ = _load(config, None)
    reports = check_files(files, cfg, scheme, registries)
    any_error = False
    for report in reports:
        errors = [i for i in report.issues if i.severity == "error"]
        warnings = [i for i in report.issues if i.severity != "error"]
        any_error |= bool(errors)
        head = "[red]有错误，将被退回[/]" if errors else "[green]通过[/]"
        console.print(f"[bold]{report.path}[/]：{head}（错误 {len(errors)} 个，警告 {len(warnings)} 个）")
        for issue in errors:
            console.print(f"  [red]错误[/] {issue.message}", highlight=False)
        for issue in warnings:
            console.print(f"  [yellow]警告[/] {issue.message}", highlight=False)
    raise typer.Exit(EXIT_CHECK_FAILED if any_error else EXIT_OK)


def main() -> None:
    """Entry point that keeps tracebacks for programmer errors only."""
    sys.exit(app())


if __name__ == "__main__":
    main()

"""The firescore command line (user-facing text in Chinese)."""

from __future__ import annotations

import functools
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import click
import typer
from rich.table import Table

from firescore.terminal import console, err, log_hint, open_log, os_error_text, styled
from firescore.usage import HELP_OPTION_NAMES, ChineseCommand, ChineseGroup

# Tracebacks go to the log file (see guarded), never to the office's console.
app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="firescore：消防工作季度考核",
    cls=ChineseGroup,
    context_settings={"help_option_names": HELP_OPTION_NAMES},
    pretty_exceptions_enable=False,
)
log = logging.getLogger("firescore.cli")

EXIT_OK, EXIT_CHECK_FAILED, EXIT_USAGE, EXIT_BUSY, EXIT_INTERNAL = 0, 1, 2, 3, 4
Command = TypeVar("Command", bound=Callable[..., None])

ConfigOption = Annotated[
    Path | None, typer.Option("--config", help="配置文件（默认 ./firescore.toml）")
]
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
    if os.environ.get("PREFECT_API_URL"):
        # A real server: each stage's Chinese line goes to the run's logs in the UI, while the
        # console keeps only warnings (Prefect's own INFO lines would drown our summary).
        defaults["PREFECT_LOGGING_LEVEL"] = "INFO"
        defaults["PREFECT_LOGGING_TO_API_ENABLED"] = "true"
        defaults["PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL"] = "WARNING"
    for key, value in defaults.items():
        os.environ.setdefault(key, value)


def _fail(message: str, code: int) -> typer.Exit:
    """Print a Chinese error (literally, whatever it quotes) and return the exit to raise."""
    err.print(styled(("错误：", "bold red"), message))
    return typer.Exit(code)


def guarded(command: Command) -> Command:
    """Turn what a user or the machine can cause into a Chinese message and an exit code.

    The traceback goes to the log file, which the message names; nothing reaches the console
    but the message.
    """

    @functools.wraps(command)
    def run_guarded(*args, **kwargs):
        from firescore.warehouse.file import WarehouseDamaged
        from firescore.warehouse.lock import WarehouseBusy
        from firescore.warehouse.releases import QuarterLocked

        try:
            return command(*args, **kwargs)
        except (typer.Exit, click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except WarehouseBusy as exc:
            log.warning("refused: %s", exc)
            raise _fail(str(exc), EXIT_BUSY) from exc
        except (WarehouseDamaged, QuarterLocked) as exc:
            log.warning("refused: %s", exc)
            raise _fail(str(exc), EXIT_USAGE) from exc
        except KeyboardInterrupt as exc:
            raise _fail("已中断", EXIT_INTERNAL) from exc
        except Exception as exc:
            log.exception("command failed")
            if _from_prefect(exc):
                message = "无法启动或连接 Prefect 服务（检查 PREFECT_API_URL 或本机环境）"
                raise _fail(message + log_hint(), EXIT_USAGE) from exc
            cause = _os_error_in(exc)
            if cause is not None:  # disk full, read-only or missing folders, no permission
                raise _fail(os_error_text(cause) + log_hint(), EXIT_USAGE) from exc
            raise _fail("程序内部错误，请把日志发给维护人员" + log_hint(), EXIT_INTERNAL) from exc

    return run_guarded  # type: ignore[return-value]


def _os_error_in(exc: BaseException) -> OSError | None:
    """Return the operating-system error behind an exception (writers wrap it), if any."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and not isinstance(seen, ConnectionError) and seen.errno:
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _from_prefect(exc: BaseException) -> bool:
    """Return whether an exception was raised by Prefect (its server or its client) itself."""
    import traceback

    frames = [frame for frame, _ in traceback.walk_tb(exc.__traceback__)]
    raised_in = frames[-1].f_globals.get("__name__", "") if frames else ""
    return raised_in.split(".")[0] in ("prefect", "httpx", "httpcore")


def _load(config_path: Path | None, quarter: str | None, **overrides: Path | None):
    """Load config (with the flags' paths), scheme and registries; user mistakes exit 2."""
    from firescore.config import ConfigError, load_config
    from firescore.registry import RegistryError, load_registries
    from firescore.scheme import SchemeError, load_scheme

    try:
        config = load_config(config_path).with_overrides(**overrides)
    except ConfigError as exc:
        raise _fail(str(exc), EXIT_USAGE) from exc
    open_log(config.log_file)
    try:
        scheme = load_scheme(config.scheme)
        registries = load_registries(config.units, config.tasks, config.limits)
    except (ConfigError, SchemeError) as exc:
        raise _fail(str(exc), EXIT_USAGE) from exc
    except RegistryError as exc:
        raise _fail("登记表有误：\n" + "\n".join(exc.lines), EXIT_USAGE) from exc
    normal = _quarter(quarter) if quarter is not None else None
    if normal is not None:
        _check_calendar(scheme, normal)
    return config, scheme, registries, normal


def _check_calendar(scheme, quarter) -> None:
    """Refuse (exit 2) a quarter whose deadline falls where the holiday calendar has no data."""
    from firescore.scheme.workdays import CalendarError

    try:
        scheme.report_deadline(quarter)
    except CalendarError as exc:
        raise _fail(f"{quarter} 的报送截止日无法计算：{exc}", EXIT_USAGE) from exc


def _quarter(text: str):
    """Parse the --quarter option, turning a text that names no quarter into exit 2."""
    from firescore.scheme import Quarter, QuarterError

    try:
        return Quarter(text)
    except QuarterError as exc:
        raise _fail(str(exc), EXIT_USAGE) from exc


@app.command()
@guarded
def run(
    quarter: Annotated[str | None, typer.Option("--quarter", help="考核季度，如 2026Q2")] = None,
    year: Annotated[
        int | None,
        typer.Option("--year", help="汇总年度考核结果，如 2026（第四季度运行后自动汇总）"),
    ] = None,
    config: ConfigOption = None,
    inbox: Annotated[Path | None, typer.Option(help="收件箱目录")] = None,
    out: Annotated[Path | None, typer.Option(help="输出目录")] = None,
    warehouse: Annotated[Path | None, typer.Option(help="数据仓库文件")] = None,
    reopen: Annotated[
        bool, typer.Option("--reopen", help="重新打开已定稿的季度（须同时给出 --reason）")
    ] = False,
    reason: Annotated[str | None, typer.Option("--reason", help="重新打开的原因")] = None,
    by: Annotated[str | None, typer.Option("--by", help="重新打开的经办人")] = None,
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            help="征求意见稿发布时间，如 2026-07-13 09:00（仅本季度首次发布时记录，申诉期自当日起算；默认当前时间）",
        ),
    ] = None,
) -> None:
    """运行一个季度的考核（收件、校验、入库、评分、发布），或汇总一个年度的考核结果。"""
    if (quarter is None) == (year is None):
        raise _fail("请指定 --quarter（季度考核）或 --year（年度汇总）中的一个", EXIT_USAGE)
    if reopen and year is not None:
        raise _fail("--reopen 只用于季度（--quarter）", EXIT_USAGE)
    if reopen and not (reason and reason.strip()):
        raise _fail("重新打开已定稿的季度须写明原因：--reopen --reason 原因", EXIT_USAGE)
    if (reason or by) and not reopen:
        raise _fail("--reason 和 --by 只与 --reopen 一起使用", EXIT_USAGE)
    if at is not None and (year is not None or reopen):
        raise _fail(
            "--at 只用于季度考核首次发布征求意见稿（不与 --year、--reopen 一起使用）", EXIT_USAGE
        )
    _quiet_prefect()
    cfg, scheme, registries, normal = _load(
        config, quarter, inbox=inbox, out=out, warehouse=warehouse
    )
    from firescore.warehouse.releases import DRAFT, REOPEN, Event

    if reopen:
        change = Event(REOPEN, (by or "").strip() or "未署名", _now(scheme, None), reason.strip())
    else:
        change = Event(DRAFT, "", _now(scheme, at))
    _run_command(cfg, scheme, registries, config, normal, year, change)


@app.command()
@guarded
def publish(
    quarter: QuarterOption,
    final: Annotated[bool, typer.Option("--final", help="定稿：发布正式稿并锁定本季度")] = False,
    by: Annotated[str | None, typer.Option("--by", help="定稿人")] = None,
    at: Annotated[
        str | None, typer.Option("--at", help="定稿时间，如 2026-07-24 17:00（默认当前时间）")
    ] = None,
    config: ConfigOption = None,
    inbox: Annotated[Path | None, typer.Option(help="收件箱目录")] = None,
    out: Annotated[Path | None, typer.Option(help="输出目录")] = None,
    warehouse: Annotated[Path | None, typer.Option(help="数据仓库文件")] = None,
) -> None:
    """定稿：按当前收件和申诉处理结果最后评分一次，发布正式稿，并锁定本季度。"""
    if not final:
        raise _fail("请加 --final 定稿；征求意见稿由 firescore run 发布", EXIT_USAGE)
    if not (by and by.strip()):
        raise _fail("定稿须写明定稿人：--by 姓名", EXIT_USAGE)
    _quiet_prefect()
    cfg, scheme, registries, normal = _load(
        config, quarter, inbox=inbox, out=out, warehouse=warehouse
    )
    from firescore.warehouse.releases import FINAL, Event

    change = Event(FINAL, by.strip(), _now(scheme, at))
    _run_command(cfg, scheme, registries, config, normal, None, change)


def _now(scheme, text: str | None):
    """Return a moment as naive local time in the scheme's zone: the text given, else now."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(scheme.timezone)
    if text is None:
        return datetime.now(tz).replace(tzinfo=None, microsecond=0)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise _fail(f"无法识别的时间“{text}”，应如 2026-07-20 10:00", EXIT_USAGE) from exc
    return moment.astimezone(tz).replace(tzinfo=None) if moment.tzinfo else moment


def _run_command(cfg, scheme, registries, config, normal, year, change) -> None:
    """Run a quarter (reopening or finalising it when asked) or roll a year up.

    A final quarter whose inputs are those it was finalised with is left as it is (exit 0): a
    re-run, or a second `publish --final`, has nothing to change.
    """
    from firescore.annual import year_to_run
    from firescore.quarter import RunError, final_unchanged, quarter_to_run
    from firescore.terminal import stderr_to_log
    from firescore.warehouse.file import check
    from firescore.warehouse.lock import hold
    from firescore.warehouse.releases import REOPEN, unchanged_text

    try:
        normal = quarter_to_run(scheme, normal) if normal is not None else None
        year = year_to_run(scheme, year) if normal is None else None
    except RunError as exc:
        raise _fail(str(exc), EXIT_USAGE) from exc
    # The run lock spans the whole run; a second run is refused here, before any work.
    with hold(cfg.warehouse):
        check(cfg.warehouse)  # a corrupt or foreign file is refused before anything is written
        if os.environ.get("PREFECT_API_URL"):
            from flows.serve import server_problem

            problem = server_problem()
            if problem:
                raise _fail(problem + "；或取消设置 PREFECT_API_URL，在本机临时运行", EXIT_USAGE)
        paths = {
            "config_file": str(config) if config else None,
            "out": str(cfg.out),
            "warehouse": str(cfg.warehouse),
        }
        if normal is None:
            _run_annual(year, paths)
            return
        if change.event != REOPEN:
            final = final_unchanged(cfg, scheme, registries, normal)
            if final is not None:
                console.print(unchanged_text(final, normal, change.event))
                return
        console.print(f"正在运行 {normal} 季度考核（收件 → 校验 → 入库 → 评分 → 发布）…")
        from firescore.progress import follow
        from firescore.quarter import STAGES

        # Prefect's engine and server talk on stderr: that goes into the log file.
        with follow(console, STAGES), stderr_to_log():
            from flows.quarter import prepare_validation, quarter_flow

            prepare_validation(cfg, normal)  # GX's import, while Prefect starts
            summary = quarter_flow(normal, inbox=str(cfg.inbox), change=change, **paths)
        _print_summary(summary)
        if normal.number == 4:
            _run_annual(normal.year, paths)


def _run_annual(year: int, paths: dict[str, str | None]) -> None:
    """Roll the year up from its scored quarters and publish the annual results (a flow)."""
    from firescore.terminal import stderr_to_log
    from flows.quarter import annual_flow
    from scoring.annual import AnnualError

    try:
        with stderr_to_log():
            summary = annual_flow(year, **paths)
    except AnnualError as exc:
        raise _fail(str(exc), EXIT_USAGE) from exc
    console.print(
        styled(
            (f"{year} 年度考核汇总完成", "bold"), f"（已评分季度：{'、'.join(summary.quarters)}）"
        )
    )
    if summary.provisional:
        console.print(
            f"  {summary.period}：按已评分的 {len(summary.quarters)} 个季度平均，"
            "第四季度评分后为最终年度结果"
        )
    elif summary.missing:
        console.print(f"  未评分的季度按 0 分计：{'、'.join(summary.missing)}")
    if summary.drafts:
        console.print(f"  尚未定稿（征求意见稿）的季度：{'、'.join(summary.drafts)}")
    console.print("  输出文件：")
    for path in summary.outputs:
        console.print(f"    {path}")


@app.command()
@guarded
def serve(config: ConfigOption = None) -> None:
    """在 Prefect 服务上登记并运行季度、年度考核（报送截止日次日自动运行，也可在界面中手动运行）。"""
    _quiet_prefect()
    cfg, scheme, _, _ = _load(config, None)
    from datetime import timedelta

    from firescore.config import find_config
    from firescore.scheme import year_quarters
    from firescore.scheme.calendar import ANNUAL_RUN_AT, QUARTER_RUN_AT
    from firescore.scheme.workdays import CalendarError
    from flows.serve import ANNUAL_DEPLOYMENT, QUARTER_DEPLOYMENT, deployments, server_problem
    from flows.serve import serve as serve_deployments

    problem = server_problem()
    if problem:
        raise _fail(problem, EXIT_USAGE)
    try:
        served = deployments(find_config(config), scheme)
        days = [scheme.report_deadline(q) for q in year_quarters(scheme.year)]
    except CalendarError as exc:
        raise _fail(str(exc), EXIT_USAGE) from exc
    after = "、".join(f"{day + timedelta(days=1):%Y-%m-%d}" for day in days)
    console.print(
        styled(
            (f"已在 {os.environ['PREFECT_API_URL']} 登记", "bold"),
            f"（{scheme.timezone} 时间，各季度报送截止日次日）：\n"
            f"  {QUARTER_DEPLOYMENT}：{after} {QUARTER_RUN_AT[0]:02d}:{QUARTER_RUN_AT[1]:02d}\n"
            f"  {ANNUAL_DEPLOYMENT}：{days[-1] + timedelta(days=1):%Y-%m-%d} "
            f"{ANNUAL_RUN_AT[0]:02d}:{ANNUAL_RUN_AT[1]:02d}\n"
            "按 Ctrl+C 停止",
        )
    )
    serve_deployments(served)


def _print_notes(notes: list[str]) -> None:
    """Print what the inbox holds but was not read as a submission, and why."""
    if notes:
        console.print(
            styled(
                ("  ", ""), (f"收件箱中未读取的内容 {len(notes)} 项", "yellow"), "（不计入考核）："
            )
        )
    for note in notes:
        console.print(f"    {note}")


def _print_summary(summary) -> None:
    """Print the run's summary for the office."""
    from firescore.publish.meta import chinese_datetime

    console.print(styled((f"{summary.quarter} 考核完成", "bold"), f"（运行编号 {summary.run_id}）"))
    final = summary.release.final
    console.print(
        f"  发布状态：正式稿（{chinese_datetime(final.at)} 由{final.by}定稿，本季度已锁定）"
        if final
        else "  发布状态：征求意见稿（定稿：firescore publish --quarter "
        f"{summary.quarter} --final --by 姓名）"
    )
    for event in summary.release.reopenings:
        console.print(
            f"  重新打开：{chinese_datetime(event.at)} 由{event.by}，原因：{event.reason}"
        )
    if summary.window is not None:
        console.print(f"  申诉期：{summary.window}")
    console.print(f"  收到文件 {summary.files_seen} 个，其中新文件 {summary.files_new} 个")
    _print_notes(summary.notes)
    console.print(f"  参与排名单位 {summary.units_scored} 个")
    console.print(f"  退回文件 {len(summary.rejected)} 个")
    for unit, name, first in summary.rejected:
        console.print(f"    {unit} {name}：{first}")
    missing = "、".join(summary.missing) if summary.missing else "无"
    console.print(f"  未报送（无有效文件）单位：{missing}")
    if summary.rerun:
        quarters = "、".join(summary.rerun)
        console.print(
            styled(
                "  ",
                ("注意：", "yellow"),
                "数据仓库由旧版本写成，其中同一文件出现在多个单位文件夹时的判定有误，"
                f"已清除（本季度已重新判定）；请对季度 {quarters} 再各运行一次 firescore run，"
                "以重新判定并更新其结果",
            )
        )
    console.print("  输出文件：")
    for path in summary.outputs:
        console.print(f"    {path}")


@app.command()
@guarded
def check(
    files: Annotated[list[Path], typer.Argument(help="要检查的填报文件")],
    config: ConfigOption = None,
) -> None:
    """按正式运行的规则检查填报文件；有错误时退出码为 1。"""
    from firescore.commands.check import check_files

    cfg, scheme, registries, _ = _load(config, None)
    reports = check_files(files, cfg, scheme, registries)
    any_error = False
    for report in reports:
        errors = [i for i in report.issues if i.severity == "error"]
        warnings = [i for i in report.issues if i.severity != "error"]
        any_error |= bool(errors)
        head = ("有错误，将被退回", "red") if errors else ("通过", "green")
        console.print(
            styled(
                (str(report.path), "bold"),
                "：",
                head,
                f"（错误 {len(errors)} 个，警告 {len(warnings)} 个）",
            )
        )
        for issue in errors:
            console.print(styled("  ", ("错误", "red"), " ", issue.message))
        for issue in warnings:
            console.print(styled("  ", ("警告", "yellow"), " ", issue.message))
    raise typer.Exit(EXIT_CHECK_FAILED if any_error else EXIT_OK)


@app.command()
@guarded
def templates(
    quarter: QuarterOption,
    unit: Annotated[
        str | None, typer.Option("--unit", help="只生成该单位的模板（单位代码）")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="输出目录（默认 <输出目录>/<季度>/templates）")
    ] = None,
    appeal: Annotated[
        bool, typer.Option("--appeal", help="生成申诉表（预填本季度已公布的失分项目）")
    ] = False,
    config: ConfigOption = None,
    warehouse: Annotated[Path | None, typer.Option(help="数据仓库文件（--appeal 时读取）")] = None,
) -> None:
    """生成各单位预填的填报模板（下拉选项、输入校验，非填写区域锁定）；--appeal 生成申诉表。"""
    from firescore.publish.templates import TEMPLATES_DIR, TemplateError, write_templates

    cfg, scheme, registries, normal = _load(config, quarter)
    if appeal:
        _appeal_forms(
            cfg.with_overrides(warehouse=warehouse), scheme, registries, normal, unit, out
        )
        return
    target = out if out is not None else cfg.out / normal / TEMPLATES_DIR
    if target.exists() and not target.is_dir():
        raise _fail(f"--out 应为文件夹，但 {target} 是一个文件", EXIT_USAGE)
    try:
        paths = write_templates(scheme, registries, normal, target, unit, cfg.office)
    except TemplateError as exc:
        raise _fail(str(exc), EXIT_USAGE) from exc
    console.print(styled((f"已生成 {normal} 填报模板 {len(paths)} 个", "bold"), f"：{target}"))
    for path in paths:
        console.print(f"  {path.name}")


def _appeal_forms(cfg, scheme, registries, quarter, unit: str | None, out: Path | None) -> None:
    """Write the units' 申诉表 pre-filled from the warehouse's published ledger."""
    from firescore.appeals import AppealError, write_appeal_forms

    target = out if out is not None else cfg.out / quarter / "申诉表"
    con = _read_warehouse(cfg, quarter)
    try:
        paths = write_appeal_forms(con, scheme, registries, quarter, target, unit, cfg.office)
    except AppealError as exc:
        raise _fail(str(exc), EXIT_USAGE) from exc
    finally:
        con.close()
    console.print(styled((f"已生成 {quarter} 申诉表 {len(paths)} 个", "bold"), f"：{target}"))
    for path in paths:
        console.print(f"  {path.name}")


def _read_warehouse(cfg, quarter):
    """Open the warehouse read-only at rest (never blocking a run), or exit 2 (none yet, damaged)."""
    from firescore.warehouse.file import open_read

    if not cfg.warehouse.is_file():
        raise _fail(
            f"找不到数据仓库 {cfg.warehouse}，请先运行 firescore run --quarter {quarter}",
            EXIT_USAGE,
        )
    _say_if_run_in_progress(cfg.warehouse)
    return open_read(cfg.warehouse)


@app.command()
@guarded
def appeals(
    quarter: QuarterOption,
    config: ConfigOption = None,
    inbox: Annotated[Path | None, typer.Option(help="收件箱目录")] = None,
    out: Annotated[Path | None, typer.Option(help="输出目录")] = None,
    warehouse: Annotated[Path | None, typer.Option(help="数据仓库文件")] = None,
) -> None:
    """检查各单位的申诉表，列出申诉事项，并生成预填的申诉处理表供办公室填写处理结果。"""
    from firescore.appeals import dispute_window, read_appeals, write_rulings_workbook
    from firescore.scheme.workdays import CalendarError
    from firescore.warehouse.releases import release_of

    cfg, scheme, registries, normal = _load(config, quarter)
    cfg = cfg.with_overrides(inbox=inbox, out=out, warehouse=warehouse)
    con = _read_warehouse(cfg, normal)
    try:
        window = dispute_window(scheme, release_of(con, normal))
        forms = read_appeals(con, cfg.inbox, normal, scheme, registries, cfg.limits, window)
    except CalendarError as exc:
        raise _fail(f"{normal} 的申诉期无法计算：{exc}", EXIT_USAGE) from exc
    finally:
        con.close()
    path = write_rulings_workbook(forms, scheme, registries, normal, cfg.out / normal, cfg.office)
    disputes = [d for form in forms if form.valid for d in form.disputes]
    console.print(
        styled(
            (f"{normal} 申诉", "bold"), f"：收到申诉表 {len(forms)} 份，申诉事项 {len(disputes)} 项"
        )
    )
    console.print(
        f"  申诉期：{window.text}"
        if window is not None
        else "  申诉期：本季度征求意见稿的发布时间未记录（运行 firescore run 后记录），申诉表均予受理"
    )
    for d in disputes:
        console.print(
            f"  {d['unit_code']} {d['unit_name']}  {d['item_code']} {d['item_name']}"
            f"（失分 {d['lost']}）：{d['claim']}"
        )
    for form in forms:
        if form.late is not None:
            console.print(styled(("退回", "red"), f" {form.rel_path}：{form.late}"))
        elif not form.valid:
            console.print(styled(("退回", "red"), f" {form.rel_path}（有错误，整份不予受理）："))
        for issue in form.issues:
            console.print(f"    {'错误' if issue.severity == 'error' else '警告'} {issue.message}")
    console.print(f"  申诉处理表：{path}")


@app.command()
@guarded
def status(
    quarter: QuarterOption,
    config: ConfigOption = None,
    inbox: Annotated[Path | None, typer.Option(help="收件箱目录")] = None,
    warehouse: Annotated[Path | None, typer.Option(help="数据仓库文件（只读，可不存在）")] = None,
    now: Annotated[
        str | None, typer.Option("--now", help="以该时刻为准，如 2026-07-08 12:00（默认当前时间）")
    ] = None,
) -> None:
    """查看本季度报送情况：已报送（使用哪个版本）、逾期、被退回及原因、未报送，以及截止时间。"""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from firescore.commands.status import quarter_status
    from scoring.runner import ScoringError

    cfg, scheme, registries, normal = _load(config, quarter, inbox=inbox, warehouse=warehouse)
    tz = ZoneInfo(scheme.timezone)
    try:
        moment = datetime.fromisoformat(now) if now else datetime.now(tz)
    except ValueError as exc:
        raise _fail(f"无法识别的时间“{now}”，应如 2026-07-08 12:00", EXIT_USAGE) from exc
    moment = moment if moment.tzinfo else moment.replace(tzinfo=tz)
    _say_if_run_in_progress(cfg.warehouse)
    try:
        with console.status(f"正在检查 {normal} 收件箱…"):
            report = quarter_status(cfg, scheme, registries, normal, moment)
    except ScoringError as exc:
        raise _fail(str(exc), EXIT_USAGE) from exc
    _print_status(report)


def _say_if_run_in_progress(warehouse: Path) -> None:
    """Tell the office when a run holds the warehouse: what is read is the previous run's."""
    from firescore.warehouse.lock import run_in_progress

    holder = run_in_progress(warehouse)
    if holder is not None:
        err.print(
            styled(
                ("注意：", "bold yellow"),
                f"正在进行一次考核运行（{holder.text()}），"
                "此处读取的是上一次运行结束时的数据仓库，结果可能在本次运行结束后变化。",
            )
        )


def _print_status(report) -> None:
    """Print the quarter's submissions as the 报送情况 sheet shows them, then rejected files."""
    from firescore.commands.status import time_left_text
    from firescore.publish.columns import submission_columns, submission_values
    from firescore.publish.meta import chinese_date

    console.print(
        styled(
            (f"{report.quarter.label}（{report.quarter}）报送情况", "bold"),
            f"　截至 {report.now:%Y-%m-%d %H:%M}（{report.timezone}）",
        )
    )
    console.print(
        f"报送截止：{chinese_date(report.deadline)}（含当日）；{time_left_text(report.time_left)}"
    )
    console.print("，".join(f"{status} {count} 个" for status, count in report.counts().items()))
    styles = {"逾期报送": "yellow", "仅有退回文件": "bold red", "未报送": "bold red"}
    table = Table(header_style="bold")
    for column in submission_columns():
        numeric = column.kind in ("integer", "score")
        free = column.kind in ("text", "wrap")  # names and file names wrap; codes, times do not
        table.add_column(
            column.header,
            justify="right" if numeric else "left",
            no_wrap=not (free or numeric),
            overflow="fold",
            min_width=column.max_width // 2 if free else None,
        )
    for row in report.rows:
        cells = [_cell_text(value) for value in submission_values(row)]
        table.add_row(*cells, style=styles.get(row["status"]))
    console.print(table)
    _print_notes(report.notes)
    if report.rejected:
        console.print(styled(("退回文件", "bold"), "（有错误，整份不予采用）："))
        for item in report.rejected:
            console.print(
                f"  {item.unit_code} {item.unit_name}  {item.file_name}"
                f"（{item.received_local:%Y-%m-%d %H:%M} 收到）"
            )
            for message in item.errors:
                console.print(f"    {message}")


def _cell_text(value) -> str:
    """Return a table cell's text: times to the minute, blanks empty."""
    from datetime import datetime

    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    return str(value)


@app.command()
@guarded
def explain(
    quarter: QuarterOption,
    unit: Annotated[str, typer.Option("--unit", help="单位代码，如 JD08")],
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON（供其他系统使用）")] = False,
    since: Annotated[
        str | None,
        typer.Option("--since", help="运行编号：列出该次运行以来的变化（单元格、板块得分、总分）"),
    ] = None,
    config: ConfigOption = None,
    warehouse: Annotated[Path | None, typer.Option(help="数据仓库文件")] = None,
) -> None:
    """逐项列出一个单位的得分明细（板块 → 项目 → 得分、原因、来源单元格），合计即总分；
    加 --since 运行编号 则列出该次运行以来的变化。"""
    import json

    from firescore.commands.explain import (
        ExplainError,
        render,
        render_since,
        since_json,
        since_run,
    )
    from firescore.commands.explain import as_json as explanation_json
    from firescore.commands.explain import explain as explain_unit
    from firescore.config import ConfigError, load_config
    from firescore.scheme import SchemeError, load_scheme
    from firescore.warehouse.file import reading

    try:
        cfg = load_config(config).with_overrides(warehouse=warehouse)
        timezone = load_scheme(cfg.scheme).timezone if since is not None else None
    except (ConfigError, SchemeError) as exc:
        raise _fail(str(exc), EXIT_USAGE) from exc
    open_log(cfg.log_file)
    normal = _quarter(quarter)
    if not cfg.warehouse.is_file():
        raise _fail(
            f"找不到数据仓库 {cfg.warehouse}，请先运行 firescore run --quarter {normal}", EXIT_USAGE
        )
    _say_if_run_in_progress(cfg.warehouse)
    try:
        with reading(cfg.warehouse) as con:
            if since is not None:
                report = since_run(con, normal, unit, since, timezone)
            else:
                explanation = explain_unit(con, normal, unit)
    except ExplainError as exc:
        raise _fail(str(exc), EXIT_USAGE) from exc
    if since is not None:
        if as_json:
            typer.echo(json.dumps(since_json(report), ensure_ascii=False, indent=2))
        else:
            console.print(render_since(report))
        return
    if as_json:
        typer.echo(json.dumps(explanation_json(explanation), ensure_ascii=False, indent=2))
    else:
        console.print(render(explanation))


@app.callback(invoke_without_command=True)
def _root(
    version: Annotated[
        bool, typer.Option("--version", help="显示版本并退出", is_eager=True)
    ] = False,
) -> None:
    """firescore：消防工作季度考核"""
    if version:
        from firescore.usage import product_version

        console.print(product_version())
        raise typer.Exit(EXIT_OK)


def main() -> None:
    """Entry point: usage errors said in Chinese (exit 2); every command is guarded, so no
    traceback reaches the console (it goes to the log file)."""
    from typer._click.exceptions import NoArgsIsHelpError, UsageError

    from firescore.usage import usage_message

    for info in app.registered_commands:
        info.cls = info.cls or ChineseCommand  # every command's -h/--help explains in Chinese
    try:
        code = app(standalone_mode=False)
    except NoArgsIsHelpError as exc:
        typer.echo(exc.ctx.get_help())
        code = EXIT_USAGE
    except UsageError as exc:
        err.print(styled(("错误：", "bold red"), usage_message(exc)))
        code = EXIT_USAGE
    sys.exit(code or 0)


if __name__ == "__main__":
    main()

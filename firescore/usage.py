"""The command line's own words in Chinese: usage errors, help headings, -h and --version.

typer (with its vendored click) writes its usage errors and help headings in English with no
translation hook for most of them, so the usage errors are caught in cli.main and said here
again in Chinese from the exception's facts (which option, which command); the help headings and
the help option's text are set on typer's own classes.
"""

from __future__ import annotations

import re
from importlib.metadata import version

import typer.rich_utils
from typer._click.exceptions import (
    BadOptionUsage,
    BadParameter,
    MissingParameter,
    NoSuchOption,
    UsageError,
)
from typer.core import TyperArgument, TyperCommand, TyperGroup

HELP_OPTION_NAMES = ["-h", "--help"]
HELP_TEXT = "显示本帮助并退出"

# The headings of typer's help pages (module constants read when a help page is drawn).
typer.rich_utils.ARGUMENTS_PANEL_TITLE = "参数"
typer.rich_utils.OPTIONS_PANEL_TITLE = "选项"
typer.rich_utils.COMMANDS_PANEL_TITLE = "命令"
typer.rich_utils.ERRORS_PANEL_TITLE = "错误"
typer.rich_utils.REQUIRED_LONG_STRING = "[必填]"
typer.rich_utils.DEFAULT_STRING = "[默认：{}]"


def product_version() -> str:
    """Return the installed firescore version (the --version answer)."""
    return f"firescore {version('firescore')}"


class _ChineseHelp:
    """A command whose -h/--help option explains itself in Chinese."""

    def get_help_option(self, ctx):  # type: ignore[no-untyped-def]
        """Return the help option, its help text in Chinese."""
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_TEXT
        return option


class ChineseCommand(_ChineseHelp, TyperCommand):
    """A firescore command (help option in Chinese)."""


class ChineseGroup(_ChineseHelp, TyperGroup):
    """The firescore command group (help option in Chinese)."""


def usage_message(exc: UsageError) -> str:
    """Return a usage error as the office reads it: what is wrong and where to look."""
    command = exc.ctx.command_path if exc.ctx is not None else "firescore"
    message = exc.message or ""
    if isinstance(exc, NoSuchOption):
        known = f"；可用的选项：{'、'.join(exc.possibilities)}" if exc.possibilities else ""
        text = f"没有选项 {exc.option_name}{known}"
    elif isinstance(exc, MissingParameter):
        kind = "参数" if isinstance(exc.param, TyperArgument) else "选项"
        text = f"缺少{kind} {_param_name(exc)}"
    elif isinstance(exc, BadParameter):
        text = f"{_param_name(exc)} 的取值无效{_expected(exc)}"
    elif isinstance(exc, BadOptionUsage) and "requires an argument" in message:
        text = f"选项 {exc.option_name} 后面缺少取值"
    elif isinstance(exc, BadOptionUsage):
        text = f"选项 {exc.option_name} 的用法有误"
    elif found := re.search(r"No such command '(.*)'", message):
        names = "、".join(exc.ctx.command.list_commands(exc.ctx)) if exc.ctx else ""
        text = f"没有命令“{found.group(1)}”；可用的命令：{names}"
    elif found := re.search(r"unexpected extra argument(?:\(s\)|s)? \((.*)\)", message):
        text = f"多余的参数：{found.group(1)}"
    elif "Missing command" in message:
        text = "缺少命令"
    else:
        text = "命令的用法有误"
    return f"{text}。查看用法：{command} -h"


def _param_name(exc: BadParameter) -> str:
    """Return how the user typed the parameter: its option (--unit) or its argument name."""
    if exc.param is not None and exc.param.opts:
        return max(exc.param.opts, key=len)
    return exc.param_hint if isinstance(exc.param_hint, str) else "参数"


def _expected(exc: BadParameter) -> str:
    """Return what the parameter takes, when its type says it (a whole number)."""
    descriptor = getattr(exc.param, "type_descriptor", None)
    return "，应为整数（如 2026）" if getattr(descriptor, "annotation", None) is int else ""

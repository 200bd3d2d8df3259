"""What a person sees when a command cannot do what was asked: a Chinese message naming the fix,
SPEC.md's exit code, and never a Python traceback. Each case runs the installed command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import client_env, free_loopback_port

ROOT = Path(__file__).resolve().parent.parent
FIRESCORE = str(Path(sys.executable).with_name("firescore"))
CONFIG = ["--config", str(ROOT / "firescore.toml")]
DOWN = "down"  # PREFECT_API_URL naming a loopback port nothing listens on

# (arguments, PREFECT_API_URL, exit code, what the message must say)
CASES = [
    (["run", "--quarter", "2026Q2", *CONFIG], DOWN, 2, "无法连接 Prefect 服务"),
    (["serve", *CONFIG], None, 2, "未设置 PREFECT_API_URL"),
    (["run", "--quarter", "2027Q1", *CONFIG], None, 2, "不属于考核方案的年度 2026：请改用"),
    (["run", "--quarter", "2026Q5", *CONFIG], None, 2, "无法识别的考核季度「2026Q5」"),
    (["run", "--nope"], None, 2, "没有选项 --nope；可用的选项："),
    (["run", "--year"], None, 2, "选项 --year 后面缺少取值"),
    (["run", "--year", "abc"], None, 2, "--year 的取值无效，应为整数（如 2026）"),
    (["run", "--quarter", "2026Q2", "extra"], None, 2, "多余的参数：extra"),
    (["explain", "--quarter", "2026Q2"], None, 2, "缺少选项 --unit"),
    (["check"], None, 2, "缺少参数 files"),
    (["bogus"], None, 2, "没有命令“bogus”；可用的命令：run"),
    (["run", "-h"], None, 0, "考核季度，如 2026Q2"),
    (["-h"], None, 0, "显示本帮助并退出"),
]


@pytest.mark.parametrize(
    ("args", "api", "code", "says"), CASES, ids=[" ".join(c[0][:3]) for c in CASES]
)
def test_a_refusal_is_a_chinese_message_with_its_exit_code_and_no_traceback(args, api, code, says):
    url = f"http://127.0.0.1:{free_loopback_port()}/api" if api == DOWN else None
    done = subprocess.run(
        [FIRESCORE, *args], env=client_env(url), capture_output=True, text=True, timeout=300
    )
    assert done.returncode == code, done.stdout + done.stderr
    assert says in done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    english = ("No such option", "Missing option", "Error", "Invalid value", "Try '")
    assert not any(word in done.stderr for word in english), done.stderr
    if code == 2:
        assert any(fix in done.stderr for fix in ("查看用法", "请", "应如"))  # names the fix


def test_version_names_the_product():
    done = subprocess.run([FIRESCORE, "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert done.stdout.startswith("firescore ")

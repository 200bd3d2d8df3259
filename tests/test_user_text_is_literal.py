"""Everything a user can type or send is text to every renderer: HTML pages and the console."""

from __future__ import annotations

from datetime import date

from typer.testing import CliRunner

from firescore.cli import app
from firescore.config import load_config
from firescore.quarter import run_quarter
from tests.builders import street_file
from tests.office import ROOT, tiny_district

SCRIPT = "<script>alert(1)</script>"
MARKUP = "[/x][bold]"


def test_a_script_in_a_cell_is_escaped_in_every_data_docs_page(tmp_path):
    tasks = [["T01", SCRIPT, SCRIPT, date(2026, 6, 1), None, SCRIPT, SCRIPT]]
    district = tiny_district(tmp_path, tasks_jd02=tasks)
    run_quarter(load_config(district.config), "2026Q2")

    pages = list(district.out.rglob("*.html"))  # Data Docs and every other page of the run
    assert any("data_docs" in page.parts for page in pages)
    texts = {page: page.read_text(encoding="utf-8") for page in pages}
    assert [page for page, text in texts.items() if "<script>alert" in text] == []
    # The value is still shown, as text: the office can see what the unit typed.
    assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in text for text in texts.values())


def invoke(*args: str):
    """Run a command in-process, as the console would; return the result."""
    return CliRunner().invoke(app, list(args))


def assert_no_traceback(result) -> None:
    """The command ended with its own exit code, not an exception."""
    assert isinstance(result.exception, SystemExit | type(None)), repr(result.exception)


def test_markup_in_a_cell_is_printed_literally_by_check(tmp_path):
    path = street_file(
        tmp_path / "填报.xlsx",
        tasks=[["T01", "消防用水整治", MARKUP, date(2026, 6, 1), None, None, "报告"]],
    )
    result = invoke("check", str(path), "--config", str(ROOT / "firescore.toml"))
    assert_no_traceback(result)
    assert result.exit_code == 1
    assert f"“{MARKUP}”" in result.output


def test_markup_in_a_path_is_printed_literally_by_check(tmp_path):
    folder = tmp_path / "[" / "x]"  # the path's text contains [/x]
    path = street_file(folder / "[bold]填报.xlsx")
    result = invoke("check", str(path), "--config", str(ROOT / "firescore.toml"))
    assert_no_traceback(result)
    assert result.exit_code in (0, 1)
    assert f"{tmp_path}/[/x]/[bold]填报.xlsx" in result.output


def test_markup_in_an_argument_is_printed_literally(tmp_path):
    result = invoke("run", "--quarter", MARKUP, "--config", str(ROOT / "firescore.toml"))
    assert_no_traceback(result)
    assert result.exit_code == 2
    assert f"无法识别的考核季度「{MARKUP}」" in result.output

    district = tiny_district(tmp_path)
    run_quarter(load_config(district.config), "2026Q2")
    result = invoke(
        "explain", "--quarter", "2026Q2", "--unit", MARKUP, "--config", str(district.config)
    )
    assert_no_traceback(result)
    assert result.exit_code == 2
    assert "[/X][BOLD]" in result.output or MARKUP in result.output


def test_markup_in_a_config_key_is_printed_literally(tmp_path):
    district = tiny_district(tmp_path)
    text = district.config.read_text(encoding="utf-8")
    district.config.write_text(text + '"[/x]" = "a"\n', encoding="utf-8")
    result = invoke("templates", "--quarter", "2026Q2", "--config", str(district.config))
    assert_no_traceback(result)
    assert result.exit_code == 2
    assert "paths.[/x]" in result.output


def test_markup_in_a_scheme_key_is_printed_literally(tmp_path):
    district = tiny_district(tmp_path)
    scheme = tmp_path / "scheme.yaml"
    source = (ROOT / "data_samples" / "scheme.yaml").read_text(encoding="utf-8")
    scheme.write_text(source + '\n"[/x]": 1\n', encoding="utf-8")
    text = district.config.read_text(encoding="utf-8")
    district.config.write_text(
        text.replace(str(ROOT / "data_samples" / "scheme.yaml"), str(scheme)), encoding="utf-8"
    )
    result = invoke("templates", "--quarter", "2026Q2", "--config", str(district.config))
    assert_no_traceback(result)
    assert result.exit_code == 2
    assert "[/x]" in result.output


def test_markup_in_a_file_name_is_printed_literally_by_explain(tmp_path, monkeypatch):
    import firescore.terminal

    monkeypatch.setattr(firescore.terminal.console, "width", 300)
    district = tiny_district(tmp_path)
    source = district.inbox / "2026Q2" / "JD01" / "解放碑街道.xlsx"
    source.rename(source.with_name("[bold]解放碑街道.xlsx"))
    run_quarter(load_config(district.config), "2026Q2")
    result = invoke(
        "explain", "--quarter", "2026Q2", "--unit", "JD01", "--config", str(district.config)
    )
    assert_no_traceback(result)
    assert result.exit_code == 0
    assert "[bold]解放碑街道.xlsx" in result.output


def test_status_prints_markup_in_names_literally(tmp_path, monkeypatch):
    import firescore.terminal

    monkeypatch.setattr(firescore.terminal.console, "width", 300)
    district = tiny_district(tmp_path)
    source = district.inbox / "2026Q2" / "JD01" / "解放碑街道.xlsx"
    source.rename(source.with_name("[bold]解放碑.xlsx"))  # the file used: in the table
    result = invoke(
        "status",
        "--quarter",
        "2026Q2",
        "--config",
        str(district.config),
        "--now",
        "2030-01-01 12:00",
    )
    assert_no_traceback(result)
    assert result.exit_code == 0
    assert "[bold]解放碑.xlsx" in result.output

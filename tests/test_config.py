"""firescore.toml: the [office] section that heads every printed sheet."""

from __future__ import annotations

from pathlib import Path

import pytest

from firescore.config import ConfigError, load_config

ROOT = Path(__file__).resolve().parent.parent
PATHS = """
[paths]
scheme = "scheme.yaml"
units = "units.csv"
tasks = "tasks.csv"
history = "history"
inbox = "inbox"
out = "out"
warehouse = "out/wh.duckdb"
"""


def write(tmp_path: Path, office: str) -> Path:
    """Write a config with the given office text above the paths; return its path."""
    path = tmp_path / "firescore.toml"
    path.write_text(office + PATHS, encoding="utf-8")
    return path


def test_the_sample_config_names_the_office_and_its_attachment_label() -> None:
    config = load_config(ROOT / "firescore.toml")
    assert config.office == "渝中区消防安全委员会办公室"
    assert config.attachment == "附件1"


def test_office_section_is_optional_and_attachment_too(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, ""))
    assert (config.office, config.attachment) == ("", None)
    config = load_config(write(tmp_path, '[office]\nname = " 某区消安委办 "\n'))
    assert (config.office, config.attachment) == ("某区消安委办", None)


@pytest.mark.parametrize(
    ("office", "message"),
    [
        ('[office]\nname = ""\n', "office.name 应为一行非空文字"),
        ("[office]\nname = 3\n", "office.name 应为一行非空文字"),
        ('[office]\nname = "a\\nb"\n', "office.name 应为一行非空文字"),
        ('[office]\nattachment = "   "\n', "office.attachment 应为一行非空文字"),
        (f'[office]\nname = "{"办" * 61}"\n', "office.name 过长（61个字），应不超过60个字"),
        ('[office]\nlabel = "附件1"\n', "未知的键 office.label"),
        ('office = "渝中区"\n', "office 应为一节"),
    ],
)
def test_a_bad_office_value_is_refused_naming_the_key(
    tmp_path: Path, office: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path, office))

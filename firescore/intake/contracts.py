"""Load the sheet contracts of schemas/*.yaml: the single source of columns, types and rules."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

SCHEMAS_DIR = Path(__file__).resolve().parents[2] / "schemas"

ColumnType = Literal[
    "code", "text", "enum", "date", "datetime", "integer", "decimal", "bool", "quarter"
]
Submitter = Literal["units", "fire", "adjustments", "registry"]

# How each type is described to a person in a message ("应为：日期，如 2026-06-30").
TYPE_EXPECTED = {
    "code": "代码",
    "text": "文字",
    "enum": "下列之一",
    "date": "日期，如 2026-06-30 或 2026年6月30日",
    "datetime": "日期时间，如 2026-06-30 14:30",
    "integer": "整数",
    "decimal": "数字，如 12、0.85 或 85%",
    "bool": "是或否",
    "quarter": "考核季度，如 2026Q2 或 2026年第二季度",
}


class Column(BaseModel):
    """One column (or key/value row) of a sheet."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    field: str
    header: str
    type: ColumnType
    required: bool
    description: str
    aliases: list[str] = Field(default_factory=list)
    allowed: list[str] = Field(default_factory=list)
    synonyms: dict[str, str] = Field(default_factory=dict)
    min: float | None = None
    max: float | None = None
    pattern: str | None = None
    width: int | None = None

    def expected(self) -> str:
        """Return what a valid value looks like, in Chinese."""
        if self.type == "enum":
            return "、".join(self.allowed)
        return TYPE_EXPECTED[self.type]


class Outlier(BaseModel):
    """When a value is far outside the unit's earlier quarters (a warning, not an error)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    factor: float  # more than factor x the highest earlier value ...
    min_jump: float  # ... and higher by at least this much


class Contract(BaseModel):
    """The contract of one sheet."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sheet: str
    layout: Literal["table", "key_value"]
    table: str
    submitted_by: list[Submitter]
    required: bool
    columns: list[Column]
    unique: list[str] = Field(default_factory=list)
    key_header: str | None = None
    value_header: str | None = None
    outlier: Outlier | None = None

    def column(self, field: str) -> Column:
        """Return the column of a field."""
        return next(c for c in self.columns if c.field == field)

    @property
    def fields(self) -> list[str]:
        """Return the field names in sheet order."""
        return [c.field for c in self.columns]


@cache
def load_contracts(schemas_dir: Path = SCHEMAS_DIR) -> dict[str, Contract]:
    """Return every contract of schemas/, by sheet name."""
    contracts = {}
    for path in sorted(schemas_dir.glob("*.yaml")):
        contract = Contract.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        contracts[contract.sheet] = contract
    return contracts


def contract(sheet: str) -> Contract:
    """Return the contract of one sheet."""
    return load_contracts()[sheet]


def submission_contracts(role: Submitter) -> list[Contract]:
    """Return the sheets a submitter of this role sends, 基本信息 first."""
    found = [c for c in load_contracts().values() if role in c.submitted_by]
    return sorted(found, key=lambda c: c.layout != "key_value")

"""Load the sheet contracts of schemas/*.yaml: the single source of columns, types and rules."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

import polars as pl
import yaml
from pydantic import BaseModel, ConfigDict, Field

SCHEMAS_DIR = Path(__file__).resolve().parents[2] / "schemas"

ColumnType = Literal[
    "code", "text", "enum", "date", "datetime", "integer", "decimal", "bool", "quarter"
]
Submitter = Literal["units", "fire", "adjustments", "registry", "appeal", "ruling"]
FileFormat = Literal["xlsx", "xlsm", "xls", "csv"]

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


# The polars dtype each type is cast to: the one type map (casting, empty typed frames).
DTYPES: dict[str, pl.DataType] = {
    "code": pl.Utf8(),
    "text": pl.Utf8(),
    "enum": pl.Utf8(),
    "date": pl.Date(),
    "datetime": pl.Datetime("us"),
    "integer": pl.Int64(),
    "decimal": pl.Decimal(38, 12),
    "bool": pl.Boolean(),
    "quarter": pl.Utf8(),
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
    stored: bool = True  # False: shown in the template only, not kept in the warehouse

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
    formats: list[FileFormat] = Field(default_factory=list)  # how a submitted sheet may arrive
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

    def typed_schema(self) -> dict[str, pl.DataType]:
        """Return the columns of a typed frame of this sheet: file_id, excel_row, each field."""
        provenance = {"file_id": pl.Utf8(), "excel_row": pl.Int32()}
        return provenance | {c.field: DTYPES[c.type] for c in self.columns}


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


def sheet_of(table: str) -> str:
    """Return the sheet whose contract names ``table``: the code's handle on a sheet name."""
    return next(c.sheet for c in load_contracts().values() if c.table == table)


def submitted_tables() -> dict[str, str]:
    """Return sheet -> warehouse table of every sheet a unit, the detachment or the office sends."""
    return {
        c.sheet: c.table
        for c in load_contracts().values()
        if set(c.submitted_by) & {"units", "fire", "adjustments"}
    }


def accepted_formats() -> tuple[str, ...]:
    """Return the file formats a submission may come in (xlsx, xlsm, xls, csv), in YAML order."""
    found = [f for c in load_contracts().values() for f in c.formats]
    return tuple(dict.fromkeys(found))


def format_of(path: Path) -> str:
    """Return a file's format by its suffix: an accepted format, or unknown."""
    suffix = path.suffix.lower().lstrip(".")
    return suffix if suffix in accepted_formats() else "unknown"


def suffixes_text(formats: tuple[str, ...]) -> str:
    """Return formats as a person reads them in a message: .xlsx、.xlsm、.xls."""
    return "、".join(f".{f}" for f in formats)


def submission_contracts(role: Submitter) -> list[Contract]:
    """Return the sheets a submitter of this role sends, 基本信息 first."""
    found = [c for c in load_contracts().values() if role in c.submitted_by]
    return sorted(found, key=lambda c: c.layout != "key_value")


# The sheets by their role in the code; their Chinese names live in schemas/*.yaml only.
BASIC_SHEET = sheet_of("raw_basic_info")  # 基本信息
TASK_SHEET = sheet_of("raw_task_rows")  # 任务进展
INDICATOR_SHEET = sheet_of("raw_indicator_rows")  # 工作指标
FIRE_SHEET = sheet_of("raw_fire_rows")  # 火灾情况
ADJUSTMENT_SHEET = sheet_of("raw_adjustment_rows")  # 加减分
UNITS_SHEET = sheet_of("units")  # 单位名册
TASKS_SHEET = sheet_of("tasks")  # 任务分解表
RECEIPT_SHEET = sheet_of("receipt_log")  # 收件登记

WORKBOOK_FORMATS = tuple(f for f in accepted_formats() if f != "csv")  # read as workbooks

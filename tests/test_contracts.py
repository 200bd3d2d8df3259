"""The contracts (schemas/*.yaml) are the single source: the warehouse tables agree with them."""

from pathlib import Path

import duckdb
import pytest

from firescore.intake.contracts import (
    DTYPES,
    FIRE_SHEET,
    WORKBOOK_FORMATS,
    accepted_formats,
    contract,
    format_of,
    load_contracts,
    sheet_of,
    submitted_tables,
)

DDL = Path(__file__).resolve().parents[1] / "firescore" / "warehouse" / "schema.sql"

# How the warehouse stores each contract type (DuckDB); integers fit INTEGER by their ranges.
SQL_TYPES = {
    "code": "VARCHAR",
    "text": "VARCHAR",
    "enum": "VARCHAR",
    "quarter": "VARCHAR",
    "date": "DATE",
    "datetime": "TIMESTAMP",
    "integer": "INTEGER",
    "decimal": "DECIMAL(38,12)",
    "bool": "BOOLEAN",
}


@pytest.fixture(scope="module")
def warehouse():
    con = duckdb.connect()
    con.execute(DDL.read_text(encoding="utf-8"))
    return con


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    """Return (name, type) of a warehouse table's columns, in order."""
    return [(r[0], r[1]) for r in con.execute(f"DESCRIBE {table}").fetchall()]


def _stored(sheet: str) -> list[tuple[str, str]]:
    """Return (field, SQL type) of the columns of a sheet that the warehouse keeps."""
    return [(c.field, SQL_TYPES[c.type]) for c in contract(sheet).columns if c.stored]


@pytest.mark.parametrize("sheet", sorted(submitted_tables()))
def test_each_raw_table_has_exactly_its_contracts_stored_columns(warehouse, sheet):
    spec = contract(sheet)
    provenance = [("sha256", "VARCHAR")]
    if spec.layout == "table":
        provenance.append(("excel_row", "INTEGER"))
    assert _columns(warehouse, spec.table) == provenance + _stored(sheet)


def test_history_fires_have_the_fire_contracts_columns(warehouse):
    provenance = [("source_file", "VARCHAR"), ("excel_row", "INTEGER")]
    assert _columns(warehouse, "history_fires") == provenance + _stored(FIRE_SHEET)


def test_every_contract_names_its_own_table_and_every_type_has_a_dtype():
    contracts = load_contracts().values()
    assert len({c.table for c in contracts}) == len(contracts)
    assert all(sheet_of(c.table) == c.sheet for c in contracts)
    assert {col.type for c in contracts for col in c.columns} <= set(DTYPES)


def test_every_submitted_sheet_arrives_in_the_same_file_formats():
    submitted = [contract(sheet) for sheet in submitted_tables()]
    assert {tuple(c.formats) for c in submitted} == {accepted_formats()}
    assert accepted_formats() == ("xlsx", "xlsm", "xls", "csv")
    assert WORKBOOK_FORMATS == ("xlsx", "xlsm", "xls")
    assert format_of(Path("二季度.XLSX")) == "xlsx" and format_of(Path("a.pdf")) == "unknown"

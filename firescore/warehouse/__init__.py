"""The DuckDB warehouse: connection (single writer), DDL, raw loads with provenance."""

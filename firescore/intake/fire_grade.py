"""火灾等级 derived from a fire's figures by the scheme's grade table: the one place for it.

A 火灾情况 row may leave 火灾等级 blank (then it is derived) or give it (then rule
32_fire_grade_mismatch checks it against the derived one); the warehouse keeps the given
grade, else the derived one. The typed 火灾情况 frame carries the derived grade beside the
contract's columns until it is stored.
"""

from __future__ import annotations

import polars as pl

from firescore.scheme import Scheme

DERIVED = "derived_grade"  # the extra column, as rule 32_fire_grade_mismatch.sql names it
DERIVED_SCHEMA = {DERIVED: pl.Utf8()}


def with_derived_grade(fires: pl.DataFrame, scheme: Scheme) -> pl.DataFrame:
    """Return the typed 火灾情况 rows with the grade the scheme's table gives their figures."""
    derived = [
        scheme.fire_grade(r["deaths"], r["injuries"], r["loss"], r["fire_time"].date())
        if None not in (r["deaths"], r["injuries"], r["loss"], r["fire_time"])
        else None
        for r in fires.iter_rows(named=True)
    ]
    return fires.with_columns(pl.Series(DERIVED, derived, dtype=pl.Utf8))


def contract_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """Return a typed frame without the derived grade (the contract's columns only)."""
    return frame.drop(DERIVED, strict=False)


def as_stored(frame: pl.DataFrame) -> pl.DataFrame:
    """Return typed rows as the warehouse keeps them: a blank grade filled by the derived one."""
    if DERIVED not in frame.columns:
        return frame
    return contract_columns(frame.with_columns(pl.coalesce("grade", DERIVED).alias("grade")))

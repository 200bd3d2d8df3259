"""The assessment scheme (考核方案): scheme.yaml -> pydantic Scheme -> scheme_* tables.

model.py holds the shape and the rule look-ups, load.py reads the file (Chinese errors),
calendar.py the quarter, tables.py the projection into SQL, describe.py the scheme in words.
"""

from firescore.scheme.calendar import QUARTER_NUMERALS, Quarter, QuarterError, year_quarters
from firescore.scheme.describe import describe_scheme
from firescore.scheme.load import SchemeError, load_scheme
from firescore.scheme.model import BLOCKS, GROUPS, ROLES, Scheme
from firescore.scheme.tables import load_scheme_tables

__all__ = [
    "BLOCKS",
    "GROUPS",
    "QUARTER_NUMERALS",
    "ROLES",
    "Quarter",
    "QuarterError",
    "Scheme",
    "SchemeError",
    "describe_scheme",
    "load_scheme",
    "load_scheme_tables",
    "year_quarters",
]

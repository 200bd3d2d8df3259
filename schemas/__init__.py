"""Sheet contracts as data: one YAML file per sheet (see firescore/contracts.py)."""

"""Sheet contracts as data: one YAML file per sheet (see firescore/intake/contracts.py)."""

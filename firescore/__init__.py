"""firescore: quarterly fire-safety work assessment for 消安委办."""

__version__ = "0.1.0"

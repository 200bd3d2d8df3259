"""Scoring: SQL stages over the warehouse, run in order by a thin runner."""

from scoring.runner import ScoringError, run_scoring

__all__ = ["ScoringError", "run_scoring"]

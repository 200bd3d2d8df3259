"""Prefect flows: wiring only; the logic lives in plain functions of firescore/ and scoring/."""

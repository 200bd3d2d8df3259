"""Read-only commands for the office and the units: check a file, inbox status, explain a unit's score."""

"""Intake: discover the inbox, read and cast each file, check it against its contract and the rules."""

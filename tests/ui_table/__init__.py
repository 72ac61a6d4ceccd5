"""Tests of the lazily loaded CDR table."""

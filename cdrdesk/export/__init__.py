"""Exports of CDR listings to NDJSON, JSON, CSV and XLSX, and the headless ``cdrdesk export``.

Free of Qt: the window's export dialog drives the same writers.
"""

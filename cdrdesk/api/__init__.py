"""The CDR list API: filter table, queries, client and records. Free of Qt."""

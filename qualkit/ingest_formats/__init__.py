"""Readers of transcript files, one module per family of formats; `qualkit.ingest` picks one."""

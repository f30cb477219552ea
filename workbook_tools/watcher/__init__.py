"""The watcher service: folder events → :func:`workbook_tools.ingest.ingest_bytes`, and the treasurer's outbox.

How to run it as a system service (unit file, example configuration) is in the repository's
top-level ``watcher/`` folder, which holds deployment files only.
"""

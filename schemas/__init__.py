"""Data and schemas of cahier: the chart of accounts (``chart.toml``) and the pandera line schema.

Installed as ``workbook_tools.schemas`` (see pyproject.toml), so that no generic
top-level ``schemas`` package is ever put on a user's path.
"""

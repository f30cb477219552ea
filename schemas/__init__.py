"""Data of cahier: the chart of accounts (``chart.toml``) and the banks' CSV layouts (``banques.toml``, issue 17).
No code lives here.

Shipped as the data package ``workbook_tools.schemas`` (see pyproject.toml), so that the
installed tool finds its chart without the source tree and no generic top-level ``schemas``
package is ever put on a user's path. The pandera rules are in ``workbook_tools/rules.py``.
"""

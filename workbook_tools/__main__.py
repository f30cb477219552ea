"""``python -m workbook_tools`` is the ``cahier`` command."""

from workbook_tools.cli import run

run()

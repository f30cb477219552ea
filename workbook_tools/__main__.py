"""``python -m workbook_tools`` is the ``cahier`` command."""

from workbook_tools.cli import main

main(prog_name="cahier")

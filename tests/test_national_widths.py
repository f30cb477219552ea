"""The department's totals show whole on paper at national scale: a column sized for one cooperative showed « ### »
for the Produits' 115 million euros (a treasurer's trial on 10,000 cooperatives). Real LibreOffice prints the
workbook; the PDF's text must hold every total and no « ### »."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from workbook_tools.consolidation import consolidate
from workbook_tools.consolidation_workbook import write_consolidation_workbook
from workbook_tools.libreoffice import convert
from workbook_tools.model import Annexes, Report, Totals
from workbook_tools.store import Store
from workbook_tools.xlsx import money_width


def test_money_width_grows_with_the_amount() -> None:
    assert money_width(123_45) < money_width(123_456_789_00) < money_width(123_456_789_00, bold=True)
    assert money_width(-5_00) > money_width(5_00)


@pytest.mark.libreoffice
def test_national_totals_print_whole(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "depot"))
    big = 23_049_070_000  # 230 million euros a cooperative: 461 million for the department
    for i in (1, 2):
        totals = Totals(
            chapitres={"6070": big, "7080": big + 5_00}, charges=big, produits=big + 5_00, report_banque=big
        )
        report = Report("cahier.xlsx", f"6900{i}", "2025-2026", [], totals,
                        annexes=Annexes(parametres={"coop_nom": f"École {i}"}))  # fmt: skip
        store.submit(f"6900{i}", "cahier.xlsx", b"cahier %d" % i, report)
    path = write_consolidation_workbook(consolidate(store), tmp_path / "c.xlsx")
    pdf = convert(path, "pdf", tmp_path / "pdf")
    printed = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    assert "###" not in printed.stdout
    sep = "[ ,.\u202f\xa0]?"  # LibreOffice prints in its own locale: « 461,981,400.00 » or « 461 981 400,00 »
    for total in ("460", "981", "400"), ("460", "981", "410"):  # charges, produits of the department
        assert re.search(sep.join(total) + "[.,]00", printed.stdout), total

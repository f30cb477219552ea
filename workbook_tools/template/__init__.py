"""Write the cahier template (``templates/cahier.xlsx``) with xlsxwriter.

Everything comes from :mod:`workbook_tools.layout` (where things are) and the
chart of accounts (which chapter columns). The output is byte-stable for the
same inputs: the document date is fixed and xlsxwriter stamps zip members with
a fixed date.

The CRF sheet recomputes, with plain spreadsheet formulas, the same figures as
:class:`workbook_tools.model.Totals`; each key figure cell carries a defined name
(see :func:`crf_names`) so that tests can compare LibreOffice's results with the
tool's, to the cent."""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from workbook_tools import layout as L
from workbook_tools.chart import Chart, default_chart
from workbook_tools.exercice import ExerciceError
from workbook_tools.exercice import normalise as check_exercice
from workbook_tools.template.annexes import (
    write_caisse,
    write_cra,
    write_inventaire,
    write_listes,
    write_subventions,
)
from workbook_tools.template.attente import write_attente
from workbook_tools.template.common import (
    CREATED,
    JournalGeometry,
    Styles,
    crf_names,
    journal_headers,
)
from workbook_tools.template.crf_sheet import write_crf
from workbook_tools.template.instructions import write_guide
from workbook_tools.template.journal import write_journal, write_params

# ---------------------------------------------------------------------------
# Public entry point


def write_template(path: Path, *, exercice: str | None = None, chart: Chart | None = None) -> Path:
    """Write the cahier template to ``path`` and return it. ``exercice`` (``2025-2026``) fills Paramètres."""
    chart = chart or default_chart()
    if exercice is not None:
        exercice = check_exercice(exercice)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    geo = JournalGeometry(tuple(chart.chapitres))

    wb = xlsxwriter.Workbook(
        str(path),
        {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    wb.set_properties(
        {
            "title": "Cahier de comptes de la coopérative scolaire",
            "subject": f"Modèle de cahier, version {L.TEMPLATE_VERSION}",
            "author": "cahier",
            "company": "OCCE",
            "keywords": "cahier, coopérative scolaire, OCCE, comptabilité",
            "comments": "Généré par « cahier template ». Remplir les cellules blanches.",
            "created": CREATED,
        }
    )
    wb.set_custom_property(L.VERSION_NAME, L.TEMPLATE_VERSION)
    wb.define_name(L.VERSION_NAME, f"={L.TEMPLATE_VERSION}")
    wb.set_calc_mode("auto")
    st = Styles(wb)

    sheets = {name: wb.add_worksheet(name) for name in L.SHEETS}
    write_guide(sheets[L.SHEET_GUIDE], st, chart)
    write_params(wb, sheets[L.SHEET_PARAMS], st, exercice)
    write_journal(sheets[L.SHEET_JOURNAL], st, geo)
    write_attente(wb, sheets[L.SHEET_ATTENTE], st)
    write_inventaire(wb, sheets[L.SHEET_INVENTAIRE], st)
    write_subventions(wb, sheets[L.SHEET_SUBVENTIONS], st)
    write_caisse(wb, sheets[L.SHEET_CAISSE], st)
    write_cra(wb, sheets[L.SHEET_CRA], st, geo)
    write_crf(wb, sheets[L.SHEET_CRF], st, chart, geo)
    write_listes(wb, sheets[L.SHEET_LISTES], st, chart)
    sheets[L.SHEET_GUIDE].activate()
    wb.close()
    if exercice is not None:  # the cached results were computed for empty Paramètres: LibreOffice would show them
        from workbook_tools.nouvel_exercice import drop_cached_results_in

        drop_cached_results_in(path)
    return path


__all__ = ["ExerciceError", "check_exercice", "crf_names", "journal_headers", "write_template"]

"""The department's consolidated workbook (xlsxwriter), from a :class:`~workbook_tools.consolidation.Consolidation`.

Sheets: « Synthèse », « Coopératives », « Évolution » (last year beside this year, when the store holds last year's
accepted figures), « Charges » and « Produits » (chapter × cooperative), « Alertes », « Manquantes »; filters, frozen headers, native charts, A4 print set-up: each sheet
one page wide and legible, but « Coopératives » (18 columns), three pages wide with the number and
name of each cooperative repeated on every page; rows of wrapped text sized to their text.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from xlsxwriter.utility import xl_col_to_name

from workbook_tools.bilan import exercice_of
from workbook_tools.consolidation import Consolidation, consolidate
from workbook_tools.files import atomic_path
from workbook_tools.store import Store
from workbook_tools.store.standing import Status
from workbook_tools.text import count
from workbook_tools.xlsx import (
    Formats,
    a4,
    chapter_bar_chart,
    date,
    fit_row,
    formula_money,
    fr_datetime,
    local_date,
    merged_text,
    money,
    new_workbook,
    text,
)


def write_consolidation(
    store: Store,
    path: str | os.PathLike[str],
    *,
    roster: Iterable[tuple[str, str | None]] | str | os.PathLike[str] | None = None,
    exercice: str | None = None,
) -> Path:
    """Consolidate the store (see :func:`consolidate`) and write the workbook to ``path``, complete or not at all."""
    return write_consolidation_workbook(consolidate(store, exercice, roster=roster), path)


def write_consolidation_workbook(c: Consolidation, path: str | os.PathLike[str]) -> Path:
    target = Path(path)
    with atomic_path(target) as tmp:
        wb = new_workbook(tmp, f"Consolidation départementale {c.exercice}")
        _Workbook(wb, c).write()
        wb.close()
    return target


class _Workbook:
    def __init__(self, wb: Any, c: Consolidation) -> None:
        self.wb, self.c, self.f = wb, c, Formats(wb)
        self.header = f"Consolidation départementale — exercice {c.exercice}"
        # with last year's figures, the Synthèse has two more columns: N−1 and the variation
        self.widths = _SYNTHESE_WIDTHS_N1 if c.has_precedent else _SYNTHESE_WIDTHS
        self.last = len(self.widths) - 1

    def write(self) -> None:
        self.synthese()
        self.cooperatives()
        if self.c.has_precedent:
            self.evolution()
        self.matrix("Charges", "charge")
        self.matrix("Produits", "produit")
        self.alertes()
        self.manquantes()

    def sheet(self, name: str, widths: list[float], *, landscape: bool = True) -> Any:
        ws = self.wb.add_worksheet(name)
        for i, w in enumerate(widths):
            ws.set_column(i, i, w)
        a4(ws, self.header, landscape=landscape)
        if landscape:  # the wide tables: narrow margins, so that fit to the width they still print at 8 pt
            ws.set_margins(left=0.3, right=0.3, top=0.7, bottom=0.6)
        return ws

    def table_header(self, ws: Any, row: int, labels: list[str], last_row: int) -> None:
        """Header row with filters, frozen, repeated on each printed page."""
        for col, label in enumerate(labels):
            ws.write_string(row, col, label, self.f.header)
        ws.set_row(row, 44)
        ws.autofilter(row, 0, max(last_row, row), len(labels) - 1)
        ws.freeze_panes(row + 1, 2)
        ws.repeat_rows(row)

    # ------------------------------------------------------------------ synthèse

    def synthese(self) -> None:
        ws = self.sheet("Synthèse", self.widths, landscape=False)
        totals = self.c.totals()
        self.synthese_title(ws)
        row, status_first, status_last = self.synthese_counts(ws, 5)
        row = self.synthese_totals(ws, row + 2, totals)
        row, first, last = self.synthese_chapters(ws, row + 1, totals)
        self.synthese_charts(ws, row + 2, (first, last), (status_first, status_last))

    def synthese_title(self, ws: Any) -> None:
        c, f = self.c, self.f
        merged_text(ws, 0, 0, self.last, f"Consolidation départementale — exercice {c.exercice}", f.title)
        ws.set_row(0, 22)
        exercice = exercice_of(c.exercice)
        start, end = exercice.start, exercice.end
        lines = (
            f"Dépôt : {c.store} — établie le {fr_datetime(c.generated_at)}",
            f"Exercice du {start:%d/%m/%Y} au {end:%d/%m/%Y} ; comptes-rendus attendus avant le "
            f"{exercice.deadline:%d/%m/%Y}" + (" ; liste des coopératives fournie" if c.roster else ""),
            (
                f"Exercice précédent ({c.exercice_precedent}) : chiffres des versions acceptées, colonnes "
                f"« {c.exercice_precedent} » et « Variation » et feuille « Évolution »."
                if c.has_precedent
                else f"Exercice précédent ({c.exercice_precedent}) : aucune version acceptée dans le dépôt, pas de "
                "comparaison."
            ),
        )
        for row, line in enumerate(lines, start=1):
            merged_text(ws, row, 0, self.last, line, f.subtitle)
            fit_row(ws, row, [(line, sum(self.widths))])

    def synthese_counts(self, ws: Any, row: int) -> tuple[int, int, int]:
        """Cooperatives by status, their total and the alerts → (last row written, first and last status rows)."""
        c, f = self.c, self.f
        merged_text(ws, row, 0, self.last, "Coopératives", f.section)
        row += 1
        status_first = row
        for status, n in c.counts().items():
            merged_text(ws, row, 0, 2, status.fr.capitalize(), f.text)
            ws.write_number(row, 3, n, f.number)
            row += 1
        status_last = row - 1
        merged_text(ws, row, 0, 2, "Total", f.label_bold)
        ws.write_formula(row, 3, f"=SUM(D{status_first + 1}:D{status_last + 1})", f.number_bold, len(c.rows))
        row += 1
        merged_text(ws, row, 0, 2, "Alertes", f.text)
        ws.write_number(row, 3, len(c.alerts), f.number)
        return row, status_first, status_last

    def synthese_totals(self, ws: Any, row: int, totals: dict[str, Any]) -> int:
        """The department's totals of accepted versions (with last year's and the variation) → the row after them."""
        c, f = self.c, self.f
        merged_text(ws, row, 0, self.last, "Totaux du département (versions acceptées)", f.section)
        row += 1
        before = totals["precedent"]
        if c.has_precedent:
            merged_text(ws, row, 0, 2, "", f.plain)
            n = f"{c.exercice}\n({count(totals['statuts'][Status.ACCEPTED] + totals['statuts'][Status.REFUSED_NEWER], 'coop.', 'coop.')})"
            n1 = f"{c.exercice_precedent}\n({count(before['cooperatives'], 'coop.', 'coop.')})"
            for col, label in ((3, n), (4, n1), (5, "Variation")):
                ws.write_string(row, col, label, f.header)
            ws.set_row(row, 27)
            row += 1
        for label, key in (
            ("Report à nouveau au 1er septembre (banque + caisse)", "ouverture"),
            ("Total des produits", "produits"),
            ("Total des charges", "charges"),
            ("Résultat (produits − charges)", "resultat"),
            ("Disponible au 31 août (banque + caisse)", "cloture"),
        ):
            merged_text(ws, row, 0, 2, label, f.text)
            money(ws, row, 3, totals[key], f.money)
            if c.has_precedent:
                money(ws, row, 4, before[key], f.money)
                formula_money(ws, row, 5, f"=D{row + 1}-E{row + 1}", totals["variation"][key], f.money)
            row += 1
        return row

    def synthese_chapters(self, ws: Any, row: int, totals: dict[str, Any]) -> tuple[int, int, int]:
        """Charges and produits by chapter, with their totals (and last year's: columns E and F) → (totals row, first
        and last chapter rows)."""
        c, f = self.c, self.f
        merged_text(ws, row, 0, self.last, "Totaux par chapitre", f.section)
        row += 1
        labels = ["Chapitre", "Libellé", "Charges", "Produits"]
        if c.has_precedent:
            this, before = c.exercice, c.exercice_precedent
            labels = [*labels[:2], f"Charges\n{this}", f"Produits\n{this}", f"Charges\n{before}", f"Produits\n{before}"]
            ws.set_row(row, 27)
        for col, label in enumerate(labels):
            ws.write_string(row, col, label, f.header)
        row += 1
        first = row
        previous = totals["precedent"]["chapitres"]
        for code, libelle, sens in c.chapitres:
            ws.write_string(row, 0, code, f.code)
            text(ws, row, 1, libelle, f.text)
            amount = totals["chapitres"].get(code, 0)
            money(ws, row, 2, amount if sens == "charge" else None, f.money)
            money(ws, row, 3, None if sens == "charge" else amount, f.money)
            if c.has_precedent:
                money(ws, row, 4, previous.get(code, 0) if sens == "charge" else None, f.money)
                money(ws, row, 5, None if sens == "charge" else previous.get(code, 0), f.money)
            row += 1
        last = row - 1
        merged_text(ws, row, 0, 1, "Totaux", f.label_bold)
        sums = [totals["charges"], totals["produits"]]
        if c.has_precedent:
            sums += [totals["precedent"]["charges"], totals["precedent"]["produits"]]
        for col, cents in enumerate(sums, start=2):
            letter = _col(col)
            formula_money(ws, row, col, f"=SUM({letter}{first + 1}:{letter}{last + 1})", cents, f.money_bold)
        return row, first, last

    def synthese_charts(self, ws: Any, row: int, chapters: tuple[int, int], statuses: tuple[int, int]) -> None:
        """The bar chart of chapters at ``row`` and the pie of statuses below it, together on the second printed page
        (the figures fill the first): never a chart cut in two."""
        first, last = chapters
        title = "Charges et produits du département par chapitre"
        width = round(7 * sum(self.widths) + 5 * len(self.widths)) - 8  # the table's, in pixels
        chart = chapter_bar_chart(self.wb, "Synthèse", first, last, title, width=width)
        ws.set_h_pagebreaks([row])
        ws.insert_chart(row, 0, chart, {"x_offset": 4, "y_offset": 4})

        status_first, status_last = statuses
        pie = self.wb.add_chart({"type": "pie"})
        pie.add_series(
            {
                "name": "Coopératives",
                "categories": ["Synthèse", status_first, 0, status_last, 0],
                "values": ["Synthèse", status_first, 3, status_last, 3],
                "data_labels": {"value": True},
                "points": [{"fill": {"color": colour}} for colour in ("#70AD47", "#FFC000", "#C00000", "#A5A5A5")],
            }
        )
        pie.set_title({"name": "Coopératives par statut", "name_font": {"size": 11}})
        pie.set_legend({"position": "right"})
        pie.set_size({"width": width, "height": 260})
        ws.insert_chart(row + 21, 0, pie, {"x_offset": 4, "y_offset": 4})

    # ------------------------------------------------------------------ one row per cooperative

    def cooperatives(self) -> None:
        c, f = self.c, self.f
        labels = [
            "N°", "Nom", "Statut", "Version du", "Fichier", "En retard", "Version refusée le", "Report à nouveau",
            "Produits", "Charges", "Résultat", "Disponible au 31/08", "dont banque", "dont caisse",
            "Relevé au 31/08", "Avertissements", "Alertes",
        ]  # fmt: skip
        if c.roster:
            labels.append("Dans la liste")
        widths = [7, 24, 16, 10.5, 22, 7, 10.5, *[12.5] * 8, 12.5, 8, 8]
        ws = self.sheet("Coopératives", widths)
        self.table_header(ws, 0, labels, len(c.rows))
        ws.fit_to_pages(3, 0)  # too wide for one legible page: three, each with the number and the name
        ws.repeat_columns(0, 1)
        ws.print_across()  # the three pages of the same cooperatives follow each other
        for row, r in enumerate(c.rows, start=1):
            fig = c.figures(r)
            text(ws, row, 0, r.coop, f.code)
            text(ws, row, 1, r.nom, f.wrap)
            ws.write_string(row, 2, r.status_fr, f.wrap)
            date(ws, row, 3, local_date(r.received_at), f.date)
            text(ws, row, 4, r.filename, f.wrap)
            text(ws, row, 5, "oui" if r.late else ("non" if r.has_figures else None), f.code)
            date(ws, row, 6, local_date(r.refused_at), f.date)
            for col, key in enumerate(("ouverture", "produits", "charges", "resultat", "cloture"), start=7):
                money(ws, row, col, fig[key], f.money)
            money(ws, row, 12, r.banque_fin, f.money)
            money(ws, row, 13, r.caisse_fin, f.money)
            money(ws, row, 14, r.releve_31_08, f.money)
            if r.has_figures:
                ws.write_number(row, 15, r.warnings, f.number)
            else:
                ws.write_blank(row, 15, None, f.number)
            ws.write_number(row, 16, len(r.alerts), f.number)
            if c.roster:
                ws.write_string(row, 17, "oui" if r.in_roster else "non", f.code)
            fit_row(ws, row, [(r.nom, widths[1]), (r.status_fr, widths[2]), (r.filename, widths[4])])
        last = len(c.rows)
        if last:
            ws.conditional_format(1, 10, last, 10, {"type": "cell", "criteria": "<", "value": 0, "format": f.red_font})
            ws.conditional_format(1, 12, last, 13, {"type": "cell", "criteria": "<", "value": 0, "format": f.red_font})
            ws.conditional_format(1, 16, last, 16, {"type": "cell", "criteria": ">", "value": 0, "format": f.red_fill})

    def evolution(self) -> None:
        """Last year beside this year, one row per cooperative, then the department: produits, charges, résultat and
        disponible au 31 août of both exercices, and how the disponible changed."""
        c, f = self.c, self.f
        this, before = c.exercice, c.exercice_precedent
        pairs = (
            ("Produits", "produits"),
            ("Charges", "charges"),
            ("Résultat", "resultat"),
            ("Disponible au 31/08", "cloture"),
        )
        labels = ["N°", "Nom", f"Statut\n{this}"]
        for label, _ in pairs:
            labels += [f"{label}\n{before}", f"{label}\n{this}"]
        labels.append("Variation du disponible")
        widths = [7, 22, 13, *[11.5] * (len(labels) - 3)]
        ws = self.sheet("Évolution", widths)
        self.table_header(ws, 0, labels, len(c.rows))
        for row, r in enumerate(c.rows, start=1):
            now, then = c.figures(r), c.figures_precedent(r)
            text(ws, row, 0, r.coop, f.code)
            text(ws, row, 1, r.nom, f.wrap)
            ws.write_string(row, 2, r.status_fr, f.wrap)
            col = 3
            for _, key in pairs:
                money(ws, row, col, then[key], f.money)
                money(ws, row, col + 1, now[key], f.money)
                col += 2
            change = c.variation(r)["cloture"]
            if change is None:
                ws.write_blank(row, col, None, f.money)
            else:
                formula_money(ws, row, col, f"={_col(col - 1)}{row + 1}-{_col(col - 2)}{row + 1}", change, f.money)
            fit_row(ws, row, [(r.nom, widths[1]), (r.status_fr, widths[2])])
        total_row = len(c.rows) + 1
        totals = c.totals()
        ws.write_string(total_row, 0, "Total", f.label_bold)
        ws.write_string(total_row, 1, "Département", f.label_bold)
        ws.write_blank(total_row, 2, None, f.label_bold)
        col = 3
        for _, key in pairs:
            for cents in (totals["precedent"][key], totals[key]):
                letter = _col(col)
                formula_money(ws, total_row, col, f"=SUBTOTAL(9,{letter}2:{letter}{total_row})", cents, f.money_bold)
                col += 1
        formula_money(
            ws, total_row, col, f"={_col(col - 1)}{total_row + 1}-{_col(col - 2)}{total_row + 1}",
            totals["variation"]["cloture"], f.money_bold,
        )  # fmt: skip
        last = len(c.rows)
        if last:
            ws.conditional_format(
                1, 3, total_row, col, {"type": "cell", "criteria": "<", "value": 0, "format": f.red_font}
            )
        note = (
            f"Variation du disponible : disponible au 31 août {this} − disponible au 31 août {before}. Les colonnes "
            f"{before} sont celles des versions acceptées de l'an dernier ; une coopérative sans version acceptée "
            "pour un exercice y a des cases vides. Le total du département additionne, pour chaque exercice, les "
            "coopératives qui en ont des chiffres."
        )
        merged_text(ws, total_row + 2, 0, len(labels) - 1, note, f.note_wrap)
        fit_row(ws, total_row + 2, [(note, sum(widths))])

    def matrix(self, name: str, sens: str) -> None:
        """Chapter × cooperative: one row per cooperative with accepted figures, one column per chapter."""
        c, f = self.c, self.f
        chapters = [(code, lib) for code, lib, s in c.chapitres if s == sens]
        rows = [r for r in c.rows if r.has_figures]
        labels = ["N°", "Nom", *[f"{code} {lib}" for code, lib in chapters], f"Total des {name.lower()}"]
        ws = self.sheet(name, [7, 22, *[12] * len(chapters), 13])
        self.table_header(ws, 0, labels, len(rows))  # the total row stays out of the filter
        for row, r in enumerate(rows, start=1):
            text(ws, row, 0, r.coop, f.code)
            text(ws, row, 1, r.nom, f.wrap)
            fit_row(ws, row, [(r.nom, 22)])
            for col, (code, _) in enumerate(chapters, start=2):
                money(ws, row, col, r.chapitres.get(code, 0), f.money)
            total = sum(r.chapitres.get(code, 0) for code, _ in chapters)
            last_col = len(chapters) + 1
            formula_money(ws, row, last_col + 1, f"=SUM(C{row + 1}:{_col(last_col)}{row + 1})", total, f.money_bold)
        total_row = len(rows) + 1
        ws.write_string(total_row, 0, "Total", f.label_bold)
        ws.write_string(total_row, 1, "Département", f.label_bold)
        for col in range(2, len(chapters) + 3):
            amount = (
                sum(r.chapitres.get(chapters[col - 2][0], 0) for r in rows)
                if col - 2 < len(chapters)
                else sum(r.chapitres.get(code, 0) for r in rows for code, _ in chapters)
            )
            letter = _col(col)
            formula_money(ws, total_row, col, f"=SUBTOTAL(9,{letter}2:{letter}{total_row})", amount, f.money_bold)

    # ------------------------------------------------------------------ alerts, missing

    def alertes(self) -> None:
        c, f = self.c, self.f
        widths: list[float] = [7, 20, 28, 24, 44]
        ws = self.sheet("Alertes", widths)
        alerts = c.alerts
        self.table_header(ws, 0, ["N°", "Nom", "Alerte", "Code", "Détail"], len(alerts))
        names = {r.coop: r.nom for r in c.rows}
        for row, a in enumerate(alerts, start=1):
            text(ws, row, 0, a.coop, f.code)
            text(ws, row, 1, names.get(a.coop), f.wrap)
            ws.write_string(row, 2, a.titre, f.wrap)
            ws.write_string(row, 3, a.code, f.text)
            text(ws, row, 4, a.message, f.wrap)
            fit_row(ws, row, [(names.get(a.coop), widths[1]), (a.titre, widths[2]), (a.message, widths[4])])
        if not alerts:
            ws.write_string(1, 0, "Aucune alerte.", f.plain)

    def manquantes(self) -> None:
        c, f = self.c, self.f
        ws = self.sheet("Manquantes", [7, 26, 44], landscape=False)
        missing = [r for r in c.rows if r.status in (Status.MISSING, Status.REFUSED)]
        self.table_header(ws, 0, ["N°", "Nom", "Situation"], len(missing))
        for row, r in enumerate(missing, start=1):
            text(ws, row, 0, r.coop, f.code)
            text(ws, row, 1, r.nom, f.wrap)
            situation = r.alerts[0].message if r.alerts else r.status_fr
            ws.write_string(row, 2, situation, f.wrap)
            fit_row(ws, row, [(r.nom, 26), (situation, 44)])
        if not missing:
            note = "Aucune coopérative manquante." if c.roster else "Aucune (sans liste des coopératives attendues)."
            ws.write_string(1, 0, note, f.plain)


_SYNTHESE_WIDTHS: list[float] = [8, 40, 15, 15]
_SYNTHESE_WIDTHS_N1: list[float] = [8, 31, 13, 13, 13, 13]


def _col(index: int) -> str:
    return str(xl_col_to_name(index))

"""The department's consolidated workbook (xlsxwriter), from a :class:`~workbook_tools.consolidation.Consolidation`.

Sheets: « Synthèse », « Coopératives », « Évolution » (last year beside this year, when the store holds last year's
accepted figures), « Charges » and « Produits » (chapter × cooperative), « Alertes », « Manquantes », « CRA et quitus » (issue 14); filters, frozen headers, native charts, A4 print set-up: each sheet
one page wide and legible, but « Coopératives » (18 columns), three pages wide with the number and
name of each cooperative repeated on every page; rows of wrapped text sized to their text.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from xlsxwriter.utility import xl_col_to_name

from workbook_tools import xlsx
from workbook_tools.alertes import MEMBERSHIP, Seuils
from workbook_tools.bilan import exercice_of
from workbook_tools.bulk import bulk
from workbook_tools.consolidation import Consolidation, CoopRow, consolidate
from workbook_tools.files import atomic_path
from workbook_tools.model import CRA_KEYS
from workbook_tools.store import Store
from workbook_tools.store.standing import Status, paris_date
from workbook_tools.text import count
from workbook_tools.xlsx import (
    CHARS_PER_UNIT_SAFE,
    Formats,
    a4,
    chapter_bar_chart,
    date,
    formula_money,
    formula_text,
    fr_datetime,
    merged_text,
    money,
    money_width,
    new_workbook,
    text,
    wrapped_lines,
)


def write_consolidation(
    store: Store,
    path: str | os.PathLike[str],
    *,
    roster: Iterable[tuple[str, str | None]] | str | os.PathLike[str] | None = None,
    exercice: str | None = None,
    seuils: Seuils | None = None,
) -> Path:
    """Consolidate the store (see :func:`consolidate`) and write the workbook to ``path``, complete or not at all."""
    return write_consolidation_workbook(consolidate(store, exercice, roster=roster, seuils=seuils), path)


@bulk()
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
        self.link = wb.add_format(
            {"font_name": "Arial", "font_size": 10, "border": 1, "align": "center", "valign": "vcenter",
             "font_color": "#0563C1", "underline": 1}
        )  # fmt: skip
        self.header = f"Consolidation départementale — exercice {c.exercice}"
        # with last year's figures, the Synthèse has two more columns: N−1 and the variation
        self.widths = list(_SYNTHESE_WIDTHS_N1 if c.has_precedent else _SYNTHESE_WIDTHS)  # widened by widen()
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
        self.cra_quitus()  # issue 14, items 6–7

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

    @staticmethod
    def widen(ws: Any, widths: list[float], col: int, cents: int | None, *, bold: bool = True) -> None:
        """Column ``col`` wide enough for ``cents`` (a department's total: 115 million euros at national scale
        showed « ### » in a column sized for one cooperative)."""
        if cents is None:
            return
        need = money_width(cents, bold=bold)
        if need > widths[col]:
            widths[col] = need
            ws.set_column(col, col, need)

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
            f"Exercice du {start:%d/%m/%Y} au {end:%d/%m/%Y} ; comptes-rendus attendus "
            f"{c.due_text}" + (" ; liste des coopératives fournie" if c.roster else ""),
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
            self.widen(ws, self.widths, 3, totals[key], bold=False)
            if c.has_precedent:
                money(ws, row, 4, before[key], f.money)
                formula_money(ws, row, 5, f"=D{row + 1}-E{row + 1}", totals["variation"][key], f.money)
                self.widen(ws, self.widths, 4, before[key], bold=False)
                self.widen(ws, self.widths, 5, totals["variation"][key], bold=False)
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
            self.widen(ws, self.widths, col, cents)
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
            "N°", "Nom", "Statut", "Enregistré le", "Reçu le", "Fichier", "En retard", "Version refusée le",
            "Report à nouveau", "Produits", "Charges", "Résultat", "Disponible au 31/08", "dont banque", "dont caisse",
            "Relevé au 31/08", "Erreurs", "Avertissements", "Premiers constats (cellule)", "Rapport", "Alertes",
        ]  # fmt: skip
        widths: list[float] = [7, 24, 16, 10.5, 10.5, 22, 7, 10.5, *[12.5] * 8, 7.5, 12.5, 46, 8, 7.5]
        if c.roster:
            labels.append("Dans la liste")
            widths.append(8)
        extra = len(labels)
        labels += c.roster_columns  # the roster's own columns, in its order
        widths += self.roster_widths()
        ws = self.sheet("Coopératives", widths)
        top = self.lateness_note(ws, widths)
        self.table_header(ws, top, labels, top + len(c.rows))
        ws.write_comment(top, 6, _LATE_RULE.format(deadline=self.deadline), {"x_scale": 2, "y_scale": 2})
        ws.fit_to_pages(3, 0)  # too wide for one legible page: three, each with the number and the name
        ws.repeat_columns(0, 1)
        ws.print_across()  # the three pages of the same cooperatives follow each other
        for row, r in enumerate(c.rows, start=top + 1):
            fig = c.figures(r)
            text(ws, row, 0, r.coop, f.code)
            text(ws, row, 1, r.nom, f.wrap)
            ws.write_string(row, 2, r.status_fr, f.wrap)
            date(ws, row, 3, _paris(r.saved_at), f.date)
            date(ws, row, 4, _paris(r.received_at), f.date)
            text(ws, row, 5, r.filename, f.wrap)
            text(ws, row, 6, "oui" if r.late else ("non" if r.sent_on else None), f.code)
            date(ws, row, 7, _paris(r.refused_at), f.date)
            for col, key in enumerate(("ouverture", "produits", "charges", "resultat", "cloture"), start=8):
                money(ws, row, col, fig[key], f.money)
            money(ws, row, 13, r.banque_fin, f.money)
            money(ws, row, 14, r.caisse_fin, f.money)
            money(ws, row, 15, r.releve_31_08, f.money)
            constats = _constats(r)
            if r.checked_version:
                ws.write_number(row, 16, r.errors, f.number)
                ws.write_number(row, 17, r.checked_warnings, f.number)
            else:
                ws.write_blank(row, 16, None, f.number)
                ws.write_blank(row, 17, None, f.number)
            text(ws, row, 18, constats, f.wrap)
            self.report_link(ws, row, 19, r.report_link)
            ws.write_number(row, 20, len(r.alerts), f.number)
            if c.roster:
                ws.write_string(row, 21, "oui" if r.in_roster else "non", f.code)
            for col, name in enumerate(c.roster_columns, start=extra):
                text(ws, row, col, r.extra.get(name), f.wrap)
            fit_row(
                ws, row,
                [(r.nom, widths[1]), (r.status_fr, widths[2]), (r.filename, widths[5]), (constats, widths[18]),
                 *[(r.extra.get(name), widths[col]) for col, name in enumerate(c.roster_columns, start=extra)]],
            )  # fmt: skip
        first, last = top + 1, top + len(c.rows)
        if c.rows:
            red, fill = f.red_font, f.red_fill
            ws.conditional_format(first, 11, last, 11, {"type": "cell", "criteria": "<", "value": 0, "format": red})
            ws.conditional_format(first, 13, last, 14, {"type": "cell", "criteria": "<", "value": 0, "format": red})
            ws.conditional_format(first, 16, last, 16, {"type": "cell", "criteria": ">", "value": 0, "format": fill})
            ws.conditional_format(first, 20, last, 20, {"type": "cell", "criteria": ">", "value": 0, "format": fill})

    @property
    def deadline(self) -> dt.date:
        return self.c.due

    def lateness_note(self, ws: Any, widths: list[float]) -> int:
        """The rule behind « En retard », above the table (row 0, columns C to H: A and B are repeated on every
        printed page, a note there would be cut) → the row of the table's header."""
        note = _LATE_RULE.format(deadline=self.deadline) + " " + _FINDINGS_RULE
        first, last = 2, 7
        merged_text(ws, 0, first, last, note, self.f.note_wrap)
        fit_row(ws, 0, [(note, sum(widths[first : last + 1]))])
        return 1

    def roster_widths(self) -> list[float]:
        """Each roster column as wide as its longest value (an e-mail address on one line), 10 to 30."""
        out: list[float] = []
        for name in self.c.roster_columns:
            longest = max([len(name), *(len(r.extra.get(name) or "") for r in self.c.rows)])
            out.append(min(30.0, max(10.0, round(longest / 1.1 + 1, 1))))
        return out

    def report_link(self, ws: Any, row: int, col: int, link: str | None) -> None:
        if link is None:
            ws.write_blank(row, col, None, self.f.code)
        else:
            # a HYPERLINK formula keeps the address as given: xlsxwriter's write_url turns a POSIX file:///tmp/…
            # into the Windows relative path tmp\…, which LibreOffice and Excel resolve from the workbook's folder
            # (Excel takes 255 characters at most in one text constant: a longer address is joined from pieces)
            target = formula_text(link.replace('"', "%22"))
            ws.write_formula(row, col, f'=HYPERLINK({target},"ouvrir")', self.link, "ouvrir")

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
                self.widen(ws, widths, col, cents)
                col += 1
        formula_money(
            ws, total_row, col, f"={_col(col - 1)}{total_row + 1}-{_col(col - 2)}{total_row + 1}",
            totals["variation"]["cloture"], f.money_bold,
        )  # fmt: skip
        self.widen(ws, widths, col, totals["variation"]["cloture"])
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
        widths = [7.0, 22.0, *[_header_width(label, 12) for label in labels[2:-1]], _header_width(labels[-1], 13)]
        ws = self.sheet(name, widths)
        self.table_header(ws, 0, labels, len(rows))  # the total row stays out of the filter
        # each header wraps between words only (its longest word fits its column), and its row holds every line
        # with a little room above and below (bold headers: fewer characters a unit)
        lines = max(wrapped_lines(label, w, per_unit=_HEADER_PER_UNIT) for label, w in zip(labels, widths, strict=True))
        ws.set_row(0, max(44.0, 12.75 * lines + 8))
        # the hot loop of a national consolidation (10,000 rows × 2 sheets): xlsxwriter's calls bound once, the
        # sums kept as we go (wrapped_lines skips textwrap for a name that fits) (see BENCHMARKS.md, « Issue 16 »)
        codes = [code for code, _ in chapters]
        sums = [0] * (len(codes) + 1)  # each chapter, then the total
        last = _col(len(codes) + 1)
        write_number, write_formula = ws.write_number, ws.write_formula
        money_fmt, total_fmt = f.money, f.money_bold
        for row, r in enumerate(rows, start=1):
            text(ws, row, 0, r.coop, f.code)
            text(ws, row, 1, r.nom, f.wrap)
            fit_row(ws, row, [(r.nom, 22)])
            get = r.chapitres.get
            total = 0
            for i, code in enumerate(codes):
                cents = get(code, 0)
                total += cents
                sums[i] += cents
                write_number(row, i + 2, cents / 100, money_fmt)
            sums[-1] += total
            write_formula(row, len(codes) + 2, f"=SUM(C{row + 1}:{last}{row + 1})", total_fmt, total / 100)
        total_row = len(rows) + 1
        ws.write_string(total_row, 0, "Total", f.label_bold)
        ws.write_string(total_row, 1, "Département", f.label_bold)
        for col, amount in enumerate(sums, start=2):
            letter = _col(col)
            formula_money(ws, total_row, col, f"=SUBTOTAL(9,{letter}2:{letter}{total_row})", amount, f.money_bold)
            self.widen(ws, widths, col, amount)

    # ------------------------------------------------------------------ alerts, missing

    def alertes(self) -> None:
        c, f = self.c, self.f
        widths: list[float] = [7, 20, 28, 20, 44, 40, 8]
        ws = self.sheet("Alertes", widths)
        alerts = c.alerts
        labels = ["N°", "Nom", "Alerte", "Code", "Détail", "Premiers constats (cellule)", "Rapport"]
        self.table_header(ws, 0, labels, len(alerts))
        rows = {r.coop: r for r in c.rows}
        seen: set[str] = set()
        for row, a in enumerate(alerts, start=1):
            r = rows.get(a.coop)
            nom = r.nom if r is not None else None
            first = a.coop not in seen  # the cooperative's findings once, on its first alert
            seen.add(a.coop)
            constats = _constats(r) if r is not None and first else None
            text(ws, row, 0, a.coop, f.code)
            text(ws, row, 1, nom, f.wrap)
            ws.write_string(row, 2, a.titre, f.wrap)
            ws.write_string(row, 3, a.code, f.wrap)
            text(ws, row, 4, a.message, f.wrap)
            text(ws, row, 5, constats, f.wrap)
            self.report_link(ws, row, 6, r.report_link if r is not None and first else None)
            fit_row(
                ws, row,
                [(nom, widths[1]), (a.titre, widths[2]), (a.code, widths[3]), (a.message, widths[4]),
                 (constats, widths[5])],
            )  # fmt: skip
        if not alerts:
            ws.write_string(1, 0, "Aucune alerte.", f.plain)

    def cra_quitus(self) -> None:
        _CraQuitus.write(self)

    def manquantes(self) -> None:
        c, f = self.c, self.f
        widths: list[float] = [7, 26, 44, 40, *self.roster_widths()]
        ws = self.sheet("Manquantes", widths)
        missing = [r for r in c.rows if r.status in (Status.MISSING, Status.REFUSED)]
        labels = ["N°", "Nom", "Situation", "Premiers constats (cellule)", *c.roster_columns]
        self.table_header(ws, 0, labels, len(missing))
        for row, r in enumerate(missing, start=1):
            text(ws, row, 0, r.coop, f.code)
            text(ws, row, 1, r.nom, f.wrap)
            situation = next((a.message for a in r.alerts if a.code in ("MANQUANTE", "REFUSEE")), r.status_fr)
            ws.write_string(row, 2, situation, f.wrap)
            constats = _constats(r)
            text(ws, row, 3, constats, f.wrap)
            for col, name in enumerate(c.roster_columns, start=4):
                text(ws, row, col, r.extra.get(name), f.wrap)
            fit_row(
                ws, row,
                [(r.nom, 26), (situation, 44), (constats, 40),
                 *[(r.extra.get(name), widths[col]) for col, name in enumerate(c.roster_columns, start=4)]],
            )  # fmt: skip
        if not missing:
            note = "Aucune coopérative manquante." if c.roster else "Aucune (sans liste des coopératives attendues)."
            ws.write_string(1, 0, note, f.plain)


class _CraQuitus:
    """« CRA et quitus » (issue 14, items 6–7): each cooperative's CRA headcounts, its OCCE membership (6281) beside
    the pupils × the rate, and its quitus signed or not; the department's totals (live SUBTOTALs: a filter sums the
    rows shown)."""

    LABELS = ("N°", "Nom", "Classes", "Élèves", "Adultes", "Conseils de coopérative", "Cotisation versée (6281)",
              "Cotisation attendue (élèves × taux)", "Quitus", "Manque au quitus")  # fmt: skip
    WIDTHS: tuple[float, ...] = (7, 26, 9, 9, 9, 12, 14, 14, 11, 40)

    @classmethod
    def write(cls, book: _Workbook) -> None:
        c, f = book.c, book.f
        ws = book.sheet("CRA et quitus", list(cls.WIDTHS))
        rows = [r for r in c.rows if r.has_figures]
        note = (
            "Les effectifs du compte-rendu d'activités (feuille CRA de chaque cahier accepté ; vide : non rempli) et "
            f"le quitus (noms et dates dans Paramètres). Seuils des alertes : {c.seuils.texte()}."
        )
        merged_text(ws, 0, 0, len(cls.LABELS) - 1, note, f.note_wrap)
        fit_row(ws, 0, [(note, sum(cls.WIDTHS))])
        head = 2
        book.table_header(ws, head, list(cls.LABELS), head + len(rows))
        rate = c.seuils.cotisation_eleve
        for n, r in enumerate(rows, start=head + 1):
            text(ws, n, 0, r.coop, f.code)
            text(ws, n, 1, r.nom, f.wrap)
            for col, key in enumerate(CRA_KEYS, start=2):
                value = r.cra.get(key)
                if value is None:
                    ws.write_blank(n, col, None, f.number)
                else:
                    ws.write_number(n, col, value, f.number)
            money(ws, n, 6, r.chapitres.get(MEMBERSHIP, 0), f.money)
            eleves = r.cra.get("eleves")
            if eleves is None or not rate:  # a rate of 0: no membership check, nothing expected
                ws.write_blank(n, 7, None, f.money)
            else:
                money(ws, n, 7, eleves * rate, f.money)
            ws.write_string(n, 8, r.quitus_fr, f.ok if r.quitus_fr == "signé" else f.bad if r.quitus_fr else f.text)
            manque = ", ".join(r.quitus_manque or ())
            text(ws, n, 9, manque or None, f.wrap)
            fit_row(ws, n, [(r.nom, 26), (manque, 40)])
        total = head + 1 + len(rows)
        totals = c.cra_totals()
        text(ws, total, 0, "", f.label_bold)
        text(ws, total, 1, "Département", f.label_bold)
        for col, key in enumerate(CRA_KEYS, start=2):
            letter = xl_col_to_name(col)
            formula = f"=SUBTOTAL(9,{letter}{head + 2}:{letter}{max(total, head + 2)})"
            ws.write_formula(total, col, formula, f.number_bold, totals[key])
        widths = list(cls.WIDTHS)
        for col, value in ((6, sum(r.chapitres.get(MEMBERSHIP, 0) for r in rows)),
                           (7, sum(r.cra["eleves"] * rate for r in rows if "eleves" in r.cra))):  # fmt: skip
            letter = xl_col_to_name(col)
            formula_money(ws, total, col, f"=SUBTOTAL(9,{letter}{head + 2}:{letter}{max(total, head + 2)})", value,
                          f.money_bold)  # fmt: skip
            book.widen(ws, widths, col, value)
        signed = sum(r.quitus_fr == "signé" for r in rows)
        ws.write_string(total, 8, f"{signed} / {len(rows)}", f.number_bold)
        text(ws, total, 9, "quitus signés", f.label_bold)


_LATE_RULE = (
    "« En retard » : la version retenue (sans version acceptée : le cahier refusé) a été enregistrée après le "
    "{deadline:%d/%m/%Y} (date limite ; enregistrée ce jour-là, elle est à l'heure). Compte la plus "
    "ancienne des deux dates : « Enregistré le » (date du fichier sur l'ordinateur de l'enseignant, gardée par la "
    "synchronisation) ou « Reçu le » (arrivée au service) ; un service arrêté quelques jours ne met donc personne en "
    "retard."
)
_FINDINGS_RULE = (
    "« Erreurs », « Avertissements », « Premiers constats » : ceux du dernier cahier reçu (la version refusée quand "
    "il y en a une), les erreurs d'abord ; « Rapport » ouvre son rapport de vérification."
)


def _paris(iso: str | None) -> dt.date | None:
    """An ISO timestamp's day in French time (the day the lateness rule counts)."""
    return paris_date(dt.datetime.fromisoformat(iso)) if iso else None


def _constats(r: CoopRow) -> str | None:
    """The first findings, one a line: « • Titre (Journal!C12) »."""
    return "\n".join(f"• {k.texte}" for k in r.constats) or None


_SYNTHESE_WIDTHS: list[float] = [8, 40, 15, 15]
_SYNTHESE_WIDTHS_N1: list[float] = [8, 31, 13, 13, 13, 13]


_HEADER_PER_UNIT = 1.0  # bold Arial 10 with the cell's padding: fewer characters a unit than plain text


def _header_width(label: str, least: float) -> float:
    """A column at least ``least`` wide where the header's longest word fits on one line (never « exceptionnelle|s »)."""
    longest = max((len(word) for word in label.split()), default=0)
    return max(least, round(longest / _HEADER_PER_UNIT + 1, 1))


def fit_row(ws: Any, row: int, cells: Iterable[tuple[Any, float]]) -> None:
    """``xlsx.fit_row`` counting the safe characters a unit: the treasurer's sheets hold findings, file names and
    e-mail addresses whose words wrap early, and a row too short there hides what the treasurer looks for."""
    xlsx.fit_row(ws, row, cells, per_unit=CHARS_PER_UNIT_SAFE)


def _col(index: int) -> str:
    return str(xl_col_to_name(index))

"""The CRF workbook of one cooperative (xlsxwriter), from a :class:`~workbook_tools.bilan.Crf`.

Sheets: « CRF » (compte de fonctionnement, bilan with its check, a chart),
« Rapprochement », « Arrêté de caisse », « Subventions », « Actions », « Inventaire »,
« CRA » (the activity report, issue 14), « Avertissements », « Quitus » (names, dates, signatures, attachments), and « Journal »: the year's lines (only
those), for the vérificateurs and the AG — the cahier's own Journal sheet holds 1,000 prepared rows and
cannot print only the used ones. Each sheet prints on A4 (landscape: Rapprochement, Avertissements,
Journal), fit to the page width, its columns chosen so that its text still prints at 8 pt or more even
where LibreOffice measures with a wide fallback font; tables repeat their header row on every page, rows
of wrapped text are as tall as their text. Totals are live formulas carrying the value computed here.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from workbook_tools.bilan import Crf, Ligne, crf_from_store, exercice_of
from workbook_tools.files import atomic_path
from workbook_tools.messages import QUITUS_FAULTS
from workbook_tools.model import Code, Quitus
from workbook_tools.store import Store
from workbook_tools.text import count, euros, titled
from workbook_tools.xlsx import (
    Formats,
    a4,
    chapter_bar_chart,
    date,
    fit_row,
    formula_money,
    fr_datetime,
    merged_text,
    money,
    new_workbook,
    text,
)

CRA_LABELS = {  # model.CRA_KEYS in the CRF's words
    "classes": "Nombre de classes",
    "eleves": "Nombre d'élèves",
    "adultes": "Nombre d'adultes",
    "conseils": "Nombre de conseils de coopérative",
}


def write_crf(store: Store, coop: str, exercice: str | None, path: str | os.PathLike[str]) -> Path:
    """Build the CRF of ``coop`` for ``exercice`` (None: its latest) from the store and write it to ``path``.

    The file appears complete or not at all. Raises :class:`~workbook_tools.bilan.BilanError`.
    """
    crf = crf_from_store(store, coop, exercice)
    return write_crf_workbook(crf, path)


def write_crf_workbook(crf: Crf, path: str | os.PathLike[str], *, today: dt.date | None = None) -> Path:
    target = Path(path)
    with atomic_path(target) as tmp:
        wb = new_workbook(tmp, f"Compte-rendu financier {crf.exercice} — coopérative {crf.coop}")
        _Writer(wb, crf, today or dt.date.today()).write()
        wb.close()
    return target


def _cell(row: int, col: int, sheet: str | None = None) -> str:
    ref = xl_rowcol_to_cell(row, col, row_abs=True, col_abs=True)
    return f"'{sheet}'!{ref}" if sheet else ref


class _Writer:
    def __init__(self, wb: Workbook, crf: Crf, today: dt.date) -> None:
        self.wb, self.crf, self.today = wb, crf, today
        self.f = Formats(wb)
        self.widths: dict[str, list[float]] = {}  # of each sheet's columns
        self.header = f"Coopérative {crf.coop} — compte-rendu financier {crf.exercice}"
        exercice = exercice_of(crf.exercice)
        start, end = exercice.start, exercice.end
        self.start, self.end = start, end

    def write(self) -> None:
        self.compte()
        self.rapprochement()
        self.caisse()
        self.subventions()
        self.actions()
        self.cra()
        self.inventaire()
        self.avertissements()
        self.quitus()
        self.journal()

    # ------------------------------------------------------------------ helpers

    def sheet(self, name: str, widths: list[float], *, repeat: int | None = None, landscape: bool = False) -> Worksheet:
        ws = self.wb.add_worksheet(name)
        for i, w in enumerate(widths):
            ws.set_column(i, i, w)
        a4(ws, self.header, repeat=repeat, landscape=landscape)
        self.widths[name] = widths
        return ws

    def heading(self, ws: Worksheet, title: str, last_col: int) -> int:
        """Title, cooperative, exercice, source version (and a refusal): rows 0-4, each on as many lines as it
        needs across the sheet's columns. Returns the next free row."""
        c, f = self.crf, self.f
        merged_text(ws, 0, 0, last_col, title, f.title)
        ws.set_row(0, 22)
        lines = [
            (" — ".join(x for x in (f"Coopérative n° {c.coop}", c.nom, c.commune) if x), f.bold),
            (f"Exercice {c.exercice}, du {self.start:%d/%m/%Y} au {self.end:%d/%m/%Y}", f.subtitle),
            (
                f"D'après le cahier « {c.filename} » reçu le {fr_datetime(c.received_at)} ; "
                f"établi le {self.today:%d/%m/%Y}",
                f.subtitle,
            ),
        ]
        if c.refused is not None:
            refused = (
                f"Attention : le cahier « {c.refused.filename} » reçu le {fr_datetime(c.refused.received_at)} a été "
                f"refusé ({count(c.refused.errors, 'erreur')}) ; ce compte-rendu est celui de la dernière version "
                "acceptée."
            )
            lines.append((refused, f.banner))
        width = sum(self.widths[ws.name][: last_col + 1])
        for row, (line, fmt) in enumerate(lines, start=1):
            merged_text(ws, row, 0, last_col, line, fmt)
            fit_row(ws, row, [(line, width)])
        return len(lines) + 2

    def table_header(self, ws: Worksheet, row: int, labels: tuple[str, ...], *, height: float | None = None) -> int:
        """A table's header row (``height``: for labels on two lines), repeated on every printed page; returns the
        first data row."""
        for col, label in enumerate(labels):
            ws.write_string(row, col, label, self.f.header)
        if height is not None:
            ws.set_row(row, height)
        ws.repeat_rows(row)
        return row + 1

    def check(self, ws: Worksheet, row: int, col: int, gap_ref: str, ok: bool, ok_text: str, bad_text: str) -> None:
        f = self.f
        ws.write_formula(
            row, col, f'=IF(ROUND({gap_ref},2)=0,"{ok_text}","{bad_text}")', f.ok, ok_text if ok else bad_text
        )
        ws.conditional_format(
            row, col, row, col, {"type": "cell", "criteria": "!=", "value": f'"{ok_text}"', "format": f.red_fill}
        )

    # ------------------------------------------------------------------ 1. compte de fonctionnement and bilan

    def compte(self) -> None:
        """Compte de fonctionnement and bilan; with last year's accepted figures (N−1) in two more columns, E and F:
        each figure of last year under the same heading as this year's."""
        c, f = self.crf, self.f
        p = c.precedent.totals if c.precedent is not None else None
        last_col = 3 if p is None else 5
        ws = self.sheet("CRF", [9, 46, 16, 16] if p is None else [8, 35, 13.5, 13.5, 13.5, 13.5])
        row = self.heading(ws, "Compte-rendu financier", last_col)
        merged_text(ws, row, 0, last_col, "1. Compte de fonctionnement", f.section)
        row += 1
        labels = ["Chapitre", "Libellé", "Charges", "Produits"]
        if p is not None:
            this, before = c.exercice, c.exercice_precedent
            labels = [*labels[:2], f"Charges\n{this}", f"Produits\n{this}", f"Charges\n{before}", f"Produits\n{before}"]
            ws.set_row(row, 27)
        for col, label in enumerate(labels):
            ws.write_string(row, col, label, f.header)
        row += 1
        first = row
        for ch in c.postes:
            ws.write_string(row, 0, ch.code, f.code)
            text(ws, row, 1, ch.libelle, f.text)
            charge = ch.sens == "charge"
            money(ws, row, 2, ch.montant if charge else None, f.money)
            money(ws, row, 3, None if charge else ch.montant, f.money)
            if p is not None:
                before_cents = p.chapitres.get(ch.code, 0)
                money(ws, row, 4, before_cents if charge else None, f.money)
                money(ws, row, 5, None if charge else before_cents, f.money)
            row += 1
        last = row - 1
        total_row = row
        merged_text(ws, row, 0, 1, "Totaux", f.label_bold)
        formula_money(ws, row, 2, f"=SUM(C{first + 1}:C{last + 1})", c.charges, f.money_bold)
        formula_money(ws, row, 3, f"=SUM(D{first + 1}:D{last + 1})", c.produits, f.money_bold)
        if p is not None:
            formula_money(ws, row, 4, f"=SUM(E{first + 1}:E{last + 1})", p.charges, f.money_bold)
            formula_money(ws, row, 5, f"=SUM(F{first + 1}:F{last + 1})", p.produits, f.money_bold)
        row += 1
        result_row = row
        label = "Résultat de l'exercice (produits − charges) : " + ("excédent" if c.resultat >= 0 else "déficit")
        merged_text(ws, row, 0, 2, label, f.label_bold)
        formula_money(ws, row, 3, f"=D{total_row + 1}-C{total_row + 1}", c.resultat, f.money_bold)
        if p is not None:
            ws.write_blank(row, 4, None, f.label_bold)
            formula_money(ws, row, 5, f"=F{total_row + 1}-E{total_row + 1}", p.resultat, f.money_bold)
        ws.conditional_format(
            row, 3, row, last_col, {"type": "cell", "criteria": "<", "value": 0, "format": f.red_font}
        )
        row += 2

        merged_text(ws, row, 0, last_col, "2. Bilan au 31 août", f.section)
        row += 1
        if p is not None:
            merged_text(ws, row, 0, 2, "", f.plain)
            ws.write_string(row, 3, c.exercice, f.header)
            ws.write_blank(row, 4, None, f.plain)
            ws.write_string(row, 5, c.exercice_precedent or "", f.header)
            row += 1
        res = _cell(result_row, 3)

        def line(label: str, formula: str | None, cents: int, fmt: object = None, before: int | None = None) -> int:
            nonlocal row
            merged_text(ws, row, 0, 2, label, f.label_bold if fmt is f.money_bold else f.text)
            if formula is None:
                money(ws, row, 3, cents, fmt or f.money)
            else:
                formula_money(ws, row, 3, formula, cents, fmt or f.money)
            if p is not None and before is not None:
                money(ws, row, 5, before, fmt or f.money)
            row += 1
            return row - 1

        rb = line(
            "Report à nouveau banque au 1er septembre",
            None,
            c.report_banque,
            before=None if p is None else p.report_banque,
        )
        rc = line(
            "Report à nouveau caisse au 1er septembre",
            None,
            c.report_caisse,
            before=None if p is None else p.report_caisse,
        )
        line("+ Résultat de l'exercice", f"={res}", c.resultat, before=None if p is None else p.resultat)
        attendu = line(
            "= Avoir attendu au 31 août (report à nouveau + résultat)",
            f"=D{rb + 1}+D{rc + 1}+{res}",
            c.report + c.resultat,
            f.money_bold,
            before=None if p is None else p.report + p.resultat,
        )
        bf = line(
            f"Banque au 31 août (report + recettes {euros(c.banque_recettes)} − dépenses {euros(c.banque_depenses)})",
            None,
            c.banque_fin,
            before=None if p is None else p.banque_fin,
        )
        cf = line(
            f"Caisse au 31 août (report + recettes {euros(c.caisse_recettes)} − dépenses {euros(c.caisse_depenses)})",
            None,
            c.caisse_fin,
            before=None if p is None else p.caisse_fin,
        )
        dispo = line(
            "= Disponible au 31 août (banque + caisse)",
            f"=D{bf + 1}+D{cf + 1}",
            c.disponible_fin,
            f.money_bold,
            before=None if p is None else p.disponible_fin,
        )
        held = f"D{dispo + 1}"
        if c.regies_en_cours:  # cash still with a colleague (REGIE_OPEN): part of the avoir, not in the till
            regie = line(
                "+ Régies d'avance non soldées (chez les collègues)",
                None,
                c.regies_en_cours,
                before=None if p is None else p.regies_en_cours,
            )
            held = f"D{dispo + 1}+D{regie + 1}"
        gap = line("Écart (avoir attendu − disponible)", f"=D{attendu + 1}-{held}", c.ecart_bilan)
        merged_text(ws, row, 0, 2, "Contrôle : report à nouveau + résultat = banque + caisse au 31 août", f.text)
        self.check(ws, row, 3, _cell(gap, 3), c.ecart_bilan == 0, "Équilibré", "Déséquilibré")
        row += 1
        row = self.precedent_note(ws, row, last_col) + 1

        chart = chapter_bar_chart(self.wb, "CRF", first, last, "Charges et produits par chapitre")
        ws.insert_chart(row, 0, chart, {"x_offset": 4, "y_offset": 4})
        self.totals_row, self.result_row = total_row, result_row

    def precedent_note(self, ws: Worksheet, row: int, last_col: int) -> int:
        """Where the N−1 figures come from, and whether this year opens where last year closed (REPORT_DISCONTINUITY);
        without N−1 figures, why the columns are absent. Returns the next free row."""
        c, f = self.crf, self.f
        before = c.exercice_precedent or "précédent"
        width = sum(self.widths[ws.name][: last_col + 1])
        if c.precedent is None:
            notes = [
                (
                    f"Pas de colonnes {before} : le dépôt ne contient aucune version acceptée du cahier de l'exercice "
                    f"{before} pour cette coopérative (comparaison avec l'an dernier et continuité des reports non "
                    "vérifiées).",
                    f.note_wrap,
                )
            ]
        else:
            notes = [
                (
                    f"Colonnes {before} : chiffres de la version acceptée du cahier de l'exercice {before}, reçue le "
                    f"{fr_datetime(c.precedent.received_at)}.",
                    f.note_wrap,
                )
            ]
            for d in c.discontinuites:
                notes.append((f"{Code.REPORT_DISCONTINUITY.titre} Attention : {d.texte(before)}.", f.banner))
            if not c.discontinuites:
                notes.append(
                    (
                        f"Les reports à nouveau au 1er septembre sont ceux de la clôture {before} "
                        f"(banque {euros(c.report_banque)}, caisse {euros(c.report_caisse)}).",
                        f.note_wrap,
                    )
                )
        for line, fmt in notes:
            row += 1
            merged_text(ws, row, 0, last_col, line, fmt)
            fit_row(ws, row, [(line, width)])
        return row + 1

    # ------------------------------------------------------------------ 2. rapprochement

    def rapprochement(self) -> None:
        c, f = self.crf, self.f
        ws = self.sheet("Rapprochement", [7, 11, 9, 7, 11, 42, 13, 13], landscape=True)  # 8 columns: landscape
        row = self.heading(ws, "Rapprochement bancaire au 31 août", 7)
        n = len(c.non_pointes)
        table_first = row + 9  # where the unticked lines start (see below)
        rec = f"SUM(G{table_first + 1}:G{table_first + max(n, 1)})"
        dep = f"SUM(H{table_first + 1}:H{table_first + max(n, 1)})"
        lines = [
            ("Solde du relevé bancaire au 31 août", None, c.releve_31_08),
            ("+ Recettes non pointées (pas encore sur le relevé)", f"={rec}", c.non_pointe_recettes),
            ("− Dépenses non pointées (chèques non encaissés…)", f"={dep}", c.non_pointe_depenses),
        ]
        refs = []
        for label, formula, cents in lines:
            merged_text(ws, row, 0, 6, label, f.text)
            if formula is None:
                if cents is None:
                    ws.write_string(row, 7, "non saisi", f.bad)
                else:
                    money(ws, row, 7, cents, f.money)
            else:
                formula_money(ws, row, 7, formula, cents or 0, f.money)
            refs.append(_cell(row, 7))
            row += 1
        merged_text(ws, row, 0, 6, "= Solde bancaire rapproché", f.label_bold)
        if c.releve_31_08 is None:
            ws.write_string(row, 7, "—", f.money_bold)
        else:
            formula_money(ws, row, 7, f"={refs[0]}+{refs[1]}-{refs[2]}", c.banque_rapprochee or 0, f.money_bold)
        adjusted = _cell(row, 7)
        row += 1
        merged_text(ws, row, 0, 6, "Banque du cahier au 31 août", f.text)
        money(ws, row, 7, c.banque_fin, f.money)
        books = _cell(row, 7)
        row += 1
        merged_text(ws, row, 0, 6, "Écart (rapproché − cahier)", f.text)
        if c.releve_31_08 is None:
            ws.write_string(row, 7, "—", f.money)
            row += 1
            merged_text(ws, row, 0, 6, "Contrôle du rapprochement", f.text)
            ws.write_string(row, 7, "Relevé à saisir", f.bad)
        else:
            formula_money(ws, row, 7, f"={adjusted}-{books}", c.ecart_rapprochement or 0, f.money)
            gap = _cell(row, 7)
            row += 1
            merged_text(ws, row, 0, 6, "Contrôle du rapprochement", f.text)
            self.check(ws, row, 7, gap, c.ecart_rapprochement == 0, "OK", "À corriger")
        row += 2
        assert row == table_first - 1, (row, table_first)
        headers = ("Ligne", "Date", "Pièce", "Mode", "N° chèque", "Libellé", "Recette", "Dépense")
        row = self.table_header(ws, row, headers)
        if not c.non_pointes:
            merged_text(ws, row, 0, 7, "Toutes les lignes de banque sont pointées.", f.text)
        for op in c.non_pointes:
            if op.carried:
                ws.write_string(row, 0, f"att. {op.row}" if op.row else "att.", f.code)
            elif op.row is not None:
                ws.write_number(row, 0, op.row, f.number)
            date(ws, row, 1, op.date, f.date)
            text(ws, row, 2, op.piece, f.code)
            text(ws, row, 3, op.mode, f.code)
            text(ws, row, 4, op.cheque, f.code)
            text(ws, row, 5, op.libelle, f.wrap)
            money(ws, row, 6, op.recette or None, f.money)
            money(ws, row, 7, op.depense or None, f.money)
            fit_row(ws, row, [(op.libelle, 42)])
            row += 1
        note = (
            "« Ligne » : le numéro de la ligne dans la feuille Journal du cahier ; « att. » : dans la feuille "
            "« En attente » (opération de l'an dernier pas encore passée à la banque)."
        )
        merged_text(ws, row + 1, 0, 7, note, f.note)
        self.annules(ws, row + 3)

    def annules(self, ws: Worksheet, row: int) -> None:
        """The cancelled cheques: kept in the cahier for the cheque sequence, counted nowhere."""
        c, f = self.crf, self.f
        merged_text(ws, row, 0, 7, "Chèques annulés (gardés dans le cahier, comptés nulle part)", f.section)
        row += 1
        if not c.annules:
            merged_text(ws, row, 0, 7, "Aucun chèque annulé.", f.text)
            return
        for col, label in enumerate(("Ligne", "Date", "N° chèque")):
            ws.write_string(row, col, label, f.header)
        ws.merge_range(row, 3, row, 7, "Libellé", f.header)
        row += 1
        for a in c.annules:
            ws.write_number(row, 0, a.row, f.number)
            date(ws, row, 1, a.date, f.date)
            text(ws, row, 2, a.cheque, f.code)
            ws.merge_range(row, 3, row, 7, "", f.wrap)
            text(ws, row, 3, a.libelle, f.wrap)
            fit_row(ws, row, [(a.libelle, 86)])
            row += 1

    # ------------------------------------------------------------------ 3. arrêté de caisse

    def caisse(self) -> None:
        c, f = self.crf, self.f
        ws = self.sheet("Arrêté de caisse", [52, 18])
        row = self.heading(ws, "Arrêté de caisse au 31 août", 1)
        start = row
        for label, cents in (
            ("Report à nouveau caisse au 1er septembre", c.report_caisse),
            ("+ Recettes en espèces", c.caisse_recettes),
            ("− Dépenses en espèces", c.caisse_depenses),
        ):
            text(ws, row, 0, label, f.text)
            money(ws, row, 1, cents, f.money)
            row += 1
        text(ws, row, 0, "= Caisse du cahier au 31 août", f.label_bold)
        formula_money(ws, row, 1, f"=B{start + 1}+B{start + 2}-B{start + 3}", c.caisse_fin, f.money_bold)
        books = row
        row += 1
        text(ws, row, 0, "Caisse comptée (billets et pièces, feuille « Arrêté de caisse » du cahier)", f.text)
        if c.caisse_comptee is None:
            ws.write_string(row, 1, "non comptée", f.bad)
        else:
            money(ws, row, 1, c.caisse_comptee, f.money)
        counted = row
        row += 1
        text(ws, row, 0, "Écart (comptée − cahier)", f.text)
        if c.caisse_comptee is None:
            ws.write_string(row, 1, "—", f.money)
            row += 1
            text(ws, row, 0, "Contrôle de la caisse", f.text)
            ws.write_string(row, 1, "Comptage à faire", f.bad)
        else:
            formula_money(ws, row, 1, f"=B{counted + 1}-B{books + 1}", c.ecart_caisse or 0, f.money)
            gap = _cell(row, 1)
            row += 1
            text(ws, row, 0, "Contrôle de la caisse", f.text)
            self.check(ws, row, 1, gap, c.ecart_caisse == 0, "OK", "À corriger")
        row += 2
        if c.billets:
            ws.write_string(row, 0, "Billets et pièces comptés", f.header)
            ws.write_string(row, 1, "Montant", f.header)
            row += 1
            for face, count in c.billets:
                label = f"{count} × {euros(face)}"
                text(ws, row, 0, label, f.text)
                money(ws, row, 1, face * count, f.money)
                row += 1
            row += 1
        merged_text(
            ws,
            row,
            0,
            1,
            "Le comptage des billets et pièces est à signer par le mandataire et à joindre au compte-rendu.",
            f.note,
        )
        self.regies(ws, row + 2)

    def regies(self, ws: Worksheet, row: int) -> None:
        """The régies d'avance: per colleague, what was advanced and what came back (with the tickets)."""
        c, f = self.crf, self.f
        merged_text(ws, row, 0, 1, "Régies d'avance (avances à un collègue et leur retour)", f.section)
        row += 1
        if not c.regies:
            merged_text(ws, row, 0, 1, "Aucune régie d'avance.", f.text)
            return
        for r in c.regies:
            text(ws, row, 0, f"{r.nom} : avancé", f.label_bold)
            money(ws, row, 1, r.avances, f.money)
            text(ws, row + 1, 0, "rendu (espèces et justificatifs)", f.text)
            money(ws, row + 1, 1, r.retours, f.money)
            text(ws, row + 2, 0, "reste chez le collègue" if r.reste else "soldée", f.bad if r.reste else f.text)
            formula_money(ws, row + 2, 1, f"=B{row + 1}-B{row + 2}", r.reste, f.money)
            row += 3

    # ------------------------------------------------------------------ 4. subventions

    def subventions(self) -> None:
        c, f = self.crf, self.f
        ws = self.sheet("Subventions", [10.5, 24, 24, 8, 13])
        row = self.heading(ws, "Tableau des subventions", 4)
        row = self.table_header(ws, row, ("Date", "Organisme", "Objet", "N° pièce", "Montant"))
        first = row
        if not c.subventions:
            merged_text(ws, row, 0, 4, "Aucune subvention inscrite dans la feuille Subventions du cahier.", f.text)
            row += 1
        for s in c.subventions:
            date(ws, row, 0, s.date, f.date)
            text(ws, row, 1, s.organisme, f.wrap)
            text(ws, row, 2, s.objet, f.wrap)
            text(ws, row, 3, s.piece, f.code)
            money(ws, row, 4, s.montant, f.money)
            fit_row(ws, row, [(s.organisme, 24), (s.objet, 24)])
            row += 1
        merged_text(ws, row, 0, 3, "Total de la feuille Subventions", f.label_bold)
        formula_money(ws, row, 4, f"=SUM(E{first + 1}:E{max(row, first + 1)})", c.subventions_feuille, f.money_bold)
        sheet_total = _cell(row, 4)
        row += 1
        merged_text(ws, row, 0, 3, "Subventions au journal (chapitres 7410 et 7420)", f.text)
        money(ws, row, 4, c.subventions_journal, f.money)
        journal_total = _cell(row, 4)
        row += 1
        merged_text(ws, row, 0, 3, "Concordance", f.text)
        self.check(
            ws,
            row,
            4,
            f"{sheet_total}-{journal_total}",
            c.subventions_feuille == c.subventions_journal,
            "OK",
            "Écart",
        )
        row += 2
        merged_text(ws, row, 0, 4, "Joindre au compte-rendu un justificatif de chaque subvention publique.", f.note)

    # ------------------------------------------------------------------ 5. actions

    def actions(self) -> None:
        c, f = self.crf, self.f
        ws = self.sheet("Actions", [34, 7, 13, 13, 13])
        row = self.heading(ws, "Recettes et dépenses par action", 4)
        labels = ("Action (colonne « Action » du Journal)", "Lignes", "Recettes", "Dépenses", "Solde")
        row = self.table_header(ws, row, labels, height=27)
        first = row
        for a in c.actions:
            if a.action is None:
                ws.write_string(row, 0, "Autres lignes (sans action)", f.text)
            else:
                text(ws, row, 0, a.action, f.wrap)
                fit_row(ws, row, [(a.action, 34)])
            ws.write_number(row, 1, a.lignes, f.number)
            money(ws, row, 2, a.recettes, f.money)
            money(ws, row, 3, a.depenses, f.money)
            formula_money(ws, row, 4, f"=C{row + 1}-D{row + 1}", a.solde, f.money)
            ws.conditional_format(row, 4, row, 4, {"type": "cell", "criteria": "<", "value": 0, "format": f.red_font})
            row += 1
        if not c.actions:
            merged_text(ws, row, 0, 4, "Aucune recette ni dépense.", f.text)
            row += 1
        last = max(row, first + 1)
        text(ws, row, 0, "Total", f.label_bold)
        ws.write_formula(row, 1, f"=SUM(B{first + 1}:B{last})", f.label_bold, sum(a.lignes for a in c.actions))
        formula_money(ws, row, 2, f"=SUM(C{first + 1}:C{last})", sum(a.recettes for a in c.actions), f.money_bold)
        formula_money(ws, row, 3, f"=SUM(D{first + 1}:D{last})", sum(a.depenses for a in c.actions), f.money_bold)
        formula_money(ws, row, 4, f"=SUM(E{first + 1}:E{last})", sum(a.solde for a in c.actions), f.money_bold)
        row += 2
        merged_text(
            ws,
            row,
            0,
            4,
            "Le total est celui des produits et des charges du compte de fonctionnement ; les mouvements internes "
            "(dépôts d'espèces, retraits) ne sont ni des recettes ni des dépenses.",
            f.note_wrap,
        )
        ws.set_row(row, 28)

    # ------------------------------------------------------------------ 5b. CRA (issue 14)

    def cra(self) -> None:
        """The activity report as the cahier's CRA sheet holds it: the headcounts, then each action described."""
        c, f = self.crf, self.f
        widths: list[float] = [26, 16, 14, 44]
        ws = self.sheet("CRA", widths)
        row = self.heading(ws, "Compte-rendu d'activités (CRA)", 3)
        for key, label in CRA_LABELS.items():
            merged_text(ws, row, 0, 1, label, f.text)
            value = c.cra.get(key)
            if value is None and key in c.cra_illisibles:  # typed but not a whole number (CRA_INVALID): not counted
                ws.write_string(row, 2, "illisible", f.text)
                note = f"« {c.cra_illisibles[key]} » : pas un nombre entier, non compté (voir Avertissements)"
                text(ws, row, 3, note, f.note_wrap)
                fit_row(ws, row, [(note, 44)])
            elif value is None:
                ws.write_string(row, 2, "non rempli", f.text)
            else:
                ws.write_number(row, 2, value, f.number)
            row += 1
        row += 1
        merged_text(ws, row, 0, 3, "Les actions de l'année", f.section)
        row += 1
        if not c.cra_actions:
            merged_text(ws, row, 0, 3, "Aucune action décrite dans la feuille CRA du cahier.", f.text)
            return
        row = self.table_header(ws, row, ("Action", "Classes", "Période", "Description"))
        for a in c.cra_actions:
            cells = (a.action, a.classes, a.periode, a.description)
            for col, written in enumerate(cells):
                text(ws, row, col, written, f.wrap)
            fit_row(ws, row, [(v, w) for v, w in zip(cells, widths, strict=True)])
            row += 1

    # ------------------------------------------------------------------ 6. inventaire

    def inventaire(self) -> None:
        c, f = self.crf, self.f
        ws = self.sheet("Inventaire", [10.5, 7.5, 26, 12.5, 10.5, 16])
        row = self.heading(ws, "Inventaire des biens durables (chapitre 6800)", 5)
        headers = ("Date d'achat", "N° pièce", "Désignation", "Valeur", "Date de sortie", "Motif de sortie")
        row = self.table_header(ws, row, headers, height=27)
        first = row
        if not c.inventaire:
            merged_text(ws, row, 0, 5, "Aucun bien inscrit à l'inventaire.", f.text)
            row += 1
        for b in c.inventaire:
            date(ws, row, 0, b.date, f.date)
            text(ws, row, 1, b.piece, f.code)
            text(ws, row, 2, b.designation, f.wrap)
            money(ws, row, 3, b.valeur, f.money)
            date(ws, row, 4, b.date_sortie, f.date)
            text(ws, row, 5, b.motif, f.wrap)
            fit_row(ws, row, [(b.designation, 26), (b.motif, 16)])
            row += 1
        merged_text(ws, row, 0, 2, "Valeur totale inscrite", f.label_bold)
        total = sum(b.valeur or 0 for b in c.inventaire)
        formula_money(ws, row, 3, f"=SUM(D{first + 1}:D{max(row, first + 1)})", total, f.money_bold)
        row += 1
        merged_text(ws, row, 0, 2, "Achats de biens durables de l'exercice (chapitre 6800)", f.text)
        money(ws, row, 3, c.chapitre("6800"), f.money)

    # ------------------------------------------------------------------ 7. warnings still open

    def avertissements(self) -> None:
        c, f = self.crf, self.f
        ws = self.sheet("Avertissements", [12, 30, 62], landscape=True)
        row = self.heading(ws, "Avertissements encore ouverts", 2)
        if not c.avertissements:
            merged_text(ws, row, 0, 2, "Aucun avertissement : le cahier a été accepté sans remarque.", f.ok)
            return
        row = self.table_header(ws, row, ("Cellule", "Constat", "Message"))
        for w in c.avertissements:
            text(ws, row, 0, w.cell or "(fichier)", f.code)
            text(ws, row, 1, titled(w.code), f.wrap)
            text(ws, row, 2, w.message, f.wrap)
            fit_row(ws, row, [(titled(w.code), 30), (w.message, 62)])
            row += 1

    # ------------------------------------------------------------------ 8. quitus

    def quitus(self) -> None:
        c, f = self.crf, self.f
        ws = self.sheet("Quitus", [30, 30, 30])
        row = self.heading(ws, "Quitus des vérificateurs aux comptes", 2)
        ecole = c.nom or f"la coopérative n° {c.coop}"
        body = (
            f"Nous soussignés, vérificateurs aux comptes de la coopérative scolaire {ecole} (n° {c.coop}), "
            f"avons examiné le compte-rendu financier de l'exercice du {self.start:%d/%m/%Y} au {self.end:%d/%m/%Y}, "
            "le cahier de comptes, le rapprochement bancaire au 31 août, l'arrêté de caisse et les pièces "
            "justificatives. Nous certifions les comptes réguliers et sincères et donnons quitus au mandataire "
            "pour sa gestion."
        )
        ws.merge_range(row, 0, row, 2, "", f.plain_wrap)
        text(ws, row, 0, body, f.plain_wrap)
        ws.set_row(row, 64)
        row += 2
        for label, cents in (
            ("Total des produits", c.produits),
            ("Total des charges", c.charges),
            ("Résultat de l'exercice", c.resultat),
            ("Disponible au 31 août (banque + caisse)", c.disponible_fin),
        ):
            merged_text(ws, row, 0, 1, label, f.text)
            money(ws, row, 2, cents, f.money)
            row += 1
        row += 1
        q = c.quitus or Quitus(c.mandataire, None, ((None, None), (None, None)))
        titles = (
            "Le mandataire",
            "Vérificateur aux comptes — parent d'élève",
            "Vérificateur aux comptes — enseignant(e) n'ayant pas tenu la comptabilité",
        )
        for col, (title, (_, name, day, key)) in enumerate(zip(titles, q.signataires, strict=True)):
            fault = q.invalides.get(key)
            shown_day = f"{day} — non valable : {QUITUS_FAULTS.get(fault, fault)}" if day and fault else day
            text(ws, row, col, title, f.box_title)
            text(ws, row + 1, col, f"Nom : {name}" if name else "Nom :", f.box)
            text(ws, row + 2, col, f"Date : {shown_day}" if shown_day else "Date :", f.box)
            text(ws, row + 3, col, "Signature :", f.box)
        ws.set_row(row, 44)
        ws.set_row(row + 1, 22)
        ws.set_row(row + 2, 30 if q.invalides else 22)  # « non valable : … » wraps to a second line
        ws.set_row(row + 3, 70)
        row += 4
        if q.signe:
            state = "Quitus signé d'après le cahier : les noms et les dates sont remplis (feuille Paramètres)."
        else:
            state = "Quitus non signé d'après le cahier : il manque " + ", ".join(q.missing) + " (feuille Paramètres)."
            if q.invalides:
                state += " Une date non valable ne compte pas comme signature (voir Avertissements)."
        merged_text(ws, row, 0, 2, state, f.note_wrap)
        fit_row(ws, row, [(state, 90)])
        row += 2
        merged_text(ws, row, 0, 2, "Pièces à joindre au compte-rendu financier", f.section)
        row += 1
        releve = "solde non saisi" if c.releve_31_08 is None else f"solde {euros(c.releve_31_08)}"
        items = [f"☐  Le relevé bancaire couvrant le 31 août ({releve})"]
        for s in c.subventions:
            what = " — ".join(x for x in (s.organisme, s.objet) if x) or "subvention"
            items.append(f"☐  Justificatif de subvention : {what} ({euros(s.montant)})")
        if not c.subventions:
            items.append("☐  Les justificatifs des subventions (aucune inscrite cette année)")
        items += [
            "☐  L'arrêté de caisse au 31 août, signé",
            "☐  L'inventaire des biens durables",
            "☐  Le compte-rendu d'activités (CRA)",
            "☐  Le présent quitus, signé par le mandataire et les deux vérificateurs aux comptes",
        ]
        for item in items:
            ws.merge_range(row, 0, row, 2, "", f.plain)
            text(ws, row, 0, item, f.plain)
            row += 1

    # ------------------------------------------------------------------ 9. the year's journal, to print

    def journal(self) -> None:
        """Every line of the year, in the cahier's order, then the totals: what the vérificateurs and the AG read."""
        c, f = self.crf, self.f
        ws = self.sheet("Journal", [w for _, w in _JOURNAL_COLUMNS], landscape=True)
        ws.set_margins(left=0.3, right=0.3, top=0.6, bottom=0.5)
        last = len(_JOURNAL_COLUMNS) - 1
        row = self.heading(ws, "Journal de l'exercice", last)
        note = (
            "« Ligne » : le n° de la ligne dans le Journal du cahier. Montants en euros. « 7080 en moins » : un "
            "remboursement ou un avoir, compté en moins du chapitre."
        )
        merged_text(ws, row - 1, 0, last, note, f.note)
        ws.set_row(row, 27)  # « Banque recette » on two lines
        row = self.table_header(ws, row, tuple(label for label, _ in _JOURNAL_COLUMNS))
        first = row
        fmt = _JournalFormats(self.wb)
        for line in c.journal:
            _journal_line(ws, row, line, f, fmt)
            row += 1
        if not c.journal:
            merged_text(ws, row, 0, last, "Aucune ligne au Journal.", f.text)
            row += 1
        self.journal_totals(ws, row, first, fmt)

    def journal_totals(self, ws: Worksheet, row: int, first: int, fmt: _JournalFormats) -> None:
        """The four columns' totals (the CRF's receipts and expenses), then the recap of the year."""
        c, f = self.crf, self.f
        label = f"Totaux de l'exercice ({count(len(c.journal), 'ligne')})"
        merged_text(ws, row, 0, _AMOUNT_COL - 1, label, f.label_bold)
        totals = (c.banque_recettes, c.banque_depenses, c.caisse_recettes, c.caisse_depenses)
        for i, cents in enumerate(totals):
            col = _AMOUNT_COL + i
            letter = xl_rowcol_to_cell(0, col)[:-1]
            formula_money(
                ws, row, col, f"=SUM({letter}{first + 1}:{letter}{max(row, first + 1)})", cents, fmt.amount_bold
            )
        merged_text(ws, row, _AMOUNT_COL + 4, len(_JOURNAL_COLUMNS) - 1, "", f.label_bold)
        self.journal_recap(ws, row + 2, [_cell(row, _AMOUNT_COL + i) for i in range(4)])

    def journal_recap(self, ws: Worksheet, row: int, totals: list[str]) -> None:
        """Bank and cash from 1 September to 31 August, then charges, produits and result: the CRF's figures."""
        c, f = self.crf, self.f
        b, k, e = _AMOUNT_COL, _AMOUNT_COL + 2, _AMOUNT_COL + 4  # Banque in H:I, Caisse in J:K, Ensemble in L:M
        for col, title in ((b, "Banque"), (k, "Caisse"), (e, "Ensemble")):
            merged_text(ws, row, col, col + 1, title, f.header)
        bank, cash = _cell(row + 1, b), _cell(row + 1, k)
        balances = (
            ("Report à nouveau au 1er septembre", None, None, c.report_banque, c.report_caisse, f.text, f.money),
            ("+ Recettes − dépenses de l'exercice (totaux ci-dessus)", f"={totals[0]}-{totals[1]}",
             f"={totals[2]}-{totals[3]}", c.banque_recettes - c.banque_depenses,
             c.caisse_recettes - c.caisse_depenses, f.text, f.money),
            ("= Solde au 31 août (le bilan de la feuille CRF)", f"={bank}+{_cell(row + 2, b)}",
             f"={cash}+{_cell(row + 2, k)}", c.banque_fin, c.caisse_fin, f.label_bold, f.money_bold),
        )  # fmt: skip
        for label, bank_formula, cash_formula, bank_cents, cash_cents, label_fmt, fmt in balances:
            row += 1
            merged_text(ws, row, 0, b - 1, label, label_fmt)
            _merged_money(ws, row, b, bank_formula, bank_cents, fmt)
            _merged_money(ws, row, k, cash_formula, cash_cents, fmt)
            _merged_money(ws, row, e, f"={_cell(row, b)}+{_cell(row, k)}", bank_cents + cash_cents, fmt)
        results = (
            ("Charges de l'exercice (chapitres 6…, nettes des avoirs)", None, c.charges, f.text, f.money),
            ("Produits de l'exercice (chapitres 7…, nets des remboursements)", None, c.produits, f.text, f.money),
            ("Résultat de l'exercice (produits − charges)", f"={_cell(row + 2, e)}-{_cell(row + 1, e)}",
             c.resultat, f.label_bold, f.money_bold),
        )  # fmt: skip
        for label, formula, cents, label_fmt, fmt in results:
            row += 1
            merged_text(ws, row, 0, b - 1, label, label_fmt)
            merged_text(ws, row, b, e - 1, "", f.text)
            _merged_money(ws, row, e, formula, cents, fmt)


# The printable Journal: (header, width). Widths chosen so that the sheet, fit to one A4 landscape page wide, still
# prints its 10 pt text at 8 pt or more, even where LibreOffice measures columns with a wide fallback font.
_JOURNAL_COLUMNS: tuple[tuple[str, float], ...] = (
    ("Ligne", 5),
    ("Date", 9.5),
    ("Pièce", 5.5),
    ("Mode", 6),
    ("Libellé", 24),
    ("N° chèque", 8),
    ("Action", 10),
    ("Banque recette", 9.5),
    ("Banque dépense", 9.5),
    ("Caisse recette", 9.5),
    ("Caisse dépense", 9.5),
    ("Chapitre", 13),
    ("Pointé", 8),
)
_AMOUNT_COL = 7  # « Banque recette », then the three other amounts


class _JournalFormats:
    """The Journal's own formats: amounts without the € sign (the header says euros), to keep the columns narrow."""

    def __init__(self, wb: Workbook) -> None:
        base = {"font_name": "Arial", "font_size": 10, "valign": "top", "border": 1}
        self.amount = wb.add_format({**base, "num_format": "#,##0.00"})
        self.amount_bold = wb.add_format({**base, "num_format": "#,##0.00", "bold": True, "bg_color": "#F2F2F2"})
        self.wrap = wb.add_format({**base, "text_wrap": True})
        self.code = wb.add_format({**base, "align": "center"})
        self.number = wb.add_format({**base, "align": "center", "num_format": "0"})
        self.date = wb.add_format({**base, "align": "center", "num_format": "dd/mm/yyyy"})
        self.short_date = wb.add_format({**base, "align": "center", "num_format": "dd/mm/yy"})


def _journal_line(ws: Worksheet, row: int, line: Ligne, f: Formats, fmt: _JournalFormats) -> None:
    ws.write_number(row, 0, line.row, fmt.number)
    date(ws, row, 1, line.date, fmt.date)
    for col, value in ((2, line.piece), (3, line.mode), (5, line.cheque)):
        text(ws, row, col, value, fmt.code)
    text(ws, row, 4, line.libelle, fmt.wrap)
    text(ws, row, 6, line.action, fmt.wrap)
    amounts = (line.banque_recette, line.banque_depense, line.caisse_recette, line.caisse_depense)
    for i, cents in enumerate(amounts):
        money(ws, row, _AMOUNT_COL + i, cents, fmt.amount)
    chapters = _chapters(line)
    text(ws, row, _AMOUNT_COL + 4, chapters, fmt.wrap)
    if line.pointe_le is not None:
        date(ws, row, _AMOUNT_COL + 5, line.pointe_le, fmt.short_date)
    else:
        text(ws, row, _AMOUNT_COL + 5, "x" if line.pointe else None, fmt.code)
    wrapped = ((4, line.libelle), (6, line.action), (_AMOUNT_COL + 4, chapters))
    fit_row(ws, row, [(value, _JOURNAL_COLUMNS[col][1]) for col, value in wrapped])


def _chapters(line: Ligne) -> str | None:
    """« 6180 », « 7080 en moins », « 6281 : 351,00 € » a line for a split; what a line without chapter is."""
    if len(line.chapitres) == 1:
        code, cents = line.chapitres[0]
        return code if cents > 0 else f"{code} en moins"
    if line.chapitres:
        return "\n".join(f"{code} : {euros(cents).removesuffix(' €')}" for code, cents in line.chapitres)
    if line.annule:
        return "chèque annulé"
    if line.regie:
        return "régie d'avance"
    amounts = (line.banque_recette, line.banque_depense, line.caisse_recette, line.caisse_depense)
    return "mouvement interne" if any(a is not None for a in amounts) else None


def _merged_money(ws: Worksheet, row: int, col: int, formula: str | None, cents: int, fmt: object) -> None:
    """An amount over two columns (``col`` and the next): a value, or a live formula with its value cached."""
    ws.merge_range(row, col, row, col + 1, "", fmt)
    if formula is None:
        money(ws, row, col, cents, fmt)
    else:
        formula_money(ws, row, col, formula, cents, fmt)

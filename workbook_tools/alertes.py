"""What a departmental treasurer hunts for in a cooperative's accepted figures (issue 14, item 5), its CRA headcounts
and its quitus (items 6–7): each alert a code, a title and a message with its figure.

Computed from what the consolidation already holds for the version that counts (its :class:`~workbook_tools.model
.Totals`, its finding codes, its CRA and its quitus as stored); nothing is re-read. The thresholds are
:class:`Seuils`, options of ``cahier consolidate``; their defaults (chosen here, the OCCE texts give none):

* cash above **300 €** at 31 August (``--plafond-caisse``): a school cooperative keeps little cash;
* a deficit above **50 %** of the opening balance (``--seuil-deficit``);
* the OCCE membership (6281) against the pupils of the CRA × **2,00 €** (``--cotisation-eleve``), alerted when it
  differs by more than **10 %** (pupils only: the adults' membership varies from one department to another);
  ``--cotisation-eleve 0`` turns that check off (no rate: nothing to compare).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from workbook_tools.model import Code, Totals
from workbook_tools.text import count, euros

# code → title, in the treasurer's words (shown in « Alertes » and docs/codes.md)
TREASURER_ALERTS: dict[str, str] = {
    "CAISSE_NON_COMPTEE": "La caisse n'a pas été comptée au 31 août alors que le cahier en détient.",
    "CAISSE_PLAFOND": "La caisse au 31 août dépasse le plafond fixé par le département.",
    "DEFICIT_IMPORTANT": "Le déficit dépasse la part fixée du report à nouveau.",
    "REVENTE_SANS_VENTE": "Des achats pour revente (6070) sans aucune vente (7070).",
    Code.SUBVENTION_UNTRACED.value: Code.SUBVENTION_UNTRACED.titre,
    Code.REGIE_OPEN.value: Code.REGIE_OPEN.titre,
    Code.REPORT_AS_RECEIPT.value: Code.REPORT_AS_RECEIPT.titre,
    "QUITUS_NON_SIGNE": "Le quitus n'est pas signé (noms et dates des signataires dans Paramètres).",
    "COTISATION_ECART": "La cotisation OCCE (6281) ne correspond pas au nombre d'élèves du CRA.",
}

RESALE_PURCHASES, RESALE_INCOME, MEMBERSHIP = "6070", "7070", "6281"


def percent(share: int | Decimal) -> str:
    """A threshold in percent as French writes it: « 50 », « 12,5 »."""
    exact = Decimal(share)
    if exact == exact.to_integral_value():
        return str(int(exact))
    return format(exact.normalize(), "f").replace(".", ",")


@dataclass(frozen=True)
class Seuils:
    """The treasurer's thresholds. Money in cents, shares in percent."""

    caisse_plafond: int = 30_000  # cash at 31 August above this: an alert
    deficit_part: int | Decimal = 50  # a deficit above this share of the opening balance: an alert
    cotisation_eleve: int = 200  # OCCE membership expected per pupil of the CRA; 0: no membership check
    cotisation_tolerance: int = 10  # percent of the expected membership

    def texte(self) -> str:
        """The thresholds in one French line, for the workbook's note."""
        return (
            f"plafond de caisse {euros(self.caisse_plafond)} ; déficit au-delà de {percent(self.deficit_part)} % du report ; "
            + (
                f"cotisation {euros(self.cotisation_eleve)} par élève (écart toléré {self.cotisation_tolerance} %)"
                if self.cotisation_eleve
                else "cotisation par élève non contrôlée"
            )
        )


def treasurer_alerts(
    totals: Totals,
    codes: frozenset[str],
    cra: Mapping[str, int],
    quitus_manque: tuple[str, ...] | None,
    seuils: Seuils,
) -> list[tuple[str, str]]:
    """(code, message) of each alert of the version that counts, in :data:`TREASURER_ALERTS` order."""
    out: list[tuple[str, str]] = []
    chapitres = totals.chapitres
    holds_cash = totals.caisse_fin != 0 or totals.report_caisse != 0 or totals.caisse_recettes or totals.caisse_depenses
    if totals.caisse_comptee is None and holds_cash:
        out.append(
            (
                "CAISSE_NON_COMPTEE",
                f"Aucun comptage dans l'arrêté de caisse ; le cahier donne {euros(totals.caisse_fin)} en caisse au 31 août.",
            )
        )
    cash = totals.caisse_cloture
    if cash > seuils.caisse_plafond:
        out.append(("CAISSE_PLAFOND", f"Caisse au 31 août : {euros(cash)}, plafond {euros(seuils.caisse_plafond)}."))
    deficit = -totals.resultat
    if deficit > 0 and deficit * 100 > seuils.deficit_part * max(totals.report, 0):
        share = f"{deficit * 100 // totals.report} % du report" if totals.report > 0 else "sans report à nouveau"
        out.append(
            (
                "DEFICIT_IMPORTANT",
                f"Déficit de {euros(deficit)} pour un report à nouveau de {euros(totals.report)} ({share} ; "
                f"seuil {percent(seuils.deficit_part)} %).",
            )
        )
    if chapitres.get(RESALE_PURCHASES, 0) > 0 and chapitres.get(RESALE_INCOME, 0) <= 0:
        out.append(
            (
                "REVENTE_SANS_VENTE",
                f"Achats pour revente (6070) : {euros(chapitres[RESALE_PURCHASES])} ; ventes (7070) : "
                f"{euros(chapitres.get(RESALE_INCOME, 0))}.",
            )
        )
    if Code.SUBVENTION_UNTRACED.value in codes:
        out.append(
            (
                Code.SUBVENTION_UNTRACED.value,
                f"Feuille Subventions : {euros(totals.subventions_feuille)} ; le Journal en compte d'autres "
                "(chapitres 7410, 7420).",
            )
        )
    if totals.regies_en_cours != 0 or Code.REGIE_OPEN.value in codes:
        out.append((Code.REGIE_OPEN.value, f"Régie d'avance non soldée au 31 août : {euros(totals.regies_en_cours)}."))
    if Code.REPORT_AS_RECEIPT.value in codes:
        out.append(
            (
                Code.REPORT_AS_RECEIPT.value,
                f"Une recette du Journal semble être le report à nouveau (report : {euros(totals.report)}) : si "
                f"c'est le cas, le résultat ({euros(totals.resultat)}) est trop haut du montant de cette recette.",
            )
        )
    if quitus_manque:
        out.append(("QUITUS_NON_SIGNE", "Il manque : " + ", ".join(quitus_manque) + "."))
    eleves = cra.get("eleves")
    if eleves and seuils.cotisation_eleve > 0:  # a rate of 0: the department does not check the membership
        expected = eleves * seuils.cotisation_eleve
        paid = chapitres.get(MEMBERSHIP, 0)
        if abs(paid - expected) * 100 > seuils.cotisation_tolerance * expected:
            out.append(
                (
                    "COTISATION_ECART",
                    f"Cotisation versée (6281) : {euros(paid)} ; attendue : {euros(expected)} "
                    f"({count(eleves, 'élève')} × {euros(seuils.cotisation_eleve)}).",
                )
            )
    return out

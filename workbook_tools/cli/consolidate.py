"""``cahier consolidate --store URL [--exercice E] [--roster coops.csv] -o FILE.xlsx [--format json]``."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import click

from workbook_tools.cli._output import guard_output, output_format, same_file, write_figures
from workbook_tools.cli._store import (
    exercice_option,
    existing_store,
    store_errors,
    store_option,
    workbook_output_options,
)


@click.command("consolidate")
@store_option
@exercice_option
@click.option(
    "--roster",
    metavar="LISTE.csv",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Liste CSV des coopératives attendues (colonnes coop et nom, séparées par « ; » ou « , » ; les autres "
    "colonnes, commune, e-mail…, sont reprises telles quelles).",
)
@click.option(
    "--echeance",
    metavar="JJ/MM",
    help="Date limite des comptes-rendus, JJ/MM ou JJ/MM/AAAA (par défaut le 30/09 qui suit la fin de l'exercice) : "
    "« En retard » est jugé sur elle.",
)
@click.option(
    "--relances",
    metavar="FICHIER.csv",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Écrit aussi la liste des coopératives manquantes, refusées ou en retard, avec les colonnes de la liste "
    "(contacts), pour un publipostage (CSV « ; », UTF-8, s'ouvre dans Excel).",
)
@click.option(
    "--plafond-caisse",
    metavar="EUROS",
    help="Alerte quand la caisse au 31 août dépasse ce montant (par défaut 300,00).",
)
@click.option(
    "--seuil-deficit",
    metavar="POURCENT",
    help="Alerte quand le déficit dépasse cette part du report à nouveau, en %, de 0 à 1000 (par défaut 50 ; "
    "décimales acceptées, 12,5).",
)
@click.option(
    "--cotisation-eleve",
    metavar="EUROS",
    help="Cotisation OCCE attendue par élève du CRA, comparée au chapitre 6281 (par défaut 2,00 ; 0 : pas de "
    "contrôle de la cotisation).",
)
@workbook_output_options("le classeur du trésorier")
def command(
    store_url: str,
    exercice: str | None,
    roster: Path | None,
    echeance: str | None,
    relances: Path | None,
    plafond_caisse: str | None,
    seuil_deficit: str | None,
    cotisation_eleve: str | None,
    output: Path | None,
    force: bool,
    fmt: str | None,
) -> None:
    """Classeur départemental : une ligne par coopérative, totaux par chapitre, alertes, manquantes.

    \b
    Exemples :
      cahier consolidate --store /srv/cahier/depot --roster coops.csv -o consolidation.xlsx
      cahier consolidate --exercice 2025-2026 --format json
      cahier consolidate --roster coops.csv --echeance 15/10 --relances relances.csv -o consolidation.xlsx
    """
    from workbook_tools.consolidation import consolidate, write_relances
    from workbook_tools.consolidation_workbook import write_consolidation_workbook
    from workbook_tools.store.standing import Status
    from workbook_tools.text import count

    # every value of these options is checked here, a French « Erreur : » and status 1 (bad input), like --echeance
    seuils = _seuils(
        _euros(plafond_caisse, "--plafond-caisse"),
        _percent(seuil_deficit, "--seuil-deficit"),
        _euros(cotisation_eleve, "--cotisation-eleve"),
    )
    _distinct_files(roster=roster, output=output, relances=relances)
    fmt = output_format(fmt, output)
    if fmt == "xlsx" and output is None:
        raise click.UsageError("indiquez le classeur à écrire avec -o FICHIER.xlsx (ou --format json).")
    with store_errors():
        store = existing_store(store_url)
        result = consolidate(store, exercice, roster=roster, deadline=echeance, seuils=seuils)
        guard_output(output, force=force, store=store)  # after the inputs' own errors, before anything is written
        guard_output(relances, force=force, store=store)
        if relances is not None:
            write_relances(result, relances)
        written = write_figures(fmt, output, result.to_dict, lambda path: write_consolidation_workbook(result, path))
        if written is None:
            return
    counts = result.counts()
    click.echo(
        f"Consolidation {result.exercice} : {count(len(result.rows), 'coopérative')} "
        f"({count(counts[Status.ACCEPTED], 'acceptée')}, "
        f"{count(counts[Status.REFUSED_NEWER], 'avec une version plus récente refusée', 'avec une version plus récente refusée')}, "
        f"{count(counts[Status.REFUSED], 'refusée')}, {count(counts[Status.MISSING], 'manquante')}), "
        f"{count(len(result.alerts), 'alerte')}"
        + (f", comparée à {result.exercice_precedent}" if result.has_precedent else "")
        + f" : {written}",
        err=True,
    )


def _euros(value: str | None, option: str) -> int | None:
    """A threshold in euros typed on the command line (« 300 », « 2,50 ») → cents; a French error otherwise."""
    if value is None:
        return None
    from workbook_tools.cells import money

    cents, status, _ = money(value.strip().replace("€", ""))
    if cents is None or cents < 0 or status not in ("ok", "text"):
        raise click.ClickException(f"{option} : « {value} » n'est pas un montant en euros (par exemple 300 ou 2,50).")
    return cents


def _percent(value: str | None, option: str) -> Decimal | None:
    """A share in percent, 0 to 1000, decimal comma or point (« 50 », « 12,5 »); a French error otherwise."""
    if value is None:
        return None
    try:
        share = Decimal(value.strip().removesuffix("%").strip().replace(",", "."))
    except InvalidOperation:
        share = None
    if share is None or not share.is_finite() or not 0 <= share <= 1000:
        raise click.ClickException(
            f"{option} : « {value} » n'est pas un pourcentage de 0 à 1000 (par exemple 50 ou 12,5)."
        )
    return share


def _distinct_files(*, roster: Path | None, output: Path | None, relances: Path | None) -> None:
    """The files written are neither the roster read nor each other (also through a link): a French error and
    nothing written, never a roster replaced by the relances list."""
    named = [(p, what) for p, what in ((roster, "la liste --roster"), (output, "le fichier -o"),
                                       (relances, "la liste --relances")) if p is not None]  # fmt: skip
    for i, (written, what) in enumerate(named):
        if written is roster:
            continue
        for other, other_what in named[:i]:
            if same_file(written, other):
                raise click.ClickException(
                    f"{what} ({written}) est aussi {other_what} : choisissez un autre nom, rien n'a été écrit."
                )


def _seuils(plafond: int | None, deficit: Decimal | None, cotisation: int | None) -> Any:
    """The treasurer's thresholds (workbook_tools.alertes.Seuils), the defaults where no option was given."""
    from workbook_tools.alertes import Seuils

    default = Seuils()
    return Seuils(
        caisse_plafond=default.caisse_plafond if plafond is None else plafond,
        deficit_part=default.deficit_part if deficit is None else deficit,
        cotisation_eleve=default.cotisation_eleve if cotisation is None else cotisation,
    )

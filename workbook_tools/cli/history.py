"""``cahier history --coop ID --store URL [--exercice E]``: every version a cooperative sent, exercice by exercice."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from workbook_tools.cli._store import coop_option, existing_store, store_errors, store_option

if TYPE_CHECKING:
    from workbook_tools.store import Version


@click.command("history")
@coop_option
@store_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text : un tableau à lire ; json : les fiches des versions, pour un programme.",
)
@click.option(
    "--exercice",
    metavar="AAAA-AAAA",
    help="N'afficher que les versions de cet exercice, par exemple 2025-2026 (par défaut : tous les exercices).",
)
def command(coop: str, store_url: str, fmt: str, exercice: str | None) -> None:
    """Liste toutes les versions envoyées par une coopérative (acceptées, refusées, doublons), regroupées par
    exercice, du plus ancien au plus récent (un fichier dont l'exercice n'a pas pu être lu reste à sa place, parmi
    les versions de l'exercice envoyé juste avant lui) ; le n° est celui que « cahier restore » attend.

    Statut de sortie : 0 ; 1 si le dépôt n'existe pas ou si la coopérative n'y a rien envoyé.

    \b
    Exemples :
      cahier history --store /srv/cahier/depot --coop 69011
      cahier history --coop 69011 --exercice 2025-2026
    """
    from workbook_tools.bilan import exercice_of
    from workbook_tools.store import STATUS_FR
    from workbook_tools.store.standing import exercices, standing
    from workbook_tools.text import date_time

    with store_errors():
        wanted = str(exercice_of(exercice)) if exercice is not None else None
        store = existing_store(store_url, coop)
        versions = store.history(coop)
        standings = [standing(coop, versions, e) for e in exercices(versions) if wanted in (None, e)]
        current = {s.current.version for s in standings if s.current is not None}
    if not versions:
        raise click.ClickException(
            f"La coopérative {coop} n'a envoyé aucun cahier au dépôt {store.display_url} : "
            "vérifiez son numéro (c'est le nom de son dossier)."
        )
    numbered = [(n, v) for n, v in enumerate(versions, start=1) if wanted in (None, v.exercice)]
    if not numbered:
        sent = ", ".join(e or "(non lu)" for e in exercices(versions))
        raise click.ClickException(
            f"La coopérative {coop} n'a envoyé aucun cahier de l'exercice {wanted} (exercices reçus : {sent})."
        )
    if fmt == "json":
        click.echo(json.dumps([v.to_dict() for _, v in numbered], ensure_ascii=False, indent=2))
        return
    group = _group(numbered)
    numbered.sort(key=lambda item: (group[item[0]], item[0]))  # grouped by exercice, oldest first
    rows = [("n°", "version", "reçu le", "statut", "exercice", "err.", "avert.", "fichier")]
    for number, v in numbered:
        status = STATUS_FR.get(v.status, v.status)
        if v.duplicate_of:
            status += f" (= {v.duplicate_of})"
        if v.version in current:
            status += " ← en cours"
        when = date_time(v.received_at, seconds=True, at=" ")
        rows.append(
            (str(number), v.version, when, status, v.exercice or "—", str(v.errors), str(v.warnings), v.filename)
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + "  " + row[-1])
    for where in standings:
        click.echo(f"Exercice {where.exercice or '(non lu)'} : {where.status.fr}.")


def _group(numbered: list[tuple[int, Version]]) -> dict[int, str]:
    """The exercice each version is listed under: its own; for a file whose exercice could not be read (a refused
    file), that of the version received just before it (else just after): it stays where it arrived, not first."""
    in_order = sorted(numbered, key=lambda item: item[0])
    last = next((v.exercice for _, v in in_order if v.exercice), "")
    out: dict[int, str] = {}
    for number, v in in_order:
        last = v.exercice or last
        out[number] = last
    return out

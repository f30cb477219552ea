"""``cahier history --coop ID --store URL``: every version a cooperative sent."""

from __future__ import annotations

import json
from datetime import datetime

import click

from workbook_tools.cli._store import coop_option, store_errors, store_option


@click.command("history")
@coop_option
@store_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def command(coop: str, store_url: str, fmt: str) -> None:
    """Liste toutes les versions envoyées par une coopérative (acceptées, refusées, doublons)."""
    from workbook_tools.store import STATUS_FR, Store
    from workbook_tools.store.standing import exercices, standing

    with store_errors():
        store = Store(store_url)
        versions = store.history(coop)
        standings = [standing(coop, versions, exercice) for exercice in exercices(versions)]
        current = {s.current.version for s in standings if s.current is not None}
    if fmt == "json":
        click.echo(json.dumps([v.to_dict() for v in versions], ensure_ascii=False, indent=2))
        return
    if not versions:
        click.echo(f"Aucune version pour la coopérative {coop} dans {store.display_url}.")
        return
    rows = [("n°", "version", "reçu le", "statut", "exercice", "err.", "avert.", "fichier")]
    for number, v in enumerate(versions, start=1):
        status = STATUS_FR.get(v.status, v.status)
        if v.duplicate_of:
            status += f" (= {v.duplicate_of})"
        if v.version in current:
            status += " ← en cours"
        when = datetime.fromisoformat(v.received_at).astimezone().strftime("%d/%m/%Y %H:%M:%S")
        rows.append(
            (str(number), v.version, when, status, v.exercice or "—", str(v.errors), str(v.warnings), v.filename)
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + "  " + row[-1])
    for where in standings:
        click.echo(f"Exercice {where.exercice or '(non lu)'} : {where.status.fr}.")

"""The treasurer's OUTBOX: the consolidated workbook of each exercice, and a summary of the store.

``refresh_outbox(store, outbox, roster=...)`` is the single call the watcher makes after an
acceptance or a refusal (debounced). Every file appears complete or not at all.

The summary is written twice: ``etat-du-depot.json`` for programs (amounts in integer cents, times in ISO 8601
UTC, like every JSON of cahier) and ``etat-du-depot.csv`` for a French spreadsheet: ``;`` between fields,
amounts in euros with a decimal comma and nothing else (``4731,00``: LibreOffice and Excel in French read it as
a number), the time of reception in local time ``jj/mm/aaaa hh:mm:ss``, UTF-8 with a byte-order mark. Its
column names are the JSON keys, so that both files are read the same way.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbook_tools.files import replace_bytes
from workbook_tools.store import Store
from workbook_tools.store.standing import exercices, standing
from workbook_tools.text import date_time, euros_csv

if TYPE_CHECKING:
    from workbook_tools.alertes import Seuils

SUMMARY_CSV = "etat-du-depot.csv"
SUMMARY_JSON = "etat-du-depot.json"
MONEY = ("produits", "charges", "resultat")  # cents in the JSON, euros in the CSV


def store_summary(store: Store) -> list[dict[str, Any]]:
    """One row per cooperative and exercice, with its standing (the rule of :mod:`workbook_tools.store.standing`,
    the same one the consolidation, the CRF and ``cahier history`` use)."""
    rows: list[dict[str, Any]] = []
    for coop in store.coops():
        history = store.history(coop)
        for exercice in exercices(history):
            where = standing(coop, history, exercice)
            current, last = where.current, where.last
            totals = current.totals if current else None
            rows.append(
                {
                    "coop": coop,
                    "exercice": exercice,
                    "statut": where.status.fr,
                    "version": current.version if current else None,
                    "recu_le": current.received_at if current else None,
                    "fichier": current.filename if current else (last.filename if last else None),
                    "versions": where.submissions,
                    "derniere_version": last.version if last else None,
                    "derniere_erreurs": last.errors if last else None,
                    "produits": totals.produits if totals else None,
                    "charges": totals.charges if totals else None,
                    "resultat": totals.resultat if totals else None,
                }
            )
    return rows


def consolidation_name(exercice: str) -> str:
    return f"consolidation-{exercice}.xlsx"


def refresh_outbox(
    store: Store, outbox: Path, *, roster: Path | None = None, seuils: Seuils | None = None
) -> list[Path]:
    """The consolidated workbook of each exercice with an accepted version (``consolidation-2025-2026.xlsx``),
    and the summary of the store (CSV for a French spreadsheet, JSON for programs)."""
    from workbook_tools.consolidation_workbook import write_consolidation

    rows = store_summary(store)
    outbox.mkdir(parents=True, exist_ok=True)
    written = [
        write_consolidation(
            store, outbox / consolidation_name(exercice), roster=roster, exercice=exercice, seuils=seuils
        )
        for exercice in sorted({r["exercice"] for r in rows if r["exercice"] and r["version"]})
    ]
    columns = ["coop", "exercice", "statut", "version", "recu_le", "fichier", "versions", "derniere_version",
               "derniere_erreurs", "produits", "charges", "resultat"]  # fmt: skip
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=columns, delimiter=";")
    writer.writeheader()
    writer.writerows(_csv_row(row) for row in rows)
    payload = {"genere_le": datetime.now(UTC).isoformat(), "depot": store.display_url, "cooperatives": rows}
    return [
        *written,
        replace_bytes(outbox / SUMMARY_CSV, text.getvalue().encode("utf-8-sig")),
        replace_bytes(outbox / SUMMARY_JSON, json.dumps(payload, ensure_ascii=False, indent=2).encode("utf-8")),
    ]


def _csv_row(row: dict[str, Any]) -> dict[str, Any]:
    """A summary row as a French spreadsheet reads it: euros with a decimal comma, local time, text kept text."""
    out = {k: _csv_text(v) for k, v in row.items()}
    out.update({k: euros_csv(row[k]) for k in MONEY})
    out["recu_le"] = date_time(row["recu_le"], seconds=True, at=" ") if row["recu_le"] else None
    return out


def _csv_text(value: Any) -> Any:
    """Text a spreadsheet would take for a formula (a file named « =… », « +… », « -… », « @… ») is quoted."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


__all__ = ["refresh_outbox", "store_summary"]

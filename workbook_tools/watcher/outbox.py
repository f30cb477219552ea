"""The treasurer's OUTBOX: the consolidated workbook of each exercice, and a summary of the store.

``refresh_outbox(store, outbox, roster=...)`` is the single call the watcher makes after an
acceptance or a refusal (debounced). Every file appears complete or not at all.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from workbook_tools.files import replace_bytes
from workbook_tools.store import Store
from workbook_tools.store.standing import exercices, standing

SUMMARY_CSV = "etat-du-depot.csv"
SUMMARY_JSON = "etat-du-depot.json"


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


def refresh_outbox(store: Store, outbox: Path, *, roster: Path | None = None) -> list[Path]:
    """The consolidated workbook of each exercice with an accepted version (``consolidation-2025-2026.xlsx``),
    and the summary of the store (CSV for a spreadsheet, JSON for programs; amounts in cents)."""
    from workbook_tools.consolidation_workbook import write_consolidation

    rows = store_summary(store)
    outbox.mkdir(parents=True, exist_ok=True)
    written = [
        write_consolidation(store, outbox / consolidation_name(exercice), roster=roster, exercice=exercice)
        for exercice in sorted({r["exercice"] for r in rows if r["exercice"] and r["version"]})
    ]
    columns = ["coop", "exercice", "statut", "version", "recu_le", "fichier", "versions", "derniere_version",
               "derniere_erreurs", "produits", "charges", "resultat"]  # fmt: skip
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=columns, delimiter=";")
    writer.writeheader()
    writer.writerows({k: _csv_text(v) for k, v in row.items()} for row in rows)
    payload = {"genere_le": datetime.now(UTC).isoformat(), "depot": store.display_url, "cooperatives": rows}
    return [
        *written,
        replace_bytes(outbox / SUMMARY_CSV, text.getvalue().encode("utf-8-sig")),
        replace_bytes(outbox / SUMMARY_JSON, json.dumps(payload, ensure_ascii=False, indent=2).encode("utf-8")),
    ]


def _csv_text(value: Any) -> Any:
    """Text a spreadsheet would take for a formula (a file named « =… », « +… », « -… », « @… ») is quoted."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


__all__ = ["refresh_outbox", "store_summary"]

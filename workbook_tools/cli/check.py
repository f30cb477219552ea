"""``cahier check FILE... [--format text|json] [--annotate DIR]``"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from workbook_tools.cli._store import max_size_option, megabytes

if TYPE_CHECKING:
    from workbook_tools.validate import CheckResult


@click.command("check")
@click.argument("files", metavar="CAHIER...", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Format du rapport."
)
@click.option(
    "--annotate",
    "annotate_dir",
    metavar="DOSSIER",
    type=click.Path(file_okay=False, path_type=Path),
    help="Écrit dans ce dossier une copie annotée de chaque cahier (cellules à corriger en couleur, commentées).",
)
@click.option(
    "--store",
    "store_url",
    metavar="DÉPÔT",
    help="Compare aussi le report à nouveau au solde de clôture de l'exercice précédent accepté dans ce dépôt "
    "(sans --store, la continuité n'est pas vérifiée).",
)
@max_size_option
def command(
    files: tuple[Path, ...], fmt: str, annotate_dir: Path | None, max_size: float | None, store_url: str | None
) -> None:
    """Contrôle un ou plusieurs cahiers et dit, cellule par cellule, ce qu'il faut corriger.

    Statut de sortie : 0 sans erreur (avertissements permis), 1 si un fichier a une erreur, 2 en cas d'usage incorrect.

    \b
    Exemples :
      cahier check cahier-2025-2026.xlsx
      cahier check --annotate rapports 69001/*.xlsx
      cahier check --format json cahier-2025-2026.xlsx
      cahier check --store /srv/cahier/depot cahier-2026-2027.xlsx
    """
    from workbook_tools.report import annotate, to_json, to_text
    from workbook_tools.validate import check_file

    results = [check_file(path, max_bytes=megabytes(max_size)) for path in files]
    _continuity(results, store_url)
    if annotate_dir is not None:
        for r in results:
            written = annotate(r, annotate_dir)
            if written is not None and fmt == "text":
                click.echo(f"Rapport annoté : {written}", err=True)
    if fmt == "json":
        data = [to_json(r) for r in results]
        click.echo(json.dumps(data[0] if len(data) == 1 else data, ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join(to_text(r) for r in results), nl=False)
    if any(not r.ok for r in results):
        raise SystemExit(1)


def _continuity(results: list[CheckResult], store_url: str | None) -> None:
    """With --store, each cahier's opening balances against the previous exercice's accepted closing ones (issue 12);
    without, the report says that they were not compared."""
    from workbook_tools.continuity import check as check_continuity

    store = None
    if store_url is not None:
        from workbook_tools.cli._store import existing_store, store_errors

        with store_errors():
            store = existing_store(store_url)
    for result in results:
        if store is not None:
            with store_errors():
                check_continuity(result, store)
        else:
            check_continuity(result, None)

"""``cahier template [-o cahier.xlsx] [--exercice 2025-2026] [--chart plan.toml]``"""

from __future__ import annotations

from pathlib import Path

import click


@click.command("template")
@click.option(
    "-o",
    "--output",
    metavar="FICHIER",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("cahier.xlsx"),
    show_default=True,
    help="Fichier à écrire ; un fichier existant n'est remplacé qu'avec --force.",
)
@click.option(
    "--exercice", metavar="AAAA-AAAA", help="Exercice à inscrire dans Paramètres, par exemple 2025-2026 (vide sinon)."
)
@click.option(
    "--chart",
    "chart_path",
    metavar="PLAN.toml",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Plan comptable (TOML) à utiliser à la place du plan par défaut.",
)
@click.option("--force", is_flag=True, help="Remplace FICHIER s'il existe déjà (un cahier rempli serait perdu).")
def command(output: Path, exercice: str | None, chart_path: Path | None, force: bool) -> None:
    """Écrit un cahier vierge (le modèle), prêt à remplir dans Excel ou LibreOffice.

    \b
    Exemples :
      cahier template
      cahier template -o cahier-2025-2026.xlsx --exercice 2025-2026
    """
    from workbook_tools.chart import load_chart
    from workbook_tools.cli._output import guard_output
    from workbook_tools.template import ExerciceError, check_exercice, write_template
    from workbook_tools.text import os_error

    if exercice is not None:
        try:
            exercice = check_exercice(exercice)
        except ExerciceError as exc:
            raise click.ClickException(str(exc)) from None
    try:
        chart = load_chart(chart_path)
    except (OSError, ValueError, KeyError) as exc:
        reason = os_error(exc) if isinstance(exc, OSError) else str(exc)
        raise click.ClickException(f"plan comptable illisible ({chart_path}) : {reason}") from None
    guard_output(output, [(chart_path, "le plan comptable --chart")], force=force)
    try:
        path = write_template(output, exercice=exercice, chart=chart)
    except OSError as exc:
        raise click.ClickException(f"impossible d'écrire {output} : {os_error(exc)}") from None
    click.echo(f"Modèle écrit : {path}")

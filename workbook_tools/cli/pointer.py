"""``cahier pointer CAHIER RELEVE... [-o COPIE]``: the bank statement ticks the cahier."""

from __future__ import annotations

from pathlib import Path

import click

from workbook_tools.i18n import FrenchIntRange


@click.command("pointer")
@click.argument("cahier", metavar="CAHIER", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument(
    "releves",
    metavar="RELEVE...",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option(
    "-o",
    "--output",
    metavar="COPIE",
    type=click.Path(dir_okay=False, path_type=Path),
    help="La copie pointée du cahier (par défaut : CAHIER.pointe.xlsx à côté du cahier ; jamais le cahier lui-même).",
)
@click.option("--force", is_flag=True, help="Remplace COPIE si elle existe déjà (jamais le cahier ni un relevé).")
@click.option(
    "--jours",
    metavar="N",
    default=10,
    show_default=True,
    type=FrenchIntRange(0, 60),
    help="Écart de dates permis, en jours.",
)
@click.option(
    "--jours-cheques",
    metavar="N",
    default=92,
    show_default=True,
    type=FrenchIntRange(0, 400),
    help="Délai permis entre la date d'un chèque dans le cahier et son encaissement, en jours.",
)
@click.option(
    "--profils",
    metavar="FICHIER",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Des formats CSV de banques en plus (fichier TOML, comme banques.toml).",
)
def command(
    cahier: Path,
    releves: tuple[Path, ...],
    output: Path | None,
    force: bool,
    jours: int,
    jours_cheques: int,
    profils: Path | None,
) -> None:
    """Pointe le cahier avec les relevés téléchargés sur le site de la banque (OFX, QIF ou CSV).

    Écrit une copie du cahier où la colonne Pointé de chaque ligne trouvée sur un relevé porte la date du relevé,
    et le solde au 31 août dans Paramètres quand un relevé couvre ce jour ; puis dit ce qui manque au cahier
    (frais bancaires, prélèvements, virements), ce qui attend encore (chèques pas encaissés) et les montants qui
    diffèrent. Le cahier lui-même n'est jamais modifié.

    Statut de sortie : 0 quand la copie est écrite, 1 si un fichier ne peut pas être lu, 2 en cas d'usage incorrect.

    \b
    Exemples :
      cahier pointer cahier-2025-2026.xlsx releve-2025-2026.ofx
      cahier pointer cahier-2025-2026.xlsx releve-sept.csv releve-oct.csv -o cahier-pointe.xlsx
    """
    from workbook_tools.cli._output import guard_output
    from workbook_tools.matching import Window
    from workbook_tools.pointage import PointageError, copy_path, plan, to_text, write_copy
    from workbook_tools.statement import StatementError
    from workbook_tools.statement.bank_csv import PROFILES_HINT, UnknownLayout

    dest = output or copy_path(cahier)
    inputs = [
        (cahier, "le cahier à pointer"),
        *((r, "un des relevés") for r in releves),
        (profils, "le fichier --profils"),
    ]
    try:
        pointage = plan(cahier, list(releves), window=Window(jours, jours_cheques), profiles=profils)
        guard_output(dest, inputs, force=force)  # the default copy too: a re-run never loses what was corrected in it
        written = write_copy(pointage, dest)
    except UnknownLayout as exc:
        raise click.ClickException(f"{exc} {PROFILES_HINT}") from exc
    except (StatementError, PointageError) as exc:
        raise click.ClickException(str(exc)) from exc
    except OSError as exc:
        from workbook_tools.text import os_error

        raise click.ClickException(f"{dest} ne peut pas être écrit : {os_error(exc)}.") from exc
    click.echo(to_text(pointage, written), nl=False)
    click.echo(f"Copie pointée : {written}", err=True)

#!/usr/bin/env python3
"""Regenerate the parts of docs/ that come from the code, so that they never drift.

    scripts/docs.py codes            # writes docs/codes.md and the tables between markers in the guides
    scripts/docs.py codes --check    # says which file is out of date (exit 1), writes nothing

Generated parts:
- docs/codes.md: every finding code (``workbook_tools.model.Code``) with its severity, its title and the
  advice of ``workbook_tools.guide.CONSEILS``;
- the same table between ``<!-- codes:start -->`` and ``<!-- codes:end -->`` in the guides;
- the consolidation's alert codes (``workbook_tools.consolidation.ALERTS``) between
  ``<!-- alertes:start -->`` and ``<!-- alertes:end -->``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbook_tools.consolidation import ALERTS
from workbook_tools.guide import codes_table, md_cell

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
GUIDES = ("guide-mandataire.md", "guide-tresorier.md")

CODES_HEADER = """\
# Les codes des contrôles

<!-- Généré par scripts/docs.py à partir de workbook_tools/model.py (Code) et workbook_tools/guide.py
     (CONSEILS) : ne pas modifier à la main, lancer `scripts/docs.py codes`. -->

Chaque remarque du rapport porte un code, la cellule à corriger et un message qui donne les valeurs
vues. Une **erreur** fait refuser le cahier tant qu'elle n'est pas corrigée ; un **avertissement**
n'empêche pas l'acceptation, mais mérite un coup d'œil. Voir aussi le
[guide du mandataire](guide-mandataire.md) et le [guide du trésorier](guide-tresorier.md).

"""


def alerts_table() -> str:
    lines = ["| Alerte | Ce que cela veut dire |", "|---|---|"]
    lines += [f"| `{code}` | {md_cell(text)} |" for code, text in ALERTS.items()]
    return "\n".join(lines) + "\n"


BLOCKS = {"codes": codes_table, "alertes": alerts_table}


def codes_page() -> str:
    return CODES_HEADER + codes_table()


def fill_markers(text: str) -> str:
    """``text`` with every ``<!-- NAME:start -->`` … ``<!-- NAME:end -->`` block regenerated."""
    for name, make in BLOCKS.items():
        start, end = f"<!-- {name}:start -->\n", f"<!-- {name}:end -->"
        i = text.find(start)
        j = text.find(end, i)
        if i >= 0 and j >= 0:
            text = text[: i + len(start)] + make() + text[j:]
    return text


def expected(docs: Path = DOCS) -> dict[Path, str]:
    """Every generated file with the text it should hold now."""
    out = {docs / "codes.md": codes_page()}
    for name in GUIDES:
        path = docs / name
        if path.is_file():
            out[path] = fill_markers(path.read_text(encoding="utf-8"))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["codes"], help="ce qu'il faut régénérer")
    parser.add_argument("--check", action="store_true", help="vérifie sans écrire (statut 1 si à régénérer)")
    args = parser.parse_args(argv)
    stale = []
    for path, text in expected().items():
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current == text:
            continue
        stale.append(path)
        if not args.check:
            path.write_text(text, encoding="utf-8")
    for path in stale:
        verb = "à régénérer" if args.check else "régénéré"
        print(f"{path.relative_to(ROOT)} : {verb}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())

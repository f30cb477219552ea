"""French for click's own words (« Utilisation : », « Erreur : Option manquante », « Affiche cette aide… »).

click translates its messages with Python's gettext, through the module-level ``gettext.gettext`` and
``gettext.ngettext``, that is in the default domain, « messages ». cahier ships a French catalog for that
domain (``workbook_tools/locale/fr/LC_MESSAGES/messages.po``, written by hand with click's exact msgids, and
``messages.mo`` compiled from it by Babel: ``scripts/locale``), and :func:`speak_french` — called by the
``cahier`` entry point (``workbook_tools/cli/__init__.py``) before any command is built — binds the domain to
that folder and sets ``LANGUAGE=fr`` for the process, so that click speaks French whatever the user's locale
(``LANGUAGE`` is the variable gettext reads first; it only chooses message catalogs: numbers, dates and file
names do not depend on it). Nothing else in cahier goes through gettext: its own words are French in the code.
"""

from __future__ import annotations

import gettext
import io
import os
from pathlib import Path

DOMAIN = "messages"  # gettext's default domain: the one click's ``from gettext import gettext as _`` uses
LANGUAGE = "fr"
LOCALEDIR = Path(__file__).resolve().parent / "locale"
PO = LOCALEDIR / LANGUAGE / "LC_MESSAGES" / f"{DOMAIN}.po"
MO = PO.with_suffix(".mo")


def speak_french() -> None:
    """Make click's messages French in this process (and in the ``cahier`` processes it starts)."""
    gettext.bindtextdomain(DOMAIN, str(LOCALEDIR))
    os.environ["LANGUAGE"] = LANGUAGE


def compile_catalog(po: Path = PO) -> bytes:
    """The .po catalog compiled into .mo bytes, by Babel."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as handle:
        catalog = read_po(handle, locale=LANGUAGE, domain=DOMAIN)
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def write_catalog() -> Path:
    """Compile ``messages.po`` into ``messages.mo`` beside it (``scripts/locale``)."""
    MO.write_bytes(compile_catalog())
    return MO

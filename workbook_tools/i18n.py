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
from typing import Any

import click

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


# --------------------------------------------------------------------------- number ranges, said in French
# click writes a range its own way in the help (« [par défaut : 10; 0<=x<=60] ») and in its error (« 0.0 n'est pas
# dans l'intervalle x>0 », with an English decimal point): notation, not words, so no catalog can translate it.
# The options that take a bounded number use these two types instead of click.IntRange / click.FloatRange: the help
# says « de 0 à 60 », a bad value « 61 n'est pas entre 0 et 60. » (click's « Valeur incorrecte pour '--jours' : »
# before it, exit status 2 as for every usage mistake), numbers the French way (« 0,5 »; « 2,5 » is read too).


class _FrenchRange(click.types._NumberRangeBase):  # type: ignore[type-arg]
    """What the French types share: the range in words, and the value checked against it."""

    plain: click.ParamType[Any]  # the unbounded type that reads the number (click.INT or click.FLOAT)

    def _describe_range(self) -> str:  # click puts it in the help: « [par défaut : 10 ; de 0 à 60] »
        low, high = self.min, self.max
        if low is not None and high is not None:
            if not self.min_open and not self.max_open:
                return f"de {_number(low)} à {_number(high)}"
            return f"{_above(low, self.min_open)} et {_below(high, self.max_open)}"
        if low is not None:
            return f"{_number(low)} ou plus" if not self.min_open else f"plus de {_number(low)}"
        if high is not None:
            return f"{_number(high)} au plus" if not self.max_open else f"moins de {_number(high)}"
        return "tout nombre"

    def _condition(self) -> str:
        """What a bad value is not: « entre 0 et 60 », « supérieur à 0 »."""
        low, high = self.min, self.max
        if low is not None and high is not None and not self.min_open and not self.max_open:
            return f"entre {_number(low)} et {_number(high)}"
        parts = []
        if low is not None:
            parts.append(f"supérieur {'' if self.min_open else 'ou égal '}à {_number(low)}")
        if high is not None:
            parts.append(f"inférieur {'' if self.max_open else 'ou égal '}à {_number(high)}")
        return " et ".join(parts)

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> object:
        if isinstance(value, str) and self.plain is click.FLOAT:
            value = value.strip().replace(",", ".", 1)  # « 2,5 » as a French user types it
        number = self.plain.convert(value, param, ctx)  # « 'abc' n'est pas un nombre valable. » (catalog)
        low, high = self.min, self.max
        too_low = low is not None and (number <= low if self.min_open else number < low)
        too_high = high is not None and (number >= high if self.max_open else number > high)
        if too_low or too_high:
            self.fail(f"{_number(number)} n'est pas {self._condition()}.", param, ctx)
        return number


class FrenchIntRange(_FrenchRange, click.IntRange):
    """click.IntRange, said in French."""

    plain = click.INT


class FrenchFloatRange(_FrenchRange, click.FloatRange):
    """click.FloatRange, said in French (decimal comma, read and written)."""

    plain = click.FLOAT


def _number(value: float) -> str:
    from workbook_tools.text import number

    return number(int(value) if float(value).is_integer() else value)


def _above(low: float, open_: bool) -> str:
    return f"plus de {_number(low)}" if open_ else f"au moins {_number(low)}"


def _below(high: float, open_: bool) -> str:
    return f"moins de {_number(high)}" if open_ else f"au plus {_number(high)}"

"""The user's words: every number, amount, date, duration, count and system error a teacher or a treasurer reads
is written here, the French way — and labels are normalised and typed amounts read back here too.

* counts with the French plural (0 and 1 take the singular): ``count(3, "erreur")`` → « 3 erreurs »,
  ``count(1, "envoi")`` → « 1 envoi », ``count(0, "coopérative")`` → « 0 coopérative »; findings are always
  said the same way: ``findings(1, 0)`` → « 1 erreur, aucun avertissement »;
* numbers ``1 234`` and ``12,345``, amounts ``1 234,56 €`` (narrow no-break space between thousands, as French
  print does), amounts for a spreadsheet's CSV ``1234,56``;
* dates ``jj/mm/aaaa`` (and ``jj/mm/aaaa à hh:mm`` in local time for a moment stored in UTC), durations
  « 2,4 s », « 3 min 05 s »;
* an OS error as a French phrase: ``os_error(FileNotFoundError(2, …))`` → « fichier introuvable ».

Babel gives the plural rule and the number format of ``fr_FR`` (imported only when a number is written).
"""

from __future__ import annotations

import datetime as dt
import errno
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbook_tools.model import Code

LOCALE = "fr_FR"
NNBSP = "\u202f"  # narrow no-break space: French thousands separator


def fold(text: object) -> str:
    """Lower case, no accents, single spaces: how headers and labels are compared."""
    s = unicodedata.normalize("NFKD", str(text))
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return " ".join(s.lower().replace("°", "o").split())


_MONEY_RE = re.compile(r"^[+-]?\d+(?:\.\d+)?$")


def parse_money_text(text: str) -> Decimal | None:
    """Read an amount typed as text the French way: ``12,50 €``, ``1 234,56``, ``1.234,56``, ``12.5``.

    Returns None when the text is not an amount.
    """
    s = text.strip().replace("\u00a0", " ").replace(NNBSP, " ").replace("€", "").replace("EUR", "")
    s = s.replace(" ", "").replace("'", "")
    if "," in s and "." in s:
        # 1.234,56 (French thousands with dots) or 1,234.56 (English)
        s = s.replace(".", "").replace(",", ".") if s.rfind(",") > s.rfind(".") else s.replace(",", "")
    elif s.count(",") == 1:
        s = s.replace(",", ".")
    if not _MONEY_RE.match(s):
        return None
    try:
        return Decimal(s)
    except InvalidOperation:
        return None


def label_key(text: object) -> str:
    """A row label as the reader matches it: folded, without the ``*`` of required fields or a final colon."""
    return fold(text).rstrip(" :*")


# --------------------------------------------------------------------------- numbers and amounts


def euros(cents: int | None) -> str:
    """``123456`` → ``1 234,56 €`` (narrow no-break space between thousands, as French print does)."""
    if cents is None:
        return "—"
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(int(cents)), 100)
    return f"{sign}{whole:,}".replace(",", NNBSP) + f",{frac:02d} €"


MINUS = "\u2212"  # the minus sign of print, not the hyphen


def signed_euros(cents: int) -> str:
    """A difference, its sign always written: ``10000`` → « +100,00 € », ``-1`` → « −0,01 € » (a real minus sign),
    ``0`` → « 0,00 € »."""
    sign = "+" if cents > 0 else MINUS if cents < 0 else ""
    return sign + euros(abs(int(cents)))


def gap(cents: int) -> str:
    """« écart de +100,00 € »: how every message states a difference (what was found − what was expected)."""
    return f"écart de {signed_euros(cents)}"


def euros_csv(cents: int | None) -> str:
    """``-123456`` → ``-1234,56``: euros with a decimal comma and nothing else, what a French spreadsheet reads
    as a number from a CSV file (no thousands separator, no € sign). None → empty."""
    if cents is None:
        return ""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(int(cents)), 100)
    return f"{sign}{whole},{frac:02d}"


def number(value: int | float | Decimal) -> str:
    """``1234`` → « 1 234 », ``12.345`` → « 12,345 »: every digit kept, French separators."""
    from babel.numbers import format_decimal

    if isinstance(value, float):
        value = Decimal(repr(value))  # the shortest text that reads back as this float: 12.345, not 12.3449999…
    return str(format_decimal(value, locale=LOCALE, decimal_quantization=False))


def megabytes(size: float, digits: int = 1) -> str:
    """``25_300_000`` → « 25,3 Mo » (decimal megabytes, as file managers say)."""
    return f"{number(Decimal(f'{size / 1e6:.{digits}f}'))} Mo"


def shown(value: Any) -> str:
    """A value a teacher typed, as their spreadsheet showed it: numbers the French way, dates jj/mm/aaaa,
    text as it is."""
    if isinstance(value, bool) or value is None:
        return "" if value is None else ("VRAI" if value else "FAUX")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float | Decimal):
        return number(value)
    if isinstance(value, dt.date):
        return date(value)
    return str(value).strip()


# --------------------------------------------------------------------------- counts


@cache
def _locale() -> Any:
    from babel import Locale

    return Locale.parse(LOCALE)


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """The word for ``n`` things: French takes the singular for 0 and 1 (« 0 coopérative », « 1,5 heure »)."""
    if _locale().plural_form(abs(n)) == "one":
        return singular
    return plural_form if plural_form is not None else _regular_plural(singular)


def _regular_plural(word: str) -> str:
    """« erreur » → « erreurs », « coopérative acceptée » → « coopératives acceptées » (each word; words ending
    in s, x or z do not change), up to a preposition: « fichier en attente » → « fichiers en attente », « cahier à
    corriger » → « cahiers à corriger »."""
    words = word.split(" ")
    cut = next((i for i, w in enumerate(words) if w in _PREPOSITIONS or w.startswith(("d'", "d’"))), len(words))
    head = [w if w.endswith(("s", "x", "z")) or not w[-1:].isalpha() else w + "s" for w in words[:cut]]
    return " ".join(head + words[cut:])


_PREPOSITIONS = frozenset({"à", "au", "aux", "de", "des", "du", "en", "par", "pour", "sans", "avec", "sur", "dans"})


def count(n: int, singular: str, plural_form: str | None = None, *, none: str | None = None) -> str:
    """« 3 erreurs », « 1 envoi », « 0 coopérative »; with ``none``, zero is said in words (« aucune erreur »)."""
    if n == 0 and none is not None:
        return none
    return f"{number(n)} {plural(n, singular, plural_form)}"


def errors(n: int) -> str:
    """« aucune erreur », « 1 erreur », « 3 erreurs »."""
    return count(n, "erreur", none="aucune erreur")


def warnings(n: int) -> str:
    """« aucun avertissement », « 1 avertissement », « 2 avertissements »."""
    return count(n, "avertissement", none="aucun avertissement")


def findings(n_errors: int, n_warnings: int) -> str:
    """The one way the findings of a cahier are counted: « 1 erreur, aucun avertissement »."""
    return f"{errors(n_errors)}, {warnings(n_warnings)}"


def titled(code: Code) -> str:
    """A finding's French title first, its code after: « La ventilation ne fait pas le total du montant
    (SPLIT_MISMATCH) » — how the text reports and the workbooks name a finding."""
    return f"{code.titre.rstrip('.')} ({code})"


# --------------------------------------------------------------------------- dates and durations


def _as_datetime(value: dt.date | str) -> dt.date:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone()  # a moment stored in UTC, said in the local time of the machine
    return value


def date(value: dt.date | str | None) -> str:
    """A date (or an ISO text, a moment in UTC) → « jj/mm/aaaa »; None → « — »."""
    if value is None:
        return "—"
    return f"{_as_datetime(value):%d/%m/%Y}"


def date_time(value: dt.datetime | str | None, *, seconds: bool = False, at: str = " à ") -> str:
    """A moment (an ISO text in UTC, or a datetime) → « jj/mm/aaaa à hh:mm » in local time."""
    if value is None:
        return "—"
    moment = _as_datetime(value)
    return f"{moment:%d/%m/%Y}{at}{moment:%H:%M:%S}" if seconds else f"{moment:%d/%m/%Y}{at}{moment:%H:%M}"


def duration(seconds: float) -> str:
    """« 0,4 s », « 12 s », « 3 min 05 s », « 2 h 07 min »."""
    seconds = max(0.0, seconds)
    if seconds < 10:
        return f"{seconds:.1f} s".replace(".", ",")
    if seconds < 60:
        return f"{round(seconds)} s"
    whole = round(seconds)
    if whole < 3600:
        return f"{whole // 60} min {whole % 60:02d} s"
    return f"{whole // 3600} h {whole % 3600 // 60:02d} min"


# --------------------------------------------------------------------------- system errors

_OS_ERRORS = {
    errno.ENOENT: "fichier introuvable",
    errno.EACCES: "accès refusé",
    errno.EPERM: "opération non permise",
    errno.EISDIR: "c'est un dossier, pas un fichier",
    errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
    errno.EEXIST: "le fichier existe déjà",
    errno.ENOSPC: "disque plein",
    errno.EDQUOT: "quota disque dépassé",
    errno.EROFS: "support en lecture seule",
    errno.ENAMETOOLONG: "nom de fichier trop long",
    errno.EBUSY: "fichier occupé par un autre programme",
    errno.EIO: "erreur de lecture ou d'écriture sur le disque",
    errno.ENOTEMPTY: "le dossier n'est pas vide",
    errno.EMFILE: "trop de fichiers ouverts",
    errno.ETIMEDOUT: "délai d'attente dépassé",
    errno.ECONNREFUSED: "connexion refusée (le serveur est-il démarré ?)",
    errno.ECONNRESET: "connexion interrompue par le serveur",
    errno.EPIPE: "sortie fermée par le programme qui la lisait",
    errno.EHOSTUNREACH: "serveur injoignable",
    errno.ENETUNREACH: "réseau injoignable",
    errno.EXDEV: "déplacement impossible entre deux disques",
}


_HTTP = {
    401: "identifiants refusés par le serveur",
    403: "accès refusé par le serveur",
    404: "introuvable sur le serveur",
    423: "verrouillé sur le serveur",
    507: "serveur plein",
}


def os_error(exc: BaseException) -> str:
    """A system or network error as a French phrase (« fichier introuvable », « accès refusé », « disque plein »,
    « connexion impossible »), never the system's English text; an error of another kind is named by its kind."""
    if isinstance(exc, OSError) and exc.errno in _OS_ERRORS:
        return _OS_ERRORS[exc.errno]
    kind = type(exc).__name__
    if isinstance(exc, TimeoutError) or "Timeout" in kind:
        return _OS_ERRORS[errno.ETIMEDOUT]
    if isinstance(exc, ConnectionError) or kind in ("ConnectError", "NetworkError", "RemoteProtocolError"):
        return "connexion impossible (serveur arrêté, adresse ou port erronés ?)"
    response = getattr(exc, "response", None)
    status = getattr(exc, "status_code", None) or getattr(response, "status_code", None)
    if isinstance(status, int):
        meaning = _HTTP.get(status, "erreur du serveur" if status >= 500 else "requête refusée par le serveur")
        return f"{meaning} (HTTP {status})"
    if isinstance(exc, OSError) and exc.errno is not None:
        return f"erreur du système (n° {exc.errno})"
    return f"erreur inattendue ({kind})"

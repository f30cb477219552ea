"""The user's words (workbook_tools.text): French plurals, numbers, amounts, dates, durations, system errors."""

from __future__ import annotations

import datetime as dt
import errno
from decimal import Decimal

import pytest

from workbook_tools import text
from workbook_tools.model import Code

NNBSP = "\u202f"


@pytest.mark.parametrize(
    ("n", "word", "said"),
    [
        (0, "coopérative", "0 coopérative"),  # French: 0 takes the singular
        (1, "envoi", "1 envoi"),
        (2, "erreur", "2 erreurs"),
        (3, "erreur", "3 erreurs"),
        (12, "coopérative acceptée", "12 coopératives acceptées"),
        (2, "fichier reçu", "2 fichiers reçus"),
        (2, "avis", "2 avis"),  # a word ending in s does not change
        (1234, "ligne", f"1{NNBSP}234 lignes"),
    ],
)
def test_count(n: int, word: str, said: str) -> None:
    assert text.count(n, word) == said


def test_regular_plural_stops_at_a_preposition() -> None:
    assert text.count(2, "fichier en attente") == "2 fichiers en attente"
    assert text.count(3, "cahier à corriger") == "3 cahiers à corriger"
    assert text.count(2, "ligne d'écart") == "2 lignes d'écart"
    assert text.count(2, "coopérative acceptée") == "2 coopératives acceptées"
    assert text.count(2, "clé inconnue") == "2 clés inconnues"


def test_irregular_plural_and_zero_in_words() -> None:
    assert text.count(2, "journal", "journaux") == "2 journaux"
    assert text.count(1, "journal", "journaux") == "1 journal"
    assert text.count(0, "erreur", none="aucune erreur") == "aucune erreur"
    assert text.plural(1, "coopérative") == "coopérative" and text.plural(5, "coopérative") == "coopératives"


@pytest.mark.parametrize(
    ("errors", "warnings", "said"),
    [
        (0, 0, "aucune erreur, aucun avertissement"),
        (1, 0, "1 erreur, aucun avertissement"),  # one wording everywhere: never « 0 avertissement »
        (0, 1, "aucune erreur, 1 avertissement"),
        (3, 2, "3 erreurs, 2 avertissements"),
    ],
)
def test_findings(errors: int, warnings: int, said: str) -> None:
    assert text.findings(errors, warnings) == said


@pytest.mark.parametrize(
    ("cents", "said"),
    [(0, "0,00 €"), (5, "0,05 €"), (123456, f"1{NNBSP}234,56 €"), (-473100, f"-4{NNBSP}731,00 €"), (None, "—")],
)
def test_euros(cents: int | None, said: str) -> None:
    assert text.euros(cents) == said


@pytest.mark.parametrize(("cents", "said"), [(473100, "4731,00"), (-1250, "-12,50"), (7, "0,07"), (None, "")])
def test_euros_for_a_spreadsheet(cents: int | None, said: str) -> None:
    assert text.euros_csv(cents) == said


@pytest.mark.parametrize(
    ("value", "said"),
    [
        (12.345, "12,345"),  # never « 12.345 »
        (Decimal("12.345"), "12,345"),
        (1234567, f"1{NNBSP}234{NNBSP}567"),
        (0.1, "0,1"),
    ],
)
def test_number(value: float | Decimal, said: str) -> None:
    assert text.number(value) == said


def test_shown_is_what_the_spreadsheet_showed() -> None:
    assert text.shown(12.345) == "12,345"
    assert text.shown(12.0) == "12"
    assert text.shown("douze ") == "douze"
    assert text.shown(dt.date(2026, 3, 1)) == "01/03/2026"
    assert text.megabytes(25_340_000) == "25,3 Mo" and text.megabytes(60_000) == "0,1 Mo"


def test_dates_jj_mm_aaaa(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Europe/Paris")
    import time

    time.tzset()
    try:
        assert text.date(dt.date(2025, 9, 1)) == "01/09/2025"
        assert text.date("2026-01-14T09:15:05.123456+00:00") == "14/01/2026"  # a moment in UTC, said locally
        assert text.date("2026-01-14T23:30:00+00:00") == "15/01/2026"  # already the next day in Paris
        assert text.date_time("2026-01-14T09:15:05+00:00") == "14/01/2026 à 10:15"
        assert text.date_time("2026-07-14T09:15:05+00:00", seconds=True, at=" ") == "14/07/2026 11:15:05"
        assert text.date(None) == "—"
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


@pytest.mark.parametrize(
    ("seconds", "said"),
    [(0.42, "0,4 s"), (2.0, "2,0 s"), (9.96, "10,0 s"), (12.4, "12 s"), (185, "3 min 05 s"), (7600, "2 h 06 min")],
)
def test_duration(seconds: float, said: str) -> None:
    assert text.duration(seconds) == said


@pytest.mark.parametrize(
    ("exc", "said"),
    [
        (FileNotFoundError(errno.ENOENT, "No such file or directory"), "fichier introuvable"),
        (PermissionError(errno.EACCES, "Permission denied"), "accès refusé"),
        (OSError(errno.ENOSPC, "No space left on device"), "disque plein"),
        (ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"), "connexion refusée"),
        (TimeoutError(), "délai d'attente dépassé"),
        (OSError(errno.ELOOP, "Too many levels of symbolic links"), f"erreur du système (n° {errno.ELOOP})"),
        (RuntimeError("boom"), "erreur inattendue (RuntimeError)"),
    ],
)
def test_os_errors_in_french(exc: BaseException, said: str) -> None:
    assert text.os_error(exc).startswith(said)


def test_a_finding_is_named_by_its_title_then_its_code() -> None:
    assert text.titled(Code.SPLIT_MISMATCH) == "La ventilation ne fait pas le total du montant (SPLIT_MISMATCH)"

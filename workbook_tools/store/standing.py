"""Where a cooperative stands for one exercice: the one rule behind the outbox summary, the consolidation,
the CRF and ``cahier history``.

A cooperative's history is a sequence of events, oldest first: a new version (accepted or refused) or a
duplicate (the same bytes as an earlier version, sent again). Saving again the bytes of an earlier accepted
version makes that version current again (SPEC §6, v2). So:

* the **current** version is the one behind the latest event that is accepted (a duplicate counts as
  the status of the bytes it repeats);
* a **refusal** matters when the latest event is refused and came after that current event.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import functools
from collections.abc import Sequence
from dataclasses import dataclass

from workbook_tools.exercice import Exercice
from workbook_tools.store.version import ACCEPTED, DUPLICATE, REFUSED, Version


class Status(enum.StrEnum):
    """A cooperative's standing for one exercice. Each member carries its French wording (``fr``)."""

    fr: str

    def __new__(cls, value: str, fr: str) -> Status:
        member = str.__new__(cls, value)
        member._value_ = value
        member.fr = fr
        return member

    ACCEPTED = "accepted", "accepté"  # an accepted version, and nothing newer refused
    REFUSED_NEWER = "refused_newer", "nouvelle version refusée"  # an accepted version, the latest sent was refused
    REFUSED = "refused", "refusé (aucune version acceptée)"  # only refused submissions
    MISSING = "missing", "manquant"  # nothing at all


@dataclass(frozen=True)
class Standing:
    coop: str
    exercice: str | None
    current: Version | None  # the version whose figures count (never a duplicate record)
    refused: Version | None  # the latest submission, when it was refused after ``current``
    submissions: int  # submissions (duplicates included) considered for this exercice
    last: Version | None = None  # the latest submission considered

    @property
    def status(self) -> Status:
        if self.current is not None:
            return Status.REFUSED_NEWER if self.refused is not None else Status.ACCEPTED
        return Status.REFUSED if self.submissions else Status.MISSING


def effective_status(v: Version) -> str:
    """accepted or refused; a duplicate counts as the status of the bytes it repeats."""
    return (v.duplicate_status or REFUSED) if v.status == DUPLICATE else v.status


def received_date(version: Version) -> dt.date:
    """The day a version was received, in French time when the zone database is there (else UTC)."""
    return paris_date(version.received)


def paris_date(when: dt.datetime) -> dt.date:
    zone = _paris()
    return (when if zone is None else when.astimezone(zone)).date()


@functools.cache
def _paris() -> dt.tzinfo | None:
    """French time, looked up once (a national consolidation asks 23,000 times); None without a tz database: UTC is
    a day off at most around midnight."""
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Europe/Paris")
    except Exception:
        return None


def counts_for(v: Version, exercice: str | None) -> bool:
    """A submission counts for an exercice when it says so, or when it says nothing (an unreadable file) and
    came after the exercice began. With ``exercice`` None: the submissions that name no exercice."""
    if exercice is None:
        return v.exercice is None
    return v.exercice == exercice or (v.exercice is None and received_date(v) >= Exercice.parse(exercice).start)


def standing(coop: str, history: Sequence[Version], exercice: str | None) -> Standing:
    """The standing of ``coop`` for ``exercice`` from its history (oldest first; see the module's rule)."""
    mine = [v for v in history if counts_for(v, exercice)]
    by_id = {v.version: v for v in history}
    current: Version | None = None
    current_at = -1
    for i, v in enumerate(mine):
        if effective_status(v) == ACCEPTED:
            original = by_id.get(v.duplicate_of or "") if v.status == DUPLICATE else v
            if original is not None:
                current, current_at = original, i
    last = mine[-1] if mine else None
    refused = None
    if last is not None and effective_status(last) == REFUSED and len(mine) - 1 > current_at:
        refused = last
    return Standing(coop, exercice, current, refused, len(mine), last)


def exercices(history: Sequence[Version]) -> list[str | None]:
    """The exercices a history speaks of, oldest first; None stands for submissions naming none, listed
    only when no submission names an exercice."""
    named = sorted({v.exercice for v in history if v.exercice})
    return list(named) if named else ([None] if history else [])


def latest_accepted(history: Sequence[Version]) -> str | None:
    """The most recent exercice with an accepted version."""
    from workbook_tools.exercice import latest

    return latest(v.exercice for v in history if effective_status(v) == ACCEPTED)


def sent_date(version: Version) -> dt.date:
    """The day the teacher saved the version in the synced folder: the file's own modification time, kept by
    sync clients, when it is earlier than its reception (a watcher down for a few days must not make a
    cooperative late); else the reception."""
    when = version.received
    if version.source_mtime:
        with contextlib.suppress(ValueError):
            when = min(when, dt.datetime.fromisoformat(version.source_mtime))
    return paris_date(when)


def is_late(version: Version, exercice: str) -> bool:
    """Saved after the CRF's deadline (30 September after the year end)."""
    return sent_date(version) > Exercice.parse(exercice).deadline

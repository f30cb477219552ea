"""The banks' CSV layouts, loaded from ``schemas/banques.toml`` (data, not code), plus a teacher's own file.

A profile names the columns of one bank's export as its header writes them (compared folded: case and accents
ignored), the separator, the date format, the decimal separator, the encoding, and where the balance is. The
header row is found among the first lines (banks put the account's number, its name, the period above it).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from workbook_tools.statement import StatementError
from workbook_tools.text import fold

DATA_FILE = "banques.toml"


@dataclass(frozen=True)
class Profile:
    id: str
    banque: str
    separateur: str
    date: str
    libelle: tuple[str, ...]
    montant: str | None = None  # one signed column…
    debit: str | None = None  # …or two: money out (sign as written ignored) and money in
    credit: str | None = None
    solde: str | None = None  # the balance after each line
    cheque: str | None = None  # a column holding the cheque number
    format_date: str = "%d/%m/%Y"
    decimale: str = ","
    encodage: str = "cp1252"  # used when the file is not UTF-8
    entete_solde: str | None = None  # a line above the header: « Solde (EUROS) ;1234,56 »
    entete_date: str | None = None  # a line above the header: « Date ;12/07/2026 » (the day of that balance)
    verifie: bool = False  # checked against a published description of the bank's export
    source: str = ""
    autres: tuple[str, ...] = field(default=())  # other columns the header must have to be recognised
    libelle_multiligne: bool = False  # the bank writes long labels on several lines inside quotes

    @property
    def columns(self) -> list[str]:
        """The header texts that identify this layout (all must be present)."""
        named = [self.date, *self.libelle, self.montant, self.debit, self.credit, self.solde, self.cheque, *self.autres]
        return [c for c in named if c]

    def matches(self, cells: list[str]) -> bool:
        folded = {fold(c) for c in cells}
        return all(fold(c) in folded for c in self.columns)


def parse_profiles(text: str, where: str) -> list[Profile]:
    try:
        data = tomllib.loads(text)
        return [_profile(item) for item in data.get("profil", [])]
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise StatementError(f"Le fichier de profils de banques {where} est mal écrit : {exc}.") from exc


def _profile(item: dict[str, Any]) -> Profile:
    libelle = item["libelle"]
    values = dict(item)
    values["libelle"] = tuple([libelle] if isinstance(libelle, str) else libelle)
    values["autres"] = tuple(item.get("autres", ()))
    if not values.get("montant") and not (values.get("debit") and values.get("credit")):
        raise ValueError(f"le profil {item.get('id')} n'a ni « montant » ni « debit » et « credit »")
    return Profile(**values)


@cache
def default_profiles() -> tuple[Profile, ...]:
    text = resources.files("workbook_tools.schemas").joinpath(DATA_FILE).read_text(encoding="utf-8")
    return tuple(parse_profiles(text, DATA_FILE))


def load_profiles(extra: Path | None = None) -> list[Profile]:
    """The shipped profiles, after the ones of ``extra`` (a teacher's or a treasurer's own file): theirs win."""
    own: list[Profile] = []
    if extra is not None:
        try:
            own = parse_profiles(Path(extra).read_text(encoding="utf-8"), f"« {Path(extra).name} »")
        except OSError as exc:
            from workbook_tools.text import os_error

            raise StatementError(
                f"Le fichier de profils « {Path(extra).name} » ne peut pas être lu : {os_error(exc)}."
            ) from exc
    return [*own, *default_profiles()]

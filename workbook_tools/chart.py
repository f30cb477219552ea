"""The chart of accounts, loaded from ``schemas/chart.toml`` (data, not code)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

CODE_RE = re.compile(r"^\s*(\d{8}|\d{4})(?!\d)")


@dataclass(frozen=True, slots=True)
class Chapitre:
    code: str
    libelle: str
    sens: str  # "charge" or "produit"
    definition: str

    @property
    def header(self) -> str:
        """The Journal column header and drop-down entry: code first, so it sorts and reads back."""
        return f"{self.code} {self.libelle}"

    @property
    def is_charge(self) -> bool:
        return self.sens == "charge"


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a code written in a cahier means in the chart."""

    written: str
    code: str | None  # the chapter it counts in, None when unknown
    rolled_up: bool = False  # a finer code (6181) counted in its chapter (6180)


class Chart:
    def __init__(self, chapitres: list[Chapitre], aliases: dict[str, str]) -> None:
        self.chapitres = chapitres
        self.by_code = {c.code: c for c in chapitres}
        self.aliases = aliases
        if len(self.by_code) != len(chapitres):
            raise ValueError("plan comptable : un code de chapitre est en double")
        for c in chapitres:
            if c.sens not in ("charge", "produit") or c.code[0] != ("6" if c.sens == "charge" else "7"):
                raise ValueError(f"plan comptable : le chapitre {c.code} a un sens incohérent ({c.sens})")

    @property
    def charges(self) -> list[Chapitre]:
        return [c for c in self.chapitres if c.is_charge]

    @property
    def produits(self) -> list[Chapitre]:
        return [c for c in self.chapitres if not c.is_charge]

    def resolve(self, written: object) -> Resolution | None:
        """Read a chapter as a teacher may write it: ``6180``, ``61800008``, ``6180 Activités…``, ``6181``.

        Returns None when the text holds no code at all.
        """
        text = str(written).strip()
        if isinstance(written, float) and written.is_integer():
            text = str(int(written))
        m = CODE_RE.match(text)
        if not m:
            return None
        code = m.group(1)[:4]
        if code in self.by_code:
            return Resolution(text, code)
        if code in self.aliases:
            return Resolution(text, self.aliases[code])
        parents = [c for c in self.by_code if c[:3] == code[:3]]
        if len(parents) == 1:
            return Resolution(text, parents[0], rolled_up=True)
        return Resolution(text, None)


def load_chart(path: Path | None = None) -> Chart:
    if path is None:
        return default_chart()
    return _parse(path.read_text(encoding="utf-8"))


@cache
def default_chart() -> Chart:
    text = resources.files("workbook_tools.schemas").joinpath("chart.toml").read_text(encoding="utf-8")
    return _parse(text)


def _parse(text: str) -> Chart:
    data = tomllib.loads(text)
    chapitres = [Chapitre(str(c["code"]), c["libelle"], c["sens"], c.get("definition", "")) for c in data["chapitre"]]
    aliases = {str(k): str(v) for k, v in data.get("alias", {}).items()}
    return Chart(chapitres, aliases)

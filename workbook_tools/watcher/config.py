"""The watcher's configuration: a TOML file (``watcher/config.example.toml``), then the command line."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from workbook_tools.alertes import Seuils
from workbook_tools.ingest import REPORT_FORMATS
from workbook_tools.text import number, plural


@dataclass
class WatchConfig:
    inbox: Path
    store: str = "./store"
    outbox: Path | None = None
    stability_delay: float = 2.0  # seconds without change before a file is read
    settle_timeout: float = 60.0  # a stable file that still does not open is checked (and refused) after this
    polling: bool = False  # polling observer (network shares where inotify sees nothing)
    poll_interval: float = 1.0
    rescan_interval: float = 60.0  # full scan of INBOX as a safety net for missed events
    retry_initial: float = 2.0  # back-off when the store is unreachable
    retry_max: float = 300.0
    once_retries: int = 3  # with --once: attempts on an unreachable store before giving up
    outbox_debounce: float = 5.0  # quiet seconds after the last acceptance before the outbox is rebuilt…
    outbox_max_wait: float = 60.0  # …but never later than this after the first one (a steady stream still refreshes)
    roster: Path | None = None  # CSV « coop,nom » of the expected cooperatives, for the consolidation
    # the treasurer's thresholds of the consolidation's alerts (issue 14; defaults: workbook_tools.alertes.Seuils)
    plafond_caisse: str | float | None = None  # euros, « 300 » or « 300,00 »
    seuil_deficit: int | None = None  # percent of the opening balance
    cotisation_eleve: str | float | None = None  # euros per pupil of the CRA
    max_bytes: int | None = None
    isolate: bool = True  # each file is checked in a worker process (False: in this process, for tests)
    worker_memory_mb: int = 1024  # memory the check of one file may add in its worker…
    worker_seconds: float = 120.0  # …and the time it may take
    report_formats: tuple[str, ...] = REPORT_FORMATS
    store_options: dict[str, Any] = field(default_factory=dict)

    def seuils(self) -> Seuils:
        """The consolidation's thresholds: the configured ones, the defaults elsewhere (checked by from_sources)."""
        return seuils_of(self.plafond_caisse, self.seuil_deficit, self.cotisation_eleve)

    @classmethod
    def from_sources(cls, file: Path | None = None, **overrides: Any) -> WatchConfig:
        """Config file (TOML) values, then the command line's (those not None)."""
        values: dict[str, Any] = {}
        if file is not None:
            with open(file, "rb") as handle:
                try:
                    data = tomllib.load(handle)
                except tomllib.TOMLDecodeError as exc:
                    where = re.search(r"line (\d+)", str(exc))
                    line = f" (ligne {where.group(1)})" if where else ""
                    raise ValueError(f"{file} : fichier de configuration mal écrit{line}, TOML attendu") from None
            known = {f.name for f in fields(cls)}
            unknown = sorted(set(data) - known)
            if unknown:
                raise ValueError(f"{file} : {plural(len(unknown), 'clé inconnue')} : {', '.join(unknown)}")
            values.update(data)
        values.update({k: v for k, v in overrides.items() if v is not None})
        if "inbox" not in values:
            raise ValueError(
                "dossier surveillé manquant (argument DOSSIER ou clé « inbox » du fichier de configuration)"
            )
        values["inbox"] = Path(values["inbox"]).expanduser()
        for key in ("outbox", "roster"):
            if values.get(key) is not None:
                values[key] = Path(values[key]).expanduser()
        if "report_formats" in values:
            values["report_formats"] = tuple(values["report_formats"])
        config = cls(**values)
        config.seuils()  # a threshold mistyped in the file: said now, not at the first refresh of the outbox
        config.check_durations()
        return config

    def check_durations(self) -> None:
        """Every delay a number of seconds, never below zero (a negative stability delay read half-saved files;
        an interval of 0 would spin): ValueError in French, naming the key."""
        least = {"stability_delay": 0.0, "settle_timeout": 0.0, "poll_interval": 0.05, "rescan_interval": 1.0,
                 "retry_initial": 0.05, "retry_max": 0.05, "outbox_debounce": 0.0, "outbox_max_wait": 0.0,
                 "worker_seconds": 1.0}  # fmt: skip
        for key, low in least.items():
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, int | float) or not value >= low:
                raise ValueError(
                    f"« {key} » vaut « {value} » : un nombre de secondes est attendu, au moins {number(low)}"
                )


def seuils_of(plafond: object, deficit: object, cotisation: object) -> Seuils:
    """The thresholds from the configuration's values (euros as numbers or French text); ValueError in French."""
    from workbook_tools.cells import money

    def cents(value: object, key: str) -> int | None:
        if value is None:
            return None
        got, _, _ = money(value if isinstance(value, int | float) else str(value).replace("€", "").strip())
        if got is None or got < 0 or isinstance(value, bool):
            raise ValueError(f"« {key} » vaut « {value} » : un montant en euros est attendu, par exemple 300 ou 2,50")
        return got

    given: dict[str, int | None] = {
        "caisse_plafond": cents(plafond, "plafond_caisse"),
        "cotisation_eleve": cents(cotisation, "cotisation_eleve"),
    }
    if deficit is not None:
        if isinstance(deficit, bool) or not isinstance(deficit, int) or deficit < 0:
            raise ValueError(
                f"« seuil_deficit » vaut « {deficit} » : un pourcentage entier est attendu, par exemple 50"
            )
        given["deficit_part"] = deficit
    return Seuils(**{k: v for k, v in given.items() if v is not None})

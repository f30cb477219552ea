"""A submission as its manifest records it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from workbook_tools.model import Totals
from workbook_tools.store.errors import DamagedMetadata

STORE_FORMAT = 1
ACCEPTED, REFUSED, DUPLICATE = "accepted", "refused", "duplicate"
STATUS_FR = {ACCEPTED: "accepté", REFUSED: "refusé", DUPLICATE: "déjà reçu"}


@dataclass(frozen=True)
class Version:
    """One submission as its manifest records it."""

    version: str
    coop: str
    status: str  # accepted | refused | duplicate
    sha256: str
    filename: str
    received_at: str  # ISO 8601, UTC
    size: int
    exercice: str | None = None
    errors: int = 0
    warnings: int = 0
    totals: Totals | None = None  # the figures of the check (written as JSON in the manifest)
    files: dict[str, str] = field(default_factory=dict)  # role -> name inside versions/<version>/
    duplicate_of: str | None = None  # for a duplicate: the version holding these bytes
    duplicate_status: str | None = None  # for a duplicate: the status of that version
    source_mtime: str | None = None  # modification time of the file received, ISO 8601 UTC
    format: int = STORE_FORMAT

    @property
    def accepted(self) -> bool:
        return self.status == ACCEPTED

    @property
    def received(self) -> datetime:
        return datetime.fromisoformat(self.received_at)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["totals"] = self.totals.to_dict() if self.totals is not None else None
        return data

    def to_json(self) -> bytes:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Version:
        known = set(cls.__dataclass_fields__)
        fields = {k: v for k, v in data.items() if k in known}
        totals = fields.get("totals")
        fields["totals"] = Totals.from_dict(totals) if totals else None
        return cls(**fields)

    @classmethod
    def from_json(cls, data: bytes, *, where: str = "") -> Version:
        """A manifest as stored; :class:`DamagedMetadata` when it is cut short, not JSON or not a manifest."""
        try:
            raw = json.loads(data)
            if not isinstance(raw, dict):
                raise TypeError("pas un objet JSON")
            version = cls.from_dict(raw)
            if version.status not in (ACCEPTED, REFUSED, DUPLICATE) or not isinstance(version.files, dict):
                raise ValueError(f"statut {version.status!r}")
            str(version.received)  # a readable reception time
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise DamagedMetadata(f"Fiche de version illisible {where} : {exc}") from exc
        return version

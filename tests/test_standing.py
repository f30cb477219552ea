"""One rule for a cooperative's standing: after any sequence of accept / refuse / resend / duplicate, the
outbox summary (etat-du-depot.csv), the consolidation, the CRF and ``cahier history`` say the same thing,
and it is what the rule says (SPEC §6 v2: sending again the bytes of an earlier accepted version makes it
current again)."""

from __future__ import annotations

import csv
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from store_helpers import report

from workbook_tools.bilan import BilanError, crf_from_store
from workbook_tools.cli import main
from workbook_tools.consolidation import consolidate
from workbook_tools.store import Store
from workbook_tools.store.standing import Status
from workbook_tools.watcher.outbox import SUMMARY_CSV, refresh_outbox

COOP, EXERCICE = "0001", "2025-2026"
JOURNAL = pd.DataFrame(
    {"row": [4], "date": pd.to_datetime(["2025-09-15"]), "libelle": ["Cotisations"], "banque_recette": [15000],
     "banque_depense": [0], "pointe": ["x"]}
)  # fmt: skip


class Standings(RuleBasedStateMachine):
    """The model: the list of submissions (bytes, accepted?) in the order they were sent."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="cahier-standing-"))
        self.store = Store(str(self.folder / "store"))
        self.sent: list[tuple[bytes, bool]] = []  # every submission, duplicates included
        self.first_id: dict[bytes, str] = {}  # bytes → the version that holds them
        self.counter = 0

    def teardown(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def _send(self, data: bytes, ok: bool) -> None:
        v = self.store.submit(COOP, f"cahier-{len(self.sent)}.xlsx", data, report(ok=ok, errors=0 if ok else 2),
                              JOURNAL)  # fmt: skip
        self.first_id.setdefault(data, v.version)
        self.sent.append((data, ok))

    def _new(self, ok: bool) -> None:
        self.counter += 1
        self._send(f"cahier {self.counter}".encode(), ok)

    @rule()
    def accept(self) -> None:
        self._new(True)

    @rule()
    def refuse(self) -> None:
        self._new(False)

    @precondition(lambda self: bool(self.sent))
    @rule(pick=st.integers(min_value=0))
    def resend(self, pick: int) -> None:
        """The bytes of any earlier submission, sent again (a teacher reopens an older save)."""
        data, ok = self.sent[pick % len(self.sent)]
        self._send(data, ok)

    @precondition(lambda self: bool(self.sent))
    @rule()
    def duplicate(self) -> None:
        """The latest file saved again, unchanged."""
        data, ok = self.sent[-1]
        self._send(data, ok)

    def expected(self) -> tuple[Status, str | None]:
        current = next((i for i in range(len(self.sent) - 1, -1, -1) if self.sent[i][1]), None)
        version = self.first_id[self.sent[current][0]] if current is not None else None
        if not self.sent:
            return Status.MISSING, None
        if current is None:
            return Status.REFUSED, None
        return (Status.ACCEPTED if current == len(self.sent) - 1 else Status.REFUSED_NEWER), version

    @invariant()
    def every_output_agrees(self) -> None:
        status, version = self.expected()
        if status is Status.MISSING:
            return
        # the outbox summary, as the treasurer opens it
        outbox = self.folder / "outbox"
        refresh_outbox(self.store, outbox)
        with (outbox / SUMMARY_CSV).open(encoding="utf-8-sig") as handle:
            [row] = list(csv.DictReader(handle, delimiter=";"))
        assert (row["statut"], row["version"] or None) == (status.fr, version)
        # the consolidation
        if version is not None:
            [line] = consolidate(self.store, EXERCICE).rows
            assert (line.status, line.version) == (status, version)
        # the CRF
        try:
            crf = crf_from_store(self.store, COOP, EXERCICE)
        except BilanError:
            assert version is None
        else:
            assert crf.version == version
            assert (crf.refused is not None) == (status is Status.REFUSED_NEWER)
        # cahier history
        out = CliRunner().invoke(main, ["history", "--coop", COOP, "--store", str(self.folder / "store")])
        assert out.exit_code == 0, out.output
        marked = [line.split()[1] for line in out.output.splitlines() if "← en cours" in line]
        assert marked == ([version] if version else [])
        assert f"Exercice {EXERCICE} : {status.fr}." in out.output


TestStandings = pytest.mark.slow(Standings.TestCase)
TestStandings.settings = settings(
    max_examples=80, stateful_step_count=7, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def test_resending_an_accepted_version_makes_it_current_again(tmp_path: Path) -> None:
    """The bug that started it: accept A, refuse B, send A again → accepted (A), everywhere."""
    store = Store(str(tmp_path / "store"))
    a = store.submit(COOP, "a.xlsx", b"A", report(), JOURNAL)
    store.submit(COOP, "b.xlsx", b"B", report(ok=False, errors=1), JOURNAL)
    assert store.standing(COOP).status is Status.REFUSED_NEWER
    store.submit(COOP, "a-encore.xlsx", b"A", report(), JOURNAL)
    where = store.standing(COOP)
    assert (where.status, where.current) == (Status.ACCEPTED, a)
    refresh_outbox(store, tmp_path / "outbox")
    text = (tmp_path / "outbox" / SUMMARY_CSV).read_text(encoding="utf-8-sig")
    assert "accepté" in text and "refusée" not in text
    assert consolidate(store, EXERCICE).rows[0].status is Status.ACCEPTED
    b2 = store.submit(COOP, "b2.xlsx", b"B2", report(), JOURNAL)  # a newer accepted version…
    assert store.current(COOP) == b2
    store.submit(COOP, "a-encore-2.xlsx", b"A", report(), JOURNAL)  # …then A saved again: A is current
    assert store.current(COOP) == a and crf_from_store(store, COOP).version == a.version

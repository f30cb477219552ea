"""The store's derived index of figures (issue 16): a consolidation reads it instead of one manifest and one report
per cooperative, and gets exactly the same answer; the listing of manifests stays the truth; a damaged segment is
skipped; segments are only ever added — on a local folder and on a real WebDAV server."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from store_helpers import snapshot, webdav  # noqa: F401  (webdav: the fixture of a real wsgidav server)

from workbook_tools.consolidation import consolidate
from workbook_tools.model import Annexes, Code, Finding, Report, Totals
from workbook_tools.store import Store
from workbook_tools.store import figures as stored_figures

COOPS = 12


def _report(i: int, *, ok: bool = True, exercice: str = "2025-2026") -> Report:
    findings = [] if ok else [Finding(Code.AMOUNT_MISSING, "Journal", 5, "H", "Pas de montant.")]
    if i % 3 == 0:  # the bank below zero at some point: a warning the consolidation turns into an alert
        findings.append(Finding(Code.BANK_NEGATIVE, "Journal", 7, "J", "Banque négative."))
    totals = Totals(charges=1000 + i, produits=2500 + 7 * i, chapitres={"6070": 1000 + i, "7080": 2500 + 7 * i})
    annexes = Annexes(parametres={"coop_nom": f"École n° {i}"})
    return Report("cahier.xlsx", f"{i:05d}", exercice, findings, totals, annexes=annexes)


def _fill_store(url: str, coops: int = COOPS) -> Store:
    """Cooperatives with a refused version, an accepted one, a duplicate, and last year's cahier for some."""
    store = Store(url)
    for i in range(1, coops + 1):
        coop = f"{i:05d}"
        if i % 4 == 0:
            store.submit(coop, "cahier-2024-2025.xlsx", b"last year %d" % i, _report(i, exercice="2024-2025"))
        if i % 2 == 0:
            store.submit(coop, "cahier.xlsx", b"refused %d" % i, _report(i, ok=False))
        store.submit(coop, "cahier.xlsx", b"accepted %d" % i, _report(i))
        if i % 5 == 0:
            store.submit(coop, "cahier (2).xlsx", b"accepted %d" % i, _report(i))
    return store


def _figures(url: str) -> dict[str, Any]:
    data = consolidate(Store(url)).to_dict()
    data.pop("generated_at")
    return data


def _segments(root: Path) -> list[Path]:
    folder = root / "index" / "figures"
    return sorted(p for p in folder.iterdir() if not p.name.startswith(".")) if folder.exists() else []


class _Reads:
    """Counts the files a store reads, by kind."""

    def __init__(self, store: Store) -> None:
        self.paths: list[str] = []
        backend = store._backend
        read = backend.read

        def counting(rel: str) -> bytes:
            self.paths.append(rel)
            return read(rel)

        backend.read = counting  # type: ignore[method-assign]

    def count(self, part: str) -> int:
        return sum(part in p for p in self.paths)


@pytest.fixture(params=["local", "wsgidav"])
def place(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Path]:
    """(store URL, its folder on disk): a local folder, and a real WebDAV server (wsgidav)."""
    if request.param == "local":
        return str(tmp_path / "store"), tmp_path / "store"
    server = request.getfixturevalue("webdav")
    name = f"figures{abs(hash(request.node.nodeid)) % 10**10}"
    return f"{server.url}{name}", server.prepare(server.folder / name)


@pytest.fixture
def few(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stored_figures, "MIN_NEW", 5)


def test_the_index_gives_the_same_consolidation_without_reading_each_file(place: tuple[str, Path], few: None) -> None:
    url, root = place
    _fill_store(url)
    without = stored_figures.load(Store(url), index=False)
    assert _segments(root) == []

    first = _figures(url)  # reads every file, then writes them down as one segment
    [segment] = _segments(root)
    assert first["cooperatives"][2]["nom"] == "École n° 3" and "BANQUE_NEGATIVE" in first["cooperatives"][2]["alerts"]

    store = Store(url)
    reads = _Reads(store)
    loaded = stored_figures.load(store)
    assert loaded.histories == without.histories
    assert reads.count("/manifests/") == 0 and reads.count("report.json") == 0
    again = consolidate(store).to_dict()
    again.pop("generated_at")
    assert again == first
    assert reads.count("/manifests/") == 0 and reads.count("report.json") == 0  # the reports' figures were indexed
    assert _segments(root) == [segment]  # nothing new: no new segment


def test_a_version_sent_after_the_index_counts(tmp_path: Path, few: None) -> None:
    url = str(tmp_path / "store")
    store = _fill_store(url)
    _figures(url)
    store.submit("00001", "cahier-juin.xlsx", b"a later cahier", _report(40))  # after the segment: not in it
    store.submit("00099", "cahier.xlsx", b"a new cooperative", _report(99))
    fresh = stored_figures.load(Store(url), index=False)
    assert stored_figures.load(Store(url)).histories == fresh.histories
    data = _figures(url)
    rows = {r["coop"]: r for r in data["cooperatives"]}
    assert rows["00001"]["produits"] == 2500 + 7 * 40 and rows["00001"]["nom"] == "École n° 40"
    assert rows["00099"]["nom"] == "École n° 99"


def test_a_damaged_segment_is_skipped(tmp_path: Path, few: None, caplog: pytest.LogCaptureFixture) -> None:
    url = str(tmp_path / "store")
    _fill_store(url)
    first = _figures(url)
    [segment] = _segments(tmp_path / "store")
    segment.write_bytes(segment.read_bytes()[:1000])  # cut short, as a server that stopped mid-write would
    with caplog.at_level(logging.WARNING, logger="cahier.store.figures"):
        assert _figures(url) == first
    assert "segment d'index illisible" in caplog.text and "(fichier coupé ou abîmé)" in caplog.text
    assert "Expecting" not in caplog.text  # the JSON reader's English is not the user's reason
    segments = _segments(tmp_path / "store")
    assert len(segments) == 2 and segment in segments  # the versions written down again, in a new segment
    assert json.loads(segments[-1].read_bytes())["supersedes"] == [segment.stem]  # which replaces the damaged one
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="cahier.store.figures"):
        assert _figures(url) == first
    assert "illisible" not in caplog.text  # said once, not at every consolidation
    assert len(_segments(tmp_path / "store")) == 2


def test_a_segment_of_an_older_format_is_replaced_once_without_a_word(
    tmp_path: Path, few: None, caplog: pytest.LogCaptureFixture
) -> None:
    """A store indexed by an earlier cahier (format 1): its segment is read from the files once, replaced by the
    next segment written, and never warned about — a department upgrading sees no alarming line at each command."""
    url = str(tmp_path / "store")
    _fill_store(url)
    first = _figures(url)
    [segment] = _segments(tmp_path / "store")
    data = json.loads(segment.read_bytes())
    data["format"] = 1
    segment.write_text(json.dumps(data))
    with caplog.at_level(logging.INFO, logger="cahier.store.figures"):
        assert _figures(url) == first
        segments = _segments(tmp_path / "store")
        assert len(segments) == 2 and segment in segments  # added, never deleted
        replacing = json.loads(segments[-1].read_bytes())
        assert replacing["supersedes"] == [segment.stem] and replacing["format"] == stored_figures.INDEX_FORMAT
        store = Store(url)
        reads = _Reads(store)
        assert _figures_of(store) == first
        assert reads.count("/manifests/") == 0 and reads.count("index/figures/" + segment.name) == 0  # not read again
        assert len(_segments(tmp_path / "store")) == 2
    assert "illisible" not in caplog.text


def _figures_of(store: Store) -> dict[str, Any]:
    data = consolidate(store).to_dict()
    data.pop("generated_at")
    return data


def test_segments_are_only_added_and_a_full_one_replaces_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stored_figures, "MIN_NEW", 1)
    monkeypatch.setattr(stored_figures, "MAX_SEGMENTS", 3)
    root = tmp_path / "store"
    store = _fill_store(str(root), coops=3)
    expected = None
    for n in range(4, 9):
        before = snapshot(root)
        expected = _figures(str(root))
        after = snapshot(root)
        assert all(after[name] == data for name, data in before.items())  # nothing changed nor removed
        store.submit(f"{n:05d}", "cahier.xlsx", b"cahier %d" % n, _report(n))
    segments = _segments(root)  # 3 (one per run), then a full one at the 4th run, then one more
    assert len(segments) == 5
    full = json.loads(segments[3].read_bytes())
    assert full["supersedes"] == [p.stem for p in segments[:3]][::-1]  # the full one names those it replaces
    assert len(full["versions"]) == sum(len(json.loads(p.read_bytes())["versions"]) for p in segments[:3]) + 1
    store = Store(str(root))
    reads = _Reads(store)
    stored_figures.load(store)
    assert reads.count("index/figures/") == len(segments) - 3  # the replaced segments are no longer read
    assert expected is not None and _figures(str(root))["cooperatives"][:7] == expected["cooperatives"][:7]


def test_an_index_is_never_written_where_the_store_has_vanished(tmp_path: Path, few: None) -> None:
    root = tmp_path / "store"
    store = _fill_store(str(root))
    loaded = stored_figures.load(store)
    (root / "cahier-store.json").unlink()  # the share unmounted under our feet
    assert loaded.write_index() is None
    assert not (root / "index").exists()


def test_a_refused_cooperative_is_named_from_its_cahier(tmp_path: Path, few: None) -> None:
    """Without a roster, a cooperative whose every cahier was refused is named from its cahier (its Paramètres), in
    the consolidation, the workbook and the relances — it was left nameless."""
    url = str(tmp_path / "store")
    store = _fill_store(url, coops=6)
    store.submit("00077", "cahier.xlsx", b"refused only", _report(77, ok=False))
    for data in (_figures(url), _figures(url)):  # read from the files, then from the index
        rows = {r["coop"]: r for r in data["cooperatives"]}
        assert rows["00077"]["status"] == "refused" and rows["00077"]["nom"] == "École n° 77"

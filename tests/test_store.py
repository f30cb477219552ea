"""The store, run the same way on a local folder and on three real WebDAV servers (wsgidav, Apache httpd with
mod_dav, rclone serve webdav)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pandas as pd
import pytest
import store_helpers
from store_helpers import report, snapshot

from workbook_tools.store import (
    ACCEPTED,
    DUPLICATE,
    REFUSED,
    VERSION_PATTERN,
    InvalidName,
    Store,
    StoreUnavailable,
    VersionNotFound,
    check_coop,
    safe_filename,
    sha256,
)

store_place = store_helpers.store_place  # fixtures: the same tests on a local folder and on WebDAV
webdav = store_helpers.webdav
apache = store_helpers.apache
rclone = store_helpers.rclone

JOURNAL = pd.DataFrame(
    {"row": [4, 5], "date": pd.to_datetime(["2025-09-15", "2025-10-02"]), "libelle": ["Cotisations", "Livres"],
     "banque_recette": [15000, 0], "banque_depense": [0, 4250], "pointe": ["x", None]}
)  # fmt: skip


def test_submit_then_read_back(store_place: tuple[str, Path]) -> None:
    url, root = store_place
    store = Store(url)
    v = store.submit("0001", "cahier.xlsx", b"PK-bytes-1", report(warnings=2), JOURNAL, source_mtime=1_700_000_000)
    assert v.status == ACCEPTED and v.warnings == 2 and v.exercice == "2025-2026"
    assert VERSION_PATTERN.fullmatch(v.version)
    assert v.sha256 == sha256(b"PK-bytes-1")
    assert v.source_mtime == "2023-11-14T22:13:20+00:00"

    fresh = Store(url)  # another process: nothing cached
    assert [h.version for h in fresh.history("0001")] == [v.version]
    assert fresh.history("0001")[0] == v
    assert fresh.read_original("0001", v.version) == b"PK-bytes-1"
    assert fresh.read_report("0001", "1") == report(warnings=2)
    journal = fresh.read_journal("0001", v.version[:12])
    assert journal is not None
    assert journal["banque_depense"].tolist() == [0, 4250]
    assert journal["libelle"].tolist() == ["Cotisations", "Livres"]
    assert fresh.coops() == ["0001"]
    # the files on disk, as the layout says
    manifest = json.loads((root / "coops/0001/manifests" / f"{v.version}.json").read_bytes())
    assert manifest["status"] == "accepted" and manifest["filename"] == "cahier.xlsx"
    assert (root / "coops/0001/versions" / v.version / "original.xlsx").read_bytes() == b"PK-bytes-1"
    assert (root / "coops/0001/hashes" / f"{v.sha256}.json").exists()


def test_duplicate_is_recorded_not_stored_twice(store_place: tuple[str, Path]) -> None:
    url, root = store_place
    store = Store(url)
    first = store.submit("0001", "cahier.xlsx", b"same bytes", report(ok=False, errors=3))
    again = Store(url).submit("0001", "cahier-copie.xlsx", b"same bytes", report(ok=False, errors=3))
    assert first.status == REFUSED
    assert again.status == DUPLICATE and again.duplicate_of == first.version and again.duplicate_status == REFUSED
    assert again.files == {} and again.filename == "cahier-copie.xlsx"
    assert [v.status for v in store.history("0001")] == [REFUSED, DUPLICATE]
    assert len(list((root / "coops/0001/versions").iterdir())) == 1  # bytes kept once
    assert store.read_original("0001", again.version) == b"same bytes"  # a duplicate reads as its original
    other = store.submit("0002", "cahier.xlsx", b"same bytes", report())  # hashes are per coop
    assert other.status == ACCEPTED
    assert store.lookup("0001", sha256(b"same bytes")) == first
    assert store.lookup("0001", sha256(b"never sent")) is None


def test_append_only_nothing_overwritten_or_deleted(store_place: tuple[str, Path]) -> None:
    url, root = store_place
    store = Store(url)
    for i in range(3):
        store.submit("0001", "cahier.xlsx", f"version {i}".encode(), report(), JOURNAL)
    before = snapshot(root)
    store.submit("0001", "cahier.xlsx", b"version 1", report())  # duplicate
    store.submit("0001", "cahier.xlsx", b"version 9", report(ok=False, errors=1))
    after = snapshot(root)
    assert {k: after[k] for k in before} == before  # every earlier file unchanged
    # a duplicate adds its manifest; a version without journal: original, report, 2 manifests, its claim, the index
    assert len(after) == len(before) + 1 + 6
    assert not [k for k in after if Path(k).name.startswith(".")]  # no temporary left


def test_current_is_newest_accepted_per_exercice(store_place: tuple[str, Path]) -> None:
    store = Store(store_place[0])
    assert store.current("0001") is None
    a = store.submit("0001", "a.xlsx", b"a", report(exercice="2024-2025"))
    b = store.submit("0001", "b.xlsx", b"b", report(exercice="2025-2026"))
    store.submit("0001", "c.xlsx", b"c", report(ok=False, errors=2, exercice="2025-2026"))
    store.submit("0001", "b2.xlsx", b"b", report())  # a duplicate is not a new current
    assert store.current("0001") == b
    assert store.current("0001", "2024-2025") == a
    assert store.current("0001", "2023-2024") is None
    d = store.submit("0001", "d.xlsx", b"d", report(exercice="2025-2026"))
    assert Store(store_place[0]).current("0001") == d


def test_restore_any_version(store_place: tuple[str, Path], tmp_path: Path) -> None:
    store = Store(store_place[0])
    store.submit("0001", "janvier.xlsx", b"janvier", report())
    store.submit("0001", "fevrier.xlsx", b"fevrier", report(ok=False, errors=1))
    dup = store.submit("0001", "copie.xlsx", b"janvier", report())
    out = tmp_path / "out" / "restored.xlsx"
    assert store.restore("0001", "2", out) == out
    assert out.read_bytes() == b"fevrier"
    with pytest.raises(FileExistsError, match="existe déjà"):
        store.restore("0001", "1", out)
    assert out.read_bytes() == b"fevrier"
    store.restore("0001", dup.version, out, force=True)
    assert out.read_bytes() == b"janvier"
    with pytest.raises(VersionNotFound):
        store.restore("0001", "7", tmp_path / "x.xlsx")
    with pytest.raises(VersionNotFound):
        store.version("0001", "1999")
    assert not (tmp_path / "x.xlsx").exists()


def test_concurrent_writers_never_clobber(store_place: tuple[str, Path]) -> None:
    url, root = store_place
    barrier = threading.Barrier(12)
    results: list = []
    errors: list = []

    def writer(i: int) -> None:
        store = Store(url)  # each thread its own client, as separate processes would
        data = b"shared bytes" if i < 4 else f"own bytes {i}".encode()
        try:
            barrier.wait()
            results.append(store.submit("0001", f"cahier-{i}.xlsx", data, report(), JOURNAL))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    history = Store(url).history("0001")
    assert len(history) == 12 == len({v.version for v in history})
    shared = [v for v in history if v.sha256 == sha256(b"shared bytes")]
    originals = [v for v in shared if v.status != DUPLICATE]
    assert len(originals) == 1  # one writer won the claim, three recorded duplicates
    assert {v.duplicate_of for v in shared if v.status == DUPLICATE} == {originals[0].version}
    assert len(list((root / "coops/0001/versions").iterdir())) == 9  # 8 own + 1 shared, no leftover
    for v in history:
        assert Store(url).read_original("0001", v.version) in (
            {b"shared bytes"} | {f"own bytes {i}".encode() for i in range(12)}
        )


@pytest.mark.parametrize("bad", ["", "../0002", "a/b", ".hidden", "0001\n", "x" * 65, "co op", "..", "0001/../0002"])
def test_coop_id_is_strict(bad: str, store_place: tuple[str, Path]) -> None:
    store = Store(store_place[0])
    with pytest.raises(InvalidName, match="Numéro de coopérative invalide"):
        store.submit(bad, "cahier.xlsx", b"x", report())
    with pytest.raises(InvalidName):
        store.history(bad)
    assert check_coop("0101-A_b") == "0101-A_b"


@pytest.mark.parametrize(
    ("given", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\prof\\cahier.xlsx", "cahier.xlsx"),
        ("..", "cahier"),
        (".hidden.xlsx", "hidden.xlsx"),
        ("a\x00b<c>.xlsx", "abc.xlsx"),
        ("", "cahier"),
    ],
)
def test_filenames_are_reduced_to_a_basename(given: str, safe: str) -> None:
    assert safe_filename(given) == safe


def test_nothing_written_outside_the_root(store_place: tuple[str, Path]) -> None:
    url, root = store_place
    v = Store(url).submit("0001", "../../../evil.sh", b"#!/bin/sh", report())
    assert v.filename == "evil.sh"
    assert not (root.parent / "evil.sh").exists()
    assert all(p.resolve().is_relative_to(root.resolve()) for p in root.rglob("*"))
    assert (root / "coops/0001/versions" / v.version / "original.bin").exists()  # not a runnable extension


def test_writer_killed_before_publishing_leaves_nothing_visible(
    store_place: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _root = store_place
    store = Store(url)
    backend = store._backend
    real_put, real_put_new = backend.put, backend.put_new

    def die_at(marker: str) -> None:
        def wrap(real):  # type: ignore[no-untyped-def]
            def write(rel: str, data: bytes):  # type: ignore[no-untyped-def]
                if marker in rel:
                    raise KeyboardInterrupt("killed")  # not an I/O error: nothing catches it
                return real(rel, data)

            return write

        monkeypatch.setattr(backend, "put", wrap(real_put))
        monkeypatch.setattr(backend, "put_new", wrap(real_put_new))

    # killed after the version's files, before the claim: invisible, re-submission stores it anew
    die_at("/claims/")
    with pytest.raises(KeyboardInterrupt):
        store.submit("0001", "cahier.xlsx", b"one", report(), JOURNAL)
    assert Store(url).history("0001") == []
    # killed after the claim, before the manifest: the claim commits, the next reader completes it
    die_at("/manifests/")
    with pytest.raises(KeyboardInterrupt):
        store.submit("0001", "cahier.xlsx", b"two", report(), JOURNAL)
    assert Store(url).history("0001") == []
    monkeypatch.setattr(backend, "put", real_put)
    monkeypatch.setattr(backend, "put_new", real_put_new)
    fresh = Store(url)
    again = fresh.submit("0001", "cahier.xlsx", b"two", report())
    assert again.status == DUPLICATE
    history = fresh.history("0001")
    assert [v.status for v in history] == [ACCEPTED, DUPLICATE]
    assert fresh.read_original("0001", history[0].version) == b"two"
    first = fresh.submit("0001", "cahier.xlsx", b"one", report())
    assert first.status == ACCEPTED


def test_webdav_unreachable_is_reported_as_such(tmp_path: Path) -> None:
    from webdav_server import WebdavServer, free_port

    server = WebdavServer(tmp_path, port=free_port())
    store = Store(server.url)  # nothing listens
    with pytest.raises(StoreUnavailable, match="Dépôt injoignable"):
        store.submit("0001", "cahier.xlsx", b"x", report())
    server.start()
    try:
        assert store.submit("0001", "cahier.xlsx", b"x", report()).status == ACCEPTED
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("webdav://user:secret@nas.local:8080/cahier", "webdav://nas.local:8080/cahier"),
        ("https://cloud.example.fr/remote.php/dav/files/occe/cahier", "https://cloud.example.fr/remote.php/dav/files/occe/cahier"),
    ],
)  # fmt: skip
def test_urls_never_show_passwords(url: str, expected: str) -> None:
    store = Store(url)
    assert store.display_url == expected
    assert "secret" not in repr(store)


def test_local_urls(tmp_path: Path) -> None:
    for url in (str(tmp_path / "a"), f"file://{tmp_path / 'b'}"):
        store = Store(url)
        store.submit("0001", "c.xlsx", b"c", report())
        assert Path(store.display_url).is_dir()


def test_one_cooperative_one_key(tmp_path: Path) -> None:
    """« 069003 » and « 69003 » are one cooperative: kept under the first form the store saw (issue 13)."""
    store = Store(str(tmp_path / "store"))
    first = store.submit("69003", "a.xlsx", b"a", report())
    second = Store(str(tmp_path / "store")).submit("069003", "b.xlsx", b"b", report())
    assert first.coop == second.coop == "69003"
    assert store.coops() == ["69003"]
    assert [v.version for v in Store(str(tmp_path / "store")).history("069003")] == [first.version, second.version]

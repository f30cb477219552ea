"""The store on the WebDAV servers departments really run (issue 19): Apache httpd with mod_dav and ``rclone serve
webdav`` (Basic auth, on 127.0.0.1, started by the tests), beside wsgidav and a local folder.

Races of identical submissions, a 403 (a collection Apache may not write), a 423 (a lock taken by another client),
a store folder missing, and the server stopped before each request of a write then started again."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import store_helpers
from click.testing import CliRunner
from store_helpers import cahier_bytes, make_cahier, report, wait_for

from workbook_tools.cli import main
from workbook_tools.fsck import verify
from workbook_tools.ingest import CRF_SUFFIX, ingest_bytes, status_path
from workbook_tools.store import (
    ACCEPTED,
    DUPLICATE,
    Store,
    StoreMissing,
    StoreUnavailable,
    sha256,
)

webdav = store_helpers.webdav
apache = store_helpers.apache
rclone = store_helpers.rclone
SERVERS = store_helpers.SERVERS


def _place(request: pytest.FixtureRequest, kind: str, tmp_path: Path, name: str) -> tuple[str, Path, Any]:
    """(URL, folder on disk, server or None) of a new store on ``kind``."""
    if kind == "local":
        return str(tmp_path / name), tmp_path / name, None
    server = store_helpers.server_fixture(request, kind)
    root = server.prepare(server.folder / f"{name}{abs(hash(request.node.nodeid)) % 10**8}")
    return f"{server.url}{root.name}", root, server


def _leftovers(root: Path) -> list[str]:
    """What an interrupted write could leave: temporaries, unpublished version folders, claims of no version."""
    found = [str(p.relative_to(root)) for p in root.rglob(".tmp-*")]
    for coop in (root / "coops").glob("*"):
        published = {p.stem for p in (coop / "manifests").glob("*.json")}
        found += [str(v.relative_to(root)) for v in (coop / "versions").glob("*") if v.name not in published]
        for claim in (coop / "claims").glob("*/*.json"):
            if claim.name.split(".")[1] not in published:
                found.append(str(claim.relative_to(root)))
    return found


# --------------------------------------------------------------------------- races


ROUNDS, WRITERS = 30, 8


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["local", *SERVERS])
def test_identical_submissions_race(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path, fault_summary: Callable[[str], None]
) -> None:
    """8 writers × the same bytes × 30 rounds: one version per round, 7 duplicates of it, no exception, nothing
    left behind. Counted too: rounds where two writers both published (the readers' rule then shows one)."""
    url, root, _server = _place(request, kind, tmp_path, "race")
    stores = [Store(url) for _ in range(WRITERS)]  # each writer its own client, as separate processes would
    barrier = threading.Barrier(WRITERS)
    errors: list[BaseException] = []
    start = time.monotonic()

    def writer(i: int) -> None:
        for r in range(ROUNDS):
            try:
                barrier.wait(timeout=60)
                stores[i].submit("0001", f"cahier-{i}.xlsx", f"round {r}".encode(), report())
            except BaseException as exc:  # every failure is the finding
                errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [], errors[:3]
    history = Store(url).history("0001")
    doubles = 0
    for r in range(ROUNDS):
        digest = sha256(f"round {r}".encode())
        same = [v for v in history if v.sha256 == digest]
        holders = [v for v in same if v.status != DUPLICATE]
        assert len(same) == WRITERS and len(holders) == 1, (r, same)
        assert all(v.duplicate_of for v in same if v.status == DUPLICATE)
        published = [json.loads(p.read_bytes()) for p in (root / "coops/0001/manifests").glob("*.json")]
        doubles += sum(1 for m in published if m["sha256"] == digest and m["status"] != DUPLICATE) > 1
    assert _leftovers(root) == []
    assert verify(Store(url)).ok
    fault_summary(
        f"race on {kind}: {WRITERS} writers × the same bytes × {ROUNDS} rounds → {ROUNDS} versions, "
        f"{ROUNDS * (WRITERS - 1)} duplicates, 0 exceptions, {doubles} rounds published twice (read as one), "
        f"{time.monotonic() - start:.1f} s"
    )
    assert doubles <= ROUNDS // 10  # the claims' read-back makes a double publication rare; readers show one


# --------------------------------------------------------------------------- server answers


def _cli(*args: str) -> tuple[int, str]:
    out = CliRunner().invoke(main, list(args))
    assert "Traceback" not in out.output, out.output
    assert out.exception is None or isinstance(out.exception, SystemExit), repr(out.exception)
    return out.exit_code, out.output


@pytest.fixture
def apache_store(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Path]:
    url, root, _ = _place(request, "apache", tmp_path, "forbidden")
    return url, root


@pytest.mark.slow
def test_forbidden_collection_is_a_retry_never_a_traceback(apache_store: tuple[str, Path], tmp_path: Path) -> None:
    """Apache answers 403 for a collection its user may not write: a French reason, the file kept for later."""
    url, root = apache_store
    assert Store(url).submit("0001", "a.xlsx", b"first", report()).status == ACCEPTED
    versions = root / "coops/0001/versions"
    versions.chmod(0o555)
    try:
        with pytest.raises(StoreUnavailable, match=r"interdit .* \(403\)") as caught:
            Store(url).submit("0001", "b.xlsx", b"second", report())
        assert "Rien n'est perdu" in str(caught.value)
        cahier = make_cahier(tmp_path / "cahier.xlsx")
        code, text = _cli("ingest", str(cahier), "--coop", "0001", "--store", url)
        assert code == 1 and "(403)" in text and "Erreur : " in text
    finally:
        versions.chmod(0o755)
    assert Store(url).submit("0001", "b.xlsx", b"second", report()).status == ACCEPTED


def _lock(base: str, auth: tuple[str, str] | None, path: str) -> str:
    body = (
        '<?xml version="1.0" encoding="utf-8"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope>'
        "<D:locktype><D:write/></D:locktype><D:owner>autre client</D:owner></D:lockinfo>"
    )
    response = httpx.request(
        "LOCK", f"{base}{path}", content=body, auth=auth, headers={"Depth": "infinity", "Timeout": "Second-600"}
    )
    assert response.status_code in (200, 201), (response.status_code, response.text)
    return str(response.headers["Lock-Token"])


@pytest.mark.parametrize("kind", SERVERS)
def test_locked_collection_is_a_retry(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """Another client holds a LOCK on the cooperative's folder: 423, said in French, written once it is lifted."""
    url, _root, server = _place(request, kind, tmp_path, "locked")
    store = Store(url)
    assert store.submit("0001", "a.xlsx", b"first", report()).status == ACCEPTED
    auth = (server.user, server.password) if hasattr(server, "user") else None
    base = f"http://127.0.0.1:{server.port}/{url.rsplit('/', 1)[1]}"
    token = _lock(base, auth, "/coops/0001/")
    try:
        with pytest.raises(StoreUnavailable, match=r"verrouillé .* \(423\)"):
            Store(url).submit("0001", "b.xlsx", b"second", report())
    finally:
        unlocked = httpx.request("UNLOCK", f"{base}/coops/0001/", auth=auth, headers={"Lock-Token": token})
        assert unlocked.status_code in (200, 204)
    assert Store(url).submit("0001", "b.xlsx", b"second", report()).status == ACCEPTED
    assert len(Store(url).history("0001")) == 2


@pytest.mark.parametrize("kind", SERVERS)
def test_missing_store_folder_is_not_unreachable(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    server = store_helpers.server_fixture(request, kind)
    url = f"{server.url}pas-encore-cree"
    with pytest.raises(StoreMissing, match="le dossier du dépôt n'existe pas sur le serveur") as caught:
        Store(url).submit("0001", "a.xlsx", b"x", report())
    assert "créez-le" in str(caught.value) and "injoignable" not in str(caught.value)
    cahier = make_cahier(tmp_path / "cahier.xlsx")
    code, text = _cli("ingest", str(cahier), "--coop", "0001", "--store", url)
    assert code == 1 and "le dossier du dépôt n'existe pas sur le serveur" in text
    assert not (server.folder / "pas-encore-cree").exists()  # never created behind the administrator's back


@pytest.mark.slow
def test_watcher_keeps_a_file_pending_on_a_server_fault(apache_store: tuple[str, Path], tmp_path: Path) -> None:
    """A 403 in the middle of the watcher's work: the file waits (no « ERREUR », no « enregistrez à nouveau ») and
    is archived once the folder is writable again."""
    from workbook_tools.watcher.config import WatchConfig
    from workbook_tools.watcher.service import Watcher

    url, root = apache_store
    Store(url).submit("0001", "a.xlsx", b"first", report())
    inbox = tmp_path / "inbox"
    (inbox / "0001").mkdir(parents=True)
    make_cahier(inbox / "0001" / "cahier.xlsx")
    config = WatchConfig(inbox=inbox, store=url, outbox=None, stability_delay=0.1, retry_initial=0.2, retry_max=0.4,
                         rescan_interval=3600, isolate=False)  # fmt: skip
    watcher = Watcher(config)
    versions = root / "coops/0001/versions"
    versions.chmod(0o555)
    thread = threading.Thread(target=watcher.run, daemon=True)
    thread.start()
    try:
        wait_for(lambda: watcher.counts.get("nouveaux essais", 0) >= 2, timeout=30)
        assert watcher.pending() == [inbox / "0001" / "cahier.xlsx"]
        assert not status_path(inbox / "0001", "cahier.xlsx").exists()
        versions.chmod(0o755)
        wait_for(lambda: status_path(inbox / "0001", "cahier.xlsx").exists(), timeout=30)
    finally:
        versions.chmod(0o755)
        watcher.stop()
        thread.join(timeout=30)
    answer = status_path(inbox / "0001", "cahier.xlsx").read_text(encoding="utf-8")
    assert answer.startswith("ACCEPTÉ"), answer
    assert "enregistrez à nouveau" not in answer.lower()
    assert [v.filename for v in Store(url).history("0001")] == ["a.xlsx", "cahier.xlsx"]


# --------------------------------------------------------------------------- the server stopped at each step

CALLS = ("read", "exists", "list", "makedirs", "put", "put_new", "remove_file", "remove_tree")


class _StopBefore:
    """Stops the server just before the ``step``-th request the store makes (0: never); counts them."""

    def __init__(self, store: Store, server: Any, step: int) -> None:
        self.server, self.step, self.calls = server, step, 0
        backend = store._backend
        for name in CALLS:
            setattr(backend, name, self._wrap(getattr(backend, name)))

    def _wrap(self, real: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            if self.calls == self.step:
                self.server.stop()
            return real(*args, **kwargs)

        return call


@pytest.fixture
def one_cahier(monkeypatch: pytest.MonkeyPatch) -> Iterator[bytes]:
    """A real cahier; its check is made once (the store is under test here, not the check: same bytes, same
    result), so that the sweep of every step stays within seconds."""
    import workbook_tools.validate as validate

    real, done = validate.check_file, {}

    def check_file(path: Path, **kwargs: Any) -> Any:
        key = (Path(path).read_bytes(), tuple(sorted(kwargs.items())))
        if key not in done:
            done[key] = real(path, **kwargs)
        return done[key]

    monkeypatch.setattr(validate, "check_file", check_file)
    yield cahier_bytes(coop="0001", seed=7)


@pytest.mark.slow
@pytest.mark.parametrize("kind", SERVERS)
def test_server_stopped_at_each_step_of_a_write(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path, one_cahier: bytes, fault_summary: Callable[[str], None]
) -> None:
    """For every request of an ingest (first save to a new store), the server stops just before it, then starts
    again and the file is retried as the watcher does: nothing lost, nothing twice, no leftover after the
    collection pass, the CRF written."""
    server = store_helpers.server_fixture(request, kind)
    folder = tmp_path / "0001"
    folder.mkdir()
    mtime = time.time() - 60
    start = time.monotonic()

    def ingest(store: Store) -> Any:
        return ingest_bytes(one_cahier, "cahier.xlsx", "0001", store, source_mtime=mtime, outputs=folder, once=True)

    url, root, _ = _place(request, kind, tmp_path, "count")
    probe = Store(url)
    counter = _StopBefore(probe, server, 0)
    assert ingest(probe).accepted
    steps = counter.calls
    assert steps >= 8
    failed = collected = 0
    for step in range(1, steps + 1):
        for output in folder.iterdir():
            output.unlink()
        url, root, _ = _place(request, kind, tmp_path, f"step{step}-")
        store = Store(url)
        _StopBefore(store, server, step)
        try:
            outcome = ingest(store)
        except StoreUnavailable as exc:
            failed += 1
            assert "Dépôt injoignable" in str(exc)
            server.start()
            outcome = ingest(store)  # the watcher's retry: same store, same bytes, same file time
        else:
            server.start()  # stopped at a step whose failure did not matter (the index after publishing)
        collected += sum(p.repaired for p in verify(Store(url), repair=True, grace=0).problems)  # the collection pass
        history = Store(url).history("0001")
        assert [v.status for v in history] == [ACCEPTED], (step, history)  # none lost, none twice
        assert Store(url).read_original("0001", history[0]) == one_cahier
        assert outcome.version is not None and outcome.version.sha256 == sha256(one_cahier)
        assert _leftovers(root) == [], step
        assert verify(Store(url)).ok
        assert status_path(folder, "cahier.xlsx").read_text(encoding="utf-8").startswith("ACCEPTÉ")
        assert (folder / f"cahier{CRF_SUFFIX}").exists(), step
    fault_summary(
        f"server stops on {kind}: stopped before each of the {steps} requests of an ingest ({failed} made it fail), "
        f"started again: {steps}/{steps} archived once, 0 lost, {collected} leftovers collected, none after, "
        f"CRF written each time, "
        f"{time.monotonic() - start:.0f} s"
    )


def test_leftovers_listed_then_collected(tmp_path: Path) -> None:
    """``cahier verifier-depot`` lists an interrupted write's leftovers, ``--reparer`` settles them; an original
    published nowhere else is kept in quarantine."""
    root = tmp_path / "store"
    store = Store(str(root))
    kept = store.submit("0001", "a.xlsx", b"published", report())
    versions = root / "coops/0001/versions"
    old = "20200101T000000_000000Z-abcdef"
    (versions / old).mkdir()
    (versions / old / "original.xlsx").write_bytes(b"never published")  # died before its prepared manifest
    older = "20200101T000000_000001Z-abcdef"
    (versions / older).mkdir()
    (versions / older / "original.xlsx").write_bytes(b"published")  # its bytes are in `kept`
    (root / "coops/0001/manifests/.tmp-1577836800-0123456789ab").write_bytes(b"{")
    code, text = _cli("verifier-depot", "--store", str(root))
    assert code == 1 and text.count("à supprimer") == 3, text
    code, text = _cli("verifier-depot", "--store", str(root), "--reparer")
    assert code == 0, text
    assert _leftovers(root) == []
    [quarantined] = list((root / "quarantaine").rglob("original.xlsx"))
    assert quarantined.read_bytes() == b"never published"
    assert [v.version for v in Store(str(root)).history("0001")] == [kept.version]
    assert os.listdir(versions) == [kept.version]


@pytest.mark.parametrize("kind", ["apache", "rclone"])
def test_wrong_password_is_said(kind: str, request: pytest.FixtureRequest) -> None:
    server = store_helpers.server_fixture(request, kind)
    url = f"webdav://{server.user}:mauvais@127.0.0.1:{server.port}/"
    with pytest.raises(StoreUnavailable, match=r"refuse l'identifiant ou le mot de passe \(401\)"):
        Store(url).submit("0001", "a.xlsx", b"x", report())


@pytest.mark.parametrize(("behaviour", "expected"), [("silent", "ne répond pas"), ("hang-up", "coupée")])
def test_a_server_that_does_not_answer(behaviour: str, expected: str) -> None:
    """A socket that accepts and never answers (a timeout), or hangs up at once (a reset): said, never raised raw."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = listener.getsockname()[1]
    stop = threading.Event()

    def serve() -> None:
        held = []
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            if behaviour == "hang-up":
                conn.recv(65536)
                conn.close()
            else:
                held.append(conn)
        for conn in held:
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        with pytest.raises(StoreUnavailable, match=expected) as caught:
            Store(f"webdav://127.0.0.1:{port}/depot", timeout=0.5).submit("0001", "a.xlsx", b"x", report())
        assert str(caught.value).startswith("Dépôt injoignable")
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


@pytest.mark.parametrize("status", [401, 403, 404, 405, 409, 412, 413, 423, 500, 502, 507, 418])
def test_every_answer_has_one_reason_and_one_decision(status: int) -> None:
    from workbook_tools.store import StoreRefused
    from workbook_tools.store.faults import REFUSE, ServerAnswer, classify, store_fault

    fault = classify(ServerAnswer(status, "PUT", "coops/0001/x"))
    assert fault is not None and fault.reason
    error = store_fault(ServerAnswer(status, "PUT", "coops/0001/x"), "webdav://serveur/depot", "écriture")
    assert isinstance(error, StoreRefused if fault.decision == REFUSE else StoreUnavailable)
    assert (fault.decision == REFUSE) == (status == 413)  # only a file too large is refused, the rest waits
    assert str(status) in str(error) and "webdav://serveur/depot" in str(error)

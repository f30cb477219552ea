"""The watcher on real folders with a real watchdog observer: saves as Excel and LibreOffice do them,
slow copies, wrong coop, conflict copies, catch-up, a bad file, an unreachable WebDAV store."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from store_helpers import cahier_bytes, make_cahier, wait_for
from webdav_server import WebdavServer

from workbook_tools.store import ACCEPTED, DUPLICATE, REFUSED, Store, sha256
from workbook_tools.watcher.service import WatchConfig, Watcher, classify

DELAY = 0.4


class Running:
    def __init__(
        self,
        tmp_path: Path,
        store_url: str | None = None,
        settle_timeout: float = 5.0,
        polling: bool = False,
        worker_memory_mb: int = 1024,
        isolate: bool = True,
    ) -> None:
        self.inbox = tmp_path / "inbox"
        self.inbox.mkdir(exist_ok=True)
        self.outbox = tmp_path / "outbox"
        config = WatchConfig(
            inbox=self.inbox,
            store=store_url or str(tmp_path / "store"),
            outbox=self.outbox,
            stability_delay=DELAY,
            settle_timeout=settle_timeout,
            retry_initial=0.2,
            retry_max=0.5,
            outbox_debounce=0.2,
            rescan_interval=3600,
            polling=polling,
            poll_interval=0.2,
            worker_memory_mb=worker_memory_mb,
            isolate=isolate,
        )
        self.store = Store(config.store)
        self.watcher = Watcher(config)
        self.thread = threading.Thread(target=self.watcher.run, daemon=True)

    def folder(self, coop: str) -> Path:
        path = self.inbox / coop
        path.mkdir(exist_ok=True)
        return path

    def history(self, coop: str = "0001") -> list:
        return Store(self.store.url).history(coop)

    def __enter__(self) -> Running:
        self.thread.start()
        time.sleep(0.3)  # observer scheduled
        return self

    def __exit__(self, *exc: object) -> None:
        self.watcher.stop()
        self.thread.join(timeout=10)
        assert not self.thread.is_alive()


@pytest.fixture
def running(tmp_path: Path) -> Iterator[Running]:
    with Running(tmp_path) as r:
        yield r


def write_in_chunks(path: Path, data: bytes, chunks: int = 8, pause: float = 0.05) -> None:
    size = -(-len(data) // chunks)
    with open(path, "wb") as handle:
        for i in range(0, len(data), size):
            handle.write(data[i : i + size])
            handle.flush()
            time.sleep(pause)


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("name", "action"),
    [
        ("cahier.xlsx", "ingest"),
        ("Cahier 2025-2026 janvier.XLSX", "ingest"),
        ("cahier.ods", "ingest"),
        ("cahier.xls", "ingest"),
        ("cahier.xlsm", "ingest"),
        ("~$cahier.xlsx", "ignore"),  # Excel owner file
        ("A1B2C3D4", "ignore"),  # Excel's new file before the rename
        ("5E6F7A8B.tmp", "ignore"),  # Excel's old file after the rename
        ("~WRL0001.tmp", "ignore"),
        (".~lock.cahier.xlsx#", "ignore"),  # LibreOffice lock
        ("lu12345abcd.tmp", "ignore"),  # LibreOffice temporary
        (".cahier.xlsx.~1a2b3c", "ignore"),  # Nextcloud download in progress
        ("cahier.xlsx.part", "ignore"),
        ("cahier.xlsx.partial", "ignore"),
        (".hidden.xlsx", "ignore"),
        ("cahier.statut.txt", "ignore"),  # own outputs
        ("cahier.rapport.xlsx", "ignore"),
        ("cahier.rapport.json", "ignore"),
        ("cahier.annote.xlsx", "ignore"),
        ("releve.pdf", "ignore"),
        ("cahier (conflicted copy 2025-01-14).xlsx", "conflict"),  # Dropbox
        ("cahier (copie en conflit de PC-ECOLE 2025-01-14).xlsx", "conflict"),  # Dropbox in French
        ("cahier (conflicted copy 2025-01-14 101530).xlsx", "conflict"),  # Nextcloud
        ("cahier_conflict-20250114-101530.xlsx", "conflict"),  # ownCloud
        ("cahier.sync-conflict-20250114-101530-ABCDEF.xlsx", "conflict"),  # Syncthing
        ("cahier-DESKTOP-8F4K2J1.xlsx", "conflict"),  # OneDrive, next to cahier.xlsx
        ("cahier-2025-2026.xlsx", "ingest"),  # not a computer name
        ("cahier-CE1.xlsx", "ingest"),
        ("cahier-SEPT2025.xlsx", "ingest"),  # a monthly « save as », not OneDrive (issue 13)
        ("cahier-PC-ECOLE.xlsx", "ingest"),
        ("cahier-LAPTOP-Q7R2M9X.xlsx", "conflict"),
    ],
)
def test_names(name: str, action: str, tmp_path: Path) -> None:
    siblings = ["cahier.xlsx", "cahier-2025.xlsx", "cahier-SEPT2025.xlsx", name]
    decision = classify(tmp_path / "0001" / name, tmp_path, siblings)
    assert decision.action == action, decision.reason
    if action != "ignore":
        assert decision.coop == "0001"


@pytest.mark.parametrize(
    ("rel", "action", "coop"),
    [
        ("cahier.xlsx", "misplaced", None),  # at the root: answered, never taken for anybody's
        ("pas un numero/cahier.xlsx", "misplaced", None),
        ("0001/archives/cahier.xlsx", "ignore", None),  # a teacher's own sub-folder
        ("0001/releve.pdf", "ignore", "0001"),
        ("69004 - École Jules Ferry/cahier.xlsx", "ingest", "69004"),
        ("69004-ecole/cahier.xlsx", "ingest", "69004"),
        ("0001/cahier.xlsb", "unsupported", "0001"),
        ("0001/cahier.csv", "unsupported", "0001"),
    ],
)
def test_files_and_folders(rel: str, action: str, coop: str | None, tmp_path: Path) -> None:
    decision = classify(tmp_path / rel, tmp_path)
    assert (decision.action, decision.coop) == (action, coop)


def test_misplaced_and_unsupported_files_get_an_answer(running: Running) -> None:
    (running.inbox / "cahier.xlsx").write_bytes(cahier_bytes())
    folder = running.folder("0001")
    (folder / "cahier.csv").write_text("date;libelle\n")
    named = running.folder("0002 - École du Centre")
    make_cahier(named / "cahier.xlsx", coop="0002")
    wait_for(lambda: (running.inbox / "cahier.statut.txt").exists())
    wait_for(lambda: (folder / "cahier.csv.statut.txt").exists())
    wait_for(lambda: (named / "cahier.statut.txt").exists())
    assert (running.inbox / "cahier.statut.txt").read_text().startswith("PAS PRIS EN COMPTE")
    assert (folder / "cahier.csv.statut.txt").read_text().startswith("FORMAT NON PRIS EN CHARGE")
    assert (named / "cahier.statut.txt").read_text().startswith("ACCEPTÉ")
    assert [v.status for v in running.history("0002")] == [ACCEPTED]
    assert running.store.coops() == ["0002"]


# --------------------------------------------------------------------------- real saves


@pytest.mark.slow
def test_libreoffice_save_is_ingested_once_after_the_save(running: Running) -> None:
    folder = running.folder("0001")
    target = folder / "cahier.xlsx"
    data = cahier_bytes(seed=1)
    lock = folder / ".~lock.cahier.xlsx#"
    lock.write_text(",prof,ecole,27.11.2026 10:00,file:///home/prof/.config/libreoffice/4;")
    temp = folder / "lu8f3k2a.tmp"
    write_in_chunks(temp, data, pause=0.1)  # longer than nothing, shorter than the delay
    time.sleep(DELAY * 1.5)  # a temp file that rests: still never read
    assert running.history() == []
    saved_at = time.time()
    os.replace(temp, target)
    lock.unlink()
    wait_for(lambda: (folder / "cahier.statut.txt").exists())
    time.sleep(DELAY * 3)  # later events (lock removed…) change nothing
    history = running.history()
    assert [(v.status, v.filename, v.sha256) for v in history] == [(ACCEPTED, "cahier.xlsx", sha256(data))]
    assert history[0].received.timestamp() >= saved_at
    assert (folder / "cahier.statut.txt").read_text().startswith("ACCEPTÉ — cahier.xlsx")
    assert running.watcher.counts == {"acceptés": 1}


@pytest.mark.slow
def test_excel_save_is_ingested_once_after_the_save(running: Running) -> None:
    folder = running.folder("0001")
    target = folder / "cahier.xlsx"
    make_cahier(target, seed=1)
    wait_for(lambda: len(running.history()) == 1)
    # Excel: owner file, new content under 8 hex digits, old file renamed .tmp, new renamed in, old deleted
    owner = folder / "~$cahier.xlsx"
    owner.write_bytes(b"\x05prof" + b" " * 50)
    new = folder / "A1B2C3D4"
    write_in_chunks(new, cahier_bytes(seed=2), pause=0.1)
    os.rename(target, folder / "5E6F7A8B.tmp")
    os.rename(new, target)
    (folder / "5E6F7A8B.tmp").unlink()
    wait_for(lambda: len(running.history()) == 2)
    owner.unlink()
    time.sleep(DELAY * 3)
    history = running.history()
    assert [v.sha256 for v in history] == [sha256(cahier_bytes(seed=1)), sha256(cahier_bytes(seed=2))]
    assert [v.status for v in history] == [ACCEPTED, ACCEPTED]
    assert running.store.current("0001") == history[1]
    assert running.watcher.counts == {"acceptés": 2}


def test_polling_observer_for_network_shares(tmp_path: Path) -> None:
    with Running(tmp_path, polling=True) as running:
        folder = running.folder("0001")
        temp = folder / "lu1234.tmp"
        make_cahier(temp, seed=4)
        os.replace(temp, folder / "cahier.ods")  # any workbook extension; the check says what it reads
        wait_for(lambda: (folder / "cahier.ods.statut.txt").exists())
        assert [v.filename for v in running.history()] == ["cahier.ods"]


@pytest.mark.slow
def test_slow_copy_is_not_read_half_written(running: Running) -> None:
    folder = running.folder("0001")
    data = cahier_bytes(seed=3)
    target = folder / "cahier.xlsx"
    half = len(data) // 2
    with open(target, "wb") as handle:
        for i in range(0, half, 2048):  # chunks, faster than the delay
            handle.write(data[i : min(i + 2048, half)])
            handle.flush()
            time.sleep(0.02)
        time.sleep(DELAY * 3)  # the copy stalls longer than the delay: stable, but not a whole zip yet
        assert running.history() == []
        handle.write(data[half:])
    wait_for(lambda: len(running.history()) == 1)
    time.sleep(DELAY * 2)
    [version] = running.history()
    assert version.sha256 == sha256(data) and version.status == ACCEPTED


def test_a_folder_holding_another_coops_cahier(running: Running) -> None:
    folder = running.folder("0001")
    make_cahier(folder / "cahier.xlsx", coop="0002")
    wait_for(lambda: (folder / "cahier.statut.txt").exists())
    [version] = running.history("0001")
    assert version.status == REFUSED
    report = running.store.read_report("0001", version)
    assert report is not None
    assert [f.code for f in report.findings] == ["COOP_MISMATCH"]
    assert running.history("0002") == []
    assert running.store.coops() == ["0001"]
    assert "REFUSÉ" in (folder / "cahier.statut.txt").read_text()
    assert "COOP_MISMATCH" in (folder / "cahier.rapport.txt").read_text()
    wait_for(lambda: (folder / "cahier.rapport.xlsx").exists())  # the workbooks come right after the status


def test_conflict_copies_are_reported_not_ingested(running: Running) -> None:
    folder = running.folder("0001")
    make_cahier(folder / "cahier.xlsx", seed=1)
    wait_for(lambda: len(running.history()) == 1)
    make_cahier(folder / "cahier (conflicted copy 2026-01-14).xlsx", seed=2)
    make_cahier(folder / "cahier-DESKTOP-8F4K2J1.xlsx", seed=3)
    wait_for(lambda: (folder / "cahier-DESKTOP-8F4K2J1.statut.txt").exists())
    wait_for(lambda: (folder / "cahier (conflicted copy 2026-01-14).statut.txt").exists())
    time.sleep(DELAY * 2)
    assert len(running.history()) == 1
    assert "COPIE EN CONFLIT" in (folder / "cahier-DESKTOP-8F4K2J1.statut.txt").read_text()


def test_identical_save_under_a_new_name_is_already_received(running: Running) -> None:
    folder = running.folder("0001")
    make_cahier(folder / "janvier.xlsx", seed=1)
    wait_for(lambda: len(running.history()) == 1)
    make_cahier(folder / "fevrier.xlsx", seed=1)
    wait_for(lambda: (folder / "fevrier.statut.txt").exists())
    assert [v.status for v in running.history()] == [ACCEPTED, DUPLICATE]
    assert (folder / "fevrier.statut.txt").read_text().startswith("DÉJÀ REÇU — fevrier.xlsx est identique")
    wait_for(lambda: (running.outbox / "etat-du-depot.csv").exists())


def test_one_bad_file_never_stops_the_watcher(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import workbook_tools.validate as validate

    real = validate.check_file

    def check_file(path: Path, **kwargs: object):  # type: ignore[no-untyped-def]
        if Path(path).name == "boom.xlsx":
            raise RuntimeError("bogue simulé")
        return real(path, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(validate, "check_file", check_file)
    with Running(tmp_path, settle_timeout=1.0, isolate=False) as running:  # in-process, to be patched
        folder = running.folder("0001")
        (folder / "pdf-renomme.xlsx").write_bytes(b"%PDF-1.4 not a workbook")  # never opens: checked after 1 s
        make_cahier(folder / "boom.xlsx", seed=5)
        wait_for(lambda: (folder / "boom.statut.txt").exists())
        make_cahier(folder / "cahier.xlsx", seed=1)
        wait_for(lambda: (folder / "cahier.statut.txt").exists())
        wait_for(lambda: (folder / "pdf-renomme.statut.txt").exists())
        assert (folder / "boom.statut.txt").read_text().startswith("ERREUR — boom.xlsx n'a pas pu être traité")
        statuses = {v.filename: v.status for v in running.history()}
        assert statuses == {"pdf-renomme.xlsx": REFUSED, "cahier.xlsx": ACCEPTED}
        wait_for(lambda: sum(running.watcher.counts.values()) == 3)  # the status comes before the CRF, then counted
        assert running.watcher.counts == {"échecs": 1, "refusés": 1, "acceptés": 1}
        [pdf] = [v for v in running.history() if v.filename == "pdf-renomme.xlsx"]
        report = running.store.read_report("0001", pdf)
        assert report is not None and report.findings[0].code == "FILE_UNREADABLE"


def test_a_store_folder_gone_mid_ingest_is_retried_not_forgotten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A FileNotFoundError from the store (one of its folders removed meanwhile) is a store fault: the teacher's
    file is still there, so it stays pending and is archived at the next try — never taken for a file that
    vanished, and forgotten."""
    real = Store.submit
    calls: list[str] = []

    def submit(self: Store, coop: str, filename: str, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        calls.append(filename)
        if len(calls) == 1:
            raise FileNotFoundError(2, "No such file or directory", f"{self.url}/coops/{coop}/versions")
        return real(self, coop, filename, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Store, "submit", submit)
    caplog.set_level(logging.INFO, logger="workbook_tools")
    with Running(tmp_path, isolate=False) as running:  # in-process, to be patched
        folder = running.folder("0001")
        make_cahier(folder / "cahier.xlsx", seed=1)
        wait_for(lambda: (folder / "cahier.statut.txt").exists())
        assert [(v.filename, v.status) for v in running.history()] == [("cahier.xlsx", ACCEPTED)]
        assert calls == ["cahier.xlsx", "cahier.xlsx"]
        assert running.watcher.counts.get("nouveaux essais") == 1
    retries = [r.getMessage() for r in caplog.records if r.getMessage().startswith("nouvel essai")]
    assert len(retries) == 1 and "cahier.xlsx" in retries[0]


# --------------------------------------------------------------------------- catch-up


def test_catch_up_in_mtime_order_and_never_twice(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    folder = inbox / "0001"
    folder.mkdir(parents=True)
    now = time.time()
    names = ["c-mars.xlsx", "a-janvier.xlsx", "b-fevrier.xlsx"]  # alphabetical order ≠ time order
    for age, (name, seed) in enumerate(zip(names, (1, 2, 3), strict=True)):
        make_cahier(folder / name, seed=seed)
        os.utime(folder / name, (now - 3600 * (3 - age), now - 3600 * (3 - age)))
    config = WatchConfig(inbox=inbox, store=str(tmp_path / "store"), outbox=tmp_path / "out", stability_delay=DELAY)
    assert Watcher(config).run(once=True) == 0
    history = Store(config.store).history("0001")
    assert [v.filename for v in history] == names
    assert Store(config.store).current("0001") == history[-1]
    assert (tmp_path / "out" / "etat-du-depot.json").exists()
    again = Watcher(config)
    assert again.run(once=True) == 0
    assert len(Store(config.store).history("0001")) == 3
    assert again.counts == {}


# --------------------------------------------------------------------------- the store unreachable


@pytest.mark.slow
def test_webdav_down_then_back_nothing_lost(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="cahier.watch")
    served = tmp_path / "dav"
    served.mkdir()
    server = WebdavServer(served)
    server.start()
    try:
        with Running(tmp_path, store_url=server.url) as running:
            folder = running.folder("0001")
            make_cahier(folder / "janvier.xlsx", seed=1)
            wait_for(lambda: len(running.history()) == 1)
            server.stop()
            make_cahier(folder / "fevrier.xlsx", seed=2)
            time.sleep(0.05)
            make_cahier(folder / "mars.xlsx", seed=3, spoil=True)
            wait_for(lambda: running.watcher.counts.get("nouveaux essais", 0) >= 3)
            assert not (folder / "fevrier.statut.txt").exists()
            assert len(running.watcher.pending()) == 2
            server.start()
            wait_for(lambda: (folder / "mars.statut.txt").exists())
            history = running.history()
    finally:
        server.stop()
    assert [(v.filename, v.status) for v in history] == [
        ("janvier.xlsx", ACCEPTED),
        ("fevrier.xlsx", ACCEPTED),
        ("mars.xlsx", REFUSED),
    ]
    retries = [r.getMessage() for r in caplog.records if r.getMessage().startswith("nouvel essai")]
    assert len(retries) >= 3
    assert "Dépôt injoignable" in retries[0]


def test_example_config_loads(tmp_path: Path) -> None:
    example = Path(__file__).parents[1] / "watcher" / "config.example.toml"
    config = WatchConfig.from_sources(example, inbox=tmp_path, stability_delay=0.5)
    assert config.inbox == tmp_path and config.stability_delay == 0.5
    assert config.store == "/srv/cahier/store" and config.report_formats == ("txt", "json", "xlsx")
    bad = tmp_path / "bad.toml"
    bad.write_text('inbox = "x"\nstabilty_delay = 3\n')
    with pytest.raises(ValueError, match="clé inconnue : stabilty_delay"):
        WatchConfig.from_sources(bad)
    negative = tmp_path / "negative.toml"
    negative.write_text('inbox = "x"\nstability_delay = -1\n')
    with pytest.raises(
        ValueError, match="« stability_delay » vaut « -1 » : un nombre de secondes est attendu, au moins 0"
    ):
        WatchConfig.from_sources(negative)
    with pytest.raises(ValueError, match="« poll_interval » vaut « 0 »"):
        WatchConfig.from_sources(example, inbox=tmp_path, poll_interval=0)

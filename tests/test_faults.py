"""Fault injection (SPEC §10, issue 6): a watcher killed at random moments over many ingests, a store
that goes away and comes back, a store whose disk is full. Each ends with every file archived once,
nothing half-visible, nothing lost; each prints its figures (see the « fault injection » summary)."""

from __future__ import annotations

import errno
import json
import logging
import os
import random
import signal
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from store_helpers import cahier_bytes, wait_for

from workbook_tools.ingest import STATUS_SUFFIX
from workbook_tools.store import ACCEPTED, SHA_PATTERN, VERSION_PATTERN, LocalBackend, Store, sha256
from workbook_tools.watcher.service import WatchConfig, Watcher

Say = Callable[[str], None]


# --------------------------------------------------------------------------- helpers


def distinct_cahiers(coop: str, count: int, work: Path, *, seed: int = 1) -> list[bytes]:
    """``count`` accepted cahiers of one coop with distinct bytes: one book written, then its school name
    rewritten inside the zip (« École … n°k ») — much cheaper than filling the template each time."""
    from workbook_tools.fill import write_cahier
    from workbook_tools.sample import sample_book

    name = f"Ecole F{coop}"
    base = write_cahier(sample_book(coop=coop, lines=40, seed=seed, name=name), work / f"base-{coop}.xlsx")
    with zipfile.ZipFile(base) as zin:
        members = [(item, zin.read(item.filename)) for item in zin.infolist()]
    needle = f"<is><t>{name}</t></is>".encode()
    assert sum(data.count(needle) for _, data in members) == 1
    out = []
    for k in range(count):
        target = work / f"v-{coop}-{k}.xlsx"
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
            for item, data in members:
                zout.writestr(item, data.replace(needle, f"<is><t>{name} n°{k}</t></is>".encode()))
        out.append(target.read_bytes())
    return out


def drop(path: Path, data: bytes) -> Path:
    """Put a file in place as a sync client does: hidden temporary name, then rename."""
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return path


def three_months_published_once(store_dir: Path, files: dict[str, bytes]) -> Store:
    """After a fault: the three files the teacher saved are in the store once each, accepted, in order, intact."""
    store = Store(store_dir)
    history = store.history("0001")
    assert [(v.filename, v.status) for v in history] == [
        ("janvier.xlsx", ACCEPTED),
        ("fevrier.xlsx", ACCEPTED),
        ("mars.xlsx", ACCEPTED),
    ]
    assert [store.read_original("0001", v) for v in history] == list(files.values())
    return store


def check_store_sound(root: Path, store: Store) -> dict[str, int]:
    """What readers see is whole: every published manifest has all its files with the right bytes, every
    hash claim has its manifest, no visible name is a temporary. Returns counts of what a kill left
    behind, invisible (unpublished version folders, hidden temporaries)."""
    leftovers = {"unpublished": 0, "hidden": 0}
    for path in root.rglob("*"):
        if path.name.startswith("."):
            assert path.name.startswith(".tmp-"), path
            leftovers["hidden"] += 1
    for coop in store.coops():
        folder = root / "coops" / coop
        published = {p.stem for p in (folder / "manifests").iterdir() if not p.name.startswith(".")}
        assert all(VERSION_PATTERN.fullmatch(v) for v in published), published
        for version in store.history(coop):
            if version.duplicate_of is None:
                assert set(version.files) >= {"original", "report"}
                assert sha256(store.read_original(coop, version)) == version.sha256
                assert store.read_report(coop, version) is not None
                if version.status == ACCEPTED:
                    assert store.read_journal(coop, version) is not None
        for claim in (folder / "hashes").iterdir():
            if claim.name.startswith("."):
                continue
            assert SHA_PATTERN.fullmatch(claim.stem), claim
            assert json.loads(claim.read_bytes())["version"] in published, f"claim without manifest: {claim}"
        for version_dir in (folder / "versions").iterdir():
            if version_dir.name not in published:
                leftovers["unpublished"] += 1
    return leftovers


class Running:
    """A watcher in a thread of this process (so that a test can break its store underneath it)."""

    def __init__(self, tmp_path: Path, store_url: str) -> None:
        self.inbox = tmp_path / "inbox"
        self.inbox.mkdir(exist_ok=True)
        config = WatchConfig(
            inbox=self.inbox,
            store=store_url,
            stability_delay=0.3,
            settle_timeout=5.0,
            retry_initial=0.2,
            retry_max=0.5,
            rescan_interval=3600,
        )
        self.watcher = Watcher(config)
        self.thread = threading.Thread(target=self.watcher.run, daemon=True)

    def folder(self, coop: str) -> Path:
        path = self.inbox / coop
        path.mkdir(exist_ok=True)
        return path

    def retries(self) -> int:
        return self.watcher.counts.get("nouveaux essais", 0)

    def __enter__(self) -> Running:
        self.thread.start()
        time.sleep(0.3)
        return self

    def __exit__(self, *exc: object) -> None:
        self.watcher.stop()
        self.thread.join(timeout=20)
        assert not self.thread.is_alive()


# --------------------------------------------------------------------------- SIGKILL at random points

COOPS = ["0101", "0102", "0203", "0304", "0405", "0506"]
# How many times the watcher is killed, at least: CAHIER_FAULT_KILLS, 100 in CI (.ci/run), a few by default so
# that a developer's run stays short. Each killed run is sent 2 to 5 files: about 3.5 ingests a kill.
KILLS = max(1, int(os.environ.get("CAHIER_FAULT_KILLS", "10")))
KILL_PHASE = 60.0 + 4.0 * KILLS  # seconds of random kills at most (a guard: it takes about 1.5 s a kill)


def _start(inbox: Path, store: Path, log: Path, *, once: bool = False) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-m", "workbook_tools", "watch", str(inbox), "--store", str(store), "--delay", "0.2"]
    with log.open("ab") as err:
        return subprocess.Popen([*args, *(["--once"] if once else [])], stdout=subprocess.DEVNULL, stderr=err)


@pytest.mark.slow
@pytest.mark.timeout(int(KILL_PHASE) + 300)  # the kill phase, then the final run and the store's check
def test_sigkill_at_random_points_over_many_ingests(tmp_path: Path, fault_summary: Say) -> None:
    rng = random.Random(20260827)
    inbox, store_dir, log = tmp_path / "inbox", tmp_path / "store", tmp_path / "watch.log"
    work = tmp_path / "work"
    work.mkdir()
    batches = [rng.randint(2, 5) for _ in range(KILLS)]  # the files sent to each run before it is killed
    ingests = sum(batches)
    queue: list[tuple[Path, bytes]] = []
    for n, coop in enumerate(COOPS):
        (inbox / coop).mkdir(parents=True)
        count = ingests // len(COOPS) + (n < ingests % len(COOPS))
        for k, data in enumerate(distinct_cahiers(coop, count, work, seed=n + 1)):
            queue.append((inbox / coop / f"cahier {k:03d} {coop}.xlsx", data))
    rng.shuffle(queue)
    expected = {path: sha256(data) for path, data in queue}
    assert len(set(expected.values())) == len(queue) == ingests

    def processed() -> int:
        return sum(1 for p in expected if p.with_name(p.stem + STATUS_SUFFIX).exists())

    kills = recoveries = runs = 0
    started = time.monotonic()
    while time.monotonic() - started < KILL_PHASE and (queue or processed() < len(expected)):
        batch = batches.pop() if batches else 0  # the last runs only finish what the kills interrupted
        answered = processed()
        proc = _start(inbox, store_dir, log)
        runs += 1
        if kills:
            recoveries += 1
        for _ in range(min(len(queue), batch)):  # files arrive while it starts and runs
            path, data = queue.pop()
            drop(path, data)
            time.sleep(rng.uniform(0, 0.2))
        # once it is busy ingesting (its imports done: a first answer written), kill it at a random moment of that work
        end = time.monotonic() + 5
        while time.monotonic() < end and processed() == answered and proc.poll() is None:
            time.sleep(0.02)
        time.sleep(rng.uniform(0, 0.8))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(timeout=10)
    for path, data in queue:  # whatever the kill phase did not drop (only if it ran out of time)
        drop(path, data)
    final = _start(inbox, store_dir, log, once=True)
    runs += 1
    recoveries += 1 if kills else 0
    assert final.wait(timeout=120) == 0, log.read_text()[-3000:]

    # every file dropped: exactly one version, accepted, holding its bytes; its status beside it
    store = Store(store_dir)
    versions = [v for coop in COOPS for v in store.history(coop)]
    by_sha: dict[str, list[str]] = {}
    for v in versions:
        by_sha.setdefault(v.sha256, []).append(v.status)
    lost = [p for p, digest in expected.items() if by_sha.get(digest) != [ACCEPTED]]
    unanswered = [p for p in expected if not p.with_name(p.stem + STATUS_SUFFIX).read_text().startswith("ACCEPTÉ")]
    left = check_store_sound(store_dir, store)
    summary = (
        f"fault injection (SIGKILL of cahier watch): {len(expected)} ingests, {kills} kills, {recoveries} recoveries, "
        f"{len(lost)} lost; {runs} runs, {left['unpublished']} versions cut before publishing and "
        f"{left['hidden']} hidden temporaries left invisible, {len(versions) - len(expected)} ingested twice, "
        f"{time.monotonic() - started:.0f} s (CAHIER_FAULT_KILLS={KILLS})"
    )
    fault_summary(summary)
    assert not lost and not unanswered, summary
    assert len(versions) == len(expected), summary  # nothing ingested twice
    assert kills >= KILLS and recoveries >= kills, summary


# --------------------------------------------------------------------------- the store away, then back


@pytest.mark.slow
def test_local_store_moved_away_then_back(tmp_path: Path, fault_summary: Say, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="cahier.watch")
    store_dir, away = tmp_path / "store", tmp_path / "store-ailleurs"
    files = {name: cahier_bytes(seed=seed) for seed, name in enumerate(["janvier", "fevrier", "mars"], 1)}
    with Running(tmp_path, str(store_dir)) as running:
        folder = running.folder("0001")
        drop(folder / "janvier.xlsx", files["janvier"])
        wait_for(lambda: (folder / "janvier.statut.txt").exists())
        os.rename(store_dir, away)  # the share unmounted, the folder moved
        drop(folder / "fevrier.xlsx", files["fevrier"])
        drop(folder / "mars.xlsx", files["mars"])
        wait_for(lambda: running.retries() >= 3)
        assert not store_dir.exists()  # never recreated empty where it was
        assert not (folder / "fevrier.statut.txt").exists() and not (folder / "mars.statut.txt").exists()
        assert len(running.watcher.pending()) == 2
        retries = running.retries()
        os.rename(away, store_dir)
        wait_for(lambda: (folder / "mars.statut.txt").exists())
    store = three_months_published_once(store_dir, files)
    check_store_sound(store_dir, store)
    messages = [r.getMessage() for r in caplog.records if r.getMessage().startswith("nouvel essai")]
    assert "Dépôt introuvable" in messages[0]
    fault_summary(
        f"fault injection (local store moved away, then back): 2 files waited through {retries} retries, "
        f"published once each, 0 lost"
    )


# --------------------------------------------------------------------------- a full disk


class Disk:
    """A small disk under the store: a real tmpfs mount when this machine allows it (root), else the
    store's local backend wrapped to raise ENOSPC past the same budget."""

    def __init__(self, folder: Path, monkeypatch: pytest.MonkeyPatch, size: int = 4 << 20) -> None:
        self.folder = folder
        folder.mkdir()
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True, check=False
        )
        self.mounted = done.returncode == 0
        self.kind = "tmpfs mount" if self.mounted else "ENOSPC wrapper"
        self.budget: int | None = None  # wrapper only: bytes that can still be written
        if not self.mounted:
            real, real_new = LocalBackend.put, LocalBackend.put_new

            def spend(rel: str, data: bytes) -> None:
                if self.budget is not None:
                    if len(data) > self.budget:
                        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), rel)
                    self.budget -= len(data)

            def put(backend: LocalBackend, rel: str, data: bytes) -> None:
                spend(rel, data)
                real(backend, rel, data)

            def put_new(backend: LocalBackend, rel: str, data: bytes) -> bool:
                spend(rel, data)
                return real_new(backend, rel, data)

            monkeypatch.setattr(LocalBackend, "put", put)
            monkeypatch.setattr(LocalBackend, "put_new", put_new)

    def fill(self, leave: int) -> None:
        """Use the disk up, but for about ``leave`` bytes."""
        if not self.mounted:
            self.budget = leave
            return
        filler = self.folder / "remplissage"
        chunk = b"\0" * (64 << 10)
        with filler.open("wb") as handle:
            try:
                while True:
                    handle.write(chunk)
                    handle.flush()
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
        os.truncate(filler, max(0, filler.stat().st_size - leave))

    def free(self) -> None:
        self.budget = None
        if self.mounted:
            (self.folder / "remplissage").unlink()

    def close(self) -> None:
        if self.mounted:
            subprocess.run(["umount", "-l", str(self.folder)], check=False)


@pytest.fixture
def disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Disk]:
    small = Disk(tmp_path / "disque", monkeypatch)
    try:
        yield small
    finally:
        small.close()


@pytest.mark.slow
@pytest.mark.parametrize("leave", [0, 140_000], ids=["full", "room-for-the-original-only"])
def test_full_disk_on_the_store(
    leave: int, disk: Disk, tmp_path: Path, fault_summary: Say, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="cahier.watch")
    store_dir = disk.folder / "store"
    files = {name: cahier_bytes(seed=seed) for seed, name in enumerate(["janvier", "fevrier", "mars"], 1)}
    with Running(tmp_path, str(store_dir)) as running:
        folder = running.folder("0001")
        drop(folder / "janvier.xlsx", files["janvier"])
        wait_for(lambda: (folder / "janvier.statut.txt").exists())
        disk.fill(leave)
        drop(folder / "fevrier.xlsx", files["fevrier"])
        drop(folder / "mars.xlsx", files["mars"])
        wait_for(lambda: running.retries() >= 3)
        # the files wait: neither lost nor refused, nothing new visible, nothing half-written left
        assert not (folder / "fevrier.statut.txt").exists() and not (folder / "mars.statut.txt").exists()
        assert len(running.watcher.pending()) == 2
        during = Store(store_dir)
        assert [v.filename for v in during.history("0001")] == ["janvier.xlsx"]
        assert check_store_sound(store_dir, during) == {"unpublished": 0, "hidden": 0}
        retries = running.retries()
        disk.free()
        wait_for(lambda: (folder / "mars.statut.txt").exists())
    store = three_months_published_once(store_dir, files)
    assert check_store_sound(store_dir, store) == {"unpublished": 0, "hidden": 0}
    assert (folder / "mars.statut.txt").read_text().startswith("ACCEPTÉ")
    messages = [r.getMessage() for r in caplog.records if r.getMessage().startswith("nouvel essai")]
    assert messages and all("Dépôt plein" in m for m in messages), messages
    fault_summary(
        f"fault injection (full disk on the store, {disk.kind}, {leave} bytes left): 2 files waited through "
        f"{retries} retries, published once each after space came back, 0 lost, nothing half-written"
    )

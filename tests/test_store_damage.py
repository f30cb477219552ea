"""A damaged byte in the store is a finding, never a crash: every read of store metadata tolerates damage, and
``cahier verifier-depot`` finds each damage, rebuilds what can be rebuilt and says what is lost."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from store_helpers import cahier_bytes

from workbook_tools.cli import main
from workbook_tools.consolidation import consolidate
from workbook_tools.fsck import QUARANTINE, verify
from workbook_tools.ingest import ingest_bytes
from workbook_tools.store import DUPLICATE, DamagedOriginal, Store, StoreUnavailable, sha256
from workbook_tools.watcher.outbox import refresh_outbox


@pytest.fixture
def filled(tmp_path: Path) -> tuple[Store, Path]:
    """A store with two cooperatives, one accepted version each."""
    root = tmp_path / "store"
    store = Store(str(root))
    for coop, seed in (("0001", 1), ("0002", 2)):
        assert ingest_bytes(cahier_bytes(coop=coop, seed=seed), "cahier.xlsx", coop, store).accepted
    return store, root


def _one(root: Path, pattern: str) -> Path:
    [path] = sorted(root.glob(pattern))
    return path


def _cli(*args: str) -> tuple[int, str]:
    out = CliRunner().invoke(main, list(args))
    assert "Traceback" not in out.output
    return out.exit_code, out.output


def test_a_manifest_cut_short(filled: tuple[Store, Path], tmp_path: Path) -> None:
    _, root = filled
    manifest = _one(root, "coops/0001/manifests/*.json")
    manifest.write_bytes(manifest.read_bytes()[:40])
    fresh = Store(str(root))
    assert fresh.history("0001") == []  # the damaged version is unreadable, nothing raises
    assert [r.coop for r in consolidate(fresh).rows] == ["0002"]
    refresh_outbox(fresh, tmp_path / "outbox")  # the watcher's outbox rebuild goes on
    code, text = _cli("history", "--coop", "0002", "--store", str(root))
    assert code == 0
    code, text = _cli("verifier-depot", "--store", str(root))
    assert code == 1 and "à réparer" in text and manifest.name in text
    code, text = _cli("verifier-depot", "--store", str(root), "--reparer")
    assert code == 0 and "réparé" in text, text
    assert len(Store(str(root)).history("0001")) == 1
    assert list((root / QUARANTINE).rglob(manifest.name))  # the damaged file is kept, not deleted
    assert verify(Store(str(root))).ok


def test_a_hash_claim_replaced_by_an_empty_object(filled: tuple[Store, Path]) -> None:
    _, root = filled
    claim = _one(root, "coops/0001/hashes/*.json")
    claim.write_text("{}")
    fresh = Store(str(root))
    again = ingest_bytes(cahier_bytes(coop="0001", seed=1), "cahier-copie.xlsx", "0001", fresh)
    assert again.version.status == DUPLICATE and again.accepted  # found through the manifests, no error
    newer = ingest_bytes(cahier_bytes(coop="0001", seed=3), "cahier-2.xlsx", "0001", fresh)
    assert newer.accepted
    result = verify(Store(str(root)), repair=True)
    assert [p.path for p in result.problems] == [str(claim.relative_to(root))] and result.ok
    assert json.loads(claim.read_text())["version"] == again.version.duplicate_of


def test_the_store_marker_emptied(filled: tuple[Store, Path]) -> None:
    _, root = filled
    (root / "cahier-store.json").write_bytes(b"")
    with pytest.raises(StoreUnavailable, match="illisible"):  # wait and retry, as for a missing marker
        ingest_bytes(cahier_bytes(coop="0003", seed=4), "cahier.xlsx", "0003", Store(str(root)))
    assert not (root / "coops" / "0003").exists()
    code, _ = _cli("verifier-depot", "--store", str(root), "--reparer")
    assert code == 0
    assert ingest_bytes(cahier_bytes(coop="0003", seed=4), "cahier.xlsx", "0003", Store(str(root))).accepted


def test_a_damaged_report_and_journal_are_made_again(filled: tuple[Store, Path]) -> None:
    store, root = filled
    version = store.history("0002")[0]
    folder = root / "coops/0002/versions" / version.version
    before = json.loads((folder / "report.json").read_text())
    (folder / "report.json").write_text('{"file": ')
    (folder / "journal.parquet").write_bytes(b"PAR1 not really")
    fresh = Store(str(root))
    assert fresh.read_report("0002", version) is None and fresh.read_journal("0002", version) is None
    code, text = _cli("bilan", "--coop", "0002", "--store", str(root), "-o", str(root.parent / "crf.xlsx"))
    assert code == 1 and "journal" in text
    result = verify(Store(str(root)), repair=True)
    assert len(result.problems) == 2 and result.ok
    after = json.loads((folder / "report.json").read_text())
    assert after["totals"] == before["totals"] and after["findings"] == before["findings"]
    assert Store(str(root)).read_journal("0002", version) is not None


def test_an_original_whose_bytes_changed_is_lost(filled: tuple[Store, Path]) -> None:
    _, root = filled
    original = _one(root, "coops/0001/versions/*/original.xlsx")
    original.write_bytes(original.read_bytes()[:-10] + b"0123456789")
    code, text = _cli("verifier-depot", "--store", str(root), "--reparer")
    assert code == 1 and "PERDU" in text and "1 perdu" in text


def test_no_store_there(tmp_path: Path) -> None:
    code, text = _cli("verifier-depot", "--store", str(tmp_path / "nowhere"))
    assert code == 1 and "Aucun dépôt" in text


def _hashes(root: Path) -> dict[str, str]:
    """Every file of a store and the SHA-256 of its bytes."""
    return {str(p.relative_to(root)): sha256(p.read_bytes()) for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_damaged_original_is_never_restored(filled: tuple[Store, Path], tmp_path: Path) -> None:
    """The bytes are checked against the version's SHA-256 before anything is written."""
    _, root = filled
    original = _one(root, "coops/0001/versions/*/original.xlsx")
    original.write_bytes(original.read_bytes()[:1000])
    out = tmp_path / "r.xlsx"
    code, text = _cli("restore", "--store", str(root), "--coop", "0001", "--version", "1", "-o", str(out))
    assert code == 1 and "l'original conservé est abîmé (empreinte différente)" in text, text
    assert "cahier verifier-depot" in text and "écrite dans" not in text
    assert not out.exists() and [p.name for p in tmp_path.iterdir() if p.name.startswith(".tmp-")] == []
    with pytest.raises(DamagedOriginal):
        Store(str(root)).read_original("0001", "1")


def test_a_restored_file_has_ordinary_permissions(filled: tuple[Store, Path], tmp_path: Path) -> None:
    _, root = filled
    out = tmp_path / "r.xlsx"
    mask = os.umask(0o022)
    try:
        code, text = _cli("restore", "--store", str(root), "--coop", "0002", "--version", "1", "-o", str(out))
    finally:
        os.umask(mask)
    assert code == 0 and f"écrite dans {out}." in text, text
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    assert sha256(out.read_bytes()) == Store(str(root)).history("0002")[0].sha256


def test_verifier_depot_without_reparer_writes_nothing(filled: tuple[Store, Path]) -> None:
    """A version whose published manifest is gone (its writer stopped before publishing) is listed « à publier »:
    the listing does not roll it forward; --reparer does."""
    _, root = filled
    manifest = _one(root, "coops/0002/manifests/*.json")
    manifest.unlink()
    before = _hashes(root)
    code, text = _cli("verifier-depot", "--store", str(root), "--delai", "0")
    assert code == 1 and "à publier" in text and "0 réparé" in text and "complétée" not in text, text
    assert _hashes(root) == before  # not one byte written, moved or removed
    code, text = _cli("verifier-depot", "--store", str(root), "--delai", "0", "--reparer")
    assert code == 0 and "complétée" in text, text
    assert manifest.exists() and verify(Store(str(root))).ok

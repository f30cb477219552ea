"""Trust boundaries (issue 6, SECURITY.md): odd file names never write outside the store or the coop's
folder, teachers' text never becomes a formula in any output, XML entity expansion is harmless, incoming
files have a size limit."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import resource
import threading
import time
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from store_helpers import cahier_bytes

from workbook_tools.cli import main
from workbook_tools.fill import write_cahier
from workbook_tools.ingest import ingest
from workbook_tools.model import Code
from workbook_tools.sample import sample_book
from workbook_tools.store import ACCEPTED, Store, safe_filename
from workbook_tools.validate import check_file
from workbook_tools.watcher.outbox import SUMMARY_CSV, refresh_outbox
from workbook_tools.watcher.service import LOCK_NAME, WatchConfig, Watcher

# --------------------------------------------------------------------------- file names

ODD_NAMES = [
    "..\\..\\..\\evil.xlsx",  # a Windows path, legal as one Linux file name
    "dossier\\..\\..\\evil2.xlsx",
    "..xlsx",
    "... .xlsx",
    " . .xlsx",
    "e\u0301cole cahier.xlsx",  # NFD accent
    "\u200fcahier\u202excod.xlsx",  # right-to-left mark and override
    "\U0001f4b0 cahier \U0001f9fe.xlsx",  # emoji
    "CON.xlsx",
    "nul.xlsx",
    "a" * 245 + ".xlsx",  # 250 bytes: as long as a Linux name gets
    "é" * 122 + ".xlsx",  # 249 bytes in UTF-8
    "\U0001f4b0" * 61 + ".xlsx",  # 249 bytes in UTF-8
    "=HYPERLINK(1).xlsx",
]


def _inside(root: Path, paths: list[Path]) -> bool:
    return all(p.resolve().is_relative_to(root.resolve()) for p in paths)


@pytest.mark.parametrize("name", [*ODD_NAMES, "/etc/cron.d/evil.xlsx", "../../x/evil.xlsx", "C:\\evil.xlsx"])
def test_safe_filename_is_one_plain_name(name: str) -> None:
    safe = safe_filename(name)
    assert "/" not in safe and "\\" not in safe and safe not in {"", ".", ".."}
    assert not safe.startswith((".", " ")) and safe.isprintable()
    assert safe.lower().endswith(".xlsx")  # the extension is kept, whatever the length
    assert len(safe.encode("utf-8")) <= 200  # room for « .rapport.xlsx » within 255 bytes


@pytest.mark.slow
def test_odd_names_through_cahier_ingest(tmp_path: Path) -> None:
    store_dir, outputs, incoming = tmp_path / "store", tmp_path / "sorties" / "0001", tmp_path / "recu"
    incoming.mkdir()
    names = [*ODD_NAMES, os.fsdecode(b"caf\xe9 latin-1.xlsx")]  # a name that is not UTF-8
    for i, name in enumerate(names):
        path = incoming / name
        assert path.parent == incoming
        path.write_bytes(cahier_bytes(seed=i + 1))
        result = CliRunner().invoke(
            main, ["ingest", str(path), "--coop", "0001", "--store", str(store_dir), "--outputs", str(outputs)]
        )
        assert result.exit_code == 0, (name, result.output, result.exception)
        assert result.output.startswith("ACCEPTÉ"), name
    history = Store(store_dir).history("0001")
    assert [v.status for v in history] == [ACCEPTED] * len(names)
    assert {safe_filename(n) for n in names} >= {v.filename for v in history}
    everything = list(tmp_path.rglob("*"))
    assert _inside(store_dir, [p for p in everything if "store" in p.relative_to(tmp_path).parts[:1]])
    written = [p for p in everything if p.is_file() and not p.is_relative_to(store_dir)]
    assert {p.parent for p in written} <= {incoming, outputs}  # nothing anywhere else
    statuses = [p for p in outputs.iterdir() if p.name.endswith(".statut.txt")]
    assert len(statuses) == len({safe_filename(n) for n in names})  # « ..xlsx » and « ... .xlsx » share one
    assert not [p for p in statuses if p.name.startswith(".")]


@pytest.mark.slow
def test_odd_names_through_the_watcher(tmp_path: Path) -> None:
    inbox, store_dir = tmp_path / "inbox", tmp_path / "store"
    folder = inbox / "0001"
    folder.mkdir(parents=True)
    names = [*ODD_NAMES, os.fsdecode(b"caf\xe9 latin-1.xlsx")]
    for i, name in enumerate(names):
        assert (folder / name).parent == folder
        (folder / name).write_bytes(cahier_bytes(seed=i + 1))
    (inbox / "0002").mkdir()
    (inbox / "0002" / "lien.xlsx").symlink_to(folder / "CON.xlsx")  # another coop's cahier, by a link
    (inbox / "0003").symlink_to(folder, target_is_directory=True)  # another coop's folder, by a link
    config = WatchConfig(inbox=inbox, store=str(store_dir), stability_delay=0.1)
    watcher = Watcher(config)
    assert watcher.run(once=True) == 0
    store = Store(store_dir)
    assert store.coops() == ["0001"]  # links are not followed: nothing recorded for 0002 or 0003
    names = [n for n in names if not n.startswith(".")]  # hidden files are never taken (sync temporaries)
    history = store.history("0001")
    assert [v.status for v in history] == [ACCEPTED] * len(names)
    files = [p for p in tmp_path.rglob("*") if p.is_file() and not p.is_symlink() and p.name != LOCK_NAME]
    assert {p.parent for p in files if not p.is_relative_to(store_dir)} == {folder}  # (and the watcher's lock)
    assert not list((inbox / "0002").glob("*.statut.txt"))
    for name in names:
        status = folder / (Path(safe_filename(name)).stem + ".statut.txt")
        assert status.read_text().startswith("ACCEPTÉ"), name


def test_nfd_and_nfc_names_are_two_files_not_a_clash(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    nfc, nfd = "école.xlsx", unicodedata.normalize("NFD", "école.xlsx")
    assert nfc != nfd
    for i, name in enumerate((nfc, nfd)):
        (tmp_path / name).write_bytes(cahier_bytes(seed=i + 1))
        assert ingest(tmp_path / name, "0001", store).accepted
    assert [v.filename for v in store.history("0001")] == [nfc, nfd]


# --------------------------------------------------------------------------- formula injection

INJECTED = {
    "libelle": '=HYPERLINK("http://example.invalid/x","clic")',
    "action": "@SUM(1+1)",
    "piece": "-2+3",
    "name": "+École Pasteur",
}
FILENAME = "=1+2 cahier.xlsx"
MARKERS = ("HYPERLINK", "SUM(1+1)", "-2+3", "+École Pasteur", "=1+2")


def _xlsx_cells(path: Path) -> list[Any]:
    wb = openpyxl.load_workbook(path)  # formulas as formulas
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


# the consolidation's own « ouvrir » links to the stored reports: a store path, a coop id, a version id, no teacher text
OUR_LINK = re.compile(r'=HYPERLINK\("file:///[^"]*/report\.json","ouvrir"\)')


def _assert_no_injected_formula(path: Path) -> int:
    """No formula holds teachers' text; the injected texts are there, as text. Returns how many were seen."""
    seen = 0
    for c in _xlsx_cells(path):
        value = str(c.value)
        if c.data_type == "f" and OUR_LINK.fullmatch(value):
            continue
        if any(m in value for m in MARKERS):
            assert c.data_type == "s", (path.name, c.parent.title, c.coordinate, value)
            seen += 1
    return seen


@pytest.mark.slow
def test_teachers_text_is_never_a_formula_in_any_output(tmp_path: Path) -> None:
    book = sample_book(coop="0001", lines=50, seed=11, name=INJECTED["name"])
    line = next(x for x in book.lines if x.banque_depense is not None and x.chapitre and not x.action)
    line.libelle, line.action, line.piece = INJECTED["libelle"], INJECTED["action"], INJECTED["piece"]
    if line.pointe is not None:  # unticked: it shows in the rapprochement too
        line.pointe = None
        book.params["releve_31_08"] += line.banque_depense
    book.lines[5].date = book.lines[5].date.strftime("%d/%m/%Y")  # type: ignore[union-attr]  # a warning
    inbox = tmp_path / "inbox"
    folder = inbox / "0001"
    folder.mkdir(parents=True)
    write_cahier(book, folder / FILENAME)
    refused_book = sample_book(coop="0001", lines=50, seed=11, name=INJECTED["name"])
    refused_book.lines[7].libelle, refused_book.lines[7].date = INJECTED["libelle"], None
    refused = write_cahier(refused_book, tmp_path / "=refuse.xlsx")
    store_dir, outbox = tmp_path / "store", tmp_path / "outbox"

    config = WatchConfig(inbox=inbox, store=str(store_dir), outbox=outbox, stability_delay=0.1)
    assert Watcher(config).run(once=True) == 0
    status = (folder / "=1+2 cahier.statut.txt").read_text()
    assert status.startswith("ACCEPTÉ"), status
    run = CliRunner()
    assert run.invoke(main, ["check", str(refused), "--annotate", str(tmp_path / "annote")]).exit_code == 1
    outputs = {
        "annotated copy (watcher)": folder / "=1+2 cahier.rapport.xlsx",
        "annotated copy (cahier check)": tmp_path / "annote" / "=refuse.annote.xlsx",
        "CRF (watcher)": folder / "=1+2 cahier.crf.xlsx",
    }
    result = run.invoke(main, ["bilan", "--coop", "0001", "--store", str(store_dir), "-o", str(tmp_path / "crf.xlsx")])
    assert result.exit_code == 0, result.output
    outputs["CRF (cahier bilan)"] = tmp_path / "crf.xlsx"
    result = run.invoke(main, ["consolidate", "--store", str(store_dir), "-o", str(tmp_path / "conso.xlsx")])
    assert result.exit_code == 0, result.output
    outputs["consolidation (cahier consolidate)"] = tmp_path / "conso.xlsx"
    outputs.update({f"outbox {p.name}": p for p in outbox.glob("*.xlsx")})
    seen = {what: _assert_no_injected_formula(path) for what, path in outputs.items()}
    assert seen["annotated copy (watcher)"] >= 3  # the copy keeps libellé, action, pièce, name as text
    assert seen["annotated copy (cahier check)"] >= 2  # « Erreurs » summary names the file, as text
    assert seen["CRF (cahier bilan)"] >= 3
    assert seen["consolidation (cahier consolidate)"] >= 1

    # the CSV of the outbox: a spreadsheet opening it must not see a formula either
    rows = list(csv.reader(io.StringIO((outbox / SUMMARY_CSV).read_text("utf-8-sig")), delimiter=";"))
    fields = [f for row in rows for f in row]
    assert any("=1+2" in f for f in fields)
    numbers = re.compile(r"-?\d+(,\d+)?")  # counts, and amounts in euros with a decimal comma (« -12,50 »)
    assert not [f for f in fields if f[:1] in ("=", "+", "-", "@", "\t", "\r") and not numbers.fullmatch(f)]
    # text outputs carry the text as it is (nothing there is evaluated)
    assert (folder / "=1+2 cahier.rapport.txt").read_text("utf-8").startswith(FILENAME)
    history = run.invoke(main, ["history", "--coop", "0001", "--store", str(store_dir)])
    assert FILENAME in history.output
    assert json.loads((folder / "=1+2 cahier.rapport.json").read_text())["file"] == FILENAME
    # refresh again from the library: same guarantees
    for path in refresh_outbox(Store(store_dir), tmp_path / "outbox2"):
        if path.suffix == ".xlsx":
            _assert_no_injected_formula(path)


# --------------------------------------------------------------------------- XML entity expansion

LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lollollollollollollollollollol">\n'
    + "".join(f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n' for i in range(1, 10))
    + "]>\n"
)


def _with_member(clean: bytes, member: str, transform: Any, target: Path) -> Path:
    with zipfile.ZipFile(io.BytesIO(clean)) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            zout.writestr(item, transform(data) if item.filename == member else data)
    return target


def test_openpyxl_parses_with_defusedxml() -> None:
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True


@pytest.mark.parametrize(
    "member", ["xl/worksheets/sheet3.xml", "xl/worksheets/sheet2.xml", "xl/workbook.xml", "[Content_Types].xml"]
)
def test_billion_laughs_is_refused_or_harmless(member: str, tmp_path: Path) -> None:
    clean = cahier_bytes(seed=1)
    with zipfile.ZipFile(io.BytesIO(clean)) as zf:
        assert member in zf.namelist()

    def poison(xml: bytes) -> bytes:
        body = xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml
        text = body.decode("utf-8")
        text = text.replace("<t>", "<t>&lol9;", 1) if "<t>" in text else text
        return LAUGHS.encode() + text.encode("utf-8")

    bomb = _with_member(clean, member, poison, tmp_path / "rires.xlsx")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    outcome: dict[str, Any] = {}

    def run() -> None:
        outcome["result"] = check_file(bomb)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=20)
    elapsed = time.perf_counter() - start
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert not worker.is_alive(), "entity expansion still running after 20 s"
    result = outcome["result"]
    assert elapsed < 10 and grown_mb < 200, (elapsed, grown_mb)
    # never 10⁹ « lol »s anywhere: refused, or read without expanding
    assert result.findings or result.journal is not None
    text = json.dumps([f.message for f in result.findings], ensure_ascii=False)
    assert "lollollol" * 100 not in text
    if result.journal is not None:
        assert not result.journal.astype(str).apply(lambda col: col.str.len().max()).gt(10_000).any()
    if member.startswith("xl/worksheets/"):
        assert [f.code for f in result.findings] == [Code.FILE_UNREADABLE]
    print(
        f"billion laughs in {member}: {[str(f.code) for f in result.findings][:2]} in {elapsed:.2f} s, +{grown_mb:.0f} MB"
    )


# --------------------------------------------------------------------------- size limit


def test_max_size_option_of_check_and_ingest(tmp_path: Path) -> None:
    path = tmp_path / "cahier.xlsx"
    path.write_bytes(cahier_bytes(seed=1))
    run = CliRunner()
    small = run.invoke(main, ["check", str(path), "--max-size", "0.06"])
    assert small.exit_code == 1 and "FILE_TOO_LARGE" in small.output and "0,1 Mo" in small.output
    assert run.invoke(main, ["check", str(path), "--max-size", "5"]).exit_code == 0
    store = tmp_path / "store"
    refused = run.invoke(main, ["ingest", str(path), "--coop", "0001", "--store", str(store), "--max-size", "0.06"])
    assert refused.exit_code == 1 and refused.output.startswith("REFUSÉ") and "FILE_TOO_LARGE" in refused.output
    [version] = Store(store).history("0001")
    assert Store(store).read_original("0001", version) == path.read_bytes()  # kept whole, even refused
    bad = run.invoke(main, ["check", str(path), "--max-size", "0"])
    assert bad.exit_code == 2


def test_watcher_size_limit_from_its_config(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "0001").mkdir(parents=True)
    (inbox / "0001" / "cahier.xlsx").write_bytes(cahier_bytes(seed=1))
    conf = tmp_path / "watch.toml"
    conf.write_text(f'inbox = "{inbox}"\nstore = "{tmp_path / "store"}"\nmax_bytes = 50000\nstability_delay = 0.1\n')
    assert Watcher(WatchConfig.from_sources(conf)).run(once=True) == 0
    report = json.loads((inbox / "0001" / "cahier.rapport.json").read_text())
    assert [f["code"] for f in report["findings"]] == ["FILE_TOO_LARGE"]

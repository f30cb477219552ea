"""The treasurer's desk (issue 14, items 1–4 and 8): why a cahier was refused, the cooperative a misplaced cahier
belongs to, the dates and the lateness rule, the roster's own columns, the relances CSV, rows tall enough.

A small department of real cahiers (``sample_book`` written into the template), checked and stored through
``ingest_bytes`` with chosen file times; what is expected is read back independently (the stored reports, the
roster file, the times given), never from the code under test.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from store_helpers import webdav  # noqa: F401  (the fixture of a real wsgidav server)

from workbook_tools.bilan import BilanError
from workbook_tools.cli import main
from workbook_tools.consolidation import consolidate, parse_deadline, read_roster, read_roster_table, relances
from workbook_tools.consolidation_workbook import write_consolidation_workbook
from workbook_tools.demo import UNSIGNED, _split_mismatch
from workbook_tools.fill import write_cahier
from workbook_tools.ingest import ingest_bytes
from workbook_tools.model import Code, Severity
from workbook_tools.sample import sample_book
from workbook_tools.store import Store
from workbook_tools.store import figures as stored_figures
from workbook_tools.xlsx import CHARS_PER_UNIT_SAFE, wrapped_lines

EXERCICE = "2025-2026"  # deadline 30/09/2026; the files' times below decide, the reception (today) is later
ON_TIME = dt.datetime(2026, 9, 12, 17, 30, tzinfo=dt.UTC)
LATE = dt.datetime(2026, 10, 15, 9, 0, tzinfo=dt.UTC)
ROSTER = (
    "coop;nom;commune;circonscription;e-mail;téléphone\n"
    "70001;École A;Lyon;Lyon 1;a@ecole.fr;04 00 00 00 01\n"
    "70002;École B;Bron;Bron;b@ecole.fr;04 00 00 00 02\n"
    "70003;École C;Vénissieux;Vénissieux;c@ecole.fr;\n"
    "70004;École D;Lyon;Lyon 4;d@ecole.fr;04 00 00 00 04\n"
    "70005;École E;Caluire;Caluire;e@ecole.fr;04 00 00 00 05\n"
    "70006;École F (rien envoyé);Écully;Écully;f@ecole.fr;04 00 00 00 06\n"
)


@dataclass
class Department:
    store: Store
    folder: Path
    roster: Path


def _send(store: Store, folder: Path, coop: str, book_coop: str, when: dt.datetime, *, spoil: bool = False) -> str:
    book = sample_book(coop=book_coop, exercice=EXERCICE, lines=60, seed=int(book_coop))
    if spoil:
        _split_mismatch(book)
    path = write_cahier(book, folder / f"{coop}-{book_coop}-{int(spoil)}.xlsx")
    outcome = ingest_bytes(path.read_bytes(), f"cahier-{book_coop}.xlsx", coop, store, source_mtime=when.timestamp())
    return outcome.status


@pytest.fixture(scope="module")
def dept(tmp_path_factory: pytest.TempPathFactory) -> Department:
    folder = tmp_path_factory.mktemp("desk")
    store = Store(folder / "store")
    assert _send(store, folder, "70001", "70001", ON_TIME) == "accepted"
    assert _send(store, folder, "70002", "70002", LATE) == "accepted"
    assert _send(store, folder, "70003", "70003", ON_TIME, spoil=True) == "refused"
    assert _send(store, folder, "70005", "70005", ON_TIME) == "accepted"
    # 70004's cahier saved in 70005's folder: refused there (COOP_MISMATCH); 70004 sends nothing itself
    assert _send(store, folder, "70005", "70004", ON_TIME + dt.timedelta(days=1)) == "refused"
    roster = folder / "coops.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    return Department(store, folder, roster)


def _rows(c: Any) -> dict[str, Any]:
    return {r.coop: r for r in c.rows}


# --------------------------------------------------------------------------- item 2: the right cooperative


def test_misplaced_cahier_alerts_its_owner_and_spares_the_folder(dept: Department) -> None:
    c = consolidate(dept.store, EXERCICE, roster=dept.roster)
    rows = _rows(c)
    owner, folder = rows["70004"], rows["70005"]
    assert [a.code for a in owner.alerts] == ["AUTRE_DOSSIER", "MANQUANTE"]
    assert "déposé dans le dossier de 70005" in owner.alerts[0].message
    assert owner.misplaced[0].folder == "70005" and owner.misplaced[0].filename == "cahier-70004.xlsx"
    # the folder's cooperative: its own accepted cahier, no refusal, no alert about the neighbour's book
    assert folder.status.value == "accepted" and folder.refused_version is None
    assert not [a for a in folder.alerts if a.code in ("VERSION_REFUSEE", "REFUSEE", "AUTRE_DOSSIER")]
    assert folder.errors == 0 and folder.checked_version == folder.version


def test_misplaced_owner_without_roster_is_listed(dept: Department) -> None:
    rows = _rows(consolidate(dept.store, EXERCICE))
    assert "70004" in rows and rows["70004"].alerts[0].code == "AUTRE_DOSSIER"
    assert rows["70005"].status.value == "accepted"


# --------------------------------------------------------------------------- item 1: why, not just that


def _stored_first(store: Store, coop: str) -> list[tuple[str, str | None]]:
    """The stored report's findings of the coop's latest version, errors first: (code, cell)."""
    last = store.history(coop)[-1]
    report = store.read_report(coop, last)
    assert report is not None
    ordered = sorted(report.findings, key=lambda f: f.severity is not Severity.ERROR)
    return [(str(f.code), f.cell) for f in ordered[:3]]


def test_refused_cooperative_shows_its_first_findings_with_cells(dept: Department, tmp_path: Path) -> None:
    c = consolidate(dept.store, EXERCICE, roster=dept.roster)
    refused = _rows(c)["70003"]
    expected = _stored_first(dept.store, "70003")
    assert expected and expected[0][1]  # a cell to show
    assert [(k.code, k.cell) for k in refused.constats] == expected
    assert refused.constats[0].titre == Code[expected[0][0]].titre
    assert refused.errors >= 1 and refused.errors == dept.store.history("70003")[-1].errors
    assert refused.report_link and Path(refused.report_link.removeprefix("file://")).is_file()
    alert = next(a for a in refused.alerts if a.code == "REFUSEE")
    assert f"({expected[0][1]})" in alert.message

    out = write_consolidation_workbook(c, tmp_path / "c.xlsx")
    wb = openpyxl.load_workbook(out)
    coop_sheet = _table(wb["Coopératives"], header_row=2)
    row = coop_sheet["70003"]
    assert row["Erreurs"] == refused.errors
    assert expected[0][1] in row["Premiers constats (cellule)"]
    link = wb["Coopératives"].cell(_row_of(wb["Coopératives"], "70003"), _col_of(wb["Coopératives"], 2, "Rapport"))
    assert link.value == f'=HYPERLINK("{refused.report_link}","ouvrir")'
    alert_rows = [r for r in wb["Alertes"].iter_rows(min_row=2, values_only=True) if r[0] == "70003"]
    assert any(r[5] and expected[0][1] in r[5] for r in alert_rows)


def test_findings_through_the_index_and_old_segments_rebuilt(
    dept: Department, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index keeps the first findings (refused versions too); a segment written before issue 14 (format 1, no
    findings) is not trusted: its versions are read again from their files."""
    copy = tmp_path / "store"
    shutil.copytree(dept.store.url, copy)
    monkeypatch.setattr(stored_figures, "MIN_NEW", 1)
    consolidate(Store(copy), EXERCICE)  # writes a segment
    segments = list((copy / "index" / "figures").glob("*.json"))
    assert len(segments) == 1
    indexed = json.loads(segments[0].read_bytes())
    refused = [e for e in indexed["versions"] if e["folder"] == "70003"]
    assert refused[0]["report"]["first"][0]["cell"] == _stored_first(dept.store, "70003")[0][1]
    rows = _rows(consolidate(Store(copy), EXERCICE))  # read through the index
    assert rows["70003"].constats and rows["70004"].alerts[0].code == "AUTRE_DOSSIER"
    for segment in segments:
        data = json.loads(segment.read_bytes())
        data["format"] = 1
        for entry in data["versions"]:
            if entry.get("report"):
                entry["report"].pop("first", None)
        segment.write_text(json.dumps(data))
    rows = _rows(consolidate(Store(copy), EXERCICE))
    assert rows["70003"].constats and rows["70004"].alerts[0].code == "AUTRE_DOSSIER"


# --------------------------------------------------------------------------- item 3: dates


def test_saved_and_received_dates_and_the_deadline(dept: Department, tmp_path: Path) -> None:
    c = consolidate(dept.store, EXERCICE, roster=dept.roster)
    rows = _rows(c)
    assert rows["70001"].saved_at == ON_TIME.isoformat() and not rows["70001"].late
    assert rows["70002"].saved_at == LATE.isoformat() and rows["70002"].late
    assert "RETARD" in [a.code for a in rows["70002"].alerts]
    received = dept.store.history("70002")[-1].received_at

    wb = openpyxl.load_workbook(write_consolidation_workbook(c, tmp_path / "c.xlsx"))
    ws = wb["Coopératives"]
    assert "30/09/2026" in ws["C1"].value and "Enregistré le" in ws["C1"].value  # the rule, above the table
    table = _table(ws, header_row=2)
    assert table["70002"]["Enregistré le"].date() == LATE.date()
    assert table["70002"]["Reçu le"].date() == dt.datetime.fromisoformat(received).astimezone().date()
    assert table["70002"]["En retard"] == "oui" and table["70001"]["En retard"] == "non"

    later = consolidate(dept.store, EXERCICE, roster=dept.roster, deadline="31/10")
    assert later.deadline == dt.date(2026, 10, 31) and not _rows(later)["70002"].late


def test_parse_deadline() -> None:
    assert parse_deadline("30/09", EXERCICE) == dt.date(2026, 9, 30)
    assert parse_deadline("15/01", EXERCICE) == dt.date(2027, 1, 15)  # after the year end: the next January
    assert parse_deadline("01/10/2026", EXERCICE) == dt.date(2026, 10, 1)
    assert parse_deadline("2026-10-02", EXERCICE) == dt.date(2026, 10, 2)
    for bad in ("31/02", "demain", "30-09", ""):
        with pytest.raises(BilanError, match="Date limite illisible"):
            parse_deadline(bad, EXERCICE)


def test_version_without_file_time_has_no_saved_date(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    book = sample_book(coop="70009", exercice=EXERCICE, lines=40, seed=9)
    data = write_cahier(book, tmp_path / "c.xlsx").read_bytes()
    assert ingest_bytes(data, "c.xlsx", "70009", store).status == "accepted"  # stored like before issue 14
    row = _rows(consolidate(store, EXERCICE))["70009"]
    assert row.saved_at is None and row.received_at is not None


# --------------------------------------------------------------------------- item 4: the roster's columns, relances


def test_roster_keeps_every_column(dept: Department) -> None:
    table = read_roster_table(dept.roster)
    assert table.columns == ["commune", "circonscription", "e-mail", "téléphone"]
    assert read_roster(dept.roster)[0] == ("70001", "École A")
    assert table.entries[2][2] == {"commune": "Vénissieux", "circonscription": "Vénissieux", "e-mail": "c@ecole.fr",
                                   "téléphone": ""}  # fmt: skip


def test_roster_columns_in_the_sheets(dept: Department, tmp_path: Path) -> None:
    c = consolidate(dept.store, EXERCICE, roster=dept.roster)
    wb = openpyxl.load_workbook(write_consolidation_workbook(c, tmp_path / "c.xlsx"))
    source = {line.split(";")[0]: line.split(";") for line in ROSTER.splitlines()[1:]}
    coops = _table(wb["Coopératives"], header_row=2)
    for coop, fields in source.items():
        assert [coops[coop][h] or "" for h in ("commune", "circonscription", "e-mail", "téléphone")] == fields[2:]
    missing = _table(wb["Manquantes"], header_row=1)
    assert set(missing) == {"70003", "70004", "70006"}
    assert missing["70006"]["e-mail"] == "f@ecole.fr" and missing["70006"]["téléphone"] == "04 00 00 00 06"


def test_cli_relances_csv(dept: Department, tmp_path: Path) -> None:
    out, relances = tmp_path / "c.xlsx", tmp_path / "relances.csv"
    args = ["consolidate", "--store", str(dept.store.url), "--roster", str(dept.roster), "--exercice", EXERCICE]
    result = CliRunner().invoke(main, [*args, "--relances", str(relances), "-o", str(out)])
    assert result.exit_code == 0, result.output
    raw = relances.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM: French Excel reads the accents
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    by = {r["coop"]: r for r in rows}
    assert set(by) == {"70002", "70003", "70004", "70006"}  # late, refused, missing (its cahier misplaced), missing
    assert by["70002"]["motif"] == "en retard" and "15/10/2026" in by["70002"]["detail"]
    assert by["70003"]["motif"] == "refusé" and _stored_first(dept.store, "70003")[0][1] in by["70003"]["detail"]
    assert by["70006"]["e-mail"] == "f@ecole.fr" and by["70006"]["téléphone"] == "04 00 00 00 06"
    assert list(rows[0]) == ["coop", "nom", "motif", "detail", "commune", "circonscription", "e-mail", "téléphone"]

    # a later deadline: 70002 is no longer late
    result = CliRunner().invoke(
        main, [*args, "--echeance", "31/10/2026", "--relances", str(relances), "--format", "json", "--force"]
    )  # the list of before is replaced: only with --force
    assert result.exit_code == 0, result.output
    assert "70002" not in relances.read_text(encoding="utf-8-sig")


def test_cli_bad_deadline_is_a_french_error(dept: Department, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["consolidate", "--store", str(dept.store.url), "--echeance", "31/02", "-o", str(tmp_path / "c.xlsx")]
    )
    assert result.exit_code == 1 and "Date limite illisible « 31/02 »" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "c.xlsx").exists()


# --------------------------------------------------------------------------- item 8: rows tall enough, A4 landscape


def test_wrapped_cells_fit_their_rows_and_pages_are_a4_landscape(dept: Department, tmp_path: Path) -> None:
    c = consolidate(dept.store, EXERCICE, roster=dept.roster)
    wb = openpyxl.load_workbook(write_consolidation_workbook(c, tmp_path / "c.xlsx"))
    for name in ("Coopératives", "Alertes", "Manquantes"):
        ws = wb[name]
        assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape", name
        merged = {m.min_row: m for m in ws.merged_cells.ranges}
        checked = 0
        for row in ws.iter_rows():
            for cell in row:
                if not isinstance(cell.value, str) or not cell.alignment.wrap_text:
                    continue
                width = _width(ws, cell.column)
                if cell.row in merged and merged[cell.row].min_col == cell.column:
                    width = sum(_width(ws, col) for col in range(cell.column, merged[cell.row].max_col + 1))
                lines = wrapped_lines(cell.value, width, per_unit=CHARS_PER_UNIT_SAFE)
                if lines > 1:
                    height = ws.row_dimensions[cell.row].height
                    assert height is not None and height >= 12.75 * lines, (name, cell.coordinate, cell.value)
                    checked += 1
        assert checked, name  # the test saw wrapped text to check


# --------------------------------------------------------------------------- helpers


def _width(ws: Any, col: int) -> float:
    from openpyxl.utils import get_column_letter

    return float(ws.column_dimensions[get_column_letter(col)].width or 8.43)


def _col_of(ws: Any, header_row: int, label: str) -> int:
    return int(next(c.column for c in ws[header_row] if c.value == label))


def _row_of(ws: Any, coop: str) -> int:
    return int(next(c.row for c in ws["A"] if c.value == coop))


def _table(ws: Any, *, header_row: int) -> dict[str, dict[str, Any]]:
    """The sheet's table by cooperative number: {coop: {header: value}}."""
    headers = [c.value for c in ws[header_row]]
    out = {}
    for values in ws.iter_rows(min_row=header_row + 1, values_only=True):
        if values[0]:
            out[str(values[0])] = dict(zip(headers, values, strict=False))
    return out


# --------------------------------------------------------------------------- must show: the demo department


@pytest.mark.slow
def test_demo_department_consolidation(tmp_path: Path) -> None:
    """`cahier demo`: 69004 is alerted for its cahier saved in 69010's folder, 69010 untouched by it; every refused
    cooperative shows its first finding with its cell; the roster's extra columns are there."""
    demo = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", str(demo)])
    assert result.exit_code == 0, result.output
    store = Store(demo / "store")
    c = consolidate(store, "2025-2026", roster=demo / "coops.csv")
    rows = _rows(c)
    misplaced = [a for a in rows["69004"].alerts if a.code == "AUTRE_DOSSIER"]
    assert len(misplaced) == 1 and "déposé dans le dossier de 69010" in misplaced[0].message
    assert rows["69010"].status.value == "accepted" and rows["69010"].refused_version is None
    assert not [a for a in rows["69010"].alerts if a.code in ("VERSION_REFUSEE", "REFUSEE", "AUTRE_DOSSIER")]
    refused = [r for r in c.rows if r.status.value in ("refused", "refused_newer")]
    assert {r.coop for r in refused} == {"69003", "69005", "69007", "69011"}
    for r in refused:
        first = _stored_first(store, r.coop)[0]
        assert r.constats[0].cell == first[1] and r.constats[0].cell, r.coop
    assert c.roster_columns == ["commune", "circonscription", "e-mail"]
    wb = openpyxl.load_workbook(demo / "tresorier" / "consolidation-2025-2026.xlsx")
    table = _table(wb["Coopératives"], header_row=2)
    assert table["69004"]["e-mail"] and table["69013"]["commune"]
    assert all(table[r.coop]["Premiers constats (cellule)"] for r in refused)
    assert "69010" in next(r[4] for r in wb["Alertes"].iter_rows(values_only=True) if r[3] == "AUTRE_DOSSIER")
    # the demo's cooperatives fill their CRA and sign the quitus, but for two (issue 14, items 6–7): the alert shows
    # on those only, every cooperative with figures has its headcounts, and no CRA gives a membership gap
    accepted = [r for r in c.rows if r.status.value in ("accepted", "refused_newer")]
    unsigned = {r.coop for r in accepted if any(a.code == "QUITUS_NON_SIGNE" for a in r.alerts)}
    assert unsigned == {f"69{i:03d}" for i, why in UNSIGNED.items() if why}
    assert all(set(r.cra) == {"classes", "eleves", "adultes", "conseils"} for r in accepted)
    assert not [a for r in accepted for a in r.alerts if a.code == "COTISATION_ECART"]


# --------------------------------------------------------------------------- a treasurer's trial (issue 14 fixes)


@pytest.mark.parametrize(
    ("outputs", "clash"),
    [
        (["-o", "{x}", "--relances", "{roster}"], "la liste --relances"),
        (["-o", "{roster}", "--format", "json"], "le fichier -o"),
        (["-o", "{x}", "--relances", "{x}"], "la liste --relances"),
        (["-o", "{x}", "--relances", "{link}"], "la liste --relances"),  # a link to the roster
        (["-o", "{x}", "--relances", "{hard}"], "la liste --relances"),  # a hard link to the roster
    ],
)
def test_outputs_never_overwrite_the_roster_or_each_other(
    dept: Department, tmp_path: Path, outputs: list[str], clash: str
) -> None:
    roster = tmp_path / "r.csv"
    shutil.copy(dept.roster, roster)
    (tmp_path / "link.csv").symlink_to(roster)
    (tmp_path / "hard.csv").hardlink_to(roster)
    names = {"x": tmp_path / "x.xlsx", "roster": roster, "link": tmp_path / "link.csv", "hard": tmp_path / "hard.csv"}
    before = sorted(p.name for p in tmp_path.iterdir())
    args = ["consolidate", "--store", str(dept.store.url), "--roster", str(roster), "--exercice", EXERCICE]
    result = CliRunner().invoke(main, [*args, *(a.format(**names) for a in outputs)])
    assert result.exit_code == 1, result.output
    assert f"Erreur : {clash}" in result.output and "rien n'a été écrit" in result.output
    assert roster.read_bytes() == dept.roster.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written


def test_report_links_are_absolute_in_the_workbook(dept: Department, tmp_path: Path) -> None:
    """The « ouvrir » link keeps the absolute file:// address (xlsxwriter's write_url made /tmp/… the relative tmp\\…,
    opened from the workbook's folder)."""
    import zipfile

    c = consolidate(dept.store, EXERCICE, roster=dept.roster)
    path = write_consolidation_workbook(c, tmp_path / "c.xlsx")
    with zipfile.ZipFile(path) as z:
        rels = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".rels"))
    assert "report.json" not in rels  # no relationship the reader resolves from the workbook's folder
    ws = openpyxl.load_workbook(path)["Coopératives"]
    col = _col_of(ws, 2, "Rapport")
    for r in c.rows:
        cell = ws.cell(_row_of(ws, r.coop), col)
        if r.report_link is None:
            assert cell.value is None
            continue
        assert r.report_link.startswith("file:///") and Path(r.report_link.removeprefix("file://")).is_file()
        assert cell.value == f'=HYPERLINK("{r.report_link}","ouvrir")'


def test_report_links_of_a_webdav_store_are_its_web_address(webdav: Any) -> None:  # noqa: F811
    """webdav:// → http://, without the credentials; the address serves the stored report."""
    import urllib.request

    from workbook_tools.model import Report, Totals

    webdav.prepare(webdav.folder / "liens")
    store = Store(f"{webdav.url}liens")
    totals = Totals(charges=100, produits=200, chapitres={"6070": 100, "7080": 200})
    store.submit("70001", "cahier.xlsx", b"cahier", Report("cahier.xlsx", "70001", EXERCICE, [], totals))
    row = consolidate(store, EXERCICE).rows[0]
    assert row.report_link is not None and row.report_link.startswith("http://127.0.0.1:")
    assert "@" not in row.report_link and "webdav" not in row.report_link
    with urllib.request.urlopen(row.report_link, timeout=10) as answer:  # a test server on 127.0.0.1
        assert json.loads(answer.read())["coop"] == "70001"


def test_one_deadline_sentence_everywhere(dept: Department, tmp_path: Path) -> None:
    c = consolidate(dept.store, EXERCICE, roster=dept.roster, deadline="15/09")
    assert c.deadline == dt.date(2026, 9, 15)
    wb = openpyxl.load_workbook(write_consolidation_workbook(c, tmp_path / "c.xlsx"))
    assert "attendus au plus tard le 15/09/2026" in wb["Synthèse"]["A3"].value
    assert "30/09" not in wb["Synthèse"]["A3"].value
    missing = next(a for a in c.alerts if a.code == "MANQUANTE")
    assert "attendu au plus tard le 15/09/2026" in missing.message
    assert c.totals()["variation"] is None  # no N−1 in this store: no variation, not this year's totals again
    assert c.to_dict()["totals"]["variation"] is None


@pytest.mark.parametrize("typed", ["15/09/1999", "31/08/2026", "01/09/2027", "2030-01-01", "10/08/2026"])
def test_deadline_outside_the_year_after_the_exercice_is_refused(dept: Department, typed: str) -> None:
    with pytest.raises(BilanError, match="hors de l'année qui suit l'exercice 2025-2026"):
        parse_deadline(typed, EXERCICE)
    result = CliRunner().invoke(main, ["consolidate", "--store", str(dept.store.url), "--echeance", typed,
                                       "--format", "json"])  # fmt: skip
    assert result.exit_code == 1 and f"« {typed} »" in result.output and "Traceback" not in result.output


def test_deadline_bounds_and_day_month() -> None:
    assert parse_deadline("01/09/2026", EXERCICE) == dt.date(2026, 9, 1)
    assert parse_deadline("31/08/2027", EXERCICE) == dt.date(2027, 8, 31)  # end + 1 year: included
    assert parse_deadline("15/09", EXERCICE) == dt.date(2026, 9, 15)
    assert parse_deadline("15/01", EXERCICE) == dt.date(2027, 1, 15)  # the first 15 January after the year end


def test_refused_cooperative_shows_its_dates_file_and_lateness(dept: Department, tmp_path: Path) -> None:
    """70003's only cahier was refused, saved on 12/09: its dates and file shown; late against a 10/09 deadline."""
    stored = dept.store.history("70003")[-1]
    for deadline, late in (("30/09", False), ("10/09", True), ("12/09", False)):  # saved on the deadline: on time
        c = consolidate(dept.store, EXERCICE, roster=dept.roster, deadline=deadline)
        r = _rows(c)["70003"]
        assert r.status.value == "refused"
        assert (r.filename, r.received_at, r.saved_at) == (stored.filename, stored.received_at, stored.source_mtime)
        assert r.sent_on == ON_TIME.date() and r.late is late, deadline
        assert ("RETARD" in [a.code for a in r.alerts]) is late
        data = next(x for x in c.to_dict()["cooperatives"] if x["coop"] == "70003")
        assert data["filename"] == stored.filename and data["saved_at"] and data["late"] is late
        motif = next(x["motif"] for x in relances(c) if x["coop"] == "70003")
        assert motif == ("refusé, en retard" if late else "refusé")
    wb = openpyxl.load_workbook(write_consolidation_workbook(c, tmp_path / "c.xlsx"))
    row = _table(wb["Coopératives"], header_row=2)["70003"]
    assert row["Fichier"] == stored.filename and row["Enregistré le"] and row["Reçu le"] and row["En retard"] == "non"


def test_roster_duplicate_headers_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "coops.csv"
    path.write_text("coop;nom;commune;commune;motif\n70001;École A;Lyon;Lyon 3e;x\n", encoding="utf-8")
    table = read_roster_table(path)
    assert table.columns == ["commune", "commune (2)", "motif (2)"]
    assert table.entries[0][2] == {"commune": "Lyon", "commune (2)": "Lyon 3e", "motif (2)": "x"}


def test_roster_cooperative_listed_twice_with_two_names_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "coops.csv"
    path.write_text("coop;nom\n70001;École A\n70002;École B\n70001;École Z\n", encoding="utf-8")
    with pytest.raises(BilanError, match=r"70001 est listée deux fois.*ligne 2 \(« École A »\) et ligne 4"):
        read_roster_table(path)
    path.write_text("coop;nom\n70001;École A\n70001;école a\n", encoding="utf-8")  # the same name: once is enough
    assert read_roster(path) == [("70001", "École A")]


def test_matrix_headers_wrap_between_words_and_fit_their_row(dept: Department, tmp_path: Path) -> None:
    c = consolidate(dept.store, EXERCICE)
    wb = openpyxl.load_workbook(write_consolidation_workbook(c, tmp_path / "c.xlsx"))
    for name in ("Charges", "Produits"):
        ws = wb[name]
        height = ws.row_dimensions[1].height
        widths = {col: d.width for d in ws.column_dimensions.values() for col in range(d.min, d.max + 1)}
        for cell in ws[1][2:]:
            width = widths[cell.column]
            longest = max(len(w) for w in str(cell.value).split())
            assert longest <= width - 1, (name, cell.value, width)  # the longest word on one line, padding aside
            lines = wrapped_lines(cell.value, width, per_unit=1.0)
            assert height is not None and height >= 12.75 * lines + 6, (name, cell.value, height)


def test_demo_civilities_agree() -> None:
    """« M. Robin (enseignante) »: a civility and its noun agree in the demo's quitus."""
    from workbook_tools.demo import _cra_and_quitus

    names = []
    for i in range(1, 9):
        book = sample_book(coop=f"69{i:03d}", exercice=EXERCICE, lines=20, seed=i)
        _cra_and_quitus(book, i)
        names += [str(book.params.get(k) or "") for k in ("verificateur1_nom", "verificateur2_nom")]
    assert any(n.startswith("M. ") and n.endswith("(enseignant)") for n in names)
    for name in names:
        assert not (name.startswith("M. ") and name.endswith("enseignante)")), name
        assert not (name.startswith("Mme ") and name.endswith("(enseignant)")), name


@pytest.mark.libreoffice
def test_report_links_stay_absolute_in_libreoffice(dept: Department, tmp_path: Path) -> None:
    """LibreOffice reads the « ouvrir » link as the absolute file:// address (saved again as ODS: the same address,
    no path made relative to the workbook's folder)."""
    import zipfile

    from workbook_tools.libreoffice import convert

    c = consolidate(dept.store, EXERCICE, roster=dept.roster)
    ods = convert(write_consolidation_workbook(c, tmp_path / "c.xlsx"), "ods", tmp_path / "lo", recalculate=False)
    with zipfile.ZipFile(ods) as z:
        content = z.read("content.xml").decode().replace("&quot;", '"')
    links = [r.report_link for r in c.rows if r.report_link]
    assert links and all(f'HYPERLINK("{link}";"ouvrir")' in content for link in links)
    assert not re.findall(r'xlink:href="[^"]*report\.json"', content)  # no link LibreOffice would make relative

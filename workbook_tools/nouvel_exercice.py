"""Next year's cahier (issue 12): the template filled with what the accepted version of this year hands on.

Built from the blank template (``templates/cahier.xlsx``), never by copying last year's file: what the teacher's
spreadsheet did to that file (lost drop-downs, a moved column) is not carried over. The cells are written straight
into the template's sheet XML — the prepared cells already exist there with their formats — so that a cahier takes
milliseconds (a department's thousand cooperatives in seconds, see ``bench/bench_nouvel_exercice.py``). The
template asks the spreadsheet to recalculate on opening (``fullCalcOnLoad``, which Excel obeys); LibreOffice, with its
default settings, shows the results cached in the file instead and computes only the formulas without one — so the
template's cached results, computed for empty Paramètres, are dropped from every formula cell
(:func:`drop_cached_results`): the Journal's header, the CRF and the checks show this cahier's figures at once.

Filled: Paramètres (coop number and name, commune, mandataire, exercice N+1, report banque = the books' bank at
31 August, report caisse = the counted cash — or the books' cash, with a note beside it, when none was counted), the
« En attente » sheet (the bank lines outstanding at 31 August, unticked) and the Inventaire (items not disposed of).
A cooperative of the roster without an accepted version gets a blank cahier with its number, name and exercice.

Files are never overwritten unless asked (``force``, for one cooperative only): a cahier the teacher may already have
started is theirs. In bulk, a file already there is always kept.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbook_tools.store import Store
from xml.sax.saxutils import escape

from workbook_tools import layout
from workbook_tools.continuity import Handover, from_store
from workbook_tools.exercice import Exercice
from workbook_tools.files import atomic_path
from workbook_tools.store.names import check_coop, coop_key
from workbook_tools.text import euros

_EPOCH = dt.date(1899, 12, 30)  # day 0 of the 1900 date system
_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"([^>]*?)(?:/>|>(.*?)</c>)', re.S)
_TYPE = re.compile(rb'\s+t="[^"]*"')
_SHEET = re.compile(rb'<sheet [^>]*?name="([^"]+)"[^>]*?r:id="([^"]+)"')
_REL = re.compile(rb'<Relationship [^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"')
# a formula cell with its cached result: <c r=".." s=".." t="str"><f ...>...</f><v>...</v></c>
_FORMULA_RESULT = re.compile(rb"<c ([^>]*?)><f((?:[^>]*/>)|(?:[^>]*>[^<]*</f>))<v>[^<]*</v></c>")

NOTE_COL = "C"  # Paramètres: the hint column, where the note on an uncounted cash goes


class NouvelExerciceError(Exception):
    """Next year's cahier cannot be written; the message is French."""


def file_name(exercice: Exercice) -> str:
    """``cahier-2026-2027.xlsx``: the name the bulk run writes into each cooperative's folder."""
    return f"cahier-{exercice}.xlsx"


@dataclass(frozen=True)
class Prepared:
    """What goes into one prepared cahier."""

    exercice: Exercice  # the new exercice
    parametres: Mapping[str, str]  # text parameters (coop number, name, commune, mandataire)
    report_banque: int | None = None
    report_caisse: int | None = None
    caisse_note: str | None = None
    handover: Handover | None = None

    @classmethod
    def following(cls, before: Handover) -> Prepared:
        note = None
        if not before.caisse_comptee:
            note = (
                f"Reprise de la caisse du cahier au 31 août ({euros(before.caisse)}) : personne ne l'avait comptée "
                "dans l'« Arrêté de caisse » de l'an dernier. Comptez-la et corrigez si besoin."
            )
        return cls(
            exercice=before.exercice.next,
            parametres=dict(before.parametres),
            report_banque=before.banque,
            report_caisse=before.caisse,
            caisse_note=note,
            handover=before,
        )

    @classmethod
    def blank(cls, exercice: Exercice, coop: str, nom: str | None = None) -> Prepared:
        params = {"coop_numero": coop}
        if nom:
            params["coop_nom"] = nom
        return cls(exercice=exercice, parametres=params)


# --------------------------------------------------------------------------- the template's parts


@dataclass(frozen=True)
class _Template:
    members: tuple[tuple[zipfile.ZipInfo, bytes], ...]  # every member, uncompressed, in order
    sheets: dict[str, str]  # sheet name → member name


def drop_cached_results(sheet_xml: bytes) -> bytes:
    """The sheet XML with the cached result of every formula cell removed (its ``t`` type too): a spreadsheet then has
    to compute each formula on opening — LibreOffice does so even with its default settings, which otherwise show
    the cached results of a file asking to be recalculated (``fullCalcOnLoad``) as they are."""
    return _FORMULA_RESULT.sub(lambda m: b"<c " + _TYPE.sub(b"", m.group(1)) + b"><f" + m.group(2) + b"</c>", sheet_xml)


def drop_cached_results_in(path: Path) -> Path:
    """:func:`drop_cached_results` on every sheet of the workbook at ``path``, rewritten in place (members, their order
    and dates kept)."""
    with zipfile.ZipFile(path) as zf:
        members = [(info, zf.read(info)) for info in zf.infolist()]
    with atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
        for info, payload in members:
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                payload = drop_cached_results(payload)
            out.writestr(info, payload)
    return path


@cache
def _template(path: Path) -> _Template:
    with zipfile.ZipFile(path) as zf:
        members = tuple(
            (info, drop_cached_results(data) if info.filename.startswith("xl/worksheets/") else data)
            for info, data in ((info, zf.read(info)) for info in zf.infolist())
        )
    data = dict((info.filename, payload) for info, payload in members)
    targets = {rid.decode(): target.decode() for rid, target in _REL.findall(data["xl/_rels/workbook.xml.rels"])}
    sheets = {}
    for name, rid in _SHEET.findall(data["xl/workbook.xml"]):
        target = targets[rid.decode()]
        sheets[_unescape(name.decode())] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return _Template(members, sheets)


def _unescape(text: str) -> str:
    return (
        text.replace("&apos;", "'")
        .replace("&quot;", '"')
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
    )


# --------------------------------------------------------------------------- cell values


def _value_xml(ref: str, attrs: bytes, value: Any) -> bytes:
    """A cell element holding ``value`` (text, cents as euros, a date), keeping the template's style."""
    attrs = _TYPE.sub(b"", attrs)
    head = f'<c r="{ref}"'.encode() + attrs
    if isinstance(value, dt.date):
        return head + f"><v>{(value - _EPOCH).days}</v></c>".encode()
    if isinstance(value, _Cents):
        return head + f"><v>{Decimal(value.cents).scaleb(-2)}</v></c>".encode()
    text = escape(str(value))
    return head + f' t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'.encode()


@dataclass(frozen=True)
class _Cents:
    cents: int


def _patch(xml: bytes, values: Mapping[str, Any]) -> bytes:
    """The sheet XML with these cells (``B8`` → value) written; every one must be a cell of the template."""
    todo = dict(values)

    def replace(m: re.Match[bytes]) -> bytes:
        ref = m.group(1).decode()
        if ref not in todo:
            return m.group(0)
        return _value_xml(ref, m.group(2), todo.pop(ref))

    out = _CELL.sub(replace, xml)
    if todo:
        raise NouvelExerciceError(f"cellules absentes du modèle : {', '.join(sorted(todo))}")
    return out


# --------------------------------------------------------------------------- the cells of one prepared cahier


def _cells(prepared: Prepared) -> dict[str, dict[str, Any]]:
    """Sheet → cell reference → value."""
    params: dict[str, Any] = {}
    for p in layout.PARAMS:
        if prepared.parametres.get(p.name):
            params[f"B{p.row}"] = prepared.parametres[p.name]
    params[f"B{layout.PARAMS_BY_NAME['exercice'].row}"] = str(prepared.exercice)
    if prepared.report_banque is not None:
        params[f"B{layout.PARAMS_BY_NAME['report_banque'].row}"] = _Cents(prepared.report_banque)
    if prepared.report_caisse is not None:
        params[f"B{layout.PARAMS_BY_NAME['report_caisse'].row}"] = _Cents(prepared.report_caisse)
    if prepared.caisse_note:
        params[f"{NOTE_COL}{layout.PARAMS_BY_NAME['report_caisse'].row}"] = prepared.caisse_note
    out = {layout.SHEET_PARAMS: params}
    before = prepared.handover
    if before is None:
        return out
    if len(before.outstanding) > layout.ATTENTE_ROWS or len(before.inventaire) > layout.TABLE_ROWS:
        raise NouvelExerciceError(
            f"la coopérative {before.coop} a {len(before.outstanding)} opérations en attente et "
            f"{len(before.inventaire)} biens à l'inventaire : le modèle en prévoit {layout.ATTENTE_ROWS} et "
            f"{layout.TABLE_ROWS}."
        )
    out[layout.SHEET_ATTENTE] = _table(
        layout.ATTENTE_COLUMNS,
        (
            {"date": a.date, "piece": a.piece, "mode": a.mode, "libelle": a.libelle, "cheque": a.cheque,
             "recette": a.recette, "depense": a.depense}
            for a in before.outstanding
        ),
        money={"recette", "depense"},
    )  # fmt: skip
    out[layout.SHEET_INVENTAIRE] = _table(
        layout.INVENTAIRE_COLUMNS,
        (
            {"date": b.date, "piece": b.piece, "designation": b.designation, "valeur": b.valeur}
            for b in before.inventaire
        ),
        money={"valeur"},
    )
    return out


def _table(columns: list[tuple[str, str]], rows: Iterable[dict[str, Any]], money: set[str]) -> dict[str, Any]:
    letters = {key: layout.column_letter(i) for i, (key, _) in enumerate(columns)}
    cells: dict[str, Any] = {}
    for n, row in enumerate(rows):
        r = layout.TABLE_FIRST_ROW + n
        for key, value in row.items():
            if value is None or value == "":
                continue
            cells[f"{letters[key]}{r}"] = _Cents(value) if key in money else value
    return cells


# --------------------------------------------------------------------------- writing


def write(prepared: Prepared, target: Path, *, force: bool = False, template: Path | None = None) -> Path:
    """Write the prepared cahier to ``target``; FileExistsError when it exists and ``force`` is not given."""
    from workbook_tools.fill import template_path

    target = Path(target)
    if target.exists() and not force:
        raise FileExistsError(f"{target} existe déjà : il n'a pas été remplacé (--force pour le remplacer).")
    tpl = _template(Path(template or template_path()))
    patches = {tpl.sheets[sheet]: cells for sheet, cells in _cells(prepared).items()}
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(target) as tmp:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
            for info, payload in tpl.members:
                if info.filename in patches:
                    payload = _patch(payload, patches[info.filename])
                zf.writestr(info, payload, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
        if not force:  # a file that appeared meanwhile is never replaced: linked under its name, or refused
            try:
                os.link(tmp, target)
            except FileExistsError:
                raise FileExistsError(
                    f"{target} existe déjà : il n'a pas été remplacé (--force pour le remplacer)."
                ) from None
    return target


# --------------------------------------------------------------------------- one cooperative, every cooperative


def prepare_one(store: Store, coop: str, output: Path | None = None, *, force: bool = False) -> tuple[Path, Prepared]:
    """Next year's cahier of ``coop`` from its current accepted version (its latest exercice accepted) → (the file
    written, what it holds). ``output``: default ``cahier-AAAA-AAAA.xlsx`` in the current folder.
    Raises NouvelExerciceError (no accepted version), FileExistsError, StoreError."""
    check_coop(coop)
    stored = {coop_key(c): c for c in store.coops()}
    if coop_key(coop) not in stored:
        raise NouvelExerciceError(
            f"Aucune coopérative {coop} dans le dépôt {store.display_url} : vérifiez le numéro. Pour une coopérative "
            "nouvelle, partez du modèle vierge (cahier template)."
        )
    coop = stored[coop_key(coop)]  # as the store writes it (069001 typed, 69001 stored)
    before = from_store(store, coop)
    if before is None:
        raise NouvelExerciceError(
            f"La coopérative {coop} n'a pas de version acceptée dans le dépôt {store.display_url} : rien à reporter "
            "dans un nouvel exercice. Pour une coopérative nouvelle, partez du modèle vierge (cahier template)."
        )
    prepared = Prepared.following(before)
    target = output if output is not None else Path(file_name(prepared.exercice))
    return write(prepared, target, force=force), prepared


@dataclass
class Bulk:
    """What ``prepare_all`` did."""

    exercice: Exercice
    written: list[Path] = field(default_factory=list)
    blank: list[Path] = field(default_factory=list)  # of the written ones, those without an accepted version
    kept: list[Path] = field(default_factory=list)  # already there: left as they were


def department_exercice(store: Store | None, coops: Iterable[str]) -> Exercice:
    """The exercice to prepare for the whole department: the one after the exercice that most cooperatives have as
    their latest accepted one (on a tie, the later) — not the latest of all, so that a cooperative already accepted
    in the new year does not make the department skip a year; with nothing accepted, the school year of today."""
    from collections import Counter

    from workbook_tools.store.standing import latest_accepted

    found = [latest_accepted(store.history(c)) for c in coops] if store is not None else []
    votes = Counter(e for e in (Exercice.read(f) for f in found if f) if e is not None)
    if not votes:
        return Exercice.containing(dt.date.today())
    latest = max(votes, key=lambda e: (votes[e], e.start_year))
    return latest.next


def prepare_all(
    store: Store | None,
    inbox: Path,
    roster: Path | None = None,
    *,
    exercice: Exercice | None = None,
) -> Bulk:
    """``cahier-AAAA-AAAA.xlsx`` of ``exercice`` (default: :func:`department_exercice`) in the folder of each
    cooperative of the store and of the roster (a folder named by its number is made when it has none; an existing
    « 69004 - École … » is used). A cooperative with an accepted version of the exercice before gets its handover,
    the others a blank cahier with their number and name. A file already there is never replaced: in bulk, the
    cahier a teacher may have started is theirs. Raises NouvelExerciceError (INBOX is not a folder), StoreError,
    OSError, BilanError (roster unreadable)."""
    from workbook_tools.consolidation import read_roster

    if not inbox.is_dir():
        raise NouvelExerciceError(
            f"Le dossier des coopératives {inbox} n'existe pas : vérifiez --inbox (celui que surveille "
            "« cahier watch »). Rien n'a été écrit."
        )
    known = store.coops() if store is not None else []
    expected = read_roster(roster) if roster is not None else []
    target_exercice = exercice or department_exercice(store, known)
    names = {coop_key(c): n for c, n in expected if n}
    coops: dict[str, str] = {coop_key(c): c for c in known}
    for c, _ in expected:
        coops.setdefault(coop_key(c), c)
    folders = _coop_folders(inbox)
    bulk = Bulk(target_exercice)
    for key, coop in sorted(coops.items()):
        folder = folders.get(key) or inbox / coop
        target = folder / file_name(target_exercice)
        if target.exists():
            bulk.kept.append(target)
            continue
        before = from_store(store, coop, str(target_exercice.previous)) if coop in known and store else None
        prepared = (
            Prepared.following(before) if before is not None else Prepared.blank(target_exercice, coop, names.get(key))
        )
        try:
            write(prepared, target)
        except FileExistsError:
            bulk.kept.append(target)
            continue
        bulk.written.append(target)
        if before is None:
            bulk.blank.append(target)
    return bulk


def _coop_folders(inbox: Path) -> dict[str, Path]:
    """coop key → its folder in INBOX, as the watcher reads folder names."""
    from workbook_tools.watcher.names import folder_coop

    out: dict[str, Path] = {}
    if not inbox.is_dir():
        return out
    for entry in sorted(inbox.iterdir()):
        coop = folder_coop(entry.name) if entry.is_dir() else None
        if coop is not None:
            out.setdefault(coop_key(coop), entry)
    return out

"""A copy of a teacher's workbook keeps what the teacher had: the parts openpyxl drops, put back at the XML level.

Every copy the tool writes from a teacher's file (the annotated copy, the ticked copy; next year's cahier built from
last year's, tomorrow) is read and written with openpyxl, which models most of a worksheet but not
its extension list (``<extLst>``). Excel 2010 and later keep there what Excel 2007 could not read:

- a list validation whose source is on another sheet (``Listes!$A$2:$A$7``): ``<x14:dataValidations>``, uri
  ``{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}`` — the drop-downs of a cahier from the first templates, once Excel
  saved it;
- a conditional format that refers to another sheet, or uses the 2010 data bars and icon sets:
  ``<x14:conditionalFormattings>``, uri ``{78C0D931-6437-407d-A8EE-F0AAD7539E65}``;
- sparklines, and what later versions add.

openpyxl warns « … extension is not supported and will be removed » and writes the copy without them: the drop-downs
are gone. Without Pillow it also drops, silently, every picture (a school's logo), and with or without it every shape
and text box. Hence the two steps of every copy-writer here:

1. :func:`open_original` — openpyxl's workbook of the teacher's file (the warnings silenced: step 2 answers them);
2. :func:`save_copy` — ``wb.save`` then :func:`put_back`: each worksheet extension of the original that the copy lacks
   is written back into the same sheet of the copy (matched by sheet name: sheets may be added, as the « Erreurs »
   sheet is, or reordered). An extension that points at another part of the package (an ``r:id``: slicers,
   timelines, web extensions) is left out: its part is not in the copy, and a dangling reference makes Excel repair
   the file. The x14 conditional formats keep their place among the sheet's rules: ``ahead`` says how many rules the
   copy-writer put before the original ones (the annotated copy puts one per marked cell first), and their
   priorities move down by as many. A sheet whose drawing lost objects in the copy (pictures, shapes, text boxes;
   openpyxl keeps charts) gets the original's drawing back, with every part it leads to (pictures, charts and
   theirs) under free names, in place of what openpyxl wrote — so a copy-writer must not add drawings of its own.
   What openpyxl rewrites wrong is put back too: a header or footer written without its section codes
   (« Page &P »), a defined name it cannot model (a print area of whole rows, « $1:$30 »; any name the copy lacks
   under the same scope), a hidden chart sheet's state — the original's win over the copy-writer's for these.
   Running every Excel file of XlsxWriter's test suite (988) through a copy with a sheet put first, these were the
   only losses left; none is left now.

What a copy keeps is measured, not assumed: :func:`inventory` reads, from the package's XML alone (not through
openpyxl), per sheet the data validations in either form (by cell range, type and source), the formulas (shared
formulas expanded), the conditional formats in either form, the sheet protection, the print set-up, the frozen
panes, the extensions, the drawing's objects, the sheet's state; and the workbook's defined names (print areas and
titles included) and protection. :func:`losses` lists what the original had and the copy has not; the tests require
it empty.
"""

from __future__ import annotations

import html
import io
import logging
import posixpath
import re
import warnings
import zipfile
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape, quoteattr

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

if TYPE_CHECKING:
    from openpyxl import Workbook

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOCUMENT = f"{REL}/officeDocument"
STRICT_OFFICE_DOCUMENT = "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
XM = "http://schemas.microsoft.com/office/excel/2006/main"
DATA_VALIDATIONS_URI = "{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}"
CONDITIONAL_FORMATS_URI = "{78C0D931-6437-407d-A8EE-F0AAD7539E65}"

# the prefixes Excel uses, so that what is written back reads as Excel wrote it
for _prefix, _uri in (
    ("x", MAIN),  # the Open XML SDK's prefix; an element is named the same prefixed or not
    ("r", REL),
    ("x14", X14),
    ("xm", XM),
    ("x14ac", "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"),
    ("mc", "http://schemas.openxmlformats.org/markup-compatibility/2006"),
    ("x15", "http://schemas.microsoft.com/office/spreadsheetml/2010/11/main"),
):
    ET.register_namespace(_prefix, _uri)

log = logging.getLogger("cahier.package")

# what openpyxl announces it drops and :func:`put_back` puts back
_IGNORED_WARNINGS = (
    r".*extension is not supported and will be removed",
    r"Cannot parse header or footer",
    r"Print area cannot be set to Defined name",
)


# ---------------------------------------------------------------------------
# Writing a copy


def open_original(path: Path, *, keep_vba: bool = False) -> Workbook:
    """openpyxl's workbook of a teacher's file, to be written as a copy with :func:`save_copy` (which puts back the
    extensions and the headers openpyxl announces it drops; its warnings are silenced here for that reason only)."""
    import openpyxl

    with warnings.catch_warnings():
        for message in _IGNORED_WARNINGS:
            warnings.filterwarnings("ignore", message=message, category=UserWarning)
        return openpyxl.load_workbook(path, keep_vba=keep_vba)


def save_copy(wb: Workbook, original: Path, dest: Path, *, ahead: Mapping[str, int] | None = None) -> list[str]:
    """Save ``wb`` (opened from ``original`` with :func:`open_original`, then changed) to ``dest``, and put back into
    ``dest`` the worksheet extensions and drawings of ``original`` openpyxl dropped (see the module's docstring).

    ``ahead``: sheet name → how many conditional-format rules the caller put before the sheet's own (priorities
    1…n); the original's x14 rules move down by as many, as openpyxl's own rules were moved by the caller. Use it
    for every copy of a teacher's workbook: ``dest`` is written in place (give a temporary path, e.g.
    :func:`workbook_tools.files.atomic_path`'s). → the names of the sheets that got parts back. When the original
    cannot be read again for that (it changed meanwhile, a part is not well-formed), the copy stays as openpyxl
    wrote it and a warning is logged (``cahier.package``): a copy with less in it still answers the teacher."""
    wb.save(dest)
    try:
        return put_back(original, dest, ahead=ahead)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, SafeET.ParseError, DefusedXmlException) as exc:
        # the copy stays as openpyxl wrote it: a copy with less in it still answers the teacher
        log.warning("could not put back what openpyxl dropped from %s: %r", original.name, exc)
        return []


def put_back(original: Path, copy: Path, *, ahead: Mapping[str, int] | None = None) -> list[str]:
    """Put into ``copy`` (in place) the worksheet extensions, drawings, headers and footers, sheet states and defined
    names of ``original`` it lacks; → the sheets that got something back."""
    was = _read(original)
    before = _sheets(was)
    wanted = {name: _extensions(was[sheet.part]) for name, sheet in before.items()}
    drawings = {name: _drawing(was, sheet.part) for name, sheet in before.items()}
    now = _read(copy)
    after = _sheets(now)
    restored = []
    for name in before:
        target = after.get(name)
        if target is None:
            continue
        changed = False
        drawing = drawings[name]
        if drawing is not None and _anchors(was, drawing) != _anchors(now, _drawing(now, target.part)):
            _put_drawing_back(was, drawing, now, target.part)
            changed = True
        present = {ext.get("uri", "").upper() for ext in _extensions(now[target.part])}
        missing = [e for e in wanted[name] if e.get("uri", "").upper() not in present and _self_contained(e)]
        if missing:
            shift = (ahead or {}).get(name, 0)
            for ext in missing:
                for rule in ext.iter(f"{{{X14}}}cfRule"):
                    if shift and rule.get("priority", "").isdigit():
                        rule.set("priority", str(int(rule.get("priority", "0")) + shift))
            now[target.part] = _insert(now[target.part], missing)
            changed = True
        if _header_footer(was[before[name].part]) != _header_footer(now[target.part]):
            now[target.part] = _put_header_footer_back(was[before[name].part], now[target.part])
            changed = True
        if changed:
            restored.append(name)
    book = _workbook_back(was, now, before, after)
    if restored or book:
        _write(copy, now)
    return restored


def _read(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist() if not info.is_dir()}


def _write(path: Path, parts: Mapping[str, bytes]) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)
    path.write_bytes(buffer.getvalue())


def _extensions(xml: bytes) -> list[Any]:
    """The ``<ext>`` elements of a worksheet's own ``<extLst>`` (its last child)."""
    if b"extLst" not in xml:
        return []
    root = SafeET.fromstring(xml)
    lst = root.find(f"{{{MAIN}}}extLst")
    return [] if lst is None else list(lst)


def _self_contained(ext: Any) -> bool:
    """No reference to another part of the package (``r:id`` and the like)."""
    return not any(key.startswith(f"{{{REL}}}") for element in ext.iter() for key in element.attrib)


def _insert(xml: bytes, exts: list[Any]) -> bytes:
    """``xml`` (a worksheet) with ``exts`` appended to its ``<extLst>``, made when it has none (its last child)."""
    fragment = "".join(ET.tostring(ext, encoding="unicode") for ext in exts).encode()
    text = xml.rstrip()
    close = re.search(rb"</(?:[\w.-]+:)?worksheet>$", text)
    if close is None:
        raise ValueError("not a worksheet")
    lst = re.search(rb"</(?:[\w.-]+:)?extLst>\s*$", text[: close.start()])
    if lst is not None:  # an extension list already: ours go at its end
        return text[: lst.start()] + fragment + text[lst.start() :]
    wrapper = f'<x:extLst xmlns:x="{MAIN}">'.encode() + fragment + b"</x:extLst>"  # whatever the root's prefixes
    return text[: close.start()] + wrapper + text[close.start() :]


DRAWING_REL = f"{REL}/drawing"
XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
_ANCHORS = ("twoCellAnchor", "oneCellAnchor", "absoluteAnchor")
_KINDS = {"pic": "picture", "graphicFrame": "chart", "sp": "shape", "grpSp": "group", "cxnSp": "connector"}
# where <drawing> goes in a worksheet: before the first of these
_AFTER_DRAWING = (
    "legacyDrawing",
    "legacyDrawingHF",
    "drawingHF",
    "picture",
    "oleObjects",
    "controls",
    "webPublishItems",
    "tableParts",
    "extLst",
)


def _later(xml: bytes, names: tuple[str, ...]) -> int:
    """Where an element goes that comes before every one of ``names`` in a worksheet: before the first present."""
    later = re.search(rb"<(?:[\w.-]+:)?(?:" + "|".join(names).encode() + rb")[\s/>]", xml)
    return later.start() if later is not None else xml.rstrip().rindex(b"</")


# ---------------------------------------------------------------------------
# Headers and footers, sheet states, defined names: what openpyxl rewrites and sometimes loses (a header without
# its section codes, « Page &P »; a hidden chart sheet; a print area of whole rows, « $1:$1 »)

_HEADER_FOOTER = re.compile(
    rb"<(?:[\w.-]+:)?(oddHeader|oddFooter|evenHeader|evenFooter|firstHeader|firstFooter)>([^<]*)<"
)
_AFTER_HEADER_FOOTER = (
    "rowBreaks",
    "colBreaks",
    "customProperties",
    "cellWatches",
    "ignoredErrors",
    "smartTags",
    "drawing",
    *_AFTER_DRAWING,
)


def _header_footer(xml: bytes) -> dict[str, str]:
    return {m.group(1).decode(): html.unescape(m.group(2).decode()) for m in _HEADER_FOOTER.finditer(xml)}


def _put_header_footer_back(original: bytes, xml: bytes) -> bytes:
    """``xml`` (the copy's sheet) with the original's ``<headerFooter>`` in place of its own."""
    xml = re.sub(
        rb"<(?:[\w.-]+:)?headerFooter\b[^>]*/>|<(?:[\w.-]+:)?headerFooter\b.*?</(?:[\w.-]+:)?headerFooter>",
        b"",
        xml,
        count=1,
        flags=re.DOTALL,
    )
    element = SafeET.fromstring(original).find(f"{{{MAIN}}}headerFooter")
    if element is None:
        return xml
    element.tail = None
    at = _later(xml, _AFTER_HEADER_FOOTER)
    return xml[:at] + ET.tostring(element, encoding="unicode").encode() + xml[at:]


def _workbook_back(
    was: Mapping[str, bytes], now: dict[str, bytes], before: Mapping[str, _Sheet], after: Mapping[str, _Sheet]
) -> bool:
    """The sheets' states and the defined names of the original that the copy lost, put back into its workbook part.
    A name the copy has under the same scope is left as the copy-writer made it."""
    part = _workbook_part(now)
    xml = now[part]
    for name, sheet in before.items():
        if name in after and after[name].state != sheet.state:
            xml = _set_state(xml, name, sheet.state)
    have = {(name, scope) for name, scope, _ in _defined_names(now, after)}
    missing = []
    for name, scope, element in _defined_names(was, before):
        if (name, scope) in have or (scope and scope not in after):
            continue
        attrs = {k: v for k, v in element.attrib.items() if k != "localSheetId"}
        if scope:
            attrs["localSheetId"] = str(after[scope].index)
        text = " ".join(f"{k}={quoteattr(v)}" for k, v in attrs.items() if not k.startswith("{"))
        missing.append(f"<x:definedName {text}>{escape(element.text or '')}</x:definedName>")
    if missing:
        names = "".join(missing).replace("<x:definedName ", f'<x:definedName xmlns:x="{MAIN}" ').encode()
        end = re.search(rb"</(?:[\w.-]+:)?definedNames>", xml)
        if end is not None:
            xml = xml[: end.start()] + names + xml[end.start() :]
        else:
            sheets = re.search(rb"</(?:[\w.-]+:)?sheets>", xml)
            if sheets is None:
                raise ValueError("not a workbook")
            block = f'<x:definedNames xmlns:x="{MAIN}">'.encode() + names + b"</x:definedNames>"
            xml = xml[: sheets.end()] + block + xml[sheets.end() :]
    if xml == now[part]:
        return False
    now[part] = xml
    return True


def _defined_names(parts: Mapping[str, bytes], sheets: Mapping[str, _Sheet]) -> list[tuple[str, str, Any]]:
    """(name, the sheet it belongs to or "" for the workbook, its element)."""
    by_index = {sheet.index: name for name, sheet in sheets.items()}
    out = []
    for dn in SafeET.fromstring(parts[_workbook_part(parts)]).iter(f"{{{MAIN}}}definedName"):
        local = dn.get("localSheetId")
        scope = by_index.get(int(local), f"#{local}") if local is not None and local.isdigit() else ""
        out.append((dn.get("name", ""), scope, dn))
    return out


def _set_state(xml: bytes, name: str, state: str) -> bytes:
    for tag in re.finditer(rb"<(?:[\w.-]+:)?sheet\b[^>]*>", xml):
        found = re.search(rb'\bname="([^"]*)"', tag.group(0))
        if found is None or html.unescape(found.group(1).decode()) != name:
            continue
        if re.search(rb'\bstate="', tag.group(0)):
            new = re.sub(rb'\bstate="[^"]*"', f'state="{state}"'.encode(), tag.group(0))
        else:
            new = tag.group(0).replace(b"sheet ", f'sheet state="{state}" '.encode(), 1)
        return xml[: tag.start()] + new + xml[tag.end() :]
    return xml


# ---------------------------------------------------------------------------
# Drawings: pictures, shapes, text boxes, charts


def _drawing(parts: Mapping[str, bytes], sheet: str | None) -> str | None:
    """The drawing part of a worksheet, if it has one."""
    if sheet is None or sheet not in parts or b"drawing" not in parts[sheet]:
        return None
    element = SafeET.fromstring(parts[sheet]).find(f"{{{MAIN}}}drawing")
    if element is None:
        return None
    found = _targets(parts, sheet).get(element.get(f"{{{REL}}}id", ""))
    return found if found in parts else None


def _anchors(parts: Mapping[str, bytes], drawing: str | None) -> list[str]:
    """What a drawing holds, one word an object (picture, chart, shape, group, connector), sorted."""
    if drawing is None or drawing not in parts:
        return []
    kinds = []
    for anchor in SafeET.fromstring(parts[drawing]):
        if anchor.tag.removeprefix(f"{{{XDR}}}") in _ANCHORS:
            tags = [child.tag.removeprefix(f"{{{XDR}}}") for child in anchor]
            kinds += [_KINDS[t] for t in tags if t in _KINDS] or ["other"]
    return sorted(kinds)


def _put_drawing_back(was: Mapping[str, bytes], drawing: str, now: dict[str, bytes], sheet: str) -> None:
    """The original's ``drawing`` and every part it leads to (pictures, charts and theirs) copied into ``now`` under
    free names, and given to the copy's ``sheet`` in place of what openpyxl wrote (which is removed)."""
    mine = _drawing(now, sheet)
    if mine is not None:
        for part in _closure(now, mine):
            now.pop(part, None)
            now.pop(_rels_path(part), None)
            _content_type(now, part, None)
    renamed: dict[str, str] = {}
    for part in _closure(was, drawing):
        renamed[part] = _free_name(now, part)
        now[renamed[part]] = was[part]
    for old, new in renamed.items():
        _content_type(now, new, _override(was, old))
        _default_type(now, was, new)
        if _rels_path(old) in was:
            now[_rels_path(new)] = _renamed_rels(was, old, new, renamed)
    target = posixpath.relpath(renamed[drawing], posixpath.dirname(sheet))
    _link(now, sheet, target)


def _closure(parts: Mapping[str, bytes], start: str) -> list[str]:
    """``start`` and every part of the package its relationships lead to, transitively."""
    seen = [start]
    for part in seen:
        for target in _targets(parts, part).values():
            if target in parts and target not in seen:
                seen.append(target)
    return seen


def _rels_path(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def _free_name(parts: Mapping[str, bytes], part: str) -> str:
    stem, ext = posixpath.splitext(part)
    name, n = part, 0
    while name in parts:
        n += 1
        name = f"{stem}_{n}{ext}"
    return name


def _renamed_rels(was: Mapping[str, bytes], old: str, new: str, renamed: Mapping[str, str]) -> bytes:
    """The relationships of ``old``, as those of ``new``: targets inside the package follow their renaming."""
    folder = posixpath.dirname(old)
    rels = []
    for rel in SafeET.fromstring(was[_rels_path(old)]).iter(f"{{{PACKAGE_REL}}}Relationship"):
        attrs = dict(rel.attrib)
        if attrs.get("TargetMode") != "External":
            target = attrs.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            if path in renamed:
                attrs["Target"] = posixpath.relpath(renamed[path], posixpath.dirname(new))
        rels.append("<Relationship " + " ".join(f"{k}={quoteattr(v)}" for k, v in attrs.items()) + "/>")
    return _rels_xml(rels)


def _rels_xml(rels: list[str]) -> bytes:
    head = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PACKAGE_REL}">'
    return (head + "".join(rels) + "</Relationships>").encode()


def _link(now: dict[str, bytes], sheet: str, target: str) -> None:
    """Make ``target`` (relative to the sheet) the sheet's drawing: its existing ``<drawing>`` relationship retargeted,
    or a new relationship and a ``<drawing>`` element at its place in the sheet."""
    rels_path = _rels_path(sheet)
    rels = now.get(rels_path, _rels_xml([]))
    element = SafeET.fromstring(now[sheet]).find(f"{{{MAIN}}}drawing")
    if element is not None:
        rid = element.get(f"{{{REL}}}id", "")
        pattern = re.compile(rb'<Relationship\b[^>]*\bId="' + re.escape(rid.encode()) + rb'"[^>]*>')
        found = pattern.search(rels)
        if found is not None:
            tag = re.sub(rb'\bTarget="[^"]*"', b"Target=" + quoteattr(target).encode(), found.group(0))
            now[rels_path] = rels[: found.start()] + tag + rels[found.end() :]
            return
    ids = set(re.findall(rb'\bId="([^"]*)"', rels))
    rid = next(f"rId{n}" for n in range(1, len(ids) + 2) if f"rId{n}".encode() not in ids)
    rel = f'<Relationship Id="{rid}" Type="{DRAWING_REL}" Target={quoteattr(target)}/>'.encode()
    now[rels_path] = rels.replace(b"</Relationships>", rel + b"</Relationships>")
    xml = now[sheet]
    tag = f'<x:drawing xmlns:x="{MAIN}" xmlns:r="{REL}" r:id="{rid}"/>'.encode()
    at = _later(xml, _AFTER_DRAWING)
    now[sheet] = xml[:at] + tag + xml[at:]


_TYPES = "[Content_Types].xml"


def _override(parts: Mapping[str, bytes], part: str) -> str | None:
    found = re.search(rb'<Override\b[^>]*\bPartName="/' + re.escape(part.encode()) + rb'"[^>]*>', parts[_TYPES])
    kind = re.search(rb'\bContentType="([^"]*)"', found.group(0)) if found else None
    return kind.group(1).decode() if kind else None


def _content_type(parts: dict[str, bytes], part: str, kind: str | None) -> None:
    """Set (or, ``kind`` None, remove) the content type given to ``part`` by name."""
    types = re.sub(rb'<Override\b[^>]*\bPartName="/' + re.escape(part.encode()) + rb'"[^>]*/>', b"", parts[_TYPES])
    if kind is not None:
        override = f"<Override PartName={quoteattr('/' + part)} ContentType={quoteattr(kind)}/>".encode()
        types = types.replace(b"</Types>", override + b"</Types>")
    parts[_TYPES] = types


def _default_type(now: dict[str, bytes], was: Mapping[str, bytes], part: str) -> None:
    """The content type of ``part``'s extension (a picture's ``png``), from the original, when the copy lacks it."""
    ext = posixpath.splitext(part)[1].lstrip(".").encode()
    pattern = rb'<Default\b[^>]*\bExtension="' + re.escape(ext) + rb'"[^>]*/>'
    if not ext or re.search(pattern, now[_TYPES], re.IGNORECASE):
        return
    found = re.search(pattern, was[_TYPES], re.IGNORECASE)
    if found is not None:
        now[_TYPES] = now[_TYPES].replace(b"</Types>", found.group(0) + b"</Types>")


# ---------------------------------------------------------------------------
# The package's sheets


@dataclass(frozen=True)
class _Sheet:
    part: str
    index: int
    state: str


def _sheets(parts: Mapping[str, bytes]) -> dict[str, _Sheet]:
    """Sheet name → its part, position and state, from the workbook part and its relationships (chart sheets too)."""
    book = _workbook_part(parts)
    targets = _targets(parts, book)
    root = SafeET.fromstring(parts[book])
    out: dict[str, _Sheet] = {}
    for index, sheet in enumerate(root.iter(f"{{{MAIN}}}sheet")):
        part = targets.get(sheet.get(f"{{{REL}}}id", ""))
        if part is not None and part in parts:
            out[sheet.get("name", "")] = _Sheet(part, index, sheet.get("state", "visible"))
    return out


def _workbook_part(parts: Mapping[str, bytes]) -> str:
    for rel in SafeET.fromstring(parts["_rels/.rels"]).iter(f"{{{PACKAGE_REL}}}Relationship"):
        if rel.get("Type") in (OFFICE_DOCUMENT, STRICT_OFFICE_DOCUMENT):
            return str(rel.get("Target", "")).lstrip("/")
    return "xl/workbook.xml"


def _targets(parts: Mapping[str, bytes], part: str) -> dict[str, str]:
    """Relationship id → target part, for ``part`` (external targets left out)."""
    rels = _rels_path(part)
    if rels not in parts:
        return {}
    folder = posixpath.dirname(part)
    out = {}
    for rel in SafeET.fromstring(parts[rels]).iter(f"{{{PACKAGE_REL}}}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[rel.get("Id", "")] = path
    return out


# ---------------------------------------------------------------------------
# Measuring what a copy keeps

_PROTECTION_DEFAULTS = {
    "sheet": False,
    "objects": False,
    "scenarios": False,
    "formatCells": True,
    "formatColumns": True,
    "formatRows": True,
    "insertColumns": True,
    "insertRows": True,
    "insertHyperlinks": True,
    "deleteColumns": True,
    "deleteRows": True,
    "selectLockedCells": False,
    "sort": True,
    "autoFilter": True,
    "pivotTables": True,
    "selectUnlockedCells": False,
}
_PAGE_SETUP_DEFAULTS = {
    "orientation": "default",
    "fitToWidth": "1",
    "fitToHeight": "1",
    "scale": "100",
    "paperSize": "1",
    "pageOrder": "downThenOver",
}
_PRINT_OPTIONS = ("gridLines", "headings", "horizontalCentered", "verticalCentered")


@dataclass(frozen=True)
class SheetParts:
    """What a teacher set up on one sheet, as comparable values."""

    state: str = "visible"
    validations: frozenset[tuple[str, ...]] = frozenset()  # (cells, type, operator, formula1, formula2, no arrow)
    formulas: Mapping[str, str] = field(default_factory=dict)  # cell → formula, shared ones expanded
    conditional_formats: frozenset[tuple[str, ...]] = frozenset()  # (cells, type, operator, formulas…)
    protection: Mapping[str, str] = field(default_factory=dict)
    print_setup: Mapping[str, str] = field(default_factory=dict)
    panes: Mapping[str, str] = field(default_factory=dict)
    extensions: frozenset[str] = frozenset()  # the uris of its <extLst>
    drawing: tuple[str, ...] = ()  # its pictures, charts, shapes…: one word each, sorted


@dataclass(frozen=True)
class Inventory:
    sheets: Mapping[str, SheetParts]
    names: frozenset[tuple[str, str, str]]  # (name, its sheet or "" for the workbook, what it refers to)
    protection: Mapping[str, str]


def inventory(path: Path) -> Inventory:
    """What :func:`losses` compares, read from the package's XML (see the module's docstring)."""
    parts = _read(path)
    sheets = _sheets(parts)
    names = {(name, scope, _reference(name, dn.text or "")) for name, scope, dn in _defined_names(parts, sheets)}
    protection = SafeET.fromstring(parts[_workbook_part(parts)]).find(f"{{{MAIN}}}workbookProtection")
    found = {
        name: _sheet_parts(parts[sheet.part], sheet.state, _anchors(parts, _drawing(parts, sheet.part)))
        for name, sheet in sheets.items()
    }
    return Inventory(found, frozenset(names), dict(protection.attrib) if protection is not None else {})


def losses(original: Path, copy: Path) -> list[str]:
    """What ``original`` has and ``copy`` lost, one line each (English: for tests and logs). Additions are not losses:
    the annotated copy adds a sheet, comments, fills, conditional formats."""
    was, now = inventory(original), inventory(copy)
    lost: list[str] = []
    for name, before in was.sheets.items():
        after = now.sheets.get(name)
        if after is None:
            lost.append(f"{name}: the sheet")
            continue
        lost += [f"{name}: validation {v}" for v in sorted(before.validations - after.validations)]
        lost += [
            f"{name}: conditional format {c}" for c in sorted(before.conditional_formats - after.conditional_formats)
        ]
        lost += [f"{name}: extension {uri}" for uri in sorted(before.extensions - after.extensions)]
        lost += [
            f"{name}: {kind} (drawing)"
            for kind in sorted((Counter(before.drawing) - Counter(after.drawing)).elements())
        ]
        formulas = [cell for cell, f in before.formulas.items() if after.formulas.get(cell) != f]
        if formulas:
            first = formulas[0]
            lost.append(
                f"{name}: {len(formulas)} formula(s), e.g. {first} {before.formulas[first]!r} → "
                f"{after.formulas.get(first)!r}"
            )
        for what, a, b in (
            ("state", {"state": before.state}, {"state": after.state}),
            ("protection", before.protection, after.protection),
            ("print set-up", before.print_setup, after.print_setup),
            ("panes", before.panes, after.panes),
        ):
            if a != b:
                lost.append(f"{name}: {what} {dict(a)} → {dict(b)}")
    lost += [f"defined name {n}" for n in sorted(was.names - now.names)]
    if was.protection != now.protection:
        lost.append(f"workbook protection {dict(was.protection)} → {dict(now.protection)}")
    return lost


def _sheet_parts(xml: bytes, state: str, drawing: list[str]) -> SheetParts:
    root = SafeET.fromstring(xml)
    return SheetParts(
        state=state,
        drawing=tuple(drawing),
        validations=frozenset(_validations(root)),
        formulas=_formulas(root),
        conditional_formats=frozenset(_conditional_formats(root)),
        protection=_protection(root.find(f"{{{MAIN}}}sheetProtection")),
        print_setup=_print_setup(root),
        panes=_panes(root),
        extensions=frozenset(ext.get("uri", "").upper() for ext in root.findall(f"{{{MAIN}}}extLst/{{{MAIN}}}ext")),
    )


def _cells(sqref: str) -> str:
    return " ".join(sorted(sqref.replace("$", "").split()))


def _formula(text: str | None) -> str:
    return (text or "").strip().removeprefix("=")


def _validations(root: Any) -> Iterator[tuple[str, ...]]:
    def key(dv: Any, sqref: str, f1: str | None, f2: str | None) -> tuple[str, ...]:
        kind = dv.get("type", "none")
        operator = dv.get("operator", "between") if kind not in ("none", "list", "custom") else ""
        second = _formula(f2) if kind not in ("none", "list", "custom") else ""  # LibreOffice writes a list's as 0
        no_arrow = "no arrow" if dv.get("showDropDown") in ("1", "true") else ""
        return (_cells(sqref), kind, operator, _formula(f1), second, no_arrow)

    for dv in root.iter(f"{{{MAIN}}}dataValidation"):
        yield key(dv, dv.get("sqref", ""), dv.findtext(f"{{{MAIN}}}formula1"), dv.findtext(f"{{{MAIN}}}formula2"))
    for dv in root.iter(f"{{{X14}}}dataValidation"):
        f1 = dv.findtext(f"{{{X14}}}formula1/{{{XM}}}f")
        f2 = dv.findtext(f"{{{X14}}}formula2/{{{XM}}}f")
        yield key(dv, dv.findtext(f"{{{XM}}}sqref") or "", f1, f2)


def _conditional_formats(root: Any) -> Iterator[tuple[str, ...]]:
    for cf in root.iter(f"{{{MAIN}}}conditionalFormatting"):
        for rule in cf.iter(f"{{{MAIN}}}cfRule"):
            formulas = tuple(_formula(f.text) for f in rule.iter(f"{{{MAIN}}}formula"))
            yield (_cells(cf.get("sqref", "")), rule.get("type", ""), rule.get("operator", ""), *formulas)
    for cf in root.iter(f"{{{X14}}}conditionalFormatting"):
        cells = _cells(cf.findtext(f"{{{XM}}}sqref") or "")
        for rule in cf.iter(f"{{{X14}}}cfRule"):
            formulas = tuple(_formula(f.text) for f in rule.findall(f"{{{XM}}}f"))
            yield (cells, rule.get("type", ""), rule.get("operator", ""), *formulas)


def _formulas(root: Any) -> dict[str, str]:
    from openpyxl.formula.translate import Translator

    out: dict[str, str] = {}
    shared: dict[str, Translator] = {}  # si → the formula of its first cell, ready to move
    for c in root.iter(f"{{{MAIN}}}c"):
        f = c.find(f"{{{MAIN}}}f")
        if f is None:
            continue
        ref, kind, text = c.get("r", ""), f.get("t", "normal"), _formula(f.text)
        if kind == "shared":
            si = f.get("si", "")
            if text:
                shared[si] = Translator(f"={text}", origin=ref)
            elif si in shared:
                text = _formula(shared[si].translate_formula(ref))
        elif kind == "array":
            text = f"{{{text}}}"
        elif kind == "dataTable":
            text = "TABLE(" + ",".join(f"{k}={v}" for k, v in sorted(f.attrib.items())) + ")"
        out[ref] = text
    return out


def _flag(value: str | None, default: bool) -> bool:
    return default if value is None else value in ("1", "true")


def _protection(element: Any) -> dict[str, str]:
    if element is None:
        return {}
    out = {key: str(_flag(element.get(key), default)) for key, default in _PROTECTION_DEFAULTS.items()}
    for key in ("password", "algorithmName", "hashValue", "saltValue", "spinCount"):
        if element.get(key):
            out[key] = element.get(key)
    return out


def _print_setup(root: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    setup = root.find(f"{{{MAIN}}}pageSetup")
    for key, default in _PAGE_SETUP_DEFAULTS.items():
        out[key] = default if setup is None else setup.get(key, default)
    fit = root.find(f"{{{MAIN}}}sheetPr/{{{MAIN}}}pageSetUpPr")
    out["fitToPage"] = str(_flag(None if fit is None else fit.get("fitToPage"), False))
    options = root.find(f"{{{MAIN}}}printOptions")
    for key in _PRINT_OPTIONS:
        out[key] = str(_flag(None if options is None else options.get(key), False))
    margins = root.find(f"{{{MAIN}}}pageMargins")
    if margins is not None:
        for key, value in sorted(margins.attrib.items()):
            out[f"margin {key}"] = f"{float(value):.3f}"
    for tag in ("oddHeader", "oddFooter", "evenHeader", "evenFooter", "firstHeader", "firstFooter"):
        text = root.findtext(f"{{{MAIN}}}headerFooter/{{{MAIN}}}{tag}")
        if text:
            out[tag] = text
    return out


def _panes(root: Any) -> dict[str, str]:
    pane = root.find(f"{{{MAIN}}}sheetViews/{{{MAIN}}}sheetView/{{{MAIN}}}pane")
    if pane is None or (pane.get("state", "split") == "split" and not (pane.get("xSplit") or pane.get("ySplit"))):
        return {}
    return {
        "xSplit": pane.get("xSplit", "0"),
        "ySplit": pane.get("ySplit", "0"),
        "topLeftCell": pane.get("topLeftCell", ""),
        "state": pane.get("state", "split"),
    }


_QUOTED_SHEET = re.compile(r"'([^\W\d][\w.]*)'!")


def _reference(name: str, text: str) -> str:
    """A defined name's reference, written one way: no quotes a sheet name does not need, print titles in order."""
    text = _QUOTED_SHEET.sub(r"\1!", _formula(text))
    if name.startswith("_xlnm."):
        text = ",".join(sorted(text.split(",")))
    return text

"""A workbook rewritten the way Excel (2010 and later) saves it, at the XML level: nothing here runs Excel.

:func:`excel_style` takes a package written by xlsxwriter or openpyxl (the template, a filled cahier) and writes what
Excel's « Enregistrer » makes of it, in the forms that trip other readers:

- a list validation whose source is on another sheet moves into the sheet's extension list
  (``<extLst><ext uri="{CCE6A557-…}"><x14:dataValidations>`` with ``<xm:f>`` and ``<xm:sqref>``); one whose source is
  a workbook-level defined name stays in ``<dataValidations>`` — Excel's own rule. ``resolve_names=True`` first
  replaces a defined-name source by its range: the drop-downs of the templates before issue 18, which Excel moved;
- a conditional format referring to another sheet moves into ``<x14:conditionalFormattings>`` (its format inline,
  ``<x14:dxf>``); ``teacher_rule=True`` adds one such rule on the Journal (« a mode not in the list »), as a teacher
  might, for there is none in the template;
- the formulas of consecutive rows that are one formula copied down become one shared formula
  (``<f t="shared" ref="Q4:Q1003" si="0">…</f>``, then ``<f t="shared" si="0"/>``);
- every other text cell becomes an inline string (``t="inlineStr"``, ``<is><t>``), the rest stay shared strings;
- a ``xl/calcChain.xml`` (listed in ``[Content_Types].xml`` and the workbook's relationships) naming every formula;
- Excel's decorations: ``mc:Ignorable="x14ac xr"``, ``xr:uid`` and ``x14ac:dyDescent``, the workbook's
  ``x15ac:absPath`` and ``calcPr calcId``, the style sheet's x14/x15 extension list, ``docProps/app.xml`` naming
  Microsoft Excel 16. The theme xlsxwriter writes is already Excel's default Office theme.
"""

from __future__ import annotations

import io
import posixpath
import re
import uuid
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from openpyxl.formula.translate import Translator
from openpyxl.utils.cell import coordinate_from_string

from workbook_tools.package import MAIN, REL, X14, XM

MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
X14AC = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"
XR = "http://schemas.microsoft.com/office/spreadsheetml/2014/revision"
X15AC = "http://schemas.microsoft.com/office/spreadsheetml/2010/11/ac"
X15 = "http://schemas.microsoft.com/office/spreadsheetml/2010/11/main"
CALC_CHAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"
for prefix, uri in (("mc", MC), ("x14ac", X14AC), ("xr", XR), ("x14", X14), ("xm", XM), ("r", REL)):
    ET.register_namespace(prefix, uri)
ET.register_namespace("", MAIN)  # SpreadsheetML as the default namespace, as Excel writes it

TEACHER_RULE = 'AND(C4<>"",COUNTIF(Listes!$A$2:$A$7,C4)=0)'


def q(tag: str, ns: str = MAIN) -> str:
    return f"{{{ns}}}{tag}"


def excel_style(src: Path, dest: Path, *, resolve_names: bool = False, teacher_rule: bool = False) -> Path:
    """Write ``src`` as Excel would save it to ``dest`` (see the module's docstring) → ``dest``."""
    with zipfile.ZipFile(src) as zf:
        parts = {info.filename: zf.read(info) for info in zf.infolist()}
    book = ET.fromstring(parts["xl/workbook.xml"])
    rels = ET.fromstring(parts["xl/_rels/workbook.xml.rels"])
    targets = {r.get("Id"): _target(r.get("Target", "")) for r in rels}
    names = {dn.get("name", ""): dn.text or "" for dn in book.iter(q("definedName")) if dn.get("localSheetId") is None}
    strings = _shared_strings(parts.get("xl/sharedStrings.xml"))
    dxfs = list(ET.fromstring(parts["xl/styles.xml"]).iter(q("dxf")))
    chain: list[tuple[str, str]] = []
    for sheet in book.iter(q("sheet")):
        part = targets[sheet.get(q("id", REL))]
        root = ET.fromstring(parts[part])
        extensions: list[ET.Element] = []
        _move_validations(root, extensions, names if resolve_names else {})
        _move_conditional_formats(root, extensions, dxfs, teacher_rule and sheet.get("name") == "Journal")
        if extensions:
            lst = root.find(q("extLst"))
            if lst is None:
                lst = ET.SubElement(root, q("extLst"))
            lst.extend(extensions)
        _share_formulas(root)
        _inline_strings(root, strings)
        _decorate(root)
        chain += [(c.get("r", ""), sheet.get("sheetId", "")) for c in root.iter(q("c")) if c.find(q("f")) is not None]
        parts[part] = _xml(root)
    parts["xl/calcChain.xml"] = _calc_chain(chain)
    _declare_calc_chain(parts)
    parts["xl/workbook.xml"] = _excel_workbook(book)
    parts["xl/styles.xml"] = _excel_styles(parts["xl/styles.xml"])
    parts["docProps/app.xml"] = _app(parts.get("docProps/app.xml"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)
    dest.write_bytes(buffer.getvalue())
    return dest


def _target(target: str) -> str:
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))


def _xml(root: ET.Element) -> bytes:
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n' + body).encode()


def _shared_strings(data: bytes | None) -> list[str]:
    if data is None:
        return []
    return ["".join(t.text or "" for t in si.iter(q("t"))) for si in ET.fromstring(data).iter(q("si"))]


def _move_validations(root: ET.Element, extensions: list[ET.Element], names: dict[str, str]) -> None:
    block = root.find(q("dataValidations"))
    if block is None:
        return
    moved = []
    for dv in list(block):
        f1 = dv.find(q("formula1"))
        if dv.get("type") != "list" or f1 is None or not f1.text:
            continue
        source = names.get(f1.text.strip(), f1.text).removeprefix("=")
        if "!" not in source:  # a defined name or a list on the same sheet: Excel keeps it here
            continue
        block.remove(dv)
        x = ET.Element(q("dataValidation", X14), {k: v for k, v in dv.attrib.items() if k != "sqref"})
        ET.SubElement(ET.SubElement(x, q("formula1", X14)), q("f", XM)).text = source
        ET.SubElement(x, q("sqref", XM)).text = dv.get("sqref", "")
        moved.append(x)
    if not moved:
        return
    if len(block):
        block.set("count", str(len(block)))
    else:
        root.remove(block)
    ext = ET.Element(q("ext"), {"uri": "{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}"})
    holder = ET.SubElement(ext, q("dataValidations", X14), {"count": str(len(moved))})
    holder.extend(moved)
    extensions.append(ext)


def _move_conditional_formats(
    root: ET.Element, extensions: list[ET.Element], dxfs: list[ET.Element], teacher_rule: bool
) -> None:
    moved = []
    for cf in list(root.findall(q("conditionalFormatting"))):
        for rule in list(cf.findall(q("cfRule"))):
            formulas = [f.text or "" for f in rule.findall(q("formula"))]
            if rule.get("type") == "expression" and any("!" in f for f in formulas):
                cf.remove(rule)
                moved.append((cf.get("sqref", ""), rule.get("priority", "1"), formulas, _dxf(dxfs, rule)))
        if not len(cf):
            root.remove(cf)
    if teacher_rule:
        last = max((int(r.get("priority", "0")) for r in root.iter(q("cfRule"))), default=0)
        fill = ET.Element(q("dxf"))
        pattern = ET.SubElement(ET.SubElement(fill, q("fill")), q("patternFill"))
        ET.SubElement(pattern, q("bgColor"), {"rgb": "FFFFEB9C"})
        moved.append(("C4:C1003", str(last + 1), [TEACHER_RULE], fill))
    if not moved:
        return
    ext = ET.Element(q("ext"), {"uri": "{78C0D931-6437-407d-A8EE-F0AAD7539E65}"})
    holder = ET.SubElement(ext, q("conditionalFormattings", X14))
    for sqref, priority, formulas, dxf in moved:
        cf = ET.SubElement(holder, q("conditionalFormatting", X14))
        rule = ET.SubElement(
            cf, q("cfRule", X14), {"type": "expression", "priority": priority, "id": f"{{{uuid.uuid4()}}}".upper()}
        )
        for f in formulas:
            ET.SubElement(rule, q("f", XM)).text = f
        inline = ET.SubElement(rule, q("dxf", X14))
        inline.extend(list(dxf))
        ET.SubElement(cf, q("sqref", XM)).text = sqref
    extensions.append(ext)


def _dxf(dxfs: list[ET.Element], rule: ET.Element) -> ET.Element:
    index = rule.get("dxfId")
    return dxfs[int(index)] if index is not None and int(index) < len(dxfs) else ET.Element(q("dxf"))


def _share_formulas(root: ET.Element) -> None:
    """The formulas copied down a column become shared formulas, as Excel stores a fill-down."""
    groups: dict[str, dict[str, Any]] = {}  # column → the group being built
    done: list[dict[str, Any]] = []
    si = 0
    for c in root.iter(q("c")):
        f = c.find(q("f"))
        if f is None or f.attrib or not f.text:
            continue
        ref = c.get("r", "")
        column, row = coordinate_from_string(ref)
        group = groups.get(column)
        if group is not None and group["last"] == row - 1:
            expected = group["translator"].translate_formula(ref)[1:]
            if expected == f.text:
                group["cells"].append(f)
                group["last"] = row
                continue
        if group is not None:
            done.append(group)
        translator = Translator(f"={f.text}", origin=ref)
        groups[column] = {"translator": translator, "first": ref, "last": row, "cells": [f], "column": column}
    for group in [*done, *groups.values()]:
        if len(group["cells"]) < 2:
            continue
        master, *others = group["cells"]
        master.set("t", "shared")
        master.set("ref", f"{group['first']}:{group['column']}{group['last']}")
        master.set("si", str(si))
        for f in others:
            f.text = None
            f.set("t", "shared")
            f.set("si", str(si))
        si += 1


def _inline_strings(root: ET.Element, strings: list[str]) -> None:
    """Every other text cell written inline (``t="inlineStr"``), the others left in the shared strings."""
    n = 0
    for c in root.iter(q("c")):
        v = c.find(q("v"))
        if c.get("t") != "s" or v is None or not (v.text or "").isdigit():
            continue
        n += 1
        if n % 2:
            continue
        c.remove(v)
        c.set("t", "inlineStr")
        t = ET.SubElement(ET.SubElement(c, q("is")), q("t"))
        t.text = strings[int(v.text or "0")]
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def _decorate(root: ET.Element) -> None:
    root.set(q("Ignorable", MC), "x14ac xr")
    root.set(q("uid", XR), f"{{{uuid.uuid4()}}}".upper())
    fmt = root.find(q("sheetFormatPr"))
    if fmt is not None:
        fmt.set(q("dyDescent", X14AC), "0.25")
    for row in root.iter(q("row")):
        row.set(q("dyDescent", X14AC), "0.25")


def _calc_chain(chain: list[tuple[str, str]]) -> bytes:
    root = ET.Element(q("calcChain"))
    last = None
    for ref, sheet in chain:
        attrs = {"r": ref} if sheet == last else {"r": ref, "i": sheet}
        ET.SubElement(root, q("c"), attrs)
        last = sheet
    return _xml(root)


def _declare_calc_chain(parts: dict[str, bytes]) -> None:
    override = f'<Override PartName="/xl/calcChain.xml" ContentType="{CALC_CHAIN}"/></Types>'
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(b"</Types>", override.encode())
    ids = {r.get("Id") for r in ET.fromstring(parts["xl/_rels/workbook.xml.rels"])}
    rid = next(f"rId{i}" for i in range(1, 1000) if f"rId{i}" not in ids)
    rel = f'<Relationship Id="{rid}" Type="{REL}/calcChain" Target="calcChain.xml"/></Relationships>'
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(b"</Relationships>", rel.encode())


def _excel_workbook(book: ET.Element) -> bytes:
    book.set(q("Ignorable", MC), "xr")
    book.set(q("uid", XR), "{00000000-0001-0000-0000-000000000000}")
    version = book.find(q("fileVersion"))
    if version is not None:
        version.attrib.update({"appName": "xl", "lastEdited": "7", "lowestEdited": "7", "rupBuild": "27328"})
    calc = book.find(q("calcPr"))
    if calc is None:
        calc = ET.SubElement(book, q("calcPr"))
    calc.set("calcId", "191029")
    # where the file was last saved, as Excel 2013+ writes it (a markup-compatibility block other readers skip)
    absolute = (
        f'<mc:AlternateContent xmlns:mc="{MC}"><mc:Choice Requires="x15" xmlns:x15="{X15}">'
        f'<x15ac:absPath xmlns:x15ac="{X15AC}" url="C:\\Users\\Enseignant\\Documents\\Coopérative\\"/>'
        "</mc:Choice></mc:AlternateContent>"
    ).encode()
    data = _xml(book)
    found = re.search(rb"<workbookPr\b[^>]*/>", data)
    at = found.end() if found else data.index(b"<bookViews")
    return data[:at] + absolute + data[at:]


def _excel_styles(data: bytes) -> bytes:
    root = ET.fromstring(data)
    root.set(q("Ignorable", MC), "x14ac")
    lst = root.find(q("extLst"))
    if lst is None:
        lst = ET.SubElement(root, q("extLst"))
    slicers = ET.SubElement(lst, q("ext"), {"uri": "{EB79DEF2-80B8-43e5-95BD-54CBDDF9020C}"})
    ET.SubElement(slicers, q("slicerStyles", X14), {"defaultSlicerStyle": "SlicerStyleLight1"})
    return _xml(root)


def _app(data: bytes | None) -> bytes:
    text = (data or b"").decode()
    text = re.sub(r"<Application>[^<]*</Application>", "<Application>Microsoft Excel</Application>", text)
    return re.sub(r"<AppVersion>[^<]*</AppVersion>", "<AppVersion>16.0300</AppVersion>", text).encode()

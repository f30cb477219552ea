"""Fuzzing the reader (bounded): mutated real cahiers never crash it, whatever the damage.

Two levels: bytes of the file (mostly unreadable archives), and the XML inside a valid archive
(what the spreadsheet parser and the checks really see). Any outcome is fine but an exception."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbook_tools.fill import write_cahier
from workbook_tools.model import Code
from workbook_tools.sample import sample_book
from workbook_tools.validate import check_file


@pytest.fixture(scope="module")
def seed_cahier(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, dict[str, bytes]]:
    path = write_cahier(sample_book(lines=40, seed=5), tmp_path_factory.mktemp("fuzz") / "cahier.xlsx")
    with zipfile.ZipFile(path) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    assert check_file(path).ok  # also does pandera's lazy imports (of hypothesis) before hypothesis runs
    return path.read_bytes(), members


SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.mark.slow
@SETTINGS
@given(data=st.data())
def test_mutated_bytes_never_crash(
    seed_cahier: tuple[bytes, dict[str, bytes]], data: st.DataObject, tmp_path: Path
) -> None:
    raw = bytearray(seed_cahier[0])
    cuts = data.draw(
        st.lists(st.tuples(st.floats(0, 1), st.integers(1, 64), st.binary(max_size=64)), min_size=1, max_size=8)
    )
    for where, length, insert in cuts:
        at = int(where * (len(raw) - 1))
        raw[at : at + length] = insert
    path = tmp_path / "abime.xlsx"
    path.write_bytes(bytes(raw))
    result = check_file(path)
    assert result.journal is not None or result.findings


XML_MEMBERS = [
    "xl/worksheets/sheet3.xml",
    "xl/worksheets/sheet2.xml",
    "xl/workbook.xml",
    "xl/styles.xml",
    "[Content_Types].xml",
]


@pytest.mark.slow
@SETTINGS
@given(data=st.data())
def test_mutated_xml_never_crashes(
    seed_cahier: tuple[bytes, dict[str, bytes]], data: st.DataObject, tmp_path: Path
) -> None:
    members = dict(seed_cahier[1])
    name = data.draw(st.sampled_from(XML_MEMBERS))
    xml = bytearray(members[name])
    inserts = st.one_of(
        st.binary(max_size=40),
        st.sampled_from(
            [
                b'<c r="XFD1048576"><v>1</v></c>',
                b"&lol;",
                b'<!DOCTYPE x [<!ENTITY a "aaaa">]>',
                b't="e"',
                b"<v>#REF!</v>",
                b"\x00",
                "é€".encode(),
            ]
        ),
    )
    for where, cut, insert in data.draw(
        st.lists(st.tuples(st.floats(0, 1), st.integers(0, 200), inserts), min_size=1, max_size=4)
    ):
        at = int(where * max(len(xml) - 1, 0))
        xml[at : at + cut] = insert
    members[name] = bytes(xml)
    path = tmp_path / "xml.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for member, payload in members.items():
            zf.writestr(member, payload)
    result = check_file(path)
    assert result.journal is not None or result.findings
    assert all(isinstance(f.code, Code) for f in result.findings)

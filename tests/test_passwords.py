"""A workbook with a password to open gets the password message in every format, never « endommagé »."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from workbook_tools.model import Code
from workbook_tools.validate import check_file

DATA = Path(__file__).parent / "data" / "msoffcrypto-tool"
PASSWORD = "protégé par un mot de passe à l'ouverture"


@pytest.mark.parametrize("name", ["rc4cryptoapi_password.xls", "xor_password_123456789012345.xls"])
def test_xls_with_a_password(name: str) -> None:
    [finding] = check_file(DATA / name).findings
    assert finding.code is Code.FILE_UNREADABLE and PASSWORD in finding.message


def test_a_plain_xls_from_elsewhere_is_not_a_cahier() -> None:
    assert [f.code for f in check_file(DATA / "plain.xls").findings] == [Code.NOT_A_CAHIER]


def test_ods_with_a_password(tmp_path: Path) -> None:
    """How LibreOffice stores an encrypted .ods: the manifest lists encryption data for each member."""
    path = tmp_path / "cahier.ods"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        zf.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml" manifest:size="9">'
            '<manifest:encryption-data manifest:checksum-type="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0#sha256-1k">'
            "</manifest:encryption-data></manifest:file-entry></manifest:manifest>",
        )
        zf.writestr("content.xml", b"\x8f\x12\x00garbage")
    [finding] = check_file(path).findings
    assert finding.code is Code.FILE_UNREADABLE and PASSWORD in finding.message

"""What the tests of real books share: a cahier checked from a Book, and its findings as (code, cell, severity)."""

from __future__ import annotations

from workbook_tools.model import Code, Finding, Report, Severity
from workbook_tools.validate import CheckResult


def found(result: CheckResult | Report) -> list[tuple[Code, str | None, Severity]]:
    return [(f.code, f.cell, f.severity) for f in result.findings]


def only(result: CheckResult, code: Code) -> list[Finding]:
    return [f for f in result.findings if f.code is code]

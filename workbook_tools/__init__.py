"""cahier: the cash book of French school cooperatives, kept in a spreadsheet.

The library: read a cahier, check it, report, store every version, build the CRF.
Stages (imports point down only): model, chart, layout → read → validate → report
→ store → ingest → bilan. The CLI (``workbook_tools.cli``) and the watcher wire them.
"""

__version__ = "0.1.0"

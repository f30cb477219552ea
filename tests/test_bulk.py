"""``bulk``: the cycle collector paused while a consolidation builds its objects, and always given back."""

from __future__ import annotations

import gc

import pytest

from workbook_tools.bulk import bulk


def test_paused_inside_and_given_back_after_nesting_and_errors() -> None:
    assert gc.isenabled()
    seen: list[bool] = []

    @bulk()
    def work(fail: bool) -> None:
        seen.append(gc.isenabled())
        with bulk():  # nested: the inner one leaves it to the outer
            seen.append(gc.isenabled())
        seen.append(gc.isenabled())
        if fail:
            raise ValueError("boom")

    work(False)
    assert seen == [False, False, False] and gc.isenabled()
    with pytest.raises(ValueError):
        work(True)
    assert gc.isenabled()


def test_left_as_found_when_already_paused() -> None:
    gc.disable()
    try:
        with bulk():
            pass
        assert not gc.isenabled()  # someone else paused it: theirs to give back
    finally:
        gc.enable()

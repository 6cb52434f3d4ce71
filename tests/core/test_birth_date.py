"""One birth-date parser for the CLI and the TUI: the Dutch DD-MM-YYYY and ISO."""

from __future__ import annotations

from datetime import date

import pytest

from vecozo_tui.cov.testcall import parse_birth_date
from vecozo_tui.errors import VecozoError


@pytest.mark.parametrize("text", ["1962-03-15", "15-03-1962", "15/03/1962", "15.03.1962",
                                  "15-3-1962", " 15-03-1962 "])
def test_both_ways_of_writing_a_date(text):
    assert parse_birth_date(text) == date(1962, 3, 15)


@pytest.mark.parametrize("text", ["1962-15-03", "31-02-1990", "15-03-62", "15031962", "",
                                  "morgen"])
def test_what_is_no_date_says_both_forms(text):
    with pytest.raises(VecozoError, match="DD-MM-YYYY.*YYYY-MM-DD"):
        parse_birth_date(text)


def test_too_long_ago():
    with pytest.raises(VecozoError, match="too long ago"):
        parse_birth_date("01-01-1850")

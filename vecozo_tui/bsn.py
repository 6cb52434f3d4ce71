"""The BSN (burgerservicenummer): the 11-test, one rule for every place that checks one.

A BSN is personal data: nothing here echoes a value in a message.
"""

from __future__ import annotations

import re

_NINE_DIGITS = re.compile(r"(?<![\w-])\d{9}(?![\w-])")


def passes_elfproef(value: str) -> bool:
    """9 digits with 9*d1 + 8*d2 + ... + 2*d8 - d9 divisible by 11 (and not all zero)."""
    if len(value) != 9 or not value.isdigit() or value == "000000000":
        return False
    total = sum(int(d) * w for d, w in zip(value[:8], range(9, 1, -1), strict=True))
    return (total - int(value[8])) % 11 == 0


def bsn_problem(value: str) -> str | None:
    """What is wrong with a BSN typed for a production test call, or None."""
    value = value.strip()
    if not value:
        return "A BSN is needed for a test call in production."
    if not passes_elfproef(value):
        return "That is not a valid BSN: it must have 9 digits that pass the 11-test."
    return None


def holds_bsn(value: object) -> bool:
    """A stand-alone 9-digit number passing the 11-test anywhere in ``value`` (text, or
    the values of nested dicts and lists)."""
    if isinstance(value, dict):
        return any(holds_bsn(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(holds_bsn(item) for item in value)
    return any(passes_elfproef(number) for number in _NINE_DIGITS.findall(str(value)))

"""The BSN (burgerservicenummer): the 11-test, one rule for every place that checks one,
and keeping BSN-like numbers out of text.

A BSN is personal data: nothing here echoes a value in a message. A BSN may never be
stored, logged or shown outside the COV answer itself: text that comes from elsewhere
(a COV server's fault, an unknown result code) is scrubbed of every 9-digit number that
passes the 11-test, and of the exact BSN that was sent (which need not pass it), before
it is stored or shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from vecozo_tui.i18n import _

MASK = "[BSN]"
# for the audit guard: a stand-alone number; a fingerprint's hex ("AB999979668CD") is no BSN
_NINE_DIGITS = re.compile(r"(?<![\w-])\d{9}(?![\w-])")
# for scrubbing: any run of exactly nine digits (s:Client.999979668, Code999979668)
_ANY_NINE_DIGITS = re.compile(r"(?<!\d)\d{9}(?!\d)")


def passes_elfproef(value: str) -> bool:
    """9 digits with 9*d1 + 8*d2 + ... + 2*d8 - d9 divisible by 11 (and not all zero)."""
    if len(value) != 9 or not value.isascii() or not value.isdigit() or value == "000000000":
        return False
    total = sum(int(d) * w for d, w in zip(value[:8], range(9, 1, -1), strict=True))
    return (total - int(value[8])) % 11 == 0


def bsn_problem(value: str) -> str | None:
    """What is wrong with a BSN typed for a production test call, or None."""
    value = value.strip()
    if not value:
        return _("A BSN is needed for a test call in production.")
    if not passes_elfproef(value):
        return _("That is not a valid BSN: it must have 9 digits that pass the 11-test.")
    return None


def scrub(text: str, sent: Iterable[str | None] = ()) -> str:
    """``text`` with BSN-like numbers and the BSN(s) ``sent`` replaced by [BSN]."""
    for value in sent:
        if value:
            text = text.replace(value, MASK)
    return _ANY_NINE_DIGITS.sub(lambda m: MASK if passes_elfproef(m.group()) else m.group(),
                                text)


def holds_bsn(value: object) -> bool:
    """A stand-alone 9-digit number passing the 11-test anywhere in ``value`` (text, or
    the values of nested dicts and lists): the audit log's last line of defence."""
    if isinstance(value, dict):
        return any(holds_bsn(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(holds_bsn(item) for item in value)
    return any(passes_elfproef(number) for number in _NINE_DIGITS.findall(str(value)))

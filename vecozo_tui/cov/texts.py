"""A text of the test call in two languages at once: English for what is kept or read by
machines (the test-call record, the audit log, --json), the reader's language for the
screen. The diagnosis is made once, in a worker thread, so it cannot switch languages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from vecozo_tui.i18n import _


@dataclass(frozen=True)
class Said:
    english: str
    local: str

    def __str__(self) -> str:
        return self.local

    def __add__(self, other: Said) -> Said:
        """Two sentences, one after the other."""
        return Said(f"{self.english} {other.english}", f"{self.local} {other.local}")


def say(message: str, /, **values: Any) -> Said:
    """``message`` (an English text marked with N_) filled with ``values``, in English and
    in the reader's language; a Said value is filled in its own language."""
    english = {k: v.english if isinstance(v, Said) else v for k, v in values.items()}
    local = {k: v.local if isinstance(v, Said) else v for k, v in values.items()}
    return Said(message.format(**english), _(message).format(**local))


def plain(text: str) -> Said:
    """A text that is the same in every language (a server's words, a number)."""
    return Said(text, text)


def moment(value: datetime) -> Said:
    """'2026-11-22 10:30' ('22-11-2026 10:30')."""
    from vecozo_tui.textfmt import short_date

    return Said(f"{value:%Y-%m-%d %H:%M}", f"{short_date(value)} {value:%H:%M}")


def day(value: datetime) -> Said:
    from vecozo_tui.textfmt import short_date

    return Said(f"{value:%Y-%m-%d}", short_date(value))

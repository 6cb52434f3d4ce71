"""Wording shared by the CLI and the TUI, so both say the same thing."""

from __future__ import annotations

import functools
import sys
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime

from vecozo_tui.i18n import N_, _, current_language, ngettext


def relative_days(days: int | None) -> str:
    """'in 23 days', 'tomorrow', 'today', 'yesterday', '3 days ago' (Dutch: 'over 23
    dagen', 'morgen', 'vandaag', 'gisteren', '3 dagen geleden')."""
    if days is None:
        return "-"
    if days == 0:
        return _("today")
    if days == 1:
        return _("tomorrow")
    if days == -1:
        return _("yesterday")
    if days > 0:
        return ngettext("in {count} day", "in {count} days", days).format(count=days)
    return ngettext("{count} day ago", "{count} days ago", -days).format(count=-days)


# the names of the months as written in running text; Dutch writes them in lower case
_MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"),
}


def month_name(month: int) -> str:
    return _MONTHS[current_language()][month - 1]


def month_letter(month: int) -> str:
    """The timeline's initial: the same letters in English and Dutch (J F M A M J ...)."""
    return month_name(month)[0].upper()


def short_date(value: date | datetime | None) -> str:
    """'2026-12-01' in English, '01-12-2026' in Dutch."""
    if value is None:
        return "-"
    if isinstance(value, datetime):
        value = value.date()
    # ISO in English, the way Dutch people write a date in Dutch: the same width, so tables
    # keep their layout in both languages (not strftime: ten times slower, for 1,000 rows)
    if current_language() == "nl":
        return f"{value.day:02d}-{value.month:02d}-{value.year:04d}"
    return value.isoformat()


def long_date(value: date | datetime | None) -> str:
    """'1 December 2026', '1 december 2026': a date in a sentence."""
    if value is None:
        return "-"
    return f"{value.day} {month_name(value.month)} {value.year}"


def number(value: int) -> str:
    """A count people read: '1,000' in English, '1.000' in Dutch."""
    text = f"{value:,}"
    return text.replace(",", ".") if current_language() == "nl" else text


def local_date(moment: datetime | None, now: datetime) -> str:
    """The date of ``moment`` as the reader sees it: in the zone of ``now`` (the
    server's), '2026-11-22' ('22-11-2026' in Dutch)."""
    from vecozo_tui.clock import in_zone_of

    return "-" if moment is None else short_date(in_zone_of(moment, now).date())


def local_time(moment: datetime | None, now: datetime) -> str:
    """'2026-11-12 10:30' ('12-11-2026 10:30') in the zone of ``now``; the zone is named
    once per screen."""
    from vecozo_tui.clock import in_zone_of

    if moment is None:
        return "-"
    local = in_zone_of(moment, now)
    return f"{short_date(local.date())} {local:%H:%M}"


def renew_from_text(renew_from: date | None, today: date) -> str:
    """'overdue' once the renew-from date has passed, 'now' on it, else the date."""
    from vecozo_tui.expiry import renewal_state

    state = renewal_state(renew_from, today)
    return _(RENEWAL_WORDS[state]) if state else short_date(renew_from)


RENEWAL_WORDS = {"overdue": N_("overdue"), "now": N_("now")}


# what a certificate kind (certificates.classify_kind) is called on screen
KIND_WORDS = {"system": N_("system certificate"), "personal": N_("personal certificate"),
              "unclear": N_("kind unclear"), "not-client": N_("not a client certificate")}


def kind_words(kind: str) -> str:
    return _(KIND_WORDS[kind]) if kind in KIND_WORDS else _("{kind} certificate").format(
        kind=kind)


# humanize's own catalogs, by our language
_HUMANIZE_LOCALES = {"nl": "nl_NL"}


def ago(moment: datetime | None, now: datetime) -> str:
    """'never', '3 hours ago', 'a month ago' ('nooit', '3 uur geleden', 'een maand
    geleden')."""
    if moment is None:
        return _("never")
    import humanize  # only the commands that show it pay for the import

    locale = _HUMANIZE_LOCALES.get(current_language())
    if locale:
        humanize.i18n.activate(locale)
    else:
        humanize.i18n.deactivate()
    try:
        return humanize.naturaltime(now - moment)
    except (OverflowError, ValueError):  # years away (a damaged record): the date says it
        return short_date(moment)


def fingerprint(hex_upper: str) -> str:
    return ":".join(hex_upper[i:i + 2] for i in range(0, len(hex_upper), 2))


def short_fingerprint(hex_upper: str) -> str:
    """The first 8 bytes of a fingerprint, enough to tell certificates apart by eye."""
    return fingerprint(hex_upper)[:23] + "…"


def truncate_middle(value: str, width: int, ellipsis: str = "…") -> str:
    """'Huisarts…De Linde': practice names often share their start, so keep the end too."""
    if len(value) <= width:
        return value
    room = max(width - len(ellipsis), 0)
    head = room // 2
    return value[:head] + ellipsis + value[len(value) - (room - head):]


# --- plain terminals --------------------------------------------------------------------

# terminals known to lack the glyphs (box drawing beyond a few, arrows, emoji)
ASCII_TERMS = frozenset({"linux", "vt52", "vt100", "vt102", "vt220", "vt320", "ansi", "dumb",
                         "cons25"})


def ascii_terminal(env: Mapping[str, str], *, forced: bool | None = None,
                   platform: str = sys.platform) -> bool:
    """Whether to show ASCII only: ``forced`` (``[ui] ascii`` in the config) decides when
    given; otherwise a terminal known to lack the glyphs, or a locale whose character
    set is not UTF-8 (the first of LC_ALL, LC_CTYPE, LANG that is set, as POSIX reads
    them; none set is the "C" locale). Windows sets no locale variables: only TERM."""
    if forced is not None:
        return forced
    if env.get("TERM", "").split("-")[0] in ASCII_TERMS:
        return True
    if platform == "win32":
        return False
    locale = next((env[name] for name in ("LC_ALL", "LC_CTYPE", "LANG") if env.get(name)), "C")
    charset = locale.partition(".")[2].partition("@")[0]
    return charset.replace("-", "").lower() != "utf8"


_ASCII_OF = {
    "…": "~", "·": ".", "•": "*", "—": "-", "–": "-", "→": ">", "←": "<", "↑": "^",
    "↓": "v", "▸": ">", "▾": "v", "▲": "^", "▼": "v", "⭘": "o", "✓": "v", "✔": "v",
    "✗": "x", "✘": "x", "“": '"', "”": '"', "‘": "'", "’": "'", "«": "<", "»": ">",
    "▏": "|", "▕": "|", "⏎": "~", "\u00a0": " ",
}


@functools.lru_cache(maxsize=4096)
def _ascii_char(char: str) -> str:
    """One character as ASCII of the same width in terminal cells."""
    if char in _ASCII_OF:
        return _ASCII_OF[char]
    if unicodedata.combining(char):
        return ""
    name = unicodedata.name(char, "")
    if name.startswith("BOX DRAWINGS"):  # untranslated: a Unicode character name
        if "VERTICAL" in name:
            return "+" if "HORIZONTAL" in name or "AND" in name else "|"
        return "-" if "HORIZONTAL" in name and " AND " not in name else "+"
    if 0x2580 <= ord(char) <= 0x259F:  # block elements: scrollbar thumbs, thick edges
        return " "
    decomposed = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
    if len(decomposed) == 1:  # é -> e, Ë -> E
        return decomposed
    return "??" if unicodedata.east_asian_width(char) in ("W", "F") else "?"


def to_ascii(text: str) -> str:
    """``text`` in ASCII, each character replaced by one of the same width (a line
    keeps its layout): '…' '~', '┃' '|', '→' '>', 'é' 'e', an emoji '??'."""
    if text.isascii():
        return text
    return "".join(char if char.isascii() else _ascii_char(char) for char in text)

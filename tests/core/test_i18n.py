"""The language: how it is chosen, and Dutch dates, numbers and day counts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from vecozo_tui import i18n
from vecozo_tui.textfmt import (
    ago,
    kind_words,
    local_time,
    long_date,
    month_letter,
    number,
    relative_days,
    short_date,
)


@pytest.mark.parametrize(("explicit", "configured", "environ", "expected"), [
    ("en", "nl", {"LANG": "nl_NL.UTF-8"}, "en"),      # --lang wins
    (None, "nl", {"LANG": "en_US.UTF-8"}, "nl"),      # then [ui] language
    (None, None, {"LANG": "nl_NL.UTF-8"}, "nl"),      # then the locale
    (None, None, {"LC_ALL": "en_GB.UTF-8", "LANG": "nl_NL.UTF-8"}, "en"),  # LC_ALL first
    (None, None, {"LC_MESSAGES": "nl_BE.UTF-8", "LANG": "en_US"}, "nl"),
    (None, None, {"LC_ALL": "C", "LANG": "nl_NL.UTF-8"}, "en"),  # C: no language at all
    (None, None, {"LANG": "de_DE.UTF-8"}, "en"),      # a language we do not have
    (None, None, {}, "en"),
    ("NL", None, {}, "nl"),
    # LANGUAGE, the list GNU gettext reads before the locale (Ubuntu's Dutch install sets
    # LANGUAGE=nl_NL:nl): its first language we have wins, unless the locale is C
    (None, None, {"LANGUAGE": "nl_NL:nl", "LANG": "en_US.UTF-8"}, "nl"),
    (None, None, {"LANGUAGE": "de:nl", "LANG": "en_US.UTF-8"}, "nl"),
    (None, None, {"LANGUAGE": "en", "LANG": "nl_NL.UTF-8"}, "en"),
    (None, None, {"LANGUAGE": "de", "LANG": "nl_NL.UTF-8"}, "en"),  # GNU: then untranslated
    (None, None, {"LANGUAGE": "nl", "LC_ALL": "C"}, "en"),
    (None, None, {"LANGUAGE": "nl", "LANG": "C.UTF-8"}, "en"),
    (None, None, {"LANGUAGE": "nl"}, "en"),  # no locale set: C
    (None, None, {"LANGUAGE": "", "LANG": "nl_NL.UTF-8"}, "nl"),
    (None, "en", {"LANGUAGE": "nl", "LANG": "nl_NL.UTF-8"}, "en"),  # [ui] before it
])
def test_the_language_is_chosen_by_option_config_locale_then_english(explicit, configured,
                                                                    environ, expected):
    assert i18n.choose_language(explicit, configured, environ) == expected


def test_english_is_the_msgid_and_dutch_comes_from_the_catalog(dutch):
    assert relative_days(23) == "over 23 dagen"
    assert relative_days(1) == "morgen"
    assert relative_days(-1) == "gisteren"
    assert relative_days(-5) == "5 dagen geleden"
    assert kind_words("personal") == "persoonlijk certificaat"
    i18n.activate("en")
    assert relative_days(23) == "in 23 days"
    assert relative_days(-1) == "yesterday"


def test_one_day_is_singular_in_both_languages(dutch):
    assert relative_days(-1) == "gisteren"
    assert i18n.ngettext("in {count} day", "in {count} days", 1).format(count=1) == "over 1 dag"
    i18n.activate("en")
    assert i18n.ngettext("in {count} day", "in {count} days", 1).format(count=1) == "in 1 day"


def test_dutch_dates_and_numbers(dutch):
    assert short_date(date(2026, 12, 1)) == "01-12-2026"
    assert long_date(date(2026, 12, 1)) == "1 december 2026"
    assert number(1000) == "1.000"
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert local_time(now, now) == "01-12-2026 09:00"
    assert [month_letter(m) for m in range(1, 13)] == list("JFMAMJJASOND")
    i18n.activate("en")
    assert short_date(date(2026, 12, 1)) == "2026-12-01"
    assert long_date(date(2026, 12, 1)) == "1 December 2026"
    assert number(1000) == "1,000"


def test_short_dates_keep_their_width_at_the_ends_of_the_calendar(dutch):
    # a certificate "valid" from the year 1 or until 9999 (RFC 5280's "no expiry")
    assert short_date(date(1, 1, 5)) == "05-01-0001"
    assert short_date(datetime(9999, 12, 31, 23, 59, tzinfo=UTC)) == "31-12-9999"
    i18n.activate("en")
    assert short_date(date(1, 1, 5)) == "0001-01-05"


def test_relative_times_use_humanize_in_the_language(dutch):
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert ago(now - timedelta(days=5), now) == "5 dagen geleden"
    assert ago(None, now) == "nooit"
    i18n.activate("en")
    assert ago(now - timedelta(days=5), now) == "5 days ago"


def test_the_catalogs_are_read_only_when_a_text_is_first_translated(monkeypatch):
    opened = []
    real = i18n._read_catalog
    monkeypatch.setattr(i18n, "_read_catalog", lambda domain: opened.append(domain)
                        or real(domain))
    i18n.activate("nl")
    assert opened == []
    assert i18n._("never") == "nooit"
    assert opened == list(i18n.DOMAINS)
    assert i18n._("today") == "vandaag"
    assert opened == list(i18n.DOMAINS)  # once


def test_a_language_reads_its_catalogs_from_locale_dir_or_its_msgids(monkeypatch, tmp_path):
    # LOCALE_DIR/<language>/LC_MESSAGES/<part>.mo: here Dutch has them, English none
    for language in ("nl", "en"):
        (tmp_path / language / "LC_MESSAGES").mkdir(parents=True)
    for domain in i18n.DOMAINS:
        source = i18n.LOCALE_DIR / "nl" / "LC_MESSAGES" / f"{domain}.mo"
        (tmp_path / "nl" / "LC_MESSAGES" / f"{domain}.mo").write_bytes(source.read_bytes())
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    monkeypatch.setattr(i18n, "_translations", None)  # what was read before comes back
    i18n.activate("nl")
    assert i18n._("never") == "nooit"
    i18n.activate("en")
    assert i18n._("never") == "never"  # no English catalog at all: the msgids


def test_english_blocks_format_dates_and_numbers_in_english_too(dutch):
    built = i18n.in_english(lambda: f"{short_date(date(2026, 12, 1))} {number(1000)} "
                                    f"{relative_days(3)}")
    assert built == "2026-12-01 1,000 in 3 days"
    assert short_date(date(2026, 12, 1)) == "01-12-2026"  # outside the block: Dutch again

"""The core's texts in Dutch: config errors with their line, the status words and reasons,
check's human text; what machines read (level codes, JSON, plugin keywords) stays."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from vecozo_tui import monitoring
from vecozo_tui.config import parse_config
from vecozo_tui.errors import ConfigError
from vecozo_tui.expiry import ExpiryThresholds
from vecozo_tui.status import Level, practice_status

CONFIG = """\
[repository]
path = "/tmp/nowhere"

[[practices]]
id = "hap-zuid"
name = "Huisartsenpraktijk Zuid"
agb = "1234"
environment = "production"
"""


def test_a_config_error_in_dutch_names_its_line(tmp_path, dutch):
    with pytest.raises(ConfigError) as raised:
        parse_config(CONFIG, tmp_path / "config.toml", check_repository=False)
    text = str(raised.value)
    assert "config.toml:7:" in text
    assert "'1234' is geen AGB-code: die bestaat uit precies 8 cijfers" in text


def test_the_same_config_error_in_english(tmp_path):
    with pytest.raises(ConfigError) as raised:
        parse_config(CONFIG, tmp_path / "config.toml", check_repository=False)
    assert "config.toml:7:" in str(raised.value)
    assert "'1234' is not an AGB code" in str(raised.value)


def test_the_level_words_are_dutch_and_the_codes_stay(dutch):
    assert Level.EXPIRED.word == "VERLOPEN"
    assert Level.CRITICAL.word == "KRITIEK"
    assert Level.WARNING.word == "WAARSCHUWING"
    assert Level.NO_CERTIFICATE.word == "GEEN CERTIFICAAT"
    assert Level.DAMAGED.word == "BESCHADIGD"
    assert Level.OK.word == "OK"
    assert Level.NO_CERTIFICATE.value == "NO CERTIFICATE"
    status = practice_status(None, None, now=datetime(2026, 12, 1, tzinfo=UTC),
                             thresholds=ExpiryThresholds())
    reason = status.reasons[0]
    assert reason.to_dict()["code"] == "no-certificate"
    assert reason.to_dict()["level"] == "NO CERTIFICATE"
    assert reason.text == ("nog geen certificaat geïmporteerd: COV-bevragingen zijn niet "
                           "mogelijk")


def test_the_level_words_in_english():
    assert Level.NO_CERTIFICATE.word == "NO CERTIFICATE"
    assert Level.EXPIRED.word == "EXPIRED"


def test_checks_plugin_keyword_stays_and_its_text_is_dutch(dutch):
    output = monitoring.unknown_output("first\nsecond\nthird")
    assert output.startswith("VECOZO UNKNOWN - first (en nog 2 problemen)")
    assert monitoring.unknown_output("").startswith("VECOZO UNKNOWN - onbekende fout")


def test_the_demo_leesmij_is_dutch_when_dutch_is_active(tmp_path, dutch):
    from vecozo_tui.demo import build_demo

    build_demo(tmp_path / "demo", datetime(2026, 12, 1, 9, tzinfo=UTC), start_server=False)
    leesmij = next((tmp_path / "demo").rglob("LEESMIJ.txt")).read_text(encoding="utf-8")
    assert leesmij.startswith("Demo-inbox. Elk demo-.pfx/.p12-bestand hier heeft het "
                              "wachtwoord: ")

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest

from tests.factory import PkiFactory
from tests.monitoring_support import Site
from vecozo_tui import i18n, pki
from vecozo_tui.clock import FixedClock

# A fixed moment for every test: deterministic expiry maths and snapshots.
NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture(scope="session")
def session_pki(tmp_path_factory) -> PkiFactory:
    return PkiFactory(NOW, tmp_path_factory.mktemp("pki"))


@pytest.fixture
def test_pki(session_pki, tmp_path) -> PkiFactory:
    """The session's CA, writing its files into this test's tmp_path."""
    session_pki.tmp = tmp_path
    return session_pki


@pytest.fixture(autouse=True)
def _no_user_config(monkeypatch, tmp_path):
    """Keep the developer's own config, colours and SSH session out of the tests."""
    monkeypatch.delenv("VECOZO_TUI_CONFIG", raising=False)
    monkeypatch.delenv("VECOZO_TUI_PASSWORD", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.delenv("SSH_CLIENT", raising=False)
    monkeypatch.delenv("SSH_CONNECTION", raising=False)


@pytest.fixture(autouse=True)
def _english(monkeypatch):
    """Every test starts in English, whatever the machine's locale; a test that wants
    Dutch asks for it (``dutch`` fixture, ``--lang nl``, ``LANG=nl_NL.UTF-8``)."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if i18n.parse_language(os.environ.get(name)) == "nl":
            monkeypatch.setenv(name, "C.UTF-8")
    monkeypatch.delenv("LANGUAGE", raising=False)
    i18n.activate("en")
    yield
    i18n.activate("en")


@pytest.fixture
def dutch():
    """The texts in Dutch for this test (English again afterwards)."""
    i18n.activate("nl")
    yield
    i18n.activate("en")


@pytest.fixture(scope="session")
def site_key():
    """One RSA key for every certificate of the monitoring sites (key generation is slow)."""
    return pki.new_rsa_key()


@pytest.fixture
def site(tmp_path, test_pki, site_key, now) -> Site:
    """A config file and an empty repository for the monitoring tests to fill."""
    site = Site(tmp_path, test_pki, site_key, now)
    site.write()
    return site


@pytest.fixture(autouse=True)
def _utf8_terminal(monkeypatch):
    """A UTF-8 xterm, whatever the developer's terminal or CI says: TERM and the locale
    decide whether the console shows ASCII only (tests of plain terminals set their own)."""
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_CTYPE", raising=False)

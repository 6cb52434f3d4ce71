"""The language people read: gettext catalogs (Dutch and English), chosen once per
process before any text is built.

Every text a person reads goes through ``_`` (or ``ngettext`` for a count). A text
defined before the language is known (a table at module level, a key binding) is
marked with ``N_`` and translated where it is shown. The msgids are the English texts.
What machines read never goes through here: JSON keys and values, metrics, the plugin
keywords and perfdata labels of ``check``, the audit log, exit codes, config keys.

The catalogs are stdlib gettext ``.mo`` files in ``vecozo_tui/locale``, one per part of
the code (core, cov, walkthroughs, cli, tui), compiled from the ``.po`` files by
``scripts/catalogs.py`` (Babel). At run time only the standard library is needed, and
only when a text is first translated are the catalogs read.
"""

from __future__ import annotations

import gettext
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

Language = Literal["en", "nl"]
LANGUAGES: tuple[Language, ...] = ("en", "nl")
DEFAULT_LANGUAGE: Language = "en"
# one catalog per part of the code, so that work on one part never touches another's
DOMAINS = ("core", "cov", "walkthroughs", "cli", "tui")
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

_language: Language = DEFAULT_LANGUAGE
_translations: gettext.NullTranslations | None = None
# set in a thread while it builds a text for the audit log (always English)
_here = threading.local()


def parse_language(text: str | None) -> Language | None:
    """'nl', 'NL', 'nl_NL.UTF-8', 'nl-BE', 'en_GB' -> the language; anything else
    (including 'C' and 'POSIX') -> None."""
    if not text:
        return None
    code = text.strip().split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
    for language in LANGUAGES:
        if code == language:
            return language
    return None


def language_from_environment(environ: Mapping[str, str]) -> Language | None:
    """The language of the locale, as GNU gettext decides it for messages: the locale is
    the first set of LC_ALL, LC_MESSAGES, LANG; unless it is C (or POSIX), LANGUAGE, a
    list such as ``nl_NL:nl`` (Ubuntu's Dutch install sets it), comes first, and then
    only its languages count. A locale or list of other languages (de_DE) gives None:
    English is then the fallback."""
    locale = next((environ[name] for name in ("LC_ALL", "LC_MESSAGES", "LANG")
                   if environ.get(name)), "")
    if locale.split(".")[0] in ("", "C", "POSIX"):
        return None
    priorities = environ.get("LANGUAGE", "")
    if priorities:
        return next(filter(None, map(parse_language, priorities.split(":"))), None)
    return parse_language(locale)


def choose_language(explicit: str | None, configured: str | None,
                    environ: Mapping[str, str]) -> Language:
    """``--lang``, else ``[ui] language``, else the locale, else English."""
    return (parse_language(explicit) or parse_language(configured)
            or language_from_environment(environ) or DEFAULT_LANGUAGE)


def activate(language: Language) -> None:
    """From now on texts are in ``language``. Call before building any screen, binding
    or message; a text built earlier stays in the language it was built in."""
    global _language, _translations
    if language != _language or _translations is None:
        _language = language
        _translations = None  # read on first use (five small files, well under a millisecond)


def current_language() -> Language:
    """The language texts are built in now: English inside ``english()``, so dates and
    numbers in an English text are English too."""
    return DEFAULT_LANGUAGE if getattr(_here, "english", False) else _language


@contextmanager
def english() -> Iterator[None]:
    """In this block, in this thread only, every text is built in English (the msgid):
    for what is written where people of any language read the same words, the audit
    log. Other threads (a TUI worker) keep the chosen language."""
    before = getattr(_here, "english", False)
    _here.english = True
    try:
        yield
    finally:
        _here.english = before


def in_english(build: Callable[[], str]) -> str:
    """``build()`` with every text in it English (see ``english``)."""
    with english():
        return build()


_ENGLISH = gettext.NullTranslations()


def _catalog() -> gettext.NullTranslations:
    global _translations
    if getattr(_here, "english", False):
        return _ENGLISH
    if _translations is None:
        merged: gettext.NullTranslations = gettext.NullTranslations()
        for domain in DOMAINS:
            found = _read_catalog(domain)
            if found is None:
                continue
            if isinstance(merged, gettext.GNUTranslations):
                # one table instead of a chain of five: a text is looked up once (a
                # status read for 1,000 practices translates thousands of texts)
                for key, value in found._catalog.items():  # type: ignore[attr-defined]
                    merged._catalog.setdefault(key, value)  # type: ignore[attr-defined]
            else:
                merged = found
        _translations = merged
    return _translations


def _read_catalog(domain: str) -> gettext.GNUTranslations | None:
    """The language's catalog of ``domain``, read from its one place (not through
    gettext.translation, whose search of locale names costs more than the reading: it
    imports ``locale`` and tries a dozen paths); None when there is none."""
    path = LOCALE_DIR / _language / "LC_MESSAGES" / f"{domain}.mo"
    try:
        with open(path, "rb") as handle:
            return gettext.GNUTranslations(handle)
    except FileNotFoundError:
        return None


def _(message: str) -> str:
    """``message`` (English) in the current language."""
    return _catalog().gettext(message)


def N_(message: str) -> str:
    """Marks ``message`` for the catalogs where it is defined; ``_`` translates it
    where it is shown."""
    return message


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form for ``count``: '1 warning' / '3 warnings', '1 waarschuwing' /
    '3 waarschuwingen'. The text still needs ``.format(count=...)``."""
    return _catalog().ngettext(singular, plural, count)


def pgettext(context: str, message: str) -> str:
    """``message`` where the same English word needs two translations ('Import' the
    button and 'Import' the walkthrough step)."""
    return _catalog().pgettext(context, message)

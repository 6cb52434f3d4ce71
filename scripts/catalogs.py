"""The translation catalogs: extract, update, compile, check (a developer tool; Babel).

    python scripts/catalogs.py            extract + update + compile (after changing texts)
    python scripts/catalogs.py check      what is missing, fuzzy or out of date; rc 1 if any

One catalog per part of the code (vecozo_tui.i18n.DOMAINS), so work on the TUI never
touches the core's catalog:

    vecozo_tui/locale/<domain>.pot                     extracted from the code
    vecozo_tui/locale/<lang>/LC_MESSAGES/<domain>.po   translations (edit these)
    vecozo_tui/locale/<lang>/LC_MESSAGES/<domain>.mo   compiled, shipped in the package

English ``.po`` files are kept empty: the msgids are the English texts, and an English
msgstr is only written where the English wording should differ from the msgid.
Headers carry fixed dates, so that running the tool twice changes nothing.
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "vecozo_tui"
LOCALE = PACKAGE / "locale"
sys.path.insert(0, str(ROOT))

from vecozo_tui.i18n import DOMAINS, LANGUAGES  # noqa: E402

KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
# where each catalog's texts live (relative to the package); "core" is the top level
SOURCES = {"core": ("", "*.py"), "cov": ("cov", "**.py"), "walkthroughs": ("walkthroughs", "**.py"),
           "cli": ("cli", "**.py"), "tui": ("tui", "**.py")}
FIXED_DATE = datetime(2026, 12, 2, tzinfo=UTC)
PLACEHOLDER = re.compile(r"\{[^{}]*\}|%(?:\([^)]*\))?[sdirf%]")


def _new_catalog(language: str | None, domain: str) -> Catalog:
    return Catalog(locale=language, domain=domain, project="vecozo-tui",
                   creation_date=FIXED_DATE, revision_date=FIXED_DATE,
                   msgid_bugs_address="", copyright_holder="the vecozo-tui developers",
                   fuzzy=False)


def extract(domain: str) -> Catalog:
    """The texts of ``domain`` as the code has them now."""
    folder, pattern = SOURCES[domain]
    template = _new_catalog(None, domain)
    base = PACKAGE / folder
    for filename, lineno, message, comments, context in extract_from_dir(
            base, method_map=[(pattern, "python")], keywords=KEYWORDS,
            comment_tags=("TRANSLATORS:",), strip_comment_tags=True):
        location = (str(Path("vecozo_tui", folder, filename)), lineno)
        template.add(message, None, [location], auto_comments=comments, context=context)
    return template


def po_path(language: str, domain: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / f"{domain}.po"


def read(language: str, domain: str) -> Catalog:
    path = po_path(language, domain)
    if not path.exists():
        return _new_catalog(language, domain)
    with path.open("rb") as handle:
        return read_po(handle, locale=language, domain=domain)


def _write_po(path: Path, catalog: Catalog) -> None:
    catalog.creation_date = FIXED_DATE
    catalog.revision_date = FIXED_DATE
    buffer = io.BytesIO()
    # file names without line numbers: a code change elsewhere in a file leaves the
    # catalogs alone
    write_po(buffer, catalog, width=88, sort_by_file=True, ignore_obsolete=True,
             include_lineno=False,
             include_previous=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_bytes() != buffer.getvalue():
        path.write_bytes(buffer.getvalue())


def compiled(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def update_all() -> None:
    for domain in DOMAINS:
        template = extract(domain)
        _write_po(LOCALE / f"{domain}.pot", template)
        for language in LANGUAGES:
            catalog = read(language, domain)
            catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
            _write_po(po_path(language, domain), catalog)
            mo = po_path(language, domain).with_suffix(".mo")
            data = compiled(catalog)
            if not mo.exists() or mo.read_bytes() != data:
                mo.write_bytes(data)


def _translations(message: Message) -> list[str]:
    if isinstance(message.string, tuple | list):
        return list(message.string)
    return [message.string or ""]


def _sources(message: Message) -> list[str]:
    return list(message.id) if isinstance(message.id, tuple | list) else [message.id]


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def _placeholder_problems(label: str, sources: list[str],
                          strings: list[str]) -> Iterator[str]:
    """A translation names exactly the English placeholders. Of a plural, the singular
    may leave the count out ('één waarschuwing'), the other forms may not."""
    english = [placeholders(source) for source in sources]
    for index, string in enumerate(strings):
        if not string:
            continue
        found = placeholders(string)
        if len(sources) == 1:
            ok = found == english[0]
        elif index == 0:
            ok = set(found) <= set(english[0]) | set(english[-1])
        else:
            ok = set(found) == set(english[-1])
        if not ok:
            yield f"{label}: the placeholders of {string!r} differ from the English {english}"


def problems() -> Iterator[str]:
    """Everything that keeps the catalogs from being complete and current."""
    for domain in DOMAINS:
        template = extract(domain)
        for language in LANGUAGES:
            catalog = read(language, domain)
            where = f"{language}/{domain}.po"
            wanted = {(m.context, m.id if isinstance(m.id, str) else m.id[0])
                      for m in template if m.id}
            present = {(m.context, m.id if isinstance(m.id, str) else m.id[0])
                       for m in catalog if m.id}
            for _context, msgid in sorted(wanted - present, key=str):
                yield f"{where}: not in the catalog (run scripts/catalogs.py): {msgid!r}"
            for _context, msgid in sorted(present - wanted, key=str):
                yield f"{where}: no longer in the code (run scripts/catalogs.py): {msgid!r}"
            mo = po_path(language, domain).with_suffix(".mo")
            if not mo.exists() or mo.read_bytes() != compiled(catalog):
                yield f"{where}: the .mo file is not compiled from it (run scripts/catalogs.py)"
            for message in catalog:
                if not message.id:
                    continue
                label = f"{where}: {_sources(message)[0]!r}"
                if message.fuzzy:
                    yield f"{label} is marked fuzzy"
                strings = _translations(message)
                if language == "nl" and not all(strings):
                    yield f"{label} has no Dutch translation"
                    continue
                yield from _placeholder_problems(label, _sources(message), strings)


def main(argv: list[str]) -> int:
    if argv[:1] == ["check"]:
        found = list(problems())
        for line in found:
            print(line)
        print(f"{len(found)} problem(s) in the catalogs" if found else "catalogs complete")
        return 1 if found else 0
    if argv:
        print(__doc__)
        return 2
    update_all()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

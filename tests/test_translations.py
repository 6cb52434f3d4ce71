"""Every text a person reads is translatable, and the Dutch catalog is complete.

Two checks on the source, one on the catalogs:
- a string literal that reads like prose (two words or more) is either the argument of
  ``_``/``N_``/``ngettext``/``pgettext``, a docstring, or on a line marked
  ``# untranslated: <why>`` (what machines or VECOZO read: SOAP, plugin keywords,
  audit events, file formats), or in a module listed below with the reason;
- nothing is translated while a module is imported (the language is not chosen yet);
- the catalogs hold every msgid of the code, each with a Dutch translation that is not
  fuzzy and names the same placeholders, and the shipped .mo files are compiled from
  them (scripts/catalogs.py check).
"""

from __future__ import annotations

import ast
import io
import re
import sys
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "vecozo_tui"
TRANSLATING = {"_", "N_", "ngettext", "pgettext"}
# two words of two letters or more with a space between: prose, not an id, a dotted
# name, a key or a path
PROSE = re.compile(r"[A-Za-z]{2,}[,.:;!?'’()]*\s+[(']?[A-Za-z]{2,}")
MARKER = "# untranslated"

# modules whose texts nobody reads as prose, with the reason
UNTRANSLATED_MODULES: dict[str, str] = {}


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def name_of(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def _call_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Name):
            return node.func.id
        if isinstance(node.func, ast.Attribute):
            return node.func.attr
    return None


def _marked_lines(source: str) -> set[int]:
    return {token.start[0] for token in tokenize.generate_tokens(io.StringIO(source).readline)
            if token.type == tokenize.COMMENT and token.string.startswith(MARKER)}


def untranslated_prose(path: Path) -> list[str]:
    """``line: text`` of each prose literal in ``path`` that is not translatable."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    marked = _marked_lines(source)
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                skip.add(id(body[0].value))
        elif _call_name(node) in TRANSLATING:
            assert isinstance(node, ast.Call)
            for argument in ast.walk(ast.Module(body=[ast.Expr(a) for a in node.args],
                                                type_ignores=[])):
                skip.add(id(argument))
        elif isinstance(node, ast.JoinedStr):
            for part in ast.walk(node):
                if part is not node:
                    skip.add(id(part))
    found = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        else:
            continue
        if not PROSE.search(text):
            continue
        lines = range(node.lineno, (node.end_lineno or node.lineno) + 1)
        if marked.intersection(lines):
            continue
        found.append(f"{node.lineno}: {text[:70]!r}")
    return found


def translated_at_import(path: Path) -> list[str]:
    """Translation calls that run when the module is imported, outside any function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            return
        if _call_name(node) in TRANSLATING - {"N_"}:
            found.append(f"{node.lineno}: {ast.unparse(node)[:70]}")
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


@pytest.mark.parametrize("path", [p for p in modules()
                                  if name_of(p) not in UNTRANSLATED_MODULES],
                         ids=name_of)
def test_every_prose_text_is_translatable(path):
    found = untranslated_prose(path)
    assert not found, (f"{name_of(path)}: wrap these in _() / ngettext() (N_() where "
                       f"defined before the language is known), or mark the line "
                       f"'{MARKER}: <why>':\n" + "\n".join(found))


@pytest.mark.parametrize("path", modules(), ids=name_of)
def test_nothing_is_translated_while_importing(path):
    found = translated_at_import(path)
    assert not found, (f"{name_of(path)} translates at import time, before the language is "
                       f"chosen; mark with N_() and translate where shown:\n" + "\n".join(found))


def test_the_exceptions_name_only_existing_modules():
    names = {name_of(p) for p in modules()}
    assert set(UNTRANSLATED_MODULES) <= names


def test_the_scan_finds_an_untranslated_text(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('def f(name):\n'
                      '    """A docstring is not shown."""\n'
                      '    ok = _("Import the file")\n'
                      '    machine = "VECOZO OK - all fine"  # untranslated: plugin keyword\n'
                      '    return f"Import {name} now", ok, machine\n', encoding="utf-8")
    assert untranslated_prose(sample) == ["5: 'Import  now'"]
    sample.write_text('TITLE = _("Quit now")\nLATER = N_("Quit now")\n', encoding="utf-8")
    assert translated_at_import(sample) == ["1: _('Quit now')"]


def test_the_catalogs_are_complete_and_compiled():
    pytest.importorskip("babel", reason="Babel (test extras) checks the catalogs")
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import catalogs
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    found = list(catalogs.problems())
    assert not found, "\n".join(found[:40]) + f"\n({len(found)} in all)"


def test_one_english_text_has_one_dutch_translation():
    """The same msgid in two catalogs (the core's and the TUI's "Cancel") means the
    same thing in Dutch too."""
    pytest.importorskip("babel", reason="Babel (test extras) reads the catalogs")
    from babel.messages.pofile import read_po

    from vecozo_tui.i18n import DOMAINS, LOCALE_DIR

    seen: dict[tuple[str | None, str], tuple[str, str]] = {}
    clashes = []
    for domain in DOMAINS:
        with (LOCALE_DIR / "nl" / "LC_MESSAGES" / f"{domain}.po").open("rb") as handle:
            for message in read_po(handle):
                if not message.id:
                    continue
                key = (message.context, str(message.id))
                string = str(message.string)
                if key in seen and seen[key][1] != string:
                    clashes.append(f"{key[1]!r}: {seen[key][0]} says {seen[key][1]!r}, "
                                   f"{domain} says {string!r}")
                seen.setdefault(key, (domain, string))
    assert not clashes, "\n".join(clashes)


def test_the_catalogs_are_shipped_in_the_package():
    """`pip install .` (not only an editable install) carries every catalog file."""
    import fnmatch
    import tomllib

    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "tool"]["setuptools"]["package-data"]["vecozo_tui"]
    files = [p.relative_to(PACKAGE).as_posix() for p in (PACKAGE / "locale").rglob("*")
             if p.is_file()]
    assert any(f.endswith("nl/LC_MESSAGES/tui.mo") for f in files)
    left_out = [f for f in files if not any(fnmatch.fnmatch(f, p) for p in patterns)]
    assert not left_out

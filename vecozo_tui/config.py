"""The TOML configuration: where it is, what it says, and what is wrong with it.

Looked up in order: ``--config PATH``, ``$VECOZO_TUI_CONFIG``, the user config dir
(``$XDG_CONFIG_HOME/vecozo-tui/config.toml`` on Linux, the platformdirs convention
elsewhere), ``/etc/vecozo-tui/config.toml``. ``config.example.toml`` at the repo root
documents every key.

Validation collects *every* problem and raises one :class:`ConfigError`; each problem
is one line ``<file>:<line>: <key path>: <what is wrong>``. The TOML parser gives no
positions for keys, so the line is found by a plain scan of the text (table headers and
``key =`` lines; multi-line strings skipped). That is good enough for hand-written
files; a key written as an inline table or a dotted key in an odd place may get the
line of its table, or none. ``[[practices]]`` entries are numbered from 1 in messages
(``practices[3].agb`` is the third ``[[practices]]`` block).

Unknown keys are warnings (``Config.warnings``), never errors, and survive
:func:`add_practice`. Relative paths are resolved against the config file's own
directory after ``~`` is expanded.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, NamedTuple, get_args

# the standard library's tomllib, compiled (mypyc): a 1,000-practice file parses in a
# third of the time, and `check` parses it on every run. TOML 1.0 as tomllib reads it:
# pyproject.toml keeps it below 2.4 (TOML 1.1), tests/core/test_config.py checks
import tomli

from vecozo_tui import expiry
from vecozo_tui.errors import ConfigError, VecozoError
from vecozo_tui.i18n import LANGUAGES, N_, Language, _, ngettext, parse_language

Environment = Literal["production", "acceptance", "test"]
ENVIRONMENTS: tuple[Environment, ...] = get_args(Environment)
DEFAULT_ENDPOINTS = {
    "production": "https://api.vecozo.nl/cov/vz801802/v1/soap11",  # untranslated: URL
    "acceptance": "https://tst-api.vecozo.nl/acc/cov/vz801802/v1/soap11",  # untranslated: URL
    "test": "https://tst-api.vecozo.nl/tst/cov/vz801802/v1/soap11",  # untranslated: URL
}
SYSTEM_CONFIG_PATH = Path("/etc/vecozo-tui/config.toml")  # untranslated: path
APP_NAME = "vecozo-tui"
ENV_VAR = "VECOZO_TUI_CONFIG"
DEFAULT_INBOX = "~/vecozo-inbox"
DEFAULT_TEST_BSN = "999979668"  # VECOZO's public test BSN (9999... is reserved for tests)
DEFAULT_TEST_BIRTH_DATE = "1962-03-15"

PRACTICE_ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
AGB_PATTERN = re.compile(r"[0-9]{8}")
# ids become directory names; these cannot be used as names on Windows
_WINDOWS_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"] + [f"com{i}" for i in range(1, 10)]
    + [f"lpt{i}" for i in range(1, 10)]
)
MAX_DAYS = 730  # a VECOZO certificate lasts two years; longer thresholds mean nothing
# a thousand practices are some 150 kB; anything far larger is not a configuration
MAX_CONFIG_BYTES = 1024 * 1024
MAX_UNKNOWN_KEY_WARNINGS = 20  # then one line says how many more

# Deploy targets: the file the practice software reads, and how it is written.
DEPLOY_FORMATS = {
    "pkcs12": "modern",         # AES-256 (PBES2), what current software reads
    "pkcs12-legacy": "3des",    # 3DES, for old Windows programs (Server 2016 and earlier)
}
DEFAULT_DEPLOY_MODE = 0o600
DEFAULT_HOOK_TIMEOUT = 60.0
MAX_HOOK_TIMEOUT = 3600


class DeployTarget(NamedTuple):
    """One file the practice software reads its certificate from, and the hook that makes
    it pick the new one up. ``command`` is an argv list, run without a shell."""

    path: Path
    format: str = "pkcs12"
    owner: str | None = None
    group: str | None = None
    mode: int | None = None  # None: keep an existing file's mode, else 0600
    command: tuple[str, ...] | None = None
    timeout_seconds: float = DEFAULT_HOOK_TIMEOUT
    password_on_stdin: bool = False

    @property
    def encoding(self) -> str:
        """The PKCS#12 encoding (certificates.encrypt_pkcs12) of this format."""
        return DEPLOY_FORMATS[self.format]


class Practice(NamedTuple):
    id: str
    name: str
    agb: str
    environment: Environment
    contact: str | None = None
    notes: str | None = None
    deploy_target: str | None = None  # free text, a reminder; ``deploy`` is what is done
    deploy: tuple[DeployTarget, ...] = ()


class CovSettings(NamedTuple):
    # read-only, as every mapping in a record (a default is shared by every instance)
    endpoints: Mapping[str, str] = MappingProxyType(dict(DEFAULT_ENDPOINTS))
    ca_bundle: Path | None = None
    timeout_seconds: float = 30.0
    test_bsn: str = DEFAULT_TEST_BSN
    test_birth_date: str = DEFAULT_TEST_BIRTH_DATE


class MonitoringSettings(NamedTuple):
    """Which reasons count (see vecozo_tui.status): the same for every front."""

    warn_missing_backup: bool = True
    warn_failed_test_call: bool = True
    warn_never_tested: bool = True


class DeploySettings(NamedTuple):
    # deploy right after an import or activate, while the password is in hand
    automatic: bool = True


class UiSettings(NamedTuple):
    # True: ASCII only; False: never; None: decided by TERM and the locale
    ascii: bool | None = None
    # "nl" or "en"; None: --lang, else the locale, else English (i18n.choose_language)
    language: Language | None = None


def _default_inbox() -> Path:
    try:
        return Path(DEFAULT_INBOX).expanduser()
    except RuntimeError:  # no home directory known
        return Path("vecozo-inbox").absolute()


def _field_names(cls: Any) -> tuple[str, ...]:
    return tuple(cls._fields)


# The keys the parser knows, per table; anything else is warned about and kept. The
# tables that map onto a settings class take its fields: one declaration of each.
KNOWN_KEYS: dict[str, tuple[str, ...]] = {
    "": ("repository", "import", "backup", "expiry", "cov", "monitoring", "ui", "keymap",
         "deploy", "practices"),
    "repository": ("path",),
    "import": ("inbox",),
    "backup": ("default_target",),
    "expiry": _field_names(expiry.ExpiryThresholds),
    "cov": _field_names(CovSettings),
    "cov.endpoints": ENVIRONMENTS,  # untranslated: config table
    "monitoring": _field_names(MonitoringSettings),
    "ui": _field_names(UiSettings),
    "keymap": (),  # binding ids: the console checks them
    "deploy": _field_names(DeploySettings),
    "practices": _field_names(Practice),
    "practices.deploy": _field_names(DeployTarget),  # untranslated: config table
}


class Config:
    """The configuration as parse_config read it (or as a test builds it). A plain class:
    its defaults are made when it is made (the inbox from the home directory of then)."""

    __slots__ = ("path", "repository", "inbox", "backup_target", "thresholds", "cov",
                 "monitoring", "deploy", "ui", "practices", "keymap", "warnings", "raw")

    def __init__(self, path: Path | None, repository: Path, inbox: Path | None = None,
                 backup_target: Path | None = None,
                 thresholds: expiry.ExpiryThresholds | None = None,
                 cov: CovSettings | None = None, monitoring: MonitoringSettings | None = None,
                 deploy: DeploySettings | None = None, ui: UiSettings | None = None,
                 practices: list[Practice] | None = None, keymap: dict[str, str] | None = None,
                 warnings: list[str] | None = None, raw: dict | None = None):
        self.path = path
        self.repository = repository
        self.inbox = inbox if inbox is not None else _default_inbox()
        self.backup_target = backup_target
        self.thresholds = thresholds or expiry.ExpiryThresholds()
        self.cov = cov or CovSettings()
        self.monitoring = monitoring or MonitoringSettings()
        self.deploy = deploy or DeploySettings()
        self.ui = ui or UiSettings()
        self.practices: list[Practice] = practices if practices is not None else []
        # binding id (e.g. "practice.import") -> keys (e.g. "I" or "f3,ctrl+i")
        self.keymap: dict[str, str] = keymap if keymap is not None else {}
        self.warnings: list[str] = warnings if warnings is not None else []
        self.raw: dict = raw if raw is not None else {}

    def replace(self, **changes: Any) -> Config:
        """A copy with ``changes`` (keyword per attribute)."""
        return Config(**{name: getattr(self, name) for name in self.__slots__} | changes)

    def __repr__(self) -> str:
        return f"Config({self.path!r}, {len(self.practices)} practices)"  # untranslated: debug

    def practice(self, practice_id: str) -> Practice:
        """The practice with this id; a VecozoError with close matches otherwise."""
        for practice in self.practices:
            if practice.id == practice_id:
                return practice
        raise VecozoError(self._not_found(practice_id))

    def with_agb(self, agb: str | None) -> list[Practice]:
        """The practices with this AGB code (a certificate's code names its practice)."""
        return [practice for practice in self.practices if agb and practice.agb == agb]

    def _not_found(self, key: str) -> str:
        import difflib

        where = str(self.path) if self.path else _("the configuration")
        if not self.practices:
            return (_("No practice '{key}' in {where}: it has no practices yet. Add one as a "
                      "[[practices]] block (see config.example.toml).").format(
                key=key, where=where))
        folded = key.strip().lower()
        by_id = {p.id: p for p in self.practices}
        found: list[str] = []

        def add(practice_id: str) -> None:
            if practice_id not in found:
                found.append(practice_id)

        for practice in self.practices:  # exact AGB or name, or a part of the name
            if practice.agb == key.strip() or practice.name.lower() == folded:
                add(practice.id)
        for match in difflib.get_close_matches(folded, list(by_id), n=3, cutoff=0.6):
            add(match)
        names: dict[str, list[str]] = {}
        for practice in self.practices:
            names.setdefault(practice.name.lower(), []).append(practice.id)
        for match in difflib.get_close_matches(folded, list(names), n=3, cutoff=0.6):
            for practice_id in names[match]:
                add(practice_id)
        if len(folded) >= 3:
            for practice in self.practices:
                if folded in practice.name.lower():
                    add(practice.id)
        if key.strip().isdigit():
            agbs = {p.agb: p.id for p in self.practices}
            for match in difflib.get_close_matches(key.strip(), list(agbs), n=3, cutoff=0.75):
                add(agbs[match])
        message = _("No practice '{key}' in {where}.").format(key=key, where=where)
        if found:
            shown = [f"{i} ({by_id[i].name}, AGB {by_id[i].agb})" for i in found[:5]]
            return _("{message} Did you mean: {names}?").format(
                message=message, names=', '.join(shown))
        if len(self.practices) <= 8:
            return _("{message} Practice ids: {names}.").format(
                message=message, names=', '.join(p.id for p in self.practices))
        return (_("{message} `vecozo-tui list` shows the ids of all "
                  "{count} practices.").format(message=message, count=len(self.practices)))


# --- finding the file ---------------------------------------------------------------


def user_config_path(env: Mapping[str, str] = os.environ) -> Path:
    """The per-user config file; on Linux/BSD honours ``XDG_CONFIG_HOME`` from ``env``."""
    if sys.platform.startswith(("win", "darwin")):
        import platformdirs  # slow to import (~10 ms); only where the convention is not XDG

        config_dir = platformdirs.user_config_path(APP_NAME, appauthor=False)
        return config_dir / "config.toml"  # untranslated: file name
    base = env.get("XDG_CONFIG_HOME", "").strip()
    if not base:
        home = env.get("HOME") or str(Path.home())
        base = os.path.join(home, ".config")
    return Path(base) / APP_NAME / "config.toml"  # untranslated: file name


def find_config_path(explicit: str | Path | None = None, env: Mapping[str, str] = os.environ,
                     *, must_exist: bool = True) -> Path | None:
    """The config file to use, or None when there is none.

    ``explicit`` (``--config``) wins, then ``$VECOZO_TUI_CONFIG``; when either is given
    but the file is missing that is an error (with ``must_exist=False`` the path is
    returned anyway, for ``vecozo-tui init`` to write it). Otherwise the first existing
    file of the user config dir and SYSTEM_CONFIG_PATH.
    """
    for given, how in ((explicit, "--config"), (env.get(ENV_VAR) or None, f"${ENV_VAR}")):
        if given is None or str(given) == "":
            continue
        path = Path(given).expanduser()
        if must_exist and not _is_file(path):
            what = _("is a directory, not a file") if path.is_dir() else _("does not exist")
            raise VecozoError(
                _("Configuration file {path} (given by {how}) {what}. Copy config.example.toml "
                  "there or run `vecozo-tui init --config {path} --repository PATH`.").format(
                    path=path, how=how, what=what)
            )
        return path
    for candidate in (user_config_path(env), SYSTEM_CONFIG_PATH):
        if _is_file(candidate):
            return candidate
    return None


def _is_file(path: Path) -> bool:
    """Path.is_file, but a directory on the way that may not be entered is a VecozoError
    saying so (is_file raises PermissionError there)."""
    try:
        return path.is_file()
    except PermissionError:
        raise VecozoError(_("No permission to look for the configuration file {path}: a "
                            "directory on the way may not be entered by this user.").format(
            path=path)) from None
    except OSError as error:
        raise VecozoError(_("Cannot look for the configuration file {path}: "
                            "{reason}.").format(
            path=path, reason=error.strerror or error)) from None


def load_config(explicit: str | Path | None = None, env: Mapping[str, str] = os.environ, *,
                check_repository: bool = True) -> Config:
    path = find_config_path(explicit, env)
    if path is None:
        user = user_config_path(env)
        raise VecozoError(
            _("No configuration file found. Looked for --config, ${variable}, {user} and "
              "{system_path}. Run `vecozo-tui init --repository PATH` to write one, or "
              "copy config.example.toml to {user} and edit it.").format(
                variable=ENV_VAR, user=user, system_path=SYSTEM_CONFIG_PATH)
        )
    return parse_config(_read_config_text(path), path, check_repository=check_repository)


def _read_config_text(path: Path) -> str:
    from vecozo_tui.fsutil import read_regular_file

    try:
        data = read_regular_file(path, MAX_CONFIG_BYTES, what=_("the configuration file"))
    except FileNotFoundError:
        raise VecozoError(_("Configuration file {path} does not exist.").format(
            path=path)) from None
    try:
        return data.decode("utf-8-sig")  # -sig: tolerate the BOM some Windows editors write
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ConfigError([_("{path}:{line}: the file is not UTF-8 text; save it as UTF-8.").format(
            path=path, line=line)]) \
            from None


# --- line numbers -------------------------------------------------------------------


@functools.cache
def _line_patterns() -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    """Compiled on first use: only needed when there is something to report."""
    bare = r"""(?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+)"""
    header = re.compile(r"\s*(\[\[?)\s*([^\[\]#]+?)\s*\]\]?\s*(?:#.*)?$")
    key = re.compile(rf"\s*({bare}(?:\s*\.\s*{bare})*)\s*=")
    part = re.compile(rf"\s*({bare})\s*(?:\.|$)")
    return header, key, part


def _split_key(dotted: str) -> list[str]:
    return [part.strip("\"'") for part in _line_patterns()[2].findall(dotted)]


def _line_index(text: str) -> dict[tuple, int]:
    """Map key paths like ("practices", 2, "agb") to 1-based line numbers (first seen)."""
    header_pattern, key_pattern, _ = _line_patterns()
    index: dict[tuple, int] = {}
    array_counts: dict[tuple, int] = {}
    table: tuple = ()
    in_multiline: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if in_multiline:
            if line.count(in_multiline) % 2 == 1:
                in_multiline = None
            continue
        header = header_pattern.match(line)
        if header:
            names = _split_key(header.group(2))
            path: list = []
            for i, name in enumerate(names):
                path.append(name)
                key = tuple(path)
                if i == len(names) - 1 and header.group(1) == "[[":
                    array_counts[key] = array_counts.get(key, 0) + 1
                if key in array_counts:
                    path.append(array_counts[key] - 1)
            table = tuple(path)
            index.setdefault(table, number)
            continue
        key_match = key_pattern.match(line)
        if key_match:
            full = table + tuple(_split_key(key_match.group(1)))
            index.setdefault(full, number)
            rest = line[key_match.end():]
            for quote in ('"""', "'''"):
                if rest.count(quote) % 2 == 1:
                    in_multiline = quote
                    break
    return index


def format_key(keypath: tuple) -> str:
    """("practices", 2, "agb") -> "practices[3].agb" (entries numbered from 1)."""
    text = ""
    for part in keypath:
        if isinstance(part, int):
            text += f"[{part + 1}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _table_name(keypath: tuple) -> str:
    if not keypath:
        return _("at the top level")
    if isinstance(keypath[-1], int):
        return f"in [[{format_key(keypath[:-1])}]] #{keypath[-1] + 1}"
    return f"in [{format_key(keypath)}]"


class _Report:
    """Collects problems and warnings, prefixing each with file and line."""

    def __init__(self, path: Path, text: str):
        self.path = path
        self.text = text
        self.problems: list[str] = []
        self.warnings: list[str] = []
        self.unknown_keys = 0
        self._lines: dict[tuple, int] | None = None

    def line(self, keypath: tuple) -> int | None:
        if self._lines is None:
            self._lines = _line_index(self.text)
        while keypath:
            if keypath in self._lines:
                return self._lines[keypath]
            keypath = keypath[:-1]
        return None

    def where(self, keypath: tuple) -> str:
        line = self.line(keypath)
        return f"{self.path}:{line}" if line else str(self.path)

    def error(self, keypath: tuple, message: str) -> None:
        self.problems.append(f"{self.where(keypath)}: {format_key(keypath)}: {message}")

    def warn(self, keypath: tuple, message: str) -> None:
        self.warnings.append(f"{self.where(keypath)}: {message}")


# --- value checks (shared by parse_config and add_practice) -------------------------


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return _("the number {value}").format(value=value)
    if isinstance(value, str):
        return _("the text {value!r}").format(value=value)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, datetime | date):
        return "a date"
    return type(value).__name__


def agb_problem(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return _("must be an 8-digit AGB code in quotes, not {type}.").format(
            type=_type_name(value))
    if isinstance(value, int):
        hint = f' (agb = "{value:08d}")' if 0 <= value < 10**8 else ""
        return (_("{value} is a number; write it as a quoted string{hint}, otherwise a "
                  "leading zero is lost.").format(value=value, hint=hint))
    if not AGB_PATTERN.fullmatch(value):
        return _("'{value}' is not an AGB code: it must be exactly 8 digits, like "
                 "\"01234567\".").format(value=value)
    return None


def practice_id_problem(value: Any) -> str | None:
    if not isinstance(value, str):
        return _("must be text in quotes, not {type}.").format(type=_type_name(value))
    if not value:
        return _("must not be empty.")
    if len(value) > 64:
        return _("'{value}...' is too long ({count} characters; at most 64).").format(
            value=value[:20], count=len(value))
    if not PRACTICE_ID_PATTERN.fullmatch(value) or value.endswith("."):
        hint = ""
        if PRACTICE_ID_PATTERN.fullmatch(value.lower()):
            hint = _(" Use lower case: '{lower}'.").format(lower=value.lower())
        return (_("'{value}' is not a valid practice id: use lower-case letters, digits, '.', "
                  "'_' and '-', starting with a letter or digit (it becomes a directory "
                  "name).{hint}").format(value=value, hint=hint))
    if value.split(".")[0] in _WINDOWS_RESERVED:
        return _("'{value}' cannot be used: it is a reserved file name on Windows.").format(
            value=value)
    return None


def environment_problem(value: Any) -> str | None:
    if not isinstance(value, str):
        return _("must be text in quotes, not {type}.").format(type=_type_name(value))
    if value not in ENVIRONMENTS:
        import difflib  # only on the error path: start-up time matters for `check`

        close = difflib.get_close_matches(value.lower(), ENVIRONMENTS, n=1, cutoff=0.3)
        if not close:
            close = [e for e in ENVIRONMENTS if value and e.startswith(value.lower()[:3])]
        hint = _(" Did you mean '{close}'?").format(close=close[0]) if close else ""
        return (_("unknown environment '{value}'; use one of: {names}.{hint}").format(
            value=value, names=', '.join(ENVIRONMENTS), hint=hint))
    return None


def _parse_language(parser: _Parser, ui_table: dict) -> Language | None:
    value = parser.string(ui_table, ("ui", "language"))
    if value is None:
        return None
    language = parse_language(value) if value.strip().lower() in LANGUAGES else None
    if language is None:
        # a warning, like a bad [keymap]: a display setting never stops `check`
        parser.report.warn(("ui", "language"), _("must be one of {names} (not '{value}'); "
                                                 "--lang or the locale decides.").format(
            names=', '.join(LANGUAGES), value=value))
    return language


def as_environment(value: str) -> Environment:
    """``value`` as an environment, or a ConfigError saying what it should be."""
    for environment in ENVIRONMENTS:
        if value == environment:
            return environment
    raise ConfigError([f"environment: {environment_problem(value)}"])


def endpoint_problem(value: Any) -> str | None:
    from urllib.parse import urlsplit

    if not isinstance(value, str):
        return _("must be a URL in quotes, not {type}.").format(type=_type_name(value))
    shown = value if len(value) <= 100 else value[:99] + "…"
    try:
        parts = urlsplit(value)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return _("'{shown}' is not a valid URL (a bracket, port or character is wrong).").format(
            shown=shown)
    if parts.scheme != "https":
        return (_("'{shown}' must start with https:// (the COV service is only reached over "
                  "verified TLS).").format(shown=shown))
    if not host or any(c.isspace() for c in value):
        return _("'{shown}' is not a valid URL (no host name).").format(shown=shown)
    if ":" not in host:  # a name, not an IPv6 address: DNS limits apply
        if any(len(label) > 63 for label in host.split(".")):
            return _("'{shown}': a part of the host name is longer than 63 characters.").format(
                shown=shown)
        if len(host) > 253:
            return _("'{shown}': the host name is longer than 253 characters.").format(shown=shown)
    return None


def configured_test_bsn_problem(value: Any) -> str | None:
    """The ``[cov] test_bsn``: a test BSN only (never echo the value: it could be a real
    person's BSN)."""
    from vecozo_tui.bsn import passes_elfproef

    if not isinstance(value, str):
        return _("must be a BSN in quotes (9 digits).")
    if not passes_elfproef(value):
        return _("is not a valid BSN (9 digits that pass the 11-test).")
    if not value.startswith("9999"):
        return (_("is not a test BSN (test BSNs start with 9999). Never put a real patient's "
                  "BSN in the configuration: for a production test call it is asked for and "
                  "not stored."))
    return None


# --- parsing ------------------------------------------------------------------------


def _syntax_error(error: tomli.TOMLDecodeError, text: str, path: Path) -> ConfigError:
    message = str(error)
    # where the parser's (English) message says the error is
    where_in = (r"\s*\(at line (\d+), column (\d+)\)\s*$"  # untranslated: a pattern
                r"|\s*\(at end of document\)\s*$")
    match = re.search(where_in, message)
    where = f"{path}"
    hint = ""
    if match:
        message = message[: match.start()]
        if match.group(1):
            line_no, column = int(match.group(1)), int(match.group(2))
            where = f"{path}:{line_no}:{column}"
            lines = text.splitlines()
            line = lines[line_no - 1] if 0 < line_no <= len(lines) else ""
            if "\\" in line and '"' in line:
                hint = (_(" In \"double quotes\" a backslash starts an escape: write Windows "
                          "paths in 'single quotes' or with forward slashes."))
            elif re.search(r"=\s*0\d", line):
                hint = _(' Write AGB codes as quoted strings: agb = "01234567".')
        else:
            where = _("{path}: at the end of the file").format(path=path)
    return ConfigError([_("{where}: TOML syntax error: {message}.{hint}").format(
        where=where, message=message, hint=hint)])


def _parse_toml(text: str, path: Path) -> dict:
    try:
        return tomli.loads(text)
    except tomli.TOMLDecodeError as error:
        raise _syntax_error(error, text, path) from None
    except RecursionError:  # the parser parses nested lists and tables recursively
        raise ConfigError([_("{path}: lists or tables are nested too deeply to be a "
                             "vecozo-tui configuration.").format(path=path)]) from None


def _expand(value: str, base: Path) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else base / path


class _Parser:
    def __init__(self, raw: dict, report: _Report, base: Path):
        self.raw = raw
        self.report = report
        self.base = base

    def unknown_keys(self, table: dict, known_in: str, keypath: tuple) -> None:
        known = KNOWN_KEYS[known_in]
        for key in table:
            if key not in known:
                self.report.unknown_keys += 1
                if self.report.unknown_keys > MAX_UNKNOWN_KEY_WARNINGS:
                    continue  # counted; parse_config says how many more there are
                import difflib

                close = difflib.get_close_matches(key, known, n=1, cutoff=0.7)
                hint = _(" (did you mean `{close}`?)").format(close=close[0]) if close else ""
                self.report.warn(keypath + (key,),
                                 _("unknown key `{key}` {table_name} — kept, "
                                   "ignored{hint}").format(
                                     key=key, table_name=_table_name(keypath), hint=hint))

    def table(self, name: str) -> dict:
        value = self.raw.get(name, {})
        if isinstance(value, dict):
            self.unknown_keys(value, name, (name,))
            return value
        self.report.error((name,), _("must be a table (a [{name}] section), not "
                                     "{type}.").format(name=name, type=_type_name(value)))
        return {}

    def string(self, table: dict, keypath: tuple, *, required: bool = False,
               empty_ok: bool = False, missing: str = N_("is missing.")) -> str | None:
        key = keypath[-1]
        if key not in table:
            if required:
                self.report.error(keypath, _(missing))
            return None
        value = table[key]
        if not isinstance(value, str):
            self.report.error(keypath, _("must be text in quotes, not {type}.").format(
                type=_type_name(value)))
            return None
        if not value.strip() and not empty_ok:
            self.report.error(keypath, _("must not be empty."))
            return None
        return value

    def path(self, table: dict, keypath: tuple, *, required: bool = False,
             missing: str = N_("is missing.")) -> Path | None:
        value = self.string(table, keypath, required=required, missing=missing)
        if value is None:
            return None
        try:
            return _expand(value, self.base)
        except RuntimeError:
            self.report.error(keypath, _("cannot expand '{value}': no home directory is "
                                         "known.").format(value=value))
            return None

    def days(self, table: dict, keypath: tuple, default: int) -> int:
        key = keypath[-1]
        if key not in table:
            return default
        value = table[key]
        if isinstance(value, bool) or not isinstance(value, int):
            self.report.error(keypath, _("must be a whole number of days, not "
                                         "{type}.").format(type=_type_name(value)))
            return default
        if not 0 <= value <= MAX_DAYS:
            self.report.error(keypath, _("{value} is out of range: use 0 to {max_days} "
                                         "days.").format(value=value, max_days=MAX_DAYS))
            return default
        return value

    def boolean(self, table: dict, keypath: tuple, default: bool) -> bool:
        key = keypath[-1]
        if key not in table:
            return default
        value = table[key]
        if not isinstance(value, bool):
            self.report.error(keypath, _("must be true or false, not {type}.").format(
                type=_type_name(value)))
            return default
        return value


def parse_config(text: str, path: Path, *, check_repository: bool = True) -> Config:
    """Validate ``text`` (the contents of ``path``) into a Config, or raise ConfigError."""
    from vecozo_tui.fsutil import writable_by_others

    path = Path(os.path.abspath(Path(path).expanduser()))
    raw = _parse_toml(text, path)
    report = _Report(path, text)
    parser = _Parser(raw, report, path.parent)
    parser.unknown_keys(raw, "", ())

    # [repository]
    repository_table = parser.table("repository")
    if "repository" not in raw:
        report.problems.append(
            _("{path}: repository.path: is missing; add a [repository] section with "
              'path = "..." (the directory where certificates are kept).').format(path=path))
        repository = None
    elif isinstance(raw["repository"], dict):
        repository = parser.path(repository_table, ("repository", "path"), required=True,
                                 missing=N_('is missing; add path = "..." (the directory where '
                                           'certificates are kept).'))
    else:
        repository = None
    if repository is not None and check_repository:
        keypath = ("repository", "path")
        try:
            if not repository.exists():
                report.error(keypath, _("{repository} does not exist; create it with "
                                        "`vecozo-tui init`.").format(repository=repository))
            elif not repository.is_dir():
                report.error(keypath, _("{repository} is not a directory.").format(
                    repository=repository))
            elif writable_by_others(repository):
                mode = repository.stat().st_mode & 0o777
                report.error(keypath, _("{repository} is writable by group or other users "
                                        "(mode {mode:04o}); run `chmod 700 {repository}`.").format(
                    repository=repository, mode=mode))
        except OSError as error:
            report.error(keypath, _("cannot check {repository}: {reason}.").format(
                repository=repository, reason=error.strerror or error))

    # [import]
    import_table = parser.table("import")
    inbox = parser.path(import_table, ("import", "inbox"))
    if inbox is None:
        inbox = _default_inbox()
    elif not inbox.is_dir():
        what = _("is not a directory") if inbox.exists() else _("does not exist (yet)")
        report.warn(("import", "inbox"), _("import.inbox: {inbox} {what}; importing from the "
                                           "inbox will not find any files.").format(
            inbox=inbox, what=what))

    # [backup]
    backup_table = parser.table("backup")
    backup_target = parser.path(backup_table, ("backup", "default_target"))

    # [expiry]
    expiry_table = parser.table("expiry")
    defaults = expiry.ExpiryThresholds()
    thresholds = expiry.ExpiryThresholds(**{
        name: parser.days(expiry_table, ("expiry", name), getattr(defaults, name))
        for name in KNOWN_KEYS["expiry"]
    })
    if thresholds.critical_days >= thresholds.warning_days:
        report.error(("expiry", "critical_days"),
                     _("critical_days ({critical_days}) must be smaller than "
                       "warning_days ({warning_days}).").format(
                         critical_days=thresholds.critical_days,
                         warning_days=thresholds.warning_days))

    cov = _parse_cov(parser)

    # [monitoring]
    monitoring_table = parser.table("monitoring")
    monitoring = MonitoringSettings(**{
        name: parser.boolean(monitoring_table, ("monitoring", name), True)
        for name in KNOWN_KEYS["monitoring"]
    })

    # [ui]
    ui_table = parser.table("ui")
    ui = UiSettings(ascii=parser.boolean(ui_table, ("ui", "ascii"), False)
                    if "ascii" in ui_table else None,
                    language=_parse_language(parser, ui_table))

    keymap = _parse_keymap(parser)

    deploy_table = parser.table("deploy")
    deploy = DeploySettings(automatic=parser.boolean(deploy_table, ("deploy", "automatic"),
                                                     True))

    practices = _parse_practices(parser)

    if report.unknown_keys > MAX_UNKNOWN_KEY_WARNINGS:
        more = report.unknown_keys - MAX_UNKNOWN_KEY_WARNINGS
        report.warnings.append(ngettext("{path}: and {count} more unknown key (kept, ignored).",
                                        "{path}: and {count} more unknown keys (kept, ignored).",
                                        more).format(path=path, count=more))
    if report.problems:
        raise ConfigError(report.problems)
    try:
        if writable_by_others(path):
            report.warnings.append(_("{path}: the configuration file is writable by group or "
                                     "other users; run `chmod go-w {path}`.").format(path=path))
    except OSError:
        pass  # parsing text that is not (yet) on disk
    assert repository is not None
    return Config(path=path, repository=repository, inbox=inbox, backup_target=backup_target,
                  thresholds=thresholds, cov=cov, monitoring=monitoring, deploy=deploy, ui=ui,
                  practices=practices, keymap=keymap, warnings=report.warnings, raw=raw)


def _parse_keymap(parser: _Parser) -> dict[str, str]:
    """``[keymap]``: binding id = "keys". Which ids exist is the console's business (it
    warns about unknown ones); here only the form is checked. Problems are warnings: the
    keymap matters to the console only, and must never make ``check`` UNKNOWN."""
    table = parser.raw.get("keymap", {})
    if not isinstance(table, dict):
        parser.report.warn(("keymap",), _("keymap: must be a table (a [keymap] section), not "
                                          "{type}; ignored.").format(type=_type_name(table)))
        return {}
    keymap: dict[str, str] = {}
    for binding_id, keys in _flat_items(table):
        if isinstance(keys, str) and keys.strip():
            keymap[binding_id] = keys.replace(" ", "")
        else:
            parser.report.warn(("keymap", binding_id),
                               _("keymap.{binding_id}: must be keys in quotes, e.g. "
                                 '"f3,i", not {type}; ignored.').format(
                                   binding_id=binding_id, type=_type_name(keys)))
    return keymap


def _flat_items(table: dict, prefix: str = "") -> list[tuple[str, Any]]:
    """``practice.import = "f3"`` without quotes around the id is a nested table in
    TOML: read it as the id it was meant to be."""
    items: list[tuple[str, Any]] = []
    for key, value in table.items():
        if isinstance(value, dict):
            items += _flat_items(value, f"{prefix}{key}.")
        else:
            items.append((f"{prefix}{key}", value))
    return items


def _parse_cov(parser: _Parser) -> CovSettings:
    report = parser.report
    table = parser.table("cov")
    endpoints = dict(DEFAULT_ENDPOINTS)
    given = table.get("endpoints", {})
    if not isinstance(given, dict):
        report.error(("cov", "endpoints"), _("must be a table ([cov.endpoints]), not "
                                             "{type}.").format(type=_type_name(given)))
        given = {}
    parser.unknown_keys(given, "cov.endpoints", ("cov", "endpoints"))  # untranslated: config table
    for environment in ENVIRONMENTS:
        if environment in given:
            problem = endpoint_problem(given[environment])
            if problem:
                report.error(("cov", "endpoints", environment), problem)
            else:
                endpoints[environment] = given[environment]

    ca_bundle = parser.path(table, ("cov", "ca_bundle"))
    if ca_bundle is not None and not ca_bundle.is_file():
        what = _("is not a file") if ca_bundle.exists() else _("does not exist")
        report.error(("cov", "ca_bundle"), f"{ca_bundle} {what}.")
        ca_bundle = None

    timeout = 30.0
    if "timeout_seconds" in table:
        value = table["timeout_seconds"]
        if isinstance(value, bool) or not isinstance(value, int | float):
            report.error(("cov", "timeout_seconds"), _("must be a number of seconds, not "
                                                       "{type}.").format(type=_type_name(value)))
        elif not 0 < value <= 600:
            report.error(("cov", "timeout_seconds"),
                         _("{value} is out of range: use more than 0 and at most 600 "
                           "seconds.").format(value=value))
        else:
            timeout = float(value)

    test_bsn = DEFAULT_TEST_BSN
    if "test_bsn" in table:
        problem = configured_test_bsn_problem(table["test_bsn"])
        if problem:
            report.error(("cov", "test_bsn"), problem)
        else:
            test_bsn = table["test_bsn"]

    birth = DEFAULT_TEST_BIRTH_DATE
    if "test_birth_date" in table:
        value = table["test_birth_date"]
        if isinstance(value, date) and not isinstance(value, datetime):
            birth = value.isoformat()
        else:
            try:
                if not isinstance(value, str):
                    raise ValueError
                birth = date.fromisoformat(value).isoformat()
            except ValueError:
                report.error(("cov", "test_birth_date"),
                             _("must be a date like 1962-03-15, not {type}.").format(
                                 type=_type_name(value)))
    return CovSettings(endpoints=MappingProxyType(endpoints), ca_bundle=ca_bundle,
                       timeout_seconds=timeout, test_bsn=test_bsn, test_birth_date=birth)


def _parse_practices(parser: _Parser) -> list[Practice]:
    report = parser.report
    entries = parser.raw.get("practices", [])
    if isinstance(entries, dict):
        report.error(("practices",), _("write [[practices]] (double brackets) for each practice, "
                                       "not [practices]."))
        return []
    if not isinstance(entries, list):
        report.error(("practices",), _("must be a list of [[practices]] blocks, not "
                                       "{type}.").format(type=_type_name(entries)))
        return []
    practices: list[Practice] = []
    seen: dict[str, int] = {}
    deploy_paths: dict[Path, tuple] = {}  # a file two targets write would flip-flop
    checks = {"id": practice_id_problem, "agb": agb_problem, "environment": environment_problem}
    for number, entry in enumerate(entries):
        here = ("practices", number)
        if not isinstance(entry, dict):
            report.error(here, _("must be a [[practices]] block, not {type}.").format(
                type=_type_name(entry)))
            continue
        parser.unknown_keys(entry, "practices", here)
        ok = True
        for key in ("id", "name", "agb", "environment"):
            if key not in entry:
                report.error(here + (key,), _("is missing."))
                ok = False
            elif key in checks:
                problem = checks[key](entry[key])
                if problem:
                    report.error(here + (key,), problem)
                    ok = False
        name = parser.string(entry, here + ("name",), required=False)
        ok = ok and name is not None
        optional: dict[str, str | None] = {}
        for key in ("contact", "notes", "deploy_target"):
            if key in entry:
                value = parser.string(entry, here + (key,), empty_ok=True)
                ok = ok and value is not None
                optional[key] = value or None
        targets = (_parse_deploy_targets(parser, entry, here, deploy_paths)
                   if "deploy" in entry else ())
        ok = ok and targets is not None
        practice_id = entry.get("id")
        if isinstance(practice_id, str) and practice_id:
            if practice_id in seen:
                first = seen[practice_id]
                line = report.line(("practices", first))
                also = f"practices[{first + 1}]" + (f", line {line}" if line else "")
                report.error(here + ("id",), _("'{practice_id}' is used twice (also {also}); "
                                               "practice ids must be unique.").format(
                    practice_id=practice_id, also=also))
                ok = False
            else:
                seen[practice_id] = number
        if ok:
            practices.append(Practice(
                id=entry["id"], name=entry["name"], agb=entry["agb"],
                environment=entry["environment"], contact=optional.get("contact"),
                notes=optional.get("notes"), deploy_target=optional.get("deploy_target"),
                deploy=targets or (),
            ))
    return practices


def _parse_deploy_targets(parser: _Parser, entry: dict, here: tuple,
                          deploy_paths: dict[Path, tuple]) -> tuple[DeployTarget, ...] | None:
    """The practice's ``[[practices.deploy]]`` blocks; None when one of them is wrong."""
    report = parser.report
    entries = entry.get("deploy", [])
    if isinstance(entries, dict):
        report.error(here + ("deploy",), _("write [[practices.deploy]] (double brackets) for "
                                           "each deploy target, not [practices.deploy]."))
        return None
    if not isinstance(entries, list):
        report.error(here + ("deploy",), _("must be a list of [[practices.deploy]] blocks, not "
                                           "{type}.").format(type=_type_name(entries)))
        return None
    targets: list[DeployTarget] = []
    ok = True
    for number, table in enumerate(entries):
        where = here + ("deploy", number)
        if not isinstance(table, dict):
            report.error(where, _("must be a [[practices.deploy]] block, not "
                                  "{type}.").format(type=_type_name(table)))
            ok = False
            continue
        parser.unknown_keys(table, "practices.deploy", where)  # untranslated: config table
        target = _parse_deploy_target(parser, table, where)
        if target is None:
            ok = False
            continue
        if target.path in deploy_paths:
            report.error(where + ("path",), _("{path} is also the target of "
                                              "{format_key}; two "
                                              "targets cannot write one file.").format(
                path=target.path, format_key=format_key(deploy_paths[target.path])))
            ok = False
            continue
        deploy_paths[target.path] = where
        targets.append(target)
    return tuple(targets) if ok else None


def _parse_deploy_target(parser: _Parser, table: dict, where: tuple) -> DeployTarget | None:
    report = parser.report
    problems_before = len(report.problems)
    path = _deploy_path(parser, table, where + ("path",))
    file_format = parser.string(table, where + ("format",)) or "pkcs12"
    if file_format not in DEPLOY_FORMATS:
        report.error(where + ("format",), _("unknown format '{file_format}'; use one of: "
                                            "{names} (pkcs12-legacy is 3DES "
                                            "for old Windows programs).").format(
            file_format=file_format, names=', '.join(DEPLOY_FORMATS)))
    owner = _account(parser, table, where + ("owner",), "user")
    group = _account(parser, table, where + ("group",), "group")
    mode = _deploy_mode(parser, table, where + ("mode",))
    command = _hook_command(parser, table, where + ("command",))
    timeout = DEFAULT_HOOK_TIMEOUT
    if "timeout_seconds" in table:
        value = table["timeout_seconds"]
        if isinstance(value, bool) or not isinstance(value, int | float):
            report.error(where + ("timeout_seconds",), _("must be a number of seconds, not "
                                                         "{type}.").format(type=_type_name(value)))
        elif not 0 < value <= MAX_HOOK_TIMEOUT:
            report.error(where + ("timeout_seconds",),
                         _("{value} is out of range: use more than 0 and at most "
                           "{max_hook_timeout} seconds.").format(
                             value=value, max_hook_timeout=MAX_HOOK_TIMEOUT))
        else:
            timeout = float(value)
    on_stdin = parser.boolean(table, where + ("password_on_stdin",), False)
    if command is None:
        for key in ("timeout_seconds", "password_on_stdin"):
            if key in table:
                report.warn(where + (key,), _("{format_key}: has no effect "
                                              "without a command.").format(
                    format_key=format_key(where + (key,))))
    if len(report.problems) > problems_before or path is None:
        return None
    return DeployTarget(path=path, format=file_format, owner=owner, group=group, mode=mode,
                        command=command, timeout_seconds=timeout, password_on_stdin=on_stdin)


def _deploy_path(parser: _Parser, table: dict, keypath: tuple) -> Path | None:
    report = parser.report
    value = parser.string(table, keypath, required=True,
                          missing=N_('is missing; add path = "/..." (the file the practice '
                                    "software reads)."))
    if value is None:
        return None
    try:
        path = Path(value).expanduser()
    except RuntimeError:
        report.error(keypath, _("cannot expand '{value}': no home directory is known.").format(
            value=value))
        return None
    if not path.is_absolute():
        # the practice software reads one fixed file; a path relative to this config
        # file would silently change with where the config lives
        report.error(keypath, _("'{value}' is a relative path; give the full path of the file "
                                "the practice software reads, e.g. /srv/his/vecozo.pfx.").format(
            value=value))
        return None
    path = Path(os.path.normpath(path))
    try:
        if path.is_dir():
            report.error(keypath, _("{path} is a directory; give the path of the certificate "
                                    "file itself, e.g. {example}.").format(
                path=path, example=path / "vecozo.pfx"))  # untranslated: a file name
            return None
        if not path.parent.is_dir():
            # a warning, not an error: an unmounted share must not stop `check` or the
            # console; the deploy itself says so plainly
            report.warn(keypath, _("{format_key}: the directory {parent} does not "
                                   "exist (a share not mounted?); deploying there will fail "
                                   "until it does.").format(
                format_key=format_key(keypath), parent=path.parent))
    except OSError as error:
        report.warn(keypath, _("{format_key}: cannot check {parent}: "
                               "{reason}.").format(
            format_key=format_key(keypath), parent=path.parent, reason=error.strerror or error))
    return path


def _account(parser: _Parser, table: dict, keypath: tuple, kind: str) -> str | None:
    """A user or group given by name or number; it must exist on this server."""
    report = parser.report
    key = keypath[-1]
    if key not in table:
        return None
    value = table[key]
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    value = parser.string(table, keypath)
    if value is None:
        return None
    if os.name == "nt":
        report.error(keypath, _("a {kind} cannot be set on Windows; leave {key} out and set "
                                "the file's permissions on its folder.").format(kind=kind, key=key))
        return None
    if value.isdigit():
        return value
    import grp
    import pwd

    try:
        (pwd.getpwnam if kind == "user" else grp.getgrnam)(value)
    except KeyError:
        report.error(keypath, _("there is no {kind} '{value}' on this server.").format(
            kind=kind, value=value))
        return None
    return value


def _deploy_mode(parser: _Parser, table: dict, keypath: tuple) -> int | None:
    """A quoted octal mode: TOML reads ``mode = 400`` as the decimal 400 (0o620) and
    cannot tell ``0o400`` from 256, so a number is never taken."""
    report = parser.report
    if "mode" not in table:
        return None
    value = table["mode"]
    if not (isinstance(value, str) and re.fullmatch(r"(0o?)?[0-7]{3}", value.strip())):
        digits = str(value) if isinstance(value, int) and not isinstance(value, bool) else ""
        hint = _('; write mode = "0{digits}"').format(
            digits=digits) if re.fullmatch(r"[0-7]{3}", digits) else ""
        report.error(keypath, _('must be a file mode in quotes like "0640" (octal), not '
                                "{type}{hint}.").format(type=_type_name(value), hint=hint))
        return None
    mode = int(value.strip().removeprefix("0o"), 8)
    if mode & 0o022:
        report.error(keypath, _("{mode:04o} lets other users replace the certificate; drop the "
                                'write permission for group and others (e.g. "0640").').format(
            mode=mode))
    elif mode & 0o004:
        report.warn(keypath, _("{format_key}: {mode:04o} lets every user on this "
                               "server read the certificate file; give it a group instead "
                               '(e.g. "0640" with group = ...).').format(
            format_key=format_key(keypath), mode=mode))
    if not mode & 0o400:
        report.error(keypath, _("{mode:04o} does not let the file's owner read it; start with "
                                '04 or 06, e.g. "0600" or "0640".').format(mode=mode))
    return mode


def _hook_command(parser: _Parser, table: dict, keypath: tuple) -> tuple[str, ...] | None:
    report = parser.report
    if "command" not in table:
        return None
    value = table["command"]
    if isinstance(value, str):
        import shlex

        try:
            suggestion = "[" + ", ".join(f'"{part}"' for part in shlex.split(value)) + "]"
        except ValueError:
            suggestion = '["systemctl", "restart", "his-vecozo"]'
        report.error(keypath, _("must be a list of words, e.g. command = {suggestion}: it is "
                                "run without a shell, so a single string cannot be split "
                                "safely.").format(suggestion=suggestion))
        return None
    if not isinstance(value, list) or not value or \
            not all(isinstance(part, str) and part for part in value):
        report.error(keypath, _("must be a non-empty list of non-empty strings, e.g. "
                                '["systemctl", "restart", "his-vecozo"].'))
        return None
    import shutil

    if shutil.which(value[0]) is None:
        report.warn(keypath, _("{format_key}: the program '{value}' is not found "
                               "(not on PATH or not executable); the hook will fail until it "
                               "is.").format(format_key=format_key(keypath), value=value[0]))
    return tuple(value)


# --- writing ------------------------------------------------------------------------

RENDER_HEADER = (
    "# vecozo-tui configuration, rewritten by vecozo-tui. Comments of the previous\n"
    "# version are in the .bak file next to this one; config.example.toml documents\n"
    "# every key.\n\n"  # untranslated: the written config file
)


def render_config(raw: dict) -> str:
    """TOML text for ``raw`` (tomli-w; comments cannot be kept, unknown keys are)."""
    import tomli_w

    return RENDER_HEADER + tomli_w.dumps(raw)


def _practice_entry(practice: Practice) -> dict:
    entry = {"id": practice.id, "name": practice.name, "agb": practice.agb,
             "environment": practice.environment}
    for key in ("contact", "notes", "deploy_target"):
        value = getattr(practice, key)
        if value:
            entry[key] = value
    return entry


def practice_problems(practice: Practice) -> list[str]:
    """What is wrong with a practice entered in the TUI (empty when fine)."""
    problems = []
    for key, check in (("id", practice_id_problem), ("agb", agb_problem),
                       ("environment", environment_problem)):
        problem = check(getattr(practice, key))
        if problem:
            problems.append(f"{key}: {problem}")
    if not isinstance(practice.name, str) or not practice.name.strip():
        problems.append(_("name: must not be empty."))
    for key in ("contact", "notes", "deploy_target"):
        value = getattr(practice, key)
        if value is not None and not isinstance(value, str):
            problems.append(_("{key}: must be text.").format(key=key))
    return problems


def add_practice(config: Config, practice: Practice) -> Config:
    """Add ``practice`` to the config file and return the re-read Config.

    The file is re-read first, so changes made since ``config`` was loaded are kept. The
    new ``[[practices]]`` block is appended to the text, which keeps comments and
    formatting; when appending would not give the intended document (e.g. practices
    written as an inline array) the whole file is rewritten with tomli-w, keeping every
    key (unknown ones too) but not the comments. Either way the previous file is kept as
    ``<name>.bak`` next to it, both writes are atomic, and the file mode is kept.
    """
    import tomli_w

    from vecozo_tui.fsutil import atomic_write_text

    if config.path is None:
        raise VecozoError(_("This configuration was not read from a file; cannot add a practice."))
    problems = practice_problems(practice)
    if problems:
        raise ConfigError([_("Cannot add practice '{id}': {p}").format(
            id=practice.id, p=p) for p in problems])
    target = Path(os.path.realpath(config.path))  # write through a symlink, not over it
    old_text = _read_config_text(target)
    current = _parse_toml(old_text, config.path)
    existing = current.get("practices", [])
    if not isinstance(existing, list):
        raise ConfigError([_("{path}: practices: must be a list of [[practices]] "
                             "blocks; fix it before adding a practice.").format(path=config.path)])
    for number, entry in enumerate(existing):
        if isinstance(entry, dict) and entry.get("id") == practice.id:
            line = _line_index(old_text).get(("practices", number))
            where = f"{config.path}:{line}" if line else str(config.path)
            raise VecozoError(_("{where}: a practice with id '{id}' already exists "
                                "({get}); choose another id.").format(
                where=where, id=practice.id, get=entry.get('name', '?')))

    entry = _practice_entry(practice)
    expected = dict(current)
    expected["practices"] = [*existing, entry]
    block = tomli_w.dumps({"practices": [entry]})
    new_text = old_text + ("" if old_text.endswith("\n") or not old_text else "\n")
    new_text += ("\n" if new_text else "") + block
    try:
        appended_ok = tomli.loads(new_text) == expected
    except tomli.TOMLDecodeError:
        appended_ok = False
    if not appended_ok:
        new_text = render_config(expected)
    new_config = parse_config(new_text, config.path, check_repository=False)

    try:
        mode = target.stat().st_mode & 0o777
    except OSError:
        mode = 0o600
    atomic_write_text(target.with_name(target.name + ".bak"), old_text, mode)
    atomic_write_text(target, new_text, mode)
    return new_config


def write_new_config(explicit: str | Path | None = None, env: Mapping[str, str] = os.environ,
                     *, repository: Path, inbox: Path | None = None) -> Path:
    """Write a minimal, commented config for ``vecozo-tui init``; never overwrites.

    Goes to ``explicit``, else ``$VECOZO_TUI_CONFIG``, else the user config dir.
    Relative ``repository``/``inbox`` are taken relative to the current directory.
    """
    import json

    from vecozo_tui.fsutil import ensure_private_dir, write_new_file

    given = explicit or env.get(ENV_VAR) or None
    path = Path(given).expanduser() if given else user_config_path(env)
    path = Path(os.path.abspath(path))
    if not path.parent.exists():
        ensure_private_dir(path.parent)

    def quoted(value: Path) -> str:
        return json.dumps(os.path.abspath(Path(value).expanduser()))  # valid TOML string

    # the comments are in the reader's language; the keys and values are the same in all
    inbox_line = (f"inbox = {quoted(inbox)}" if inbox is not None
                  else _('# inbox = "{inbox}"   (the default)').format(inbox=DEFAULT_INBOX))
    text = "\n".join([
        _("# vecozo-tui configuration, written by `vecozo-tui init`."),
        _("# config.example.toml documents every key."),
        "",
        "[repository]",
        _("# where certificates, history and the audit log are kept (mode 0700)"),
        f"path = {quoted(repository)}",
        "",
        "[import]",
        _("# where exported .pfx files are dropped for import"),
        inbox_line,
        "",
        _("# One block per practice:"),
        "# [[practices]]",
        _('# id = "hap-zuid"                  # lower case; becomes a directory name'),
        '# name = "Huisartsenpraktijk Zuid"',  # untranslated: a practice's name
        _('# agb = "01234567"                 # 8 digits, in quotes'),
        _('# environment = "production"       # production, acceptance or test'),
        "",
    ])
    write_new_file(path, text.encode("utf-8"))
    return path

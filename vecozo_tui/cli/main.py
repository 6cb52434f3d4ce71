"""Command-line front: every operation of the TUI, scriptable.

Each command's module is imported only when that command runs, so the scripted
commands (list, status, check, metrics) start fast and never load Textual.

Exit codes (unless a command says otherwise):
  0 done; 1 a problem the user can fix (message on stderr); 2 usage error;
  3 refused or cancelled (an import with blocking findings, or not confirmed);
  130 interrupted.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from importlib import import_module
from typing import TYPE_CHECKING, NoReturn, TextIO

from vecozo_tui.cli.exit_codes import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK
from vecozo_tui.clock import SYSTEM_CLOCK, Clock
from vecozo_tui.errors import VecozoError
from vecozo_tui.i18n import LANGUAGES, N_, _, activate, choose_language, ngettext

if TYPE_CHECKING:
    from vecozo_tui.config import Config


class Invocation:
    """What a command needs from the outside world; tests pass their own. The standard
    streams are those of when it is made (pytest swaps them per test)."""

    __slots__ = ("args", "clock", "env", "stdin", "stdout", "stderr")

    def __init__(self, args: argparse.Namespace, clock: Clock = SYSTEM_CLOCK,
                 env: Mapping[str, str] | None = None, stdin: TextIO | None = None,
                 stdout: TextIO | None = None, stderr: TextIO | None = None):
        self.args = args
        self.clock = clock
        self.env: Mapping[str, str] = os.environ if env is None else env
        self.stdin: TextIO = sys.stdin if stdin is None else stdin
        self.stdout: TextIO = sys.stdout if stdout is None else stdout
        self.stderr: TextIO = sys.stderr if stderr is None else stderr

    def out(self, text: str = "") -> None:
        print(text, file=self.stdout)

    def err(self, text: str) -> None:
        print(text, file=self.stderr)

    def use_config_language(self, config: Config) -> None:
        """``[ui] language`` counts once the configuration is read, unless ``--lang``
        was given (texts before this follow ``--lang`` or the locale)."""
        activate(choose_language(getattr(self.args, "lang", None), config.ui.language,
                                 self.env))


def _command(target: str) -> Callable[[Invocation], int]:
    """A lazily imported command function, 'module:function' under vecozo_tui.cli."""
    module_name, function_name = target.split(":")

    def run(invocation: Invocation) -> int:
        module = import_module(f"vecozo_tui.cli.{module_name}")  # untranslated: command target
        return getattr(module, function_name)(invocation)

    return run


class _OnePath(argparse.Action):
    """A path option's value; Python 3.11's argparse turns ``--config=--`` into an
    empty list (it drops the '--'), which must be a usage error, not a traceback."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        if not isinstance(values, str):
            parser.error(_("argument %(argument_name)s: %(message)s") % {
                "argument_name": option_string, "message": _("expected one argument")})
        setattr(namespace, self.dest, values)


def _add_config_option(parser: argparse.ArgumentParser, *, default: object = None) -> None:
    parser.add_argument("--config", metavar=_("PATH"), default=default, action=_OnePath,
                        help=_("configuration file (default: $VECOZO_TUI_CONFIG, the user "
                               "config dir, /etc/vecozo-tui/config.toml)"))


def _add_language_option(parser: argparse.ArgumentParser, *, default: object = None) -> None:
    parser.add_argument("--lang", choices=LANGUAGES, default=default,
                        help=_("language of the texts: nl or en (default: [ui] language, "
                               "else the locale, else en)"))


def _language_in(argv: Sequence[str]) -> str | None:
    """The ``--lang`` of the command line, read before the parser is built (its help
    texts are in that language); the parser checks the value."""
    words = list(argv)
    for index, word in enumerate(words):
        if word == "--":
            break
        if word == "--lang" and index + 1 < len(words):
            return words[index + 1]
        if word.startswith("--lang="):
            return word.split("=", 1)[1]
    return None


def _add_password_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--password-file", metavar=_("FILE"),
                        help=_("read the certificate password from the first line of FILE "
                               "(or set $VECOZO_TUI_PASSWORD); otherwise asked without echo. "
                               "Where a new password is needed (backup --new-password, a file "
                               "exported without one), it is the second line (or "
                               "$VECOZO_TUI_NEW_PASSWORD)"))


class _Unused:
    """Stands for the parser of a command that is not run (see build_parser's ``only``)."""

    def add_argument(self, *args, **kwargs) -> None:
        pass


class _Retry(Exception):
    """A command line the parser of one command did not take: parse it with them all."""


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's, with the width found as shutil.get_terminal_size finds it, but without
    importing shutil, which argparse does for it: with bz2 and lzma that is 3 ms of every
    command's start, help or not."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None):
        super().__init__(prog, indent_increment, max_help_position,
                         width if width is not None else terminal_columns() - 2)


def terminal_columns() -> int:
    """The terminal's width as shutil.get_terminal_size().columns gives it ($COLUMNS, else
    the terminal of stdout, else 80), without importing shutil (3 ms of a start)."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _OneCommandParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _Retry(message)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command; with ``only``, that command's alone (a scripted
    command starts faster), which raises _Retry instead of reporting a usage error, so
    that the full parser can say what it always says."""
    # allow_abbrev=False: "--password" must not silently mean "--password-file"
    parser = (argparse.ArgumentParser if only is None else _OneCommandParser)(
        prog="vecozo-tui", allow_abbrev=False, formatter_class=_HelpFormatter,
        description=_("Terminal console for the VECOZO system certificates of Dutch practices. "
                      "Without a command it opens the full-screen console."),
    )
    _add_config_option(parser)
    _add_language_option(parser)
    parser.add_argument("--version", action="version",
                        version=f"vecozo-tui {_version()}")
    parser.set_defaults(run=_command("console:run_tui"))  # untranslated: command target
    sub = parser.add_subparsers(title=_("commands"), metavar=_("COMMAND"))

    def command(name: str, target: str, help_text: str, **options) -> argparse.ArgumentParser:
        if only is not None and name != only:
            return _Unused()  # type: ignore[return-value]
        p = sub.add_parser(name, help=help_text, description=help_text, allow_abbrev=False,
                           formatter_class=_HelpFormatter, **options)
        # SUPPRESS: a --config given before the command is not overwritten by the
        # subcommand's default; given after the command it is the same option
        _add_config_option(p, default=argparse.SUPPRESS)
        _add_language_option(p, default=argparse.SUPPRESS)
        p.set_defaults(run=_command(target))
        return p

    practice_help = _("practice id (or AGB code)")
    json_help = _("machine-readable output")

    p = command("tui", "console:run_tui",  # untranslated: command target
                _("open the full-screen console (the default)"))

    p = command("demo", "console:run_demo",  # untranslated: command target
                _("open the console on a throw-away demo repository with a local COV server"))
    p.add_argument("--keep", action="store_true",
                   help=_("keep the demo directory on exit (its path is printed)"))
    p.add_argument("--dir", metavar=_("PATH"),
                   help=_("build the demo in PATH (must be empty)"))

    p = command("init", "certificates:run_init",  # untranslated: command target
                _("create the certificate repository (and a configuration file if none "
                  "exists)"))
    p.add_argument("--repository", metavar=_("PATH"),
                   help=_("where to create the repository when writing a new configuration"))
    p.add_argument("--inbox", metavar=_("PATH"),
                   help=_("where exported .pfx files are dropped (new configuration only)"))

    p = command("list", "overview:run_list",  # untranslated: command target
                _("list practices, most urgent certificate first"))
    p.add_argument("--json", action="store_true", help=json_help)

    p = command("status", "overview:run_status",  # untranslated: command target
                _("counts per status, or every practice as JSON"))
    p.add_argument("--json", action="store_true", help=json_help)

    p = command("show", "overview:run_show",  # untranslated: command target
                _("certificate details and history of one practice"))
    p.add_argument("practice", metavar=_("practice"), help=practice_help)
    p.add_argument("--json", action="store_true", help=json_help)

    p = command("history", "overview:run_history",  # untranslated: command target
                _("earlier certificates of one practice"))
    p.add_argument("practice", metavar=_("practice"), help=practice_help)
    p.add_argument("--json", action="store_true", help=json_help)

    p = command("import", "certificates:run_import",  # untranslated: command target
                _("import a .pfx/.p12 exported from a browser into the repository"))
    p.add_argument("practice", metavar=_("practice"), help=practice_help)
    p.add_argument("file", metavar=_("file"),
                   help=_("the .pfx or .p12 file (a bare file name: also looked up in the "
                          "inbox)"))
    _add_password_options(p)
    p.add_argument("--yes", "-y", action="store_true",
                   help=_("do not ask for confirmation of warnings (blocking problems still "
                          "refuse)"))
    p.add_argument("--pick", metavar=_("SHA256-START"),
                   help=_("a file with several certificates: import the one whose SHA-256 "
                          "starts so (default: the renewed system certificate of the "
                          "practice)"))

    p = command("inspect", "certificates:run_inspect",  # untranslated: command target
                _("show what is in a .pfx/.p12 file without importing it"))
    p.add_argument("file", metavar=_("file"), help=_("the .pfx or .p12 file"))
    _add_password_options(p)
    p.add_argument("--json", action="store_true", help=json_help)

    p = command("activate", "certificates:run_activate",  # untranslated: command target
                _("make an earlier certificate from history the active one again (roll "
                  "back)"))
    p.add_argument("practice", metavar=_("practice"), help=practice_help)
    p.add_argument("fingerprint", metavar=_("fingerprint"),
                   help=_("its SHA-256 fingerprint, or the start of it (see `history`); "
                          "colons are allowed"))
    p.add_argument("--yes", "-y", action="store_true", help=_("do not ask for confirmation"))
    _add_password_options(p)  # for the deploy right after it ([deploy] automatic)

    p = command("deploy", "deploy:run_deploy",  # untranslated: command target
                _("put the active certificate where the practice software reads it "
                  "([[practices.deploy]] targets), verified, then run the target's hook"))
    p.add_argument("practice", metavar=_("practice"), help=practice_help)
    p.add_argument("--target", type=int, metavar="N",
                   help=_("only the N-th deploy target of the practice (from 1)"))
    p.add_argument("--dry-run", action="store_true",
                   help=_("say what would be written and run; write nothing, ask no "
                          "password"))
    _add_password_options(p)
    p.add_argument("--json", action="store_true", help=json_help)

    p = command("purge", "certificates:run_purge",  # untranslated: command target
                _("delete the history (not the active certificate) of one practice"))
    p.add_argument("practice", metavar=_("practice"), help=_("practice id"))
    p.add_argument("--confirm", metavar=_("PRACTICE"), required=True,
                   help=_("repeat the practice id to confirm; this cannot be undone"))

    p = command("test-cov", "cov:run_test_cov",  # untranslated: command target
                _("prove a certificate works: a test COV call over mutual TLS, step by step"))
    p.add_argument("practice", metavar=_("practice"), help=practice_help)
    _add_password_options(p)
    p.add_argument("--birth-date", metavar=_("DD-MM-YYYY"),
                   help=_("date of birth of the test person, DD-MM-YYYY or YYYY-MM-DD; "
                          "acceptance and test only (production: $VECOZO_TUI_BIRTH_DATE or "
                          "asked without echo, never an argument)"))
    p.add_argument("--endpoint", metavar="URL", help=_("override the configured COV endpoint"))
    p.add_argument("--json", action="store_true", help=json_help)

    p = command("fake-cov", "cov:run_fake_cov",  # untranslated: command target
                _("run the local VECOZO-like COV server (for trying things out, not "
                  "production)"))
    p.add_argument("--host", default="127.0.0.1",
                   help=_("address to listen on (default 127.0.0.1)"))
    p.add_argument("--port", type=int, default=0, help=_("port (default: a free one)"))
    p.add_argument("--dir", metavar=_("PATH"),
                   help=_("a new or empty directory for its CA and example client .pfx files "
                          "(default: a temporary one)"))

    p = command("backup", "backup:run_backup",  # untranslated: command target
                _("write a verified backup of the active certificate to another medium"))
    p.add_argument("practice", metavar=_("practice"), help=practice_help)
    p.add_argument("--to", metavar=_("DIR"), dest="target",
                   help=_("target directory (default: [backup] default_target)"))
    p.add_argument("--legacy", action="store_true",
                   help=_("3DES encryption for older Windows (Server 2016 and earlier)"))
    p.add_argument("--with-history", action="store_true",
                   help=_("also write the earlier certificates"))
    p.add_argument("--new-password", action="store_true",
                   help=_("protect the backup with a new password (asked twice)"))
    _add_password_options(p)
    p.add_argument("--json", action="store_true", help=json_help)

    p = command("walkthrough", "walkthrough:run_walkthrough",  # untranslated: command target
                _("step-by-step checklist: renew, new, recover or backup; shows, ticks, "
                  "exports"))
    p.add_argument("practice", metavar=_("practice"), help=practice_help)
    p.add_argument("kind", choices=["renew", "new", "recover", "backup"],
                   help=_("renew (verlengen), new (aanvragen en installeren), recover "
                          "(verlopen of verloren: opnieuw installeren), backup (back-up / "
                          "verplaatsen)"))
    p.add_argument("--tick", metavar=_("STEP"),
                   help=_("mark a step done (its key or number)"))
    p.add_argument("--untick", metavar=_("STEP"), help=_("mark a step not done"))
    p.add_argument("--note", metavar=_("TEXT"),
                   help=_("a note with --tick/--untick (no secrets)"))
    p.add_argument("--all", action="store_true",
                   help=_("show every step's text, not only the next"))
    p.add_argument("--restart", action="store_true", help=_("start the walkthrough afresh"))
    p.add_argument("--export", metavar=_("FILE"),
                   help=_("write the walkthrough's record as Markdown to FILE ('-': stdout)"))
    p.add_argument("--host", metavar=_("NAME"),
                   help=_("this server's name in the scp command (default: $VECOZO_TUI_HOST "
                          "or the host name)"))
    p.add_argument("--json", action="store_true", help=json_help)

    _add_check_command(command("check", "monitoring:run_check",  # untranslated: command target
                               _("monitoring plugin (Nagios/Icinga): exit 0 OK, 1 WARNING, "
                                 "2 CRITICAL, 3 UNKNOWN"), add_help=False))

    p = command("metrics", "monitoring:run_metrics",  # untranslated: command target
                _("Prometheus text format, for node_exporter's textfile collector"))
    p.add_argument("--output", metavar=_("FILE"),
                   help=_("write atomically to FILE instead of stdout, in node_exporter's "
                          "textfile directory (Debian: /var/lib/prometheus/node-exporter/"
                          "vecozo.prom); while the repository cannot be read, the last values "
                          "read stay in it"))

    return parser


# The Monitoring Plugins guidelines' options. -t defaults below check_nrpe's own 10 s
# socket timeout, so that our reason reaches Nagios instead of "Socket timeout".
DEFAULT_CHECK_TIMEOUT_SECONDS = 8


def check_usage() -> str:
    """check's usage line (in its answer to a usage error); the option names stay."""
    return _("vecozo-tui check [--config PATH] [-w DAYS] [-c DAYS] [-t SECONDS] [-v] [-V] "
             "[-h]")


def _add_check_command(p: argparse.ArgumentParser) -> None:
    if isinstance(p, _Unused):
        return
    p.add_argument("-w", "--warning", type=int, metavar=_("DAYS"),
                   help=_("warn when a certificate expires within DAYS (default from config)"))
    p.add_argument("-c", "--critical", type=int, metavar=_("DAYS"),
                   help=_("critical when a certificate expires within DAYS (default from "
                          "config)"))
    p.add_argument("-t", "--timeout", type=_positive_seconds, metavar=_("SECONDS"),
                   default=DEFAULT_CHECK_TIMEOUT_SECONDS,
                   help=_("answer UNKNOWN when the check takes longer than SECONDS (default "
                          "{seconds})").format(seconds=DEFAULT_CHECK_TIMEOUT_SECONDS))
    p.add_argument("-v", "--verbose", action="count", default=0,
                   help=_("add a line naming the configuration, repository and thresholds "
                          "used"))
    # -V and -h exit 3 (UNKNOWN), as the Monitoring Plugins do: a check command that by
    # mistake says -V must not show OK for ever
    p.add_argument("-V", "--version", action=_PluginExit, help=_("show the version, exit 3"),
                   text=lambda parser: f"vecozo-tui {_version()}")
    p.add_argument("-h", "--help", action=_PluginExit, help=_("show this help, exit 3"),
                   text=lambda parser: parser.format_help().rstrip("\n"))
    p.error = _plugin_usage_error  # type: ignore[method-assign]  # exit 2 reads as CRITICAL


class _PluginExit(argparse.Action):
    """Print ``text(parser)`` on stdout and exit 3, like a plugin's -V and -h."""

    def __init__(self, option_strings, dest, text, help=None):
        super().__init__(option_strings, dest, nargs=0, help=help)
        self.text = text

    def __call__(self, parser, namespace, values, option_string=None) -> NoReturn:
        print(self.text(parser))
        raise SystemExit(3)


def _positive_seconds(text: str) -> int:
    try:
        seconds = int(text)
    except ValueError:
        seconds = 0
    if seconds < 1:
        raise argparse.ArgumentTypeError(
            _("'{text}' is not a whole number of seconds (1 or more)").format(text=text))
    return seconds


def _plugin_usage_error(message: str) -> NoReturn:
    # the plugin keyword stays as it is in every language; the reason is for people
    reason = _("{message} (usage: {usage})").format(message=" ".join(message.split()),
                                                    usage=check_usage())
    print(f"VECOZO UNKNOWN - {reason}")  # untranslated: the plugin keyword
    raise SystemExit(3)


def _command_word(argv: Sequence[str]) -> str | None:
    """The command of a command line whose only words before it are ``--config PATH``
    and ``--lang LANGUAGE`` (the full parser is built for anything else: --help,
    --version, a mistake)."""
    words = iter(argv)
    for word in words:
        if word in ("--config", "--lang"):
            next(words, None)
        elif word.startswith(("--config=", "--lang=")):
            continue
        elif word.startswith("-"):
            return None
        else:
            return word
    return None


def _own_parser(argv: Sequence[str]) -> str | None:
    """Whose parser is enough for this command line: the command's, "" for the console
    (no command, only ``--config`` and ``--lang``: no command's parser at all, a sixth
    of the console's own start-up work before), None for the full parser."""
    only = _command_word(argv)
    if only is not None:
        return None if only in ("tui", "demo") else only
    words = iter(argv)
    for word in words:
        if word in ("--config", "--lang"):
            value = next(words, None)
            if value is None or value.startswith("-"):
                return None
        elif not word.startswith(("--config=", "--lang=")):
            return None  # --help, --version, a mistake
    return ""


def parse_command_line(argv: list[str]) -> argparse.Namespace:
    """The parsed command line; only the command's own parser is built when that is
    enough (the help and the errors of the full parser are what people see)."""
    only = _own_parser(argv)
    if only is not None:
        try:
            return build_parser(only).parse_args(argv)
        except _Retry:
            pass
    parser = build_parser()
    if _runs_check(argv):
        parser.error = _plugin_usage_error  # type: ignore[method-assign]
    return parser.parse_args(argv)


def _runs_check(argv: Sequence[str]) -> bool:
    """Whether the command line runs `check`: then the top-level parser's usage errors
    (an unknown option, a stray argument) must be plugin answers too."""
    words = iter(argv)
    for word in words:
        if word in ("--config", "--lang"):
            next(words, None)
        elif not word.startswith("-"):
            return word == "check"
    return False


def _tolerant_output() -> None:
    """A terminal that cannot show a character ("…", "ü": LC_ALL=C, an old console) gets
    a "?" instead of a UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and (stream.encoding or "").lower() not in ("utf-8",
                                                                               "utf8"):
            reconfigure(errors="replace")


def _version() -> str:
    from vecozo_tui import __version__

    return __version__


# argparse's own words (its headings, its -h and its usage errors) as Python 3.11 writes
# them: Python ships no Dutch for them, so they go through the CLI's catalog
ARGPARSE_TEXTS = (
    N_("usage: "), N_("options"), N_("positional arguments"),
    N_("show this help message and exit"), N_("show program's version number and exit"),
    N_("argument %(argument_name)s: %(message)s"), N_("unrecognized arguments: %s"),
    N_("the following arguments are required: %s"), N_("expected one argument"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("invalid %(type)s value: %(value)r"), N_("%(prog)s: error: %(message)s\n"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("not allowed with argument %s"), N_("one of the arguments %s is required"),
    N_("ignored explicit argument %r"),
)


def _argparse_in_our_language() -> None:
    argparse._ = _  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]


# the commands that read the repository, print and end: monitoring runs them every minute
REPORT_COMMANDS = ("list", "status", "show", "check", "metrics")


@contextmanager
def _without_cycle_collection(report: bool) -> Iterator[None]:
    """A report runs for a tenth of a second and leaves no reference cycles worth
    collecting, but the collector's passes over a thousand practices' objects took 8 ms
    of a 120 ms `check`: it waits until the report is done (not in a console or server)."""
    if not report or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def run() -> NoReturn:
    """The `vecozo-tui` program (its console script, ``python -m vecozo_tui``)."""
    argv = sys.argv[1:]
    code = main(argv)
    if _command_word(argv) in REPORT_COMMANDS and _flushed() and sys.gettrace() is None \
            and sys.getprofile() is None:
        # The interpreter's teardown would free a report's objects (1,000 practices) one
        # by one: 10 ms of a 120 ms check. A report has written everything through these
        # two streams (a metrics file is written and renamed before this) and holds no
        # lock, no temporary file and no child process. Not under a profiler or coverage:
        # they write their findings at exit.
        os._exit(code)
    raise SystemExit(code)


def _flushed() -> bool:
    """stdout and stderr written out; False when that failed (a full disk, a file size
    limit): then the interpreter's own exit reports it, with its exit code."""
    for stream in (sys.stdout, sys.stderr):
        if stream is None:  # started with that descriptor closed
            continue
        try:
            stream.flush()
        except BrokenPipeError:
            continue  # the reader left (`| head`): nothing is lost that anyone reads
        except (OSError, ValueError):
            return False
    return True


def main(argv: Sequence[str] | None = None, *, clock: Clock = SYSTEM_CLOCK,
         env: Mapping[str, str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    with _without_cycle_collection(_command_word(argv) in REPORT_COMMANDS):
        return _main(argv, clock, env)


def _main(argv: list[str], clock: Clock, env: Mapping[str, str] | None) -> int:
    _tolerant_output()
    env = os.environ if env is None else env
    activate(choose_language(_language_in(argv), None, env))
    _argparse_in_our_language()
    args = parse_command_line(argv)
    invocation = Invocation(args=args, clock=clock, env=env)
    try:
        return args.run(invocation)
    except VecozoError as error:
        invocation.err(f"vecozo-tui: {error}")
        return EXIT_ERROR
    except KeyboardInterrupt:
        # a new line first: Ctrl+C at a prompt leaves the cursor behind it
        invocation.err("\nvecozo-tui: " + _("interrupted. (`vecozo-tui show PRACTICE` tells "
                                             "what is stored.)"))
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # e.g. `vecozo-tui list | head`: the reader left, which is not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())

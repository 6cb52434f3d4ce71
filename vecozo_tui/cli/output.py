"""Human-readable text blocks shared by several commands."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vecozo_tui.certificate_info import kind_reason_words
from vecozo_tui.cli.main import terminal_columns
from vecozo_tui.i18n import N_, _, ngettext
from vecozo_tui.textfmt import (
    fingerprint,
    kind_words,
    local_date,
    relative_days,
    truncate_middle,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from vecozo_tui.certificates import CertificateInfo, Finding, LoadedPkcs12, Pkcs12Contents
    from vecozo_tui.cli.main import Invocation
    from vecozo_tui.status import Level


# the environments and certificate kinds where the CLI shows their codes in a table or
# a heading (--json keeps the codes)
ENVIRONMENT_WORDS = {"production": N_("production"), "acceptance": N_("acceptance"),
                     "test": N_("test")}
KIND_CODE_WORDS = {"system": N_("system"), "personal": N_("personal"),
                   "unclear": N_("unclear"), "not-client": N_("not-client")}
# the marks of import findings
FINDING_MARKS = {"error": N_("BLOCKED"), "warning": N_("WARNING")}
# the labels of "Label          value" lines: the values start in this column (or one
# after the longest label of the block, where a translation is longer)
LABEL_WIDTH = 15
# the labels of a certificate's lines, and of the lines shown under them
CERTIFICATE_LABELS = (N_("Subject"), N_("Kind"), N_("AGB code"), N_("Issuer"), N_("Serial"),
                      N_("Valid from"), N_("Valid until"), N_("Key"), N_("Friendly name"),
                      N_("Chain"), N_("Imported"), N_("Renew from"), N_("Replaces"))


def level_word(level: Level) -> str:
    """The status word of ``level`` in the language people read (VERLOPEN, KRITIEK);
    --json keeps the stable code (``level.value``)."""
    return level.word


def environment_word(environment: str) -> str:
    """'production' in the language people read ('productie')."""
    word = ENVIRONMENT_WORDS.get(environment)
    return _(word) if word else environment


def kind_code_word(kind: str) -> str:
    """A certificate kind in a table column: 'system', 'personal' ('systeem')."""
    word = KIND_CODE_WORDS.get(kind)
    return _(word) if word else kind


def label_width(*labels: str, least: int = LABEL_WIDTH) -> int:
    """The column of the values of a block with these (translated) labels."""
    return max([least, *(len(label) + 1 for label in labels)])


def certificate_width() -> int:
    """The column of the values of ``certificate_lines`` and the lines under them."""
    return label_width(*(_(label) for label in CERTIFICATE_LABELS))


def field(label: str, value: str, width: int = LABEL_WIDTH) -> str:
    """``label`` padded to ``width`` columns (at least one space), then ``value``."""
    return f"{label.ljust(width - 1)} {value}"


def certificate_lines(info: CertificateInfo, now) -> list[str]:  # noqa: ANN001 - datetime
    """Every field of a certificate; dates in the server's zone (that of ``now``)."""
    from vecozo_tui.expiry import days_left

    left = days_left(info.not_after, now)
    width = certificate_width()

    def field(label: str, value: str) -> str:
        return f"{label.ljust(width - 1)} {value}"

    lines = []
    if info.kind == "unclear":  # the name itself, so the person can judge it
        lines.append(field("CN", f'"{info.common_name}"'))
    reason = kind_reason_words(info.kind_reason)
    kind = kind_words(info.kind) + (f"  ({reason})" if reason else "")
    if info.kind == "personal":
        kind = _("{kind}; it cannot do COV or billing").format(kind=kind)
    until = local_date(info.not_after, now)
    lines += [
        field(_("Subject"), info.subject),
        field(_("Kind"), kind),
        field(_("AGB code"), info.agb_code or _("- (not in the certificate)")),
        field(_("Issuer"), info.issuer),
        field(_("Serial"), info.serial),
        field("SHA-256", fingerprint(info.sha256)),
        field("SHA-1", _("{fingerprint}  (the Windows 'thumbprint')").format(
            fingerprint=fingerprint(info.sha1))),
        field(_("Valid from"), local_date(info.not_before, now)),
        field(_("Valid until"),
              _("{date}  (expired {relative})").format(date=until, relative=relative_days(left))
              if left < 0 else f"{until}  ({relative_days(left)})"),
        field(_("Key"), _("{type} {size} bits").format(type=info.key_type, size=info.key_size)),
    ]
    if info.friendly_name:
        lines.append(field(_("Friendly name"), info.friendly_name))
    if info.chain:
        lines.append(_("Chain"))
        lines += ["  " + _("{subject}  (until {date})").format(
                      subject=entry.subject, date=local_date(entry.not_after, now))
                  for entry in info.chain]
    else:
        lines.append(field(_("Chain"), _("none included")))
    return lines


def file_contents_lines(contents: Pkcs12Contents, chosen: LoadedPkcs12 | None) -> list[str]:
    """What a file with several certificates holds: each with a key (the chosen one
    starred), then the certificates that are not stored. Empty for a plain file."""
    from vecozo_tui.certificates import choice_line, info_from_certificate

    lines = []
    if len(contents.pairs) > 1:
        count = len(contents.pairs)
        lines.append(ngettext("The file holds {count} certificate with a private key:",
                              "The file holds {count} certificates with a private key:",
                              count).format(count=count))
        lines += [("*" if pair is chosen else " ") + choice_line(pair.info)[1:]
                  for pair in contents.pairs]
        lines.append(_("  (* is the one an import takes; another with --pick SHA256-START)"))
    dropped = contents.not_stored(chosen) if chosen is not None else []
    with_key = {pair.info.sha256 for pair in contents.pairs}
    unrelated = [info_from_certificate(c) for c in dropped]
    unrelated = [info for info in unrelated if info.sha256 not in with_key]
    if unrelated:
        lines.append(_("Not stored (not in the chain of the one imported):"))
        lines += [f"  {info.subject}" for info in unrelated]
    if contents.unreadable_keys:
        count = contents.unreadable_keys
        lines.append(ngettext("{count} more private key in the file could not be read.",
                              "{count} more private keys in the file could not be read.",
                              count).format(count=count))
    return lines


def finding_lines(findings: list[Finding]) -> list[str]:
    lines = []
    for finding in findings:
        mark = FINDING_MARKS.get(finding.severity)
        lines.append(f"{_(mark) if mark else finding.severity.upper()}: {finding.message}")
    return lines


def short_environment(environment: str) -> str:
    return {"production": "prod", "acceptance": "acc", "test": "test"}.get(environment,
                                                                            environment)


# a name cut shorter than this says too little; the row wraps instead
NAME_MIN_WIDTH = 16
OTHER_MIN_WIDTH = 12


def terminal_width(invocation: Invocation) -> int | None:
    """The width a table must fit, or None when the output is not a terminal: a script,
    a pipe or a file gets every cell whole."""
    if not invocation.stdout.isatty():
        return None
    columns = invocation.env.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    return terminal_columns()


def format_table(rows: Sequence[tuple[str, ...]], *, shrink_columns: tuple[int, ...] = (),
                 width: int | None = None, drop_first: tuple[int, ...] = (),
                 ellipsis: str = "…") -> str:
    """Columns two spaces apart. With a ``width``, the ``shrink_columns`` give way, in
    this order, so that a row stays on one terminal line: the first (the name) down to
    NAME_MIN_WIDTH, cut in its middle (names often share their start), the others down
    to OTHER_MIN_WIDTH, cut at their end; when even that does not fit, the columns of
    ``drop_first`` are left out, in that order. Without a width every cell is whole."""
    keep = list(range(len(rows[0])))
    natural = {i: max(len(row[i]) for row in rows) for i in keep}
    widths = dict(natural)

    def smallest(column: int) -> int:
        least = NAME_MIN_WIDTH if shrink_columns and column == shrink_columns[0] \
            else OTHER_MIN_WIDTH
        return min(least, natural[column])

    def total() -> int:
        return sum(widths[i] for i in keep) + 2 * (len(keep) - 1)

    if width is not None:
        for column in drop_first:
            if sum(smallest(i) if i in shrink_columns else widths[i] for i in keep) \
                    + 2 * (len(keep) - 1) <= width:
                break
            keep.remove(column)
        for column in shrink_columns:
            if column in keep and total() > width:
                widths[column] = max(smallest(column), widths[column] - (total() - width))
    lines = []
    for row in rows:
        cells = []
        for i in keep:
            cell = row[i]
            if len(cell) > widths[i]:
                cell = (truncate_middle(cell, widths[i], ellipsis)
                        if shrink_columns and i == shrink_columns[0]
                        else cell[: widths[i] - len(ellipsis)] + ellipsis)
            cells.append(cell.ljust(widths[i]) if i != keep[-1] else cell)
        lines.append("  ".join(cells))
    return "\n".join(lines)

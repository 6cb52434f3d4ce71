"""Human-readable text blocks shared by several commands."""

from __future__ import annotations

from typing import TYPE_CHECKING

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


def certificate_lines(info: CertificateInfo, now) -> list[str]:  # noqa: ANN001 - datetime
    """Every field of a certificate; dates in the server's zone (that of ``now``)."""
    from vecozo_tui.expiry import days_left

    left = days_left(info.not_after, now)
    lines = []
    if info.kind == "unclear":  # the name itself, so the person can judge it
        lines.append(f'CN             "{info.common_name}"')
    lines += [
        f"Subject        {info.subject}",
        f"Kind           {kind_words(info.kind)}"
        + (f"  ({info.kind_reason})" if info.kind_reason else "")
        + ("; it cannot do COV or billing" if info.kind == "personal" else ""),
        f"AGB code       {info.agb_code or '- (not in the certificate)'}",
        f"Issuer         {info.issuer}",
        f"Serial         {info.serial}",
        f"SHA-256        {fingerprint(info.sha256)}",
        f"SHA-1          {fingerprint(info.sha1)}  (the Windows 'thumbprint')",
        f"Valid from     {local_date(info.not_before, now)}",
        f"Valid until    {local_date(info.not_after, now)}  ({'expired ' if left < 0 else ''}"
        f"{relative_days(left)})",
        f"Key            {info.key_type} {info.key_size} bits",
    ]
    if info.friendly_name:
        lines.append(f"Friendly name  {info.friendly_name}")
    if info.chain:
        lines.append("Chain")
        lines += [f"  {entry.subject}  (until {local_date(entry.not_after, now)})"
                  for entry in info.chain]
    else:
        lines.append("Chain          none included")
    return lines


def file_contents_lines(contents: Pkcs12Contents, chosen: LoadedPkcs12 | None) -> list[str]:
    """What a file with several certificates holds: each with a key (the chosen one
    starred), then the certificates that are not stored. Empty for a plain file."""
    from vecozo_tui.certificates import choice_line, info_from_certificate

    lines = []
    if len(contents.pairs) > 1:
        lines.append(f"The file holds {len(contents.pairs)} certificates with a private key:")
        lines += [("*" if pair is chosen else " ") + choice_line(pair.info)[1:]
                  for pair in contents.pairs]
        lines.append("  (* is the one an import takes; another with --pick SHA256-START)")
    dropped = contents.not_stored(chosen) if chosen is not None else []
    with_key = {pair.info.sha256 for pair in contents.pairs}
    unrelated = [info_from_certificate(c) for c in dropped]
    unrelated = [info for info in unrelated if info.sha256 not in with_key]
    if unrelated:
        lines.append("Not stored (not in the chain of the one imported):")
        lines += [f"  {info.subject}" for info in unrelated]
    if contents.unreadable_keys:
        lines.append(f"{contents.unreadable_keys} more private key(s) in the file could not "
                     "be read.")
    return lines


def finding_lines(findings: list[Finding]) -> list[str]:
    marks = {"error": "BLOCKED", "warning": "WARNING"}
    return [f"{marks.get(f.severity, f.severity.upper())}: {f.message}" for f in findings]


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
    import shutil

    return shutil.get_terminal_size().columns


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

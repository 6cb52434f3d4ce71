"""Human-readable text blocks shared by several commands."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vecozo_tui.textfmt import fingerprint, kind_words, local_date, relative_days

if TYPE_CHECKING:
    from collections.abc import Sequence

    from vecozo_tui.certificates import CertificateInfo, Finding, LoadedPkcs12, Pkcs12Contents


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


def format_table(rows: Sequence[tuple[str, ...]], *, shrink_columns: tuple[int, ...] = (),
                 width: int = 100) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for column in shrink_columns:
        # these columns give way, in this order, so a row stays on one terminal line
        others = sum(widths) - widths[column] + 2 * (len(widths) - 1)
        widths[column] = max(12, min(widths[column], width - others))
    lines = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            if len(cell) > widths[i]:
                cell = cell[: widths[i] - 1] + "…"
            cells.append(cell.ljust(widths[i]) if i < len(row) - 1 else cell)
        lines.append("  ".join(cells))
    return "\n".join(lines)

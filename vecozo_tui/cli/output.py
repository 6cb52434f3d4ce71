"""Human-readable text blocks shared by several commands."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vecozo_tui.textfmt import fingerprint, relative_days, short_date

if TYPE_CHECKING:
    from collections.abc import Sequence

    from vecozo_tui.certificates import CertificateInfo, Finding


def certificate_lines(info: CertificateInfo, now) -> list[str]:
    from vecozo_tui.expiry import days_left

    left = days_left(info.not_after, now)
    lines = [
        f"Subject        {info.subject}",
        f"Kind           {info.kind} certificate"
        + ("  (a personal certificate cannot do COV or billing)" if info.kind == "personal"
           else ""),
        f"AGB code       {info.agb_code or '-'}",
        f"Issuer         {info.issuer}",
        f"Serial         {info.serial}",
        f"SHA-256        {fingerprint(info.sha256)}",
        f"SHA-1          {fingerprint(info.sha1)}  (the Windows 'thumbprint')",
        f"Valid from     {short_date(info.not_before)}",
        f"Valid until    {short_date(info.not_after)}  ({'expired ' if left < 0 else ''}"
        f"{relative_days(left)})",
        f"Key            {info.key_type} {info.key_size} bits",
    ]
    if info.friendly_name:
        lines.append(f"Friendly name  {info.friendly_name}")
    if info.chain:
        lines.append("Chain")
        lines += [f"  {entry.subject}  (until {short_date(entry.not_after)})"
                  for entry in info.chain]
    else:
        lines.append("Chain          none included")
    return lines


def finding_lines(findings: list[Finding]) -> list[str]:
    marks = {"error": "BLOCKED", "warning": "WARNING"}
    return [f"{marks.get(f.severity, f.severity.upper())}: {f.message}" for f in findings]


def short_environment(environment: str) -> str:
    return {"production": "prod", "acceptance": "acc", "test": "test"}.get(environment,
                                                                            environment)


def format_table(rows: Sequence[tuple[str, ...]], *, shrink_column: int | None = None,
                  width: int = 100) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    if shrink_column is not None:
        # the name column gives way first so a row stays on one terminal line
        others = sum(widths) - widths[shrink_column] + 2 * (len(widths) - 1)
        widths[shrink_column] = max(12, min(widths[shrink_column], width - others))
    lines = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            if len(cell) > widths[i]:
                cell = cell[: widths[i] - 1] + "…"
            cells.append(cell.ljust(widths[i]) if i < len(row) - 1 else cell)
        lines.append("  ".join(cells))
    return "\n".join(lines)

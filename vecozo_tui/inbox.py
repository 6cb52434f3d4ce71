"""Which file in the inbox belongs to which practice: the exports that IT staff drop
there are named after the practice (its id, or its AGB code), not always exactly."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from vecozo_tui.config import Practice

CERTIFICATE_SUFFIXES = (".pfx", ".p12")


def likely_file(paths: Iterable[Path], practice: Practice) -> Path | None:
    """The certificate file most likely exported for ``practice``: its id or its AGB
    code in the file name (both count more than either), the newest of equals; None
    when no name says so."""
    best: tuple[int, float] | None = None
    found = None
    for path in paths:
        if path.suffix.lower() not in CERTIFICATE_SUFFIXES:
            continue
        name = path.stem.casefold()
        score = (practice.id.casefold() in name) + (practice.agb in name)
        if not score:
            continue
        try:
            modified = os.stat(path).st_mtime
        except OSError:
            continue
        if best is None or (score, modified) > best:
            best, found = (score, modified), path
    return found


def resolve(given: str, inbox: Path) -> Path:
    """The file ``given`` names: as typed when it exists; else a bare file name is looked
    up in the inbox (the walkthrough's command names the export that way, so that it
    fits one line)."""
    path = Path(given).expanduser()
    if path.exists() or path.name != given:
        return path
    in_inbox = inbox / given
    return in_inbox if in_inbox.exists() else path

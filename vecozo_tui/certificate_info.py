"""What the repository keeps of a certificate: its fields, checked when they are read
back. Apart from :mod:`vecozo_tui.certificates` (which reads PKCS#12 files and is ten
times larger), so that the commands that only read stored metadata (list, status, check,
metrics, the dashboard) load only this.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from vecozo_tui.clock import aware_datetime
from vecozo_tui.i18n import N_, _

if TYPE_CHECKING:
    from collections.abc import Sequence

SYSTEM = "system"
PERSONAL = "personal"
UNCLEAR = "unclear"  # neither can be told: the user must say yes before an import
NOT_CLIENT = "not-client"  # a CA or a certificate not for client authentication: blocks
_KINDS = frozenset((SYSTEM, PERSONAL, UNCLEAR, NOT_CLIENT))
# CertificateInfo's fields in the order of from_values (its sha256 and chain apart)
VALUE_FIELDS = ("subject", "common_name", "issuer", "serial", "sha1", "not_before",
                "not_after", "key_type", "key_size", "kind", "agb_code", "person_name",
                "friendly_name", "kind_reason")
# what a field that an earlier version did not write reads as
VALUE_DEFAULTS = {"common_name": "", "agb_code": None, "person_name": None,
                  "friendly_name": None, "kind_reason": None}


# --- what is shown --------------------------------------------------------------------


class ChainEntry(NamedTuple):
    subject: str
    issuer: str
    not_after: datetime
    sha256: str

    def to_dict(self) -> dict:
        return {"subject": self.subject, "issuer": self.issuer,
                "not_after": self.not_after.isoformat(), "sha256": self.sha256}

    @classmethod
    def from_dict(cls, data: dict) -> ChainEntry:
        """ValueError, TypeError or KeyError when ``data`` is not what to_dict wrote."""
        return cls(subject=stored_text(data["subject"]), issuer=stored_text(data["issuer"]),
                   not_after=aware_datetime(data["not_after"]), sha256=stored_text(data["sha256"]))


class CertificateInfo(NamedTuple):
    """Everything the screens and commands show of one certificate; no secrets."""

    subject: str
    common_name: str
    issuer: str
    serial: str
    sha256: str  # upper-case hex, no separators
    sha1: str    # the Windows "thumbprint"
    not_before: datetime
    not_after: datetime
    key_type: str
    key_size: int
    kind: str  # SYSTEM, PERSONAL, UNCLEAR or NOT_CLIENT (see classify_kind)
    agb_code: str | None = None
    person_name: str | None = None
    friendly_name: str | None = None
    chain: tuple[ChainEntry, ...] = ()
    kind_reason: str | None = None  # why classify_kind decided so, for people

    def to_dict(self) -> dict:
        return {
            "subject": self.subject, "common_name": self.common_name, "issuer": self.issuer,
            "serial": self.serial, "sha256": self.sha256, "sha1": self.sha1,
            "not_before": self.not_before.isoformat(), "not_after": self.not_after.isoformat(),
            "key_type": self.key_type, "key_size": self.key_size, "kind": self.kind,
            "agb_code": self.agb_code, "person_name": self.person_name,
            "friendly_name": self.friendly_name,
            "chain": [entry.to_dict() for entry in self.chain],
            "kind_reason": self.kind_reason,
        }

    @classmethod
    def from_dict(cls, data: dict, chain: tuple[ChainEntry, ...] | None = None
                  ) -> CertificateInfo:
        """ValueError, TypeError or KeyError when ``data`` is not what to_dict wrote (a file
        edited by hand or damaged): every field is checked, so an odd value never travels
        further into the screens. ``chain``: the chain when it was read already (many
        certificates share one), instead of ``data["chain"]``."""
        if chain is None:
            entries = data.get("chain", [])
            if not isinstance(entries, list):
                raise TypeError("chain is not a list")  # untranslated: caught, never shown
            chain = tuple(ChainEntry.from_dict(entry) for entry in entries)
        return cls.from_values(data["sha256"], [
            data.get(name, VALUE_DEFAULTS[name]) if name in VALUE_DEFAULTS else data[name]
            for name in VALUE_FIELDS], chain)

    @classmethod
    def from_values(cls, sha256: object, values: Sequence[Any],
                    chain: tuple[ChainEntry, ...]) -> CertificateInfo:
        """From the fields in the order of VALUE_FIELDS (how the repository's summary keeps
        a thousand of them), checked as :meth:`from_dict` checks them."""
        (subject, common_name, issuer, serial, sha1, not_before, not_after, key_type,
         key_size, kind, agb_code, person_name, friendly_name, kind_reason) = values
        # one expression, no call per field: the summary holds a thousand of these
        if not (type(subject) is type(common_name) is type(issuer) is type(serial)
                is type(sha1) is type(key_type) is str):
            raise TypeError("not a text")  # untranslated: caught, never shown
        if any(value is not None and type(value) is not str
               for value in (agb_code, person_name, friendly_name, kind_reason)):
            raise TypeError("not a text")  # untranslated: caught, never shown
        if type(key_size) is not int:  # bool is not int here: True is not a key size
            raise TypeError("key_size is not a number")  # untranslated: caught, never shown
        if kind not in _KINDS:
            raise ValueError("unknown kind")  # untranslated: caught, never shown
        return cls(subject, common_name, issuer, serial, _fingerprint(sha256), sha1,
                   aware_datetime(not_before), aware_datetime(not_after), key_type, key_size,
                   kind, agb_code, person_name, friendly_name, chain, kind_reason)


def stored_text(value: object) -> str:
    """A text field of a stored record; TypeError for anything else (a hand-edited file)."""
    if not isinstance(value, str):
        raise TypeError("not a text")
    return value


_FINGERPRINT = re.compile(r"[0-9A-F]{40,128}")


def _fingerprint(value: object) -> str:
    if not isinstance(value, str) or not _FINGERPRINT.fullmatch(value):
        raise ValueError("not a fingerprint")
    return value


PERSON_REASON = N_("the CN reads as a person's name: {person_sign}")


def kind_reason_words(reason: str | None) -> str:
    """A stored kind reason (English, as classify_kind wrote it into the repository) in
    the chosen language; a reason of another version is shown as it is."""
    if not reason:
        return ""
    prefix = PERSON_REASON.split("{", 1)[0]
    if reason.startswith(prefix):
        return _(PERSON_REASON).format(person_sign=_(reason[len(prefix):]))
    return _(reason)

"""PKCS#12 and X.509 inspection: what a person compares by eye, and what to warn about.

``cryptography`` is imported inside the functions that need it, so the fast
commands (list, status, check, metrics), which only read stored metadata, never
pay for it.

``cryptography`` raises the same ``ValueError`` for a wrong password, a cipher
it cannot decrypt (RC2-40 when OpenSSL's legacy provider is missing) and a
damaged file. To tell the user which, a failed load is followed by our own
check of the file's integrity MAC (RFC 7292): when the MAC verifies, the
password was right and the encryption is the problem.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from vecozo_tui.certificate_info import (
    NOT_CLIENT,
    PERSON_REASON,
    PERSONAL,
    SYSTEM,
    UNCLEAR,
    CertificateInfo,
    ChainEntry,
    kind_reason_words,
)
from vecozo_tui.errors import VecozoError, WrongPasswordError
from vecozo_tui.i18n import N_, _, ngettext
from vecozo_tui.textfmt import short_date

if TYPE_CHECKING:
    from collections.abc import Sequence

    from cryptography import x509

# A browser export is a few kilobytes; anything this big is not one.
MAX_FILE_BYTES = 1024 * 1024
MIN_RSA_BITS = 2048
# PBKDF2 rounds for the AES-256 PKCS#12 files we write; OpenSSL 3 writes 2048.
MODERN_KDF_ROUNDS = 100_000

_AGB_PATTERN = re.compile(r"(?<!\d)(\d{8})(?!\d)")


class LoadedPkcs12(NamedTuple):
    """A decrypted PKCS#12, in memory only. Never write ``private_key`` out unencrypted."""

    certificate: x509.Certificate
    private_key: Any
    chain: list[x509.Certificate]
    info: CertificateInfo
    key_matches: bool
    password_protected: bool = True

    def __repr__(self) -> str:  # keep the key out of any log or traceback
        return f"LoadedPkcs12({self.info.common_name!r}, sha256={self.info.sha256[:16]}…)"


class Finding(NamedTuple):
    severity: str  # "error" blocks an import; "warning" needs a confirmation
    code: str
    message: str
    # a question of its own that needs an explicit yes (the kind could not be told)
    question: str | None = None

    @property
    def blocking(self) -> bool:
        return self.severity == "error"


# --- reading a file -------------------------------------------------------------------


def read_certificate_file(path: str | Path) -> bytes:
    """The bytes of a .pfx/.p12, or a VecozoError naming the file and what is wrong."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise VecozoError(_("{path} does not exist.").format(path=path)) from None
    except OSError as error:
        raise VecozoError(_("Cannot read {path}: {reason}.").format(
            path=path, reason=error.strerror)) from None
    if path.is_dir():
        raise VecozoError(_("{path} is a directory, not a .pfx/.p12 file.").format(path=path))
    if not path.is_file():
        raise VecozoError(_("{path} is not a regular file (a device or a pipe?); give the "
                            ".pfx/.p12 file itself.").format(path=path))
    if size > MAX_FILE_BYTES:
        raise VecozoError(
            _("{path} is {size} KiB: far too large for a certificate export (a .pfx is a "
              "few KiB; the limit is {limit} KiB). Is it the right file?").format(
                path=path, size=size // 1024, limit=MAX_FILE_BYTES // 1024)
        )
    from vecozo_tui.fsutil import read_regular_file

    try:
        # checked again on the open file: it may have been swapped since stat()
        return read_regular_file(path, MAX_FILE_BYTES)
    except FileNotFoundError:
        raise VecozoError(_("{path} does not exist.").format(path=path)) from None


class AmbiguousChoice(VecozoError):
    """Several certificates in one file fit equally well; ``choices`` lists them."""

    def __init__(self, message: str, choices: list[LoadedPkcs12]):
        super().__init__(message)
        self.choices = choices


class Pkcs12Contents(NamedTuple):
    """Everything a decrypted PKCS#12 holds, in memory only.

    A Firefox/NSS backup or a Java keystore often holds last year's certificate and
    the renewed one, each with its key. ``pairs`` has every certificate whose private
    key is in the file (each with the chain of its own issuers), or, when no key
    belongs to any certificate, the end-entity certificate flagged as a mismatch.
    """

    pairs: list[LoadedPkcs12]
    certificates: list[x509.Certificate]  # every certificate in the file, once
    unreadable_keys: int = 0  # private keys the file holds that could not be decrypted

    def __repr__(self) -> str:  # keep the keys out of any log or traceback
        pairs, certificates = len(self.pairs), len(self.certificates)
        return f"Pkcs12Contents({pairs} pair(s), {certificates} cert(s))"  # untranslated: debug

    def choose(self, *, practice_agb: str | None = None, pick: str | None = None
               ) -> LoadedPkcs12:
        """The pair to import: ``pick`` (the start of a SHA-256 fingerprint) when given,
        else the system certificate for ``practice_agb`` with the latest expiry (seed
        002: "the one with the latest expiry date and no person's name").

        AmbiguousChoice when ``pick`` fits none or several, or when the best candidates
        fit equally well and are not renewals of one another (different subjects)."""
        if pick is not None:
            return self._picked(pick)
        ranked = sorted(self.pairs, key=lambda pair: _choice_rank(pair, practice_agb))
        if len(ranked) > 1:
            first, second = ranked[0], ranked[1]
            if _choice_rank(first, practice_agb)[:3] == _choice_rank(second, practice_agb)[:3] \
                    and first.info.subject != second.info.subject:
                raise AmbiguousChoice(
                    _("The file holds several certificates with a private key that fit "
                      "equally well; choose one by the start of its SHA-256:\n")
                    + "\n".join(choice_line(pair.info) for pair in ranked), ranked)
        return ranked[0]

    def _picked(self, pick: str) -> LoadedPkcs12:
        wanted = pick.replace(":", "").strip().upper()
        matches = [pair for pair in self.pairs if pair.info.sha256.startswith(wanted)] \
            if len(wanted) >= 4 else []
        if len(matches) == 1:
            return matches[0]
        if matches:
            text = _("'{pick}' fits more than one of the certificates with a private key in "
                     "the file (give at least 4 characters of the SHA-256):\n")
        else:
            text = _("'{pick}' fits none of the certificates with a private key in the file "
                     "(give at least 4 characters of the SHA-256):\n")
        raise AmbiguousChoice(
            text.format(pick=pick)
            + "\n".join(choice_line(pair.info) for pair in self.pairs), list(self.pairs))

    def not_stored(self, chosen: LoadedPkcs12) -> list[x509.Certificate]:
        """What the file holds besides ``chosen`` and its chain: dropped, and named in
        the preview (last year's certificate, another practice's, an unrelated CA)."""
        kept = {_der(chosen.certificate)} | {_der(c) for c in chosen.chain}
        return [c for c in self.certificates if _der(c) not in kept]


def choice_line(info: CertificateInfo) -> str:
    """One line per certificate in a file, to choose by: SHA-256 start, kind, AGB, validity,
    subject."""
    valid = _("{start} to {end}").format(start=short_date(info.not_before),
                                           end=short_date(info.not_after))
    agb = info.agb_code or "-"
    return f"  {info.sha256[:16]}  {info.kind:<8}  AGB {agb:<8}  {valid}  {info.common_name}"


_KIND_RANK = {SYSTEM: 0, UNCLEAR: 1, PERSONAL: 2, NOT_CLIENT: 3}


def _choice_rank(pair: LoadedPkcs12, practice_agb: str | None) -> tuple:
    info = pair.info
    if practice_agb is None:
        agb = 0
    else:
        agb = 0 if info.agb_code == practice_agb else 1 if info.agb_code is None else 2
    return (not pair.key_matches, _KIND_RANK.get(info.kind, 4), agb,
            -info.not_after.timestamp())


def load_pkcs12(data: bytes, password: str, *, source: str | None = None) -> LoadedPkcs12:
    """Decrypt a PKCS#12 in memory and take its default certificate (see
    Pkcs12Contents.choose); a clear VecozoError for every way it can fail."""
    return read_pkcs12(data, password, source=source).choose()


def read_pkcs12(data: bytes, password: str, *, source: str | None = None) -> Pkcs12Contents:
    """Decrypt a PKCS#12 in memory: every certificate, every private key, paired."""
    source = source or _("the file")
    _reject_obvious_non_pkcs12(data, source)
    password_bytes(password)  # a clear message when the password is not text
    try:
        bundle = _load_bundle(data, password)
    except ValueError:
        raise _explain_load_failure(data, password, source) from None
    except Exception as error:  # noqa: BLE001 - the parser's internals are not the user's concern
        raise VecozoError(_("{source} could not be read as a PKCS#12 file "
                            "({error}).").format(
            source=_cap(source), error=type(error).__name__)) from None
    friendly: dict[bytes, str | None] = {}
    certificates: list[x509.Certificate] = []
    for entry in ([bundle.cert] if bundle.cert else []) + list(bundle.additional_certs):
        der = _der(entry.certificate)
        if der not in friendly:
            certificates.append(entry.certificate)
            friendly[der] = (entry.friendly_name.decode("utf-8", "replace")
                             if entry.friendly_name else None)
    keys, unreadable = _private_keys(data, password, bundle.key)
    if not certificates:
        text = (_("{source} holds a private key but no certificate.") if keys else
                _("{source} holds no certificate."))
        raise VecozoError(text.format(source=_cap(source)))
    if not keys:
        raise VecozoError(
            ngettext("{source} holds {count} certificate but no private key. Export again "
                     "and choose 'Yes, export the private key' ('Ja, de persoonlijke sleutel "
                     "exporteren').",
                     "{source} holds {count} certificates but no private key. Export again "
                     "and choose 'Yes, export the private key' ('Ja, de persoonlijke sleutel "
                     "exporteren').", len(certificates)).format(
                source=_cap(source), count=len(certificates))
        )
    protected = password != ""
    by_public = {public_key_der(key.public_key()): key for key in keys}
    with_key = [c for c in certificates if public_key_der(c.public_key()) in by_public]
    if any(not subject_facts(c).is_ca for c in with_key):
        # a CA that shares a key with an end-entity certificate (test set-ups do) is its
        # chain, not a choice
        with_key = [c for c in with_key if not subject_facts(c).is_ca]
    pairs = [_loaded(c, by_public[public_key_der(c.public_key())], True, certificates, friendly,
                     protected) for c in with_key]
    if not pairs:
        # no key belongs to any certificate: show the end-entity one, flagged as a mismatch
        pairs.append(_loaded(_leaf(certificates), keys[0], False, certificates, friendly,
                             protected))
    return Pkcs12Contents(pairs=pairs, certificates=certificates, unreadable_keys=unreadable)


def _loaded(certificate: x509.Certificate, key: Any, matches: bool,
            certificates: list[x509.Certificate], friendly: dict[bytes, str | None],
            protected: bool) -> LoadedPkcs12:
    chain = issuer_path(certificate, certificates)
    return LoadedPkcs12(
        certificate=certificate, private_key=key, chain=chain,
        info=info_from_certificate(certificate, chain,
                                   friendly_name=friendly.get(_der(certificate))),
        key_matches=matches, password_protected=protected)


def _load_bundle(data: bytes, password: str) -> Any:
    import warnings

    from cryptography.hazmat.primitives.serialization import pkcs12

    with warnings.catch_warnings():
        # NSS (Firefox, pk12util) and BouncyCastle write BER; cryptography reads it but
        # warns that it was not DER. Nobody at the console can act on that, so the
        # warning (with a source path in it) must not reach the screen.
        not_der = "PKCS#12 bundle could not be parsed as DER"  # untranslated: the library's
        warnings.filterwarnings("ignore", message=not_der, category=UserWarning)
        return pkcs12.load_pkcs12(data, password.encode("utf-8"))


_KEY_BAG = "1.2.840.113549.1.12.10.1.1"
_SHROUDED_KEY_BAG = "1.2.840.113549.1.12.10.1.2"
_DATA = "1.2.840.113549.1.7.1"


def _private_keys(data: bytes, password: str, first_key: Any) -> tuple[list[Any], int]:
    """Every private key of the file, and how many could not be decrypted.

    ``cryptography`` returns only the first key. The others are read from the key
    bags in the file's unencrypted SafeContents, where browsers, NSS, Java and OpenSSL
    put them (each key encrypted on its own); a file with one key bag is not read twice.
    """
    from cryptography.hazmat.primitives.serialization import load_der_private_key

    keys = [first_key] if first_key is not None else []
    try:
        bags = _key_bags(data)
    except _Unparseable:
        return keys, 0
    if len(bags) <= 1:
        return keys, 0
    seen = {public_key_der(key.public_key()) for key in keys}
    unreadable = decrypted = 0
    for bag_type, der in bags:
        try:
            key = load_der_private_key(
                der, password.encode("utf-8") if bag_type == _SHROUDED_KEY_BAG and password
                else None)
        except (ValueError, TypeError):  # an empty password, an unsupported cipher
            unreadable += 1
            continue
        decrypted += 1
        public = public_key_der(key.public_key())
        if public not in seen:
            seen.add(public)
            keys.append(key)
    if first_key is not None and not decrypted:
        unreadable -= 1  # one of the bags that failed here is the key cryptography read
    return keys, unreadable


def _key_bags(data: bytes) -> list[tuple[str, bytes]]:
    """(bag type, DER of the key) of each key bag in the unencrypted SafeContents."""
    found = []
    for content_type, content in _authenticated_safe(data):
        if content_type != _DATA:
            continue  # encryptedData: cryptography has read what is in it
        _tag, start, end, _rest = _element(content, 0)
        for _tag, bag_start, bag_end in _children(content, start, end):
            bag = _tlv_children(content, bag_start, bag_end)
            bag_type = _oid(content[bag[0][2]:bag[0][3]])
            if bag_type in (_KEY_BAG, _SHROUDED_KEY_BAG):
                value = _tlv_children(content, bag[1][2], bag[1][3])[0]
                found.append((bag_type, content[value[1]:value[4]]))
    return found


def _authenticated_safe(data: bytes) -> list[tuple[str, bytes]]:
    """(content type OID, content) of each ContentInfo; the content of a data one is
    its SafeContents (octets joined when BER split them)."""
    try:
        _tag, start, end, _rest = _element(data, 0)
        pfx = _tlv_children(data, start, end)
        auth_safe = _tlv_children(data, pfx[1][2], pfx[1][3])
        octets = _tlv_children(data, auth_safe[1][2], auth_safe[1][3])[0]
        content = _octets(data, octets[0], octets[2], octets[3])
        _tag, start, end, _rest = _element(content, 0)
        found = []
        for info in _tlv_children(content, start, end):
            parts = _tlv_children(content, info[2], info[3])
            content_type = _oid(content[parts[0][2]:parts[0][3]])
            inner = b""
            if content_type == _DATA:
                value = _tlv_children(content, parts[1][2], parts[1][3])[0]
                inner = _octets(content, value[0], value[2], value[3])
            found.append((content_type, inner))
        return found
    except (IndexError, ValueError) as error:
        raise _Unparseable from error


def _tlv_children(data: bytes, start: int, end: int) -> list[tuple[int, int, int, int, int]]:
    """(tag, element start, content start, content end, element end) of each child."""
    found = []
    position = start
    while position < end:
        tag, content_start, content_end, element_end = _element(data, position)
        if tag == 0 and data[position + 1] == 0:  # end-of-contents
            break
        found.append((tag, position, content_start, content_end, element_end))
        position = element_end
    return found


def _der(certificate: x509.Certificate) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return certificate.public_bytes(serialization.Encoding.DER)


def password_bytes(password: str) -> bytes:
    """The password as UTF-8; a VecozoError when it is not text (an environment variable
    or file in another encoding gives characters that cannot be encoded)."""
    try:
        return password.encode("utf-8")
    except UnicodeEncodeError:
        raise VecozoError(_("The password holds bytes that are not valid text (not UTF-8): "
                            "check the encoding of $VECOZO_TUI_PASSWORD or the password file, "
                            "or type the password at the prompt.")) from None


def _reject_obvious_non_pkcs12(data: bytes, source: str) -> None:
    if not data:
        raise VecozoError(_("{source} is empty (0 bytes); copy the export again.").format(
            source=_cap(source)))
    head = data.lstrip()[:64]
    if head.startswith(b"-----BEGIN"):
        text = data.decode("ascii", "replace")
        if "PRIVATE KEY" in text:  # untranslated: a PEM marker
            raise VecozoError(
                _("{source} is a PEM text file with a private key, not a PKCS#12 (.pfx/.p12) "
                  "export. Export the certificate from the browser as .pfx/.p12 with its "
                  "private key.").format(source=_cap(source))
            )
        raise VecozoError(
            _("{source} is a PEM certificate without its private key; the practice software "
              "needs the private key too. Export again as .pfx/.p12 and choose 'Yes, export "
              "the private key'.").format(source=_cap(source))
        )
    if data[0] != 0x30:
        raise VecozoError(_("{source} is not a PKCS#12 (.pfx/.p12) file; is it the "
                            "right file?").format(source=_cap(source)))
    declared = _declared_length(data)
    if declared is not None and declared > len(data):
        raise VecozoError(
            _("{source} is truncated ({count} of {declared} bytes): the copy was cut "
              "short. Copy the file again.").format(
                source=_cap(source), count=len(data), declared=declared)
        )


def load_stored_pkcs12(data: bytes, password: str, *, practice_id: str,
                       active: bool = True) -> LoadedPkcs12:
    """The repository's copy of a practice's certificate, decrypted in memory. A wrong
    password says which one is meant: the one given at the import (the repository
    stores the copy under it), not the advice about exported files and copying."""
    try:
        source = (_("the active certificate of {practice_id}") if active else
                  _("the certificate of {practice_id}")).format(practice_id=practice_id)
        return load_pkcs12(data, password, source=source)
    except WrongPasswordError:
        text = (_("Wrong password for the active certificate of {practice_id}: use the "
                  "password given when it was imported.") if active else
                _("Wrong password for the certificate of {practice_id}: use the password "
                  "given when it was imported."))
        raise WrongPasswordError(text.format(practice_id=practice_id)) from None


def check_pkcs12_structure(data: bytes, *, source: str | None = None) -> None:
    """What a file's structure tells without its password: empty, a PEM text file, cut
    short in copying, or no PKCS#12 at all. Raises a VecozoError that says which, so
    that nobody is asked for a password for a file that cannot be one; returns when
    the password is the next thing to ask."""
    source = source or _("the file")
    _reject_obvious_non_pkcs12(data, source)
    try:
        _tag, start, end, _rest = _element(data, 0)
        pfx = _children(data, start, end)  # version, authSafe, (macData)
        if len(pfx) < 2 or pfx[0][0] != 0x02 or pfx[1][0] != 0x30:
            raise _Unparseable
        auth_safe = _children(data, pfx[1][1], pfx[1][2])  # contentType, [0] content
        if len(auth_safe) < 2 or auth_safe[0][0] != 0x06:
            raise _Unparseable
    except (_Unparseable, IndexError, ValueError):
        raise VecozoError(_("{source} is not a PKCS#12 (.pfx/.p12) file, or it is "
                            "damaged; copy or export it again.").format(
            source=_cap(source))) from None


def _cap(text: str) -> str:
    """'the file' starts a sentence as 'The file'; a file name keeps its case."""
    return "T" + text[1:] if text.startswith("the ") else text


def _explain_load_failure(data: bytes, password: str, source: str) -> VecozoError:
    try:
        mac = _verify_mac(data, password)
    except _Unparseable:
        return VecozoError(_("{source} is not a PKCS#12 (.pfx/.p12) file, or it is damaged; "
                             "copy or export it again.").format(source=_cap(source)))
    if mac is False:
        return WrongPasswordError(
            _("Wrong password for {source}. Use the password chosen when the certificate was "
              "exported from the browser. (If you are sure of the password, the file was "
              "damaged while copying: compare its size with the original.)").format(source=source)
        )
    if mac is True:
        return VecozoError(
            _("The password for {source} is right, but the file uses an old encryption "
              "(such as RC2-40) that this system cannot decrypt. Export it again choosing "
              "AES-256 (Windows: 'AES256-SHA256'), or from Firefox, which writes a modern "
              "file.").format(source=source)
        )
    # no MAC to check (rare): the two causes cannot be told apart
    return WrongPasswordError(
        _("Wrong password for {source}, or the file uses an old encryption this system cannot "
          "read. Check the password first.").format(source=source)
    )


# --- the kind of certificate: system, personal, unclear, or not a client certificate ---

CLIENT_AUTH_OID = "1.3.6.1.5.5.7.3.2"
ANY_EXTENDED_KEY_USAGE_OID = "2.5.29.37.0"

# Parts of a CN that name a system, not a person ("Systeemcertificaat ...").
_SYSTEM_WORDS = ("systeem", "system", "server", "applicatie", "koppeling", "webservice",
                 "software")
# Parts of a CN that name an organisation: a practice, not the person working there.
# Plural and compound forms only: "Huisarts J. de Vries" is a person, "Huisartsen
# Oost" and "Huisartsenpraktijk De Vries" are practices.
_ORGANISATION_WORDS = ("praktijk", "centrum", "maatschap", "groep", "zorg", "apotheek",
                       "kliniek", "stichting", "ziekenhuis", "huisartsen", "tandartsen",
                       "therapie", "instituut", "medisch", "gezondheid", "verloskund",
                       "logopedie", "psychologie", "coöperatie", "cooperatie", "vereniging")
_ORGANISATION_TOKENS = frozenset({"bv", "b.v.", "vof", "v.o.f.", "nv", "n.v.", "ggz",
                                  "hap", "&"})
# Dutch (and a few other) surname particles: "Jan de Vries", "A. van der Berg"
_PARTICLES = frozenset({"de", "den", "der", "van", "ter", "ten", "te", "het", "'t", "in",
                        "op", "aan", "bij", "uit", "la", "le", "du", "da", "di", "del",
                        "von", "vd", "v.d.", "v/d"})
_TITLES = frozenset({"dr", "dr.", "drs", "drs.", "mr", "mr.", "ir", "ir.", "ing.", "prof.",
                     "dhr.", "mevr.", "mw."})
# A profession in the singular says nothing either way: "Huisarts J. de Vries"
_NEUTRAL = frozenset({"huisarts", "tandarts", "fysiotherapeut", "dokter", "arts"})
_INITIALS = re.compile(r"^(?:[A-Z][a-z]?\.){1,4}$")  # "J.", "J.P.", "Th."


class SubjectFacts(NamedTuple):
    """What a certificate says about whose it is (plain data: testable on its own)."""

    common_name: str | None
    organisation: str | None = None
    person: str | None = None  # givenName + surname, or pseudonym
    is_ca: bool = False
    extended_key_usages: frozenset[str] | None = None  # dotted OIDs; None: no extension


class Kind(NamedTuple):
    kind: str  # SYSTEM, PERSONAL, UNCLEAR, NOT_CLIENT
    reason: str  # why, in a few words, in English (stored); kind_reason_words says it
    person_name: str | None = None


def classify_kind(facts: SubjectFacts) -> Kind:
    """System, personal, unclear, or not a client certificate: the one rule.

    Seed 002: the system certificate is the one "where no name is in it"; COV needs
    it, a personal certificate cannot do COV. Every signal the certificate has is used,
    in this order: basicConstraints CA and extendedKeyUsage (a CA, or a certificate not
    for clientAuth, is no practice's client certificate); givenName/surname/pseudonym;
    then the CN: words like "systeem", digits (an AGB code), an organisation's words or
    name mark a system certificate; initials, name particles ("de", "van der"), a title
    or a first name and surname mark a person; anything else is unclear.
    """
    usages = facts.extended_key_usages
    if facts.is_ca:
        return Kind(NOT_CLIENT, N_("a CA certificate (basicConstraints CA:TRUE): it issues "
                                  "certificates, it is not a practice's client certificate"))
    if usages is not None and not usages & {CLIENT_AUTH_OID, ANY_EXTENDED_KEY_USAGE_OID}:
        return Kind(NOT_CLIENT, N_("not made for client authentication (its extendedKeyUsage "
                                  "has no clientAuth)"))
    if facts.person:
        return Kind(PERSONAL, N_("the subject names a person (givenName/surname)"),
                    facts.person)
    name = (facts.common_name or "").strip()
    if not name:
        return Kind(UNCLEAR, N_("the subject has no CN to tell it by"))
    folded = name.casefold()
    tokens = folded.split()
    if any(word in folded for word in _SYSTEM_WORDS):
        return Kind(SYSTEM, N_("the CN says so"))
    if any(char.isdigit() for char in name):
        return Kind(SYSTEM, N_("the CN holds a number (an AGB code or a system number), not "
                              "a person's name"))
    if any(word in folded for word in _ORGANISATION_WORDS) or \
            _ORGANISATION_TOKENS.intersection(tokens):
        return Kind(SYSTEM, N_("the CN names an organisation"))
    if _names_the_organisation(tokens, facts.organisation):
        return Kind(SYSTEM, N_("the CN is (part of) the organisation's name"))
    person_sign = _reads_as_a_person(name.split())
    if person_sign:
        return Kind(PERSONAL, PERSON_REASON.format(person_sign=person_sign), name)
    return Kind(UNCLEAR, N_("the CN shows neither a person's nor the practice's name"))


def _names_the_organisation(tokens: list[str], organisation: str | None) -> bool:
    """Every word of the CN is in the organisation's name: "De Linde" of "Huisartsen-
    praktijk De Linde". A person's first name or initials would not be in it."""
    if not organisation:
        return False
    words = set(organisation.casefold().replace("-", " ").split())
    significant = [t for t in tokens if t not in _NEUTRAL]
    return bool(significant) and all(t in words for t in significant)


def _reads_as_a_person(tokens: list[str]) -> str | None:
    """Which sign makes ``tokens`` read as a person's name, or None."""
    initials = particles = titles = 0
    names: list[str] = []
    for token in tokens:
        lower = token.casefold()
        if lower in _NEUTRAL:
            continue
        if lower in _TITLES:
            titles += 1
        elif _INITIALS.match(token):
            initials += 1
        elif lower in _PARTICLES:
            particles += 1
        elif _is_name_word(token):
            names.append(token)
        else:
            return None  # "VECOZO", "hap-zuid", "&": not a name
    if not names:
        return None
    if initials:
        return N_("initials and a surname")
    if titles:
        return N_("a title and a name")
    if particles:
        return N_("a name with a particle such as 'de' or 'van'")
    if 2 <= len(names) <= 4:
        return N_("a first name and a surname")
    return None


def _is_name_word(token: str) -> bool:
    """'Jan', 'Bakker-Smit', "O'Brien", 'José': capitalised letters, not an acronym."""
    parts = token.split("-")
    return all(part and part[0].isupper() and part.replace("'", "").isalpha()
               and not part.isupper() for part in parts)


# --- X.509 inspection -----------------------------------------------------------------


def info_from_certificate(certificate: x509.Certificate,
                          chain: Sequence[x509.Certificate] = (),
                          *, friendly_name: str | None = None) -> CertificateInfo:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
    from cryptography.x509.oid import NameOID

    subject = certificate.subject
    key = certificate.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        key_type, key_size = "RSA", key.key_size
    elif isinstance(key, ec.EllipticCurvePublicKey):
        key_type, key_size = f"EC {key.curve.name}", key.curve.key_size
    elif isinstance(key, dsa.DSAPublicKey):
        key_type, key_size = "DSA", key.key_size
    elif isinstance(key, ed25519.Ed25519PublicKey):
        key_type, key_size = "Ed25519", 256
    elif isinstance(key, ed448.Ed448PublicKey):
        key_type, key_size = "Ed448", 456
    else:
        key_type, key_size = type(key).__name__, 0

    def first(oid) -> str | None:
        values = subject.get_attributes_for_oid(oid)
        return str(values[0].value) if values else None

    given, surname = first(NameOID.GIVEN_NAME), first(NameOID.SURNAME)
    pseudonym = first(NameOID.PSEUDONYM)
    person = " ".join(part for part in (given, surname) if part) or pseudonym
    kind = classify_kind(subject_facts(certificate))
    common_name = first(NameOID.COMMON_NAME) or subject.rfc4514_string()
    return CertificateInfo(
        subject=_readable(subject),
        common_name=common_name,
        issuer=_readable(certificate.issuer),
        serial=format(certificate.serial_number, "X"),
        sha256=sha256_hex(certificate),
        sha1=certificate.fingerprint(hashes.SHA1()).hex().upper(),  # noqa: S303 - display only
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        key_type=key_type,
        key_size=key_size,
        kind=kind.kind,
        kind_reason=kind.reason,
        agb_code=_agb_code(subject),
        person_name=kind.person_name or person,
        friendly_name=friendly_name,
        chain=tuple(
            ChainEntry(subject=_readable(c.subject), issuer=_readable(c.issuer),
                       not_after=c.not_valid_after_utc,
                       sha256=sha256_hex(c))
            for c in chain
        ),
    )


def subject_facts(certificate: x509.Certificate) -> SubjectFacts:
    """What ``classify_kind`` needs, read from a certificate."""
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    def first(oid) -> str | None:  # noqa: ANN001
        values = certificate.subject.get_attributes_for_oid(oid)
        return str(values[0].value) if values else None

    given, surname = first(NameOID.GIVEN_NAME), first(NameOID.SURNAME)
    person = " ".join(part for part in (given, surname) if part) or first(NameOID.PSEUDONYM)
    try:
        is_ca = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    try:
        usages: frozenset[str] | None = frozenset(
            usage.dotted_string for usage in
            certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)
    except x509.ExtensionNotFound:
        usages = None
    return SubjectFacts(common_name=first(NameOID.COMMON_NAME),
                        organisation=first(NameOID.ORGANIZATION_NAME), person=person,
                        is_ca=is_ca, extended_key_usages=usages)


def _readable(name: x509.Name) -> str:
    """RFC 4514, with names instead of OIDs for the attributes VECOZO certificates use."""
    from cryptography.x509.oid import NameOID

    return name.rfc4514_string({NameOID.SERIAL_NUMBER: "serialNumber",
                                NameOID.GIVEN_NAME: "givenName", NameOID.SURNAME: "SN",
                                NameOID.PSEUDONYM: "pseudonym"})


def _agb_code(subject) -> str | None:
    """The 8-digit AGB code in the subject (serialNumber, OU 'AGB …' or elsewhere)."""
    from cryptography.x509.oid import NameOID

    preferred = [a for a in subject if a.oid == NameOID.SERIAL_NUMBER]
    for attribute in preferred + [a for a in subject if a not in preferred]:
        match = _AGB_PATTERN.search(str(attribute.value))
        if match:
            return match.group(1)
    return None


def _leaf(certificates: list[x509.Certificate]) -> x509.Certificate:
    """The end-entity certificate: not a CA, and issuer of none of the others."""
    from cryptography import x509

    def is_ca(certificate) -> bool:
        try:
            return certificate.extensions.get_extension_for_class(
                x509.BasicConstraints).value.ca
        except x509.ExtensionNotFound:
            return False

    issuers = {c.issuer for c in certificates}
    for certificate in certificates:
        if not is_ca(certificate) and certificate.subject not in issuers:
            return certificate
    return certificates[0]


def issuer_path(leaf: x509.Certificate, certificates: list[x509.Certificate]
                ) -> list[x509.Certificate]:
    """The chain of ``leaf``: its issuer, that one's issuer, and so on, from
    ``certificates``; nothing else (a certificate unrelated to ``leaf`` is no part of
    its chain). Where two certificates carry the issuer's name, the one whose key
    signed the child wins."""
    path: list[x509.Certificate] = []
    current = leaf
    while current.subject != current.issuer:  # a self-signed root ends the path
        named = [c for c in certificates
                 if c.subject == current.issuer and c is not current and c not in path
                 and c != leaf]
        if not named:
            break
        parent = next((c for c in named if _signed_by(current, c)), named[0])
        path.append(parent)
        current = parent
    return path


def _signed_by(child: x509.Certificate, parent: x509.Certificate) -> bool:
    try:
        child.verify_directly_issued_by(parent)
    except Exception:  # noqa: BLE001 - any failure means "not shown to be its issuer"
        return False
    return True


def sha256_hex(certificate: x509.Certificate) -> str:
    """The SHA-256 fingerprint as the repository keys certificates: upper-case hex."""
    from cryptography.hazmat.primitives import hashes

    return certificate.fingerprint(hashes.SHA256()).hex().upper()


def public_key_der(public_key) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return public_key.public_bytes(serialization.Encoding.DER,
                                   serialization.PublicFormat.SubjectPublicKeyInfo)


# --- checks before an import ----------------------------------------------------------


def check_for_import(loaded: LoadedPkcs12, *, now: datetime, practice_agb: str | None = None,
                     active: CertificateInfo | None = None,
                     soon_days: int = 30) -> list[Finding]:
    """Everything to say before ``loaded`` becomes a practice's certificate, worst first."""
    info = loaded.info
    findings: list[Finding] = []

    def error(code: str, message: str) -> None:
        findings.append(Finding("error", code, message))

    def warning(code: str, message: str) -> None:
        findings.append(Finding("warning", code, message))

    if loaded.private_key is None:
        error("no-key", _("The file holds no private key: export again with 'Yes, export the "
                          "private key'."))
    elif not loaded.key_matches:
        error("key-mismatch", _("The private key does not belong to this certificate; the "
                                "export mixed up two certificates. Export it again."))
    if not loaded.password_protected:
        # macOS Keychain and GnuTLS allow it; the stored copy gets a new password instead
        warning("no-password", _("The file has no password: anyone who can copy it has the "
                                 "private key. The stored copy is protected with a new password "
                                 "you choose now; delete the file after the import."))
    if info.not_after <= now:
        error("expired", _("The certificate expired on {date}. An expired certificate cannot "
                           "be renewed: reinstall it at VECOZO with the user number and PIN "
                           "('opnieuw installeren').").format(date=short_date(info.not_after)))
    elif info.not_before > now:
        warning("not-yet-valid",
                _("The certificate is valid only from {date}; until then VECOZO calls with it "
                  "fail. Import it on or after that date, or keep the current certificate "
                  "active until then.").format(date=short_date(info.not_before)))
    elif (info.not_after - now).days < soon_days:
        days = (info.not_after - now).days
        warning("expires-soon", ngettext(
            "The certificate expires in {days} day; start its renewal now.",
            "The certificate expires in {days} days; start its renewal now.",
            days).format(days=days))
    if active is not None and active.sha256 == info.sha256:
        error("identical", _("This certificate is already the active one; nothing to import."))
    elif active is not None and info.not_after < active.not_after:
        warning("older", _("This certificate expires ({expires}) before the active one "
                           "({active}): it is older. Importing makes the older one "
                           "active.").format(expires=short_date(info.not_after),
                                             active=short_date(active.not_after)))
    if practice_agb and info.agb_code and info.agb_code != practice_agb:
        error("agb-mismatch", _("The certificate is for AGB code {agb_code}, this "
                                "practice has {practice_agb}: it belongs to another practice. "
                                "(If the configured AGB code is wrong, correct the "
                                "configuration first.)").format(
            agb_code=info.agb_code, practice_agb=practice_agb))
    elif info.agb_code is None and info.kind != NOT_CLIENT:
        if practice_agb:
            warning("no-agb", _("The certificate shows no AGB code, so it cannot be matched "
                                "to this practice (AGB {practice_agb}): check that it is this "
                                "practice's certificate.").format(practice_agb=practice_agb))
        else:
            warning("no-agb", _("The certificate shows no AGB code, so it cannot be matched "
                                "to a practice: check that it is this practice's "
                                "certificate."))
    if info.kind == NOT_CLIENT:
        error("not-client", _("This is not a client certificate: {kind_reason}. Export "
                              "the practice's system certificate with its private key, not a "
                              "CA or server certificate.").format(
            kind_reason=kind_reason_words(info.kind_reason)))
    elif info.kind == PERSONAL:
        warning("personal", _("This is a personal certificate (of {person_name}: "
                              "{kind_reason}), not the practice's system certificate: a "
                              "personal certificate cannot do COV or billing. Pick the one "
                              "without a person's name and with the latest expiry date.").format(
            person_name=info.person_name, kind_reason=kind_reason_words(info.kind_reason)))
    elif info.kind == UNCLEAR:
        findings.append(Finding(
            "warning", "kind-unclear",
            _('Its kind cannot be told: {kind_reason} (CN "{common_name}"). COV '
              "needs the practice's system certificate, not a personal one.").format(
                kind_reason=kind_reason_words(info.kind_reason), common_name=info.common_name),
            question=_("Is this the practice's system certificate? It shows no person's name.")))
    if not loaded.chain:
        warning("no-chain", _("The file holds no chain (issuing CA certificates). Export again "
                              "with 'Include all certificates in the certification path' "
                              "('Indien mogelijk alle certificaten in het certificeringspad "
                              "opnemen')."))
    if info.key_type == "RSA" and info.key_size < MIN_RSA_BITS:
        warning("weak-key", _("The key is RSA {key_size} bits; VECOZO requires at least "
                              "{min_rsa_bits}.").format(
            key_size=info.key_size, min_rsa_bits=MIN_RSA_BITS))
    findings.sort(key=lambda f: f.severity != "error")
    return findings


# --- writing PKCS#12 ------------------------------------------------------------------


def pkcs12_encryption(password: str, encoding: str = "modern"):
    """The encryption for a PKCS#12 we write: "modern" (PBES2 AES-256-CBC, PBKDF2-SHA256,
    HMAC-SHA256) or "3des" (PBE-SHA1-3DES, for Windows Server 2016 and earlier)."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    builder = serialization.PrivateFormat.PKCS12.encryption_builder()
    if encoding == "modern":
        builder = (builder.kdf_rounds(MODERN_KDF_ROUNDS)
                   .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
                   .hmac_hash(hashes.SHA256()))
    elif encoding == "3des":
        builder = (builder.kdf_rounds(2048)
                   .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
                   .hmac_hash(hashes.SHA1()))  # noqa: S303 - what old Windows can read
    else:
        raise ValueError(f"unknown PKCS#12 encoding {encoding!r}")  # untranslated: name
    return builder.build(password_bytes(password))


def encrypt_pkcs12(loaded: LoadedPkcs12, password: str, *, encoding: str = "modern") -> bytes:
    """``loaded`` as a new PKCS#12, encrypted in memory."""
    from cryptography.hazmat.primitives.serialization import pkcs12

    if loaded.private_key is None:
        raise VecozoError(_("There is no private key to store."))
    if password == "":
        raise VecozoError(_("A certificate file must be protected by a password; this one is "
                            "empty. Export it again with a password."))
    name = loaded.info.friendly_name.encode("utf-8") if loaded.info.friendly_name else None
    return pkcs12.serialize_key_and_certificates(
        name, loaded.private_key, loaded.certificate, loaded.chain or None,
        pkcs12_encryption(password, encoding),
    )


def chain_pem(loaded: LoadedPkcs12) -> bytes:
    """The public certificate and its chain as PEM: readable without any password."""
    from cryptography.hazmat.primitives import serialization

    return b"".join(c.public_bytes(serialization.Encoding.PEM)
                    for c in [loaded.certificate, *loaded.chain])


def certificates_from_pem(data: bytes) -> list[x509.Certificate]:
    from cryptography import x509

    return x509.load_pem_x509_certificates(data)


# --- the integrity MAC (RFC 7292), to tell a wrong password from an old cipher --------


class _Unparseable(Exception):
    pass


def _declared_length(data: bytes) -> int | None:
    """Total length the outer DER/BER SEQUENCE claims, or None (indefinite or odd)."""
    try:
        _tag, length, header = _header(data, 0)
    except _Unparseable:
        return None
    return None if length is None else header + length


def _header(data: bytes, offset: int) -> tuple[int, int | None, int]:
    """(tag, content length or None for indefinite, header size) at ``offset``."""
    if offset + 2 > len(data):
        raise _Unparseable
    tag = data[offset]
    first = data[offset + 1]
    if first < 0x80:
        return tag, first, 2
    count = first & 0x7F
    if count == 0:
        return tag, None, 2
    if count > 4 or offset + 2 + count > len(data):
        raise _Unparseable
    return tag, int.from_bytes(data[offset + 2:offset + 2 + count], "big"), 2 + count


# a PKCS#12 nests some ten levels deep; a file of nothing but nesting is not one
MAX_BER_DEPTH = 32


def _element(data: bytes, offset: int, depth: int = 0) -> tuple[int, int, int, int]:
    """(tag, content start, content end, element end), also for BER indefinite lengths,
    which Windows and NSS exports use."""
    if depth > MAX_BER_DEPTH:
        raise _Unparseable
    tag, length, header = _header(data, offset)
    start = offset + header
    if length is not None:
        if start + length > len(data):
            raise _Unparseable
        return tag, start, start + length, start + length
    position = start
    while True:
        if position >= len(data):
            raise _Unparseable  # an indefinite length that never ends
        if data[position:position + 2] == b"\x00\x00":
            return tag, start, position, position + 2
        position = _element(data, position, depth + 1)[3]


def _children(data: bytes, start: int, end: int) -> list[tuple[int, int, int]]:
    """(tag, content start, content end) of each child."""
    return [(tag, content_start, content_end)
            for tag, _length, content_start, content_end, _rest in _tlv_children(data, start, end)]


def _octets(data: bytes, tag: int, start: int, end: int) -> bytes:
    """An OCTET STRING's value, joining the pieces of a constructed (BER) one."""
    if tag == 0x04:
        return data[start:end]
    if tag == 0x24:
        return b"".join(_octets(data, t, s, e) for t, s, e in _children(data, start, end))
    raise _Unparseable


_HASH_OIDS = {
    "1.3.14.3.2.26": "sha1", "2.16.840.1.101.3.4.2.1": "sha256",
    "2.16.840.1.101.3.4.2.2": "sha384", "2.16.840.1.101.3.4.2.3": "sha512",
    "2.16.840.1.101.3.4.2.4": "sha224",
}


def _oid(value: bytes) -> str:
    parts = [value[0] // 40, value[0] % 40]
    number = 0
    for byte in value[1:]:
        number = (number << 7) | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(number)
            number = 0
    return ".".join(map(str, parts))


def _verify_mac(data: bytes, password: str) -> bool | None:
    """True/False whether the password verifies the file's MAC; None when it has none we
    know; _Unparseable when the file is not a PKCS#12 structure at all."""
    try:
        _tag, start, end, _rest = _element(data, 0)
        pfx = _children(data, start, end)
        if len(pfx) < 2 or pfx[0][0] != 0x02 or pfx[1][0] != 0x30:
            raise _Unparseable
        auth_safe = _children(data, pfx[1][1], pfx[1][2])
        if len(auth_safe) < 2 or auth_safe[0][0] != 0x06:
            raise _Unparseable
        explicit = _children(data, auth_safe[1][1], auth_safe[1][2])
        content = _octets(data, *explicit[0])
        if len(pfx) < 3:
            return None
        mac_data = _children(data, pfx[2][1], pfx[2][2])
        digest_info = _children(data, mac_data[0][1], mac_data[0][2])
        algorithm = _children(data, digest_info[0][1], digest_info[0][2])
        hash_name = _HASH_OIDS.get(_oid(data[algorithm[0][1]:algorithm[0][2]]))
        expected = data[digest_info[1][1]:digest_info[1][2]]
        salt = data[mac_data[1][1]:mac_data[1][2]]
        iterations = 1
        if len(mac_data) > 2:
            iterations = int.from_bytes(data[mac_data[2][1]:mac_data[2][2]], "big")
    except (IndexError, ValueError, RecursionError) as error:
        raise _Unparseable from error
    if hash_name is None or not 1 <= iterations <= 10_000_000:
        return None
    import hashlib
    import hmac

    candidates = [password.encode("utf-16-be") + b"\x00\x00"]
    if password == "":
        candidates.append(b"")  # some exporters use no terminator for an empty password
    for secret in candidates:
        key = _pkcs12_kdf(hash_name, secret, salt, 3, iterations,
                          hashlib.new(hash_name).digest_size)
        if hmac.compare_digest(hmac.new(key, content, hash_name).digest(), expected):
            return True
    return False


def _pkcs12_kdf(hash_name: str, password: bytes, salt: bytes, purpose: int, iterations: int,
                length: int) -> bytes:
    """RFC 7292 appendix B.2 key derivation (purpose 3 = MAC key)."""
    import hashlib

    digest_size = hashlib.new(hash_name).digest_size
    block = hashlib.new(hash_name).block_size

    def stretch(value: bytes) -> bytes:
        if not value:
            return b""
        size = block * -(-len(value) // block)
        return (value * (size // len(value) + 1))[:size]

    diversifier = bytes([purpose]) * block
    material = bytearray(stretch(salt) + stretch(password))
    output = b""
    while len(output) < length:
        digest = hashlib.new(hash_name, diversifier + bytes(material)).digest()
        for _round in range(iterations - 1):
            digest = hashlib.new(hash_name, digest).digest()
        output += digest
        increment = int.from_bytes((digest * (block // digest_size + 1))[:block], "big") + 1
        for index in range(0, len(material), block):
            chunk = int.from_bytes(material[index:index + block], "big")
            material[index:index + block] = ((chunk + increment) % (1 << (8 * block))).to_bytes(
                block, "big")
    return output[:length]


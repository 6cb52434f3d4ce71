"""PKCS#12 files as other programs write them: several keys (Firefox/NSS backups, Java
keystores), unrelated certificates, BER encoding (NSS, BouncyCastle)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factory import (
    CERTUTIL,
    KEYTOOL,
    PK12UTIL,
    keytool_keystore,
    multi_key_pkcs12,
    nss_export,
)
from vecozo_tui import pki
from vecozo_tui.certificates import (
    AmbiguousChoice,
    check_for_import,
    info_from_certificate,
    load_pkcs12,
    read_pkcs12,
)

PASSWORD = "geheim"


@pytest.fixture
def renewal(test_pki):
    """Last year's system certificate (expires in 20 days) and the renewed one (its term
    starts at the old expiry, seed 001): the same subject, each with its own key."""
    old = test_pki.system(days_valid=730, starts_days_ago=710)
    renewed = test_pki.system(days_valid=730, starts_days_ago=-20)
    return old, renewed


def sha(issued: pki.Issued) -> str:
    return info_from_certificate(issued.certificate).sha256


def subjects(certificates) -> list[str]:
    return [c.subject.rfc4514_string() for c in certificates]


@pytest.mark.parametrize("renewed_first", [False, True], ids=["old-first", "renewed-first"])
def test_the_renewed_system_certificate_is_chosen_in_either_order(test_pki, renewal,
                                                                   renewed_first):
    old, renewed = renewal
    entries = [renewed, old] if renewed_first else [old, renewed]
    contents = read_pkcs12(multi_key_pkcs12(entries, PASSWORD,
                                            extra_certificates=test_pki.chain), PASSWORD)
    assert sorted(pair.info.sha256 for pair in contents.pairs) == sorted([sha(old),
                                                                          sha(renewed)])
    assert all(pair.key_matches for pair in contents.pairs)
    chosen = contents.choose(practice_agb="01234567")
    assert chosen.info.sha256 == sha(renewed)
    # its chain is its issuers, nothing else: not last year's certificate
    assert subjects(chosen.chain) == subjects(test_pki.chain)
    assert [info_from_certificate(c).sha256 for c in contents.not_stored(chosen)] == [sha(old)]
    assert load_pkcs12(multi_key_pkcs12(entries, PASSWORD), PASSWORD).info.sha256 == \
        sha(renewed)


def test_a_renewal_in_a_file_that_also_holds_the_active_one_is_not_identical(test_pki,
                                                                            renewal, now):
    # issue 11: "the renewed file is refused as 'already the active one'"
    old, renewed = renewal
    active = info_from_certificate(old.certificate, test_pki.chain)
    chosen = read_pkcs12(multi_key_pkcs12([old, renewed], PASSWORD,
                                          extra_certificates=test_pki.chain),
                         PASSWORD).choose(practice_agb="01234567")
    codes = [f.code for f in check_for_import(chosen, now=now, practice_agb="01234567",
                                              active=active)]
    assert "identical" not in codes and "older" not in codes
    assert codes == ["not-yet-valid"]  # its term starts at the old expiry


def test_unrelated_certificates_are_no_part_of_the_chain_and_are_named(test_pki, now):
    system = test_pki.system()
    stranger_ca = pki.make_ca("Some Other Root", now - timedelta(days=10))
    other_practice = test_pki.system("Andere Praktijk", "01999999")
    data = multi_key_pkcs12([system], PASSWORD, extra_certificates=[
        stranger_ca.certificate, test_pki.root.certificate, other_practice.certificate,
        test_pki.intermediate.certificate])
    contents = read_pkcs12(data, PASSWORD)
    chosen = contents.choose(practice_agb="01234567")
    assert chosen.info.sha256 == sha(system)
    assert subjects(chosen.chain) == subjects(test_pki.chain)  # issuer order, root last
    assert sorted(subjects(contents.not_stored(chosen))) == sorted(
        subjects([stranger_ca.certificate, other_practice.certificate]))
    assert [entry.subject for entry in chosen.info.chain] == [
        "CN=Demo VECOZO Issuing CA,O=Demo VECOZO,C=NL", "CN=Demo VECOZO Root CA,O=Demo VECOZO,C=NL"]


def test_the_system_certificate_wins_over_a_later_personal_one(test_pki):
    system = test_pki.system(days_valid=300)
    personal = test_pki.personal()  # valid 730 days: later
    contents = read_pkcs12(multi_key_pkcs12([personal, system], PASSWORD), PASSWORD)
    assert contents.choose(practice_agb="01234567").info.sha256 == sha(system)


def test_the_practice_agb_code_decides_between_two_practices(test_pki):
    zuid = test_pki.system("Huisartsenpraktijk Zuid", "01234567", days_valid=300)
    oost = test_pki.system("Fysiotherapie Oost", "04011111", days_valid=700)
    contents = read_pkcs12(multi_key_pkcs12([oost, zuid], PASSWORD), PASSWORD)
    assert contents.choose(practice_agb="01234567").info.sha256 == sha(zuid)
    assert contents.choose(practice_agb="04011111").info.sha256 == sha(oost)


def test_equally_fitting_different_certificates_are_refused_with_the_choices(test_pki):
    first = test_pki.system("Huisartsenpraktijk Zuid", "01234567")
    second = test_pki.system("Huisartsenpraktijk Zuid Dependance", "01234567")
    contents = read_pkcs12(multi_key_pkcs12([first, second], PASSWORD), PASSWORD)
    with pytest.raises(AmbiguousChoice) as raised:
        contents.choose(practice_agb="01234567")
    message = str(raised.value)
    assert sha(first)[:16] in message and sha(second)[:16] in message
    assert "Systeemcertificaat Huisartsenpraktijk Zuid Dependance" in message
    assert len(raised.value.choices) == 2
    picked = contents.choose(practice_agb="01234567", pick=sha(second)[:8].lower())
    assert picked.info.sha256 == sha(second)
    with pytest.raises(AmbiguousChoice, match="fits none"):
        contents.choose(pick="ABCDEF12")
    with pytest.raises(AmbiguousChoice, match="at least 4"):
        contents.choose(pick="A")


# --- BER (NSS, BouncyCastle) ------------------------------------------------------------


@pytest.mark.filterwarnings("error::UserWarning")
def test_a_ber_file_loads_without_a_warning(test_pki, renewal):
    old, renewed = renewal
    data = multi_key_pkcs12([old, renewed], PASSWORD, extra_certificates=test_pki.chain,
                            ber=True)
    assert data[1] == 0x80  # indefinite length: BER, not DER
    chosen = read_pkcs12(data, PASSWORD).choose(practice_agb="01234567")
    assert chosen.info.sha256 == sha(renewed)
    assert subjects(chosen.chain) == subjects(test_pki.chain)


# --- files made by the tools themselves ---------------------------------------------------


def tool_inputs(test_pki, renewal, order):
    old, renewed = renewal
    files = {
        "old": test_pki.pfx(old, PASSWORD, name="oud.p12", friendly_name="praktijk",
                            encoding="3des"),
        "renewed": test_pki.pfx(renewed, PASSWORD, name="nieuw.p12",
                                friendly_name="praktijk", encoding="3des"),
    }
    return [files[name] for name in order], old, renewed


@pytest.mark.skipif(not KEYTOOL, reason="keytool (Java) is not installed")
@pytest.mark.parametrize("order", [("old", "renewed"), ("renewed", "old")],
                         ids=["old-first", "renewed-first"])
def test_a_java_keystore_with_both_certificates(test_pki, renewal, tmp_path, order):
    files, old, renewed = tool_inputs(test_pki, renewal, order)
    data = keytool_keystore(files, PASSWORD, tmp_path / "keystore.p12").read_bytes()
    contents = read_pkcs12(data, PASSWORD)
    assert len(contents.pairs) == 2
    chosen = contents.choose(practice_agb="01234567")
    assert chosen.info.sha256 == sha(renewed)
    assert subjects(chosen.chain) == subjects(test_pki.chain)


@pytest.mark.skipif(not (PK12UTIL and CERTUTIL),
                    reason="pk12util/certutil (libnss3-tools) are not installed")
@pytest.mark.filterwarnings("error::UserWarning")
@pytest.mark.parametrize("order", [("old", "renewed"), ("renewed", "old")],
                         ids=["old-first", "renewed-first"])
def test_a_firefox_nss_backup_with_both_certificates(test_pki, renewal, tmp_path, order):
    files, old, renewed = tool_inputs(test_pki, renewal, order)
    data = nss_export(files, PASSWORD, "praktijk", tmp_path / "firefox.p12").read_bytes()
    assert data[1] == 0x80  # NSS writes BER
    contents = read_pkcs12(data, PASSWORD)
    assert len(contents.pairs) == 2
    chosen = contents.choose(practice_agb="01234567")
    assert chosen.info.sha256 == sha(renewed)
    assert subjects(chosen.chain) == subjects(test_pki.chain)
    assert [info_from_certificate(c).sha256 for c in contents.not_stored(chosen)] == [sha(old)]


def test_a_ca_sharing_the_key_of_the_certificate_is_its_chain_not_a_choice(test_pki):
    system = test_pki.system()
    ca = test_pki.certificate([("CN", "Odd Issuing CA")], ca=True, usages=None,
                              key=system.key)
    contents = read_pkcs12(multi_key_pkcs12([system], PASSWORD,
                                            extra_certificates=[ca.certificate]), PASSWORD)
    assert [pair.info.sha256 for pair in contents.pairs] == [sha(system)]


def test_a_ca_with_its_own_key_alone_is_offered_and_blocked(test_pki, now):
    ca = test_pki.certificate([("CN", "Praktijk Root CA")], ca=True, usages=None,
                              issuer="self")
    chosen = read_pkcs12(multi_key_pkcs12([ca], PASSWORD), PASSWORD).choose()
    assert chosen.info.kind == "not-client"
    assert "not-client" in [f.code for f in check_for_import(chosen, now=now) if f.blocking]

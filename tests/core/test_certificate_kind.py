"""The kind of a certificate: system, personal, unclear, or not a client certificate.

One rule (certificates.classify_kind), tested through real certificates made with the
subjects other tools write (the openssl CLI writes no givenName/surname unless asked).
"""

from __future__ import annotations

import pytest

from vecozo_tui.certificates import (
    NOT_CLIENT,
    PERSONAL,
    SYSTEM,
    UNCLEAR,
    SubjectFacts,
    classify_kind,
    info_from_certificate,
)

DE_LINDE = "Huisartsenpraktijk De Linde"

# (id, subject, extensions, expected kind)
CASES = [
    # system certificates
    ("vecozo-style", [("C", "NL"), ("O", "Huisartsenpraktijk Zuid"), ("OU", "AGB 01234567"),
                      ("serialNumber", "01234567"),
                      ("CN", "Systeemcertificaat Huisartsenpraktijk Zuid")], {}, SYSTEM),
    ("digits-only-cn", [("O", DE_LINDE), ("CN", "01012345")], {}, SYSTEM),
    ("short-number-cn", [("CN", "12345")], {}, SYSTEM),
    ("organisation-with-a-surname", [("O", "Huisartsenpraktijk De Vries"),
                                     ("CN", "Huisartsenpraktijk De Vries")], {}, SYSTEM),
    ("dental-practice", [("CN", "Tandartspraktijk Smile")], {}, SYSTEM),
    ("bv", [("CN", "Mondzorg Noord B.V.")], {}, SYSTEM),
    ("plural-profession", [("CN", "Huisartsen Oost")], {}, SYSTEM),
    ("physio-centre", [("CN", "Fysiotherapie Centrum")], {}, SYSTEM),
    ("part-of-the-organisation", [("O", DE_LINDE), ("CN", "De Linde")], {}, SYSTEM),
    ("server-word", [("CN", "Praktijkserver")], {}, SYSTEM),
    ("any-usage", [("CN", "Systeemcertificaat Zuid")], {"usages": ("any",)}, SYSTEM),
    ("no-usage-extension", [("CN", "Systeemcertificaat Zuid")], {"usages": None}, SYSTEM),
    # personal certificates
    ("cn-only-initials", [("CN", "J. de Vries"), ("OU", "01234567"), ("O", DE_LINDE),
                          ("C", "NL")], {}, PERSONAL),  # issue 11: made with the openssl CLI
    ("first-name-and-particle", [("O", "Huisartsenpraktijk De Vries"),
                                 ("CN", "Jan de Vries")], {}, PERSONAL),
    ("initials-van-der", [("CN", "A.B. van der Berg")], {}, PERSONAL),
    ("double-surname", [("CN", "Maria Bakker-Smit")], {}, PERSONAL),
    ("van-t", [("CN", "Jan-Willem van 't Hof")], {}, PERSONAL),
    ("title", [("CN", "dr. P. de Wit")], {}, PERSONAL),
    ("two-letter-initial", [("CN", "Th. Jansen")], {}, PERSONAL),
    ("profession-before-a-name", [("CN", "Huisarts J. de Vries")], {}, PERSONAL),
    ("accents", [("CN", "José García")], {}, PERSONAL),
    ("first-and-last-name", [("O", DE_LINDE), ("CN", "Linde Bakker")], {}, PERSONAL),
    ("given-name-attributes", [("GN", "Jan"), ("SN", "de Vries"), ("CN", "Jan de Vries")],
     {}, PERSONAL),
    ("pseudonym", [("pseudonym", "Zorgverlener 7"), ("CN", "Praktijk")], {}, PERSONAL),
    # cannot be told
    ("surname-only", [("CN", "Bakker")], {}, UNCLEAR),
    ("acronym", [("CN", "VECOZO Test")], {}, UNCLEAR),
    ("an-id", [("CN", "hap-zuid")], {}, UNCLEAR),
    ("no-cn", [("O", "Zuid"), ("C", "NL")], {}, UNCLEAR),
    # not a client certificate at all
    ("self-signed-ca", [("CN", "Demo Root CA")], {"ca": True, "usages": None,
                                                  "issuer": "self"}, NOT_CLIENT),
    ("server-only", [("CN", "Systeemcertificaat Zuid")], {"usages": ("serverAuth",)},
     NOT_CLIENT),
    ("e-mail-only", [("CN", "J. de Vries")], {"usages": ("emailProtection",)}, NOT_CLIENT),
]


@pytest.mark.parametrize("subject, extensions, expected",
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_kind_of_real_certificates(test_pki, subject, extensions, expected):
    issued = test_pki.certificate(subject, **extensions)
    info = info_from_certificate(issued.certificate)
    assert info.kind == expected, info.kind_reason
    assert info.kind_reason


def test_there_are_at_least_twenty_subjects():
    assert len(CASES) >= 20


def test_a_personal_cn_names_the_person():
    kind = classify_kind(SubjectFacts(common_name="J. de Vries", organisation=DE_LINDE))
    assert kind.kind == PERSONAL
    assert kind.person_name == "J. de Vries"
    assert "initials" in kind.reason


def test_the_reason_says_what_decided():
    assert "CA" in classify_kind(SubjectFacts("Root", is_ca=True)).reason
    assert "clientAuth" in classify_kind(
        SubjectFacts("Systeem", extended_key_usages=frozenset({"1.3.6.1.5.5.7.3.1"}))).reason
    assert "number" in classify_kind(SubjectFacts("01234567")).reason

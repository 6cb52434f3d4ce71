"""Core rules the import uses in both fronts: the structure check that needs no
password, the practice a file in the inbox belongs to."""

from __future__ import annotations

import os

import pytest

from tests.factory import PkiFactory
from vecozo_tui.certificates import check_pkcs12_structure
from vecozo_tui.config import Practice
from vecozo_tui.errors import VecozoError
from vecozo_tui.inbox import likely_file

PRACTICE = Practice(id="hap-oost", name="Huisartsen Oost", agb="01045678",
                    environment="production")


def test_a_real_pkcs12_passes_the_structure_check(test_pki: PkiFactory):
    for encoding in ("modern", "3des"):
        issued = test_pki.system()
        data = test_pki.pfx(issued, "geheim", encoding=encoding).read_bytes()
        check_pkcs12_structure(data)  # no error: the password is the next question


@pytest.mark.parametrize("data, expected", [
    (b"", "empty"),
    (b"0\x82\x0a\x00" + b"\x00" * 64, "truncated"),
    (b"0\x03\x02\x01\x03", "not a PKCS#12"),  # DER, but only a version
    (b"-----BEGIN PRIVATE KEY-----\n", "PEM text file with a private key"),
])
def test_what_a_file_is_said_without_its_password(data, expected):
    with pytest.raises(VecozoError, match=expected):
        check_pkcs12_structure(data, source="x.pfx")


def test_the_likely_file_has_the_id_or_the_agb_code_in_its_name(tmp_path):
    def touch(name: str, age: int = 0):
        path = tmp_path / name
        path.write_bytes(b"0")
        os.utime(path, (1_700_000_000 - age, 1_700_000_000 - age))
        return path

    other = touch("fysio-centrum.pfx")
    assert likely_file([other], PRACTICE) is None
    by_agb = touch("export-01045678.p12", age=10)
    assert likely_file([other, by_agb], PRACTICE) == by_agb
    both = touch("hap-oost-01045678.pfx", age=100)
    older = touch("HAP-OOST-oud.pfx", age=1000)
    assert likely_file([other, by_agb, older, both], PRACTICE) == both
    assert likely_file([older, touch("hap-oost.txt")], PRACTICE) == older



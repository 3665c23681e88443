"""Regressions from the issue about the command line and reports: what a text file is told."""

from __future__ import annotations

import base64

import pytest

from appgw_certs import CertificateFormatError, load_certificates
from helpers.chain import VECTORS


def _certificate_der() -> bytes:
    return (VECTORS / "e-trust.ru.der").read_bytes()  # a real certificate, DER


@pytest.mark.parametrize(
    "text",
    [
        b"Please find the certificate attached\nRegards\n",
        b"hello world",
        b"Zertifikat fuer www contoso com\r\n",
    ],
)
def test_plain_text_is_called_text_without_a_pem_block_not_base64(text: bytes) -> None:
    with pytest.raises(CertificateFormatError) as raised:
        load_certificates(text)
    message = str(raised.value)
    assert "base64" not in message
    assert "text with no PEM block" in message


def test_base64_cut_short_is_still_called_base64() -> None:
    encoded = base64.encodebytes(_certificate_der())  # 76-character lines, as pasted
    cut = encoded[: len(encoded) // 2].rstrip(b"\n")
    cut = cut[: len(cut) - len(cut) % 4]  # whole base64 quanta: decodes, but not to DER
    with pytest.raises(CertificateFormatError, match="looks like base64"):
        load_certificates(b"QUJD" + cut)
    assert load_certificates(encoded)  # the whole text is read

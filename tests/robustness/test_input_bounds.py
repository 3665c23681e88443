"""Reads bounded by what they cost: text by its UTF-8 size, and BER by its elements
before pyasn1 decodes any (docs/robustness.md, "Limits")."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import Any

import pytest

from appgw_certs import (
    MAX_INPUT_BYTES,
    InputTooLargeError,
    Slot,
    check_upload,
    describe,
    load_certificates,
    load_pfx,
    to_cer,
)
from appgw_certs._formats.der import ber_elements
from appgw_certs._formats.pfx_ber import MAX_BER_ELEMENTS
from helpers.hidden_work import oid, seq
from helpers.hostile import PASSWORD, seeds

TEXT_LOADERS: dict[str, Callable[[Any], object]] = {
    "load_certificates": load_certificates,
    "describe": describe,
    "to_cer": to_cer,
}


def _cpu(call: Callable[[], object]) -> float:
    start = time.process_time()
    with contextlib.suppress(Exception):  # only the time is measured here
        call()
    return time.process_time() - start


# --- text is measured in UTF-8 bytes --------------------------------------------------------


def _pem_text(fill: str) -> str:
    """A PEM chain, then ``fill`` until the text is just over the limit in UTF-8."""
    pem = seeds().files["pem-chain"].decode()
    copies = (MAX_INPUT_BYTES - len(pem)) // len(fill.encode()) + 1
    return pem + fill * copies


@pytest.mark.parametrize("name", sorted(TEXT_LOADERS))
def test_text_over_the_limit_in_utf8_is_refused(name: str) -> None:
    """A quarter of the limit in characters of four UTF-8 bytes each: over it as bytes."""
    text = _pem_text("😀")
    assert len(text) < MAX_INPUT_BYTES < len(text.encode())
    with pytest.raises(InputTooLargeError, match="1,048,576"):
        TEXT_LOADERS[name](text)


def test_a_check_reports_text_over_the_limit_in_utf8() -> None:
    text = _pem_text("é😀")
    report = check_upload(Slot.TRUSTED_ROOT, text, sku="v2")
    assert any("1,048,576" in f.message for f in report.errors), str(report)


def test_text_at_the_limit_in_utf8_is_read() -> None:
    pem = seeds().files["pem-chain"].decode()
    text = pem + "\n" * (MAX_INPUT_BYTES - len(pem.encode()) - 2) + "é"
    assert len(text.encode()) == MAX_INPUT_BYTES
    assert len(load_certificates(text)) == 3


# --- BER: elements counted before pyasn1 decodes ----------------------------------------------


def _chunked(content: bytes, size: int) -> bytes:
    """A constructed OCTET STRING, indefinite length, of ``size``-byte chunks."""
    chunks = b"".join(
        b"\x04" + _length(len(part)) + part
        for part in (content[i : i + size] for i in range(0, len(content), size))
    )
    return b"\x24\x80" + chunks + b"\x00\x00"


def _length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    digits = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(digits)]) + digits


def _pfx_with_auth_safe(content: bytes, mac: bytes = b"") -> bytes:
    """A PFX whose authSafe content is ``content`` as BER chunks (the outer
    structure indefinite-length, as Windows writes it)."""
    auth_safe = b"\x30\x80" + oid("1.2.840.113549.1.7.1") + b"\xa0\x80" + content + b"\x00" * 4
    return b"\x30\x80\x02\x01\x03" + auth_safe + mac + b"\x00\x00"


def _auth_safe_and_mac(pfx: bytes) -> tuple[bytes, bytes]:
    """The authSafe's content octets and the encoded MacData of a DER PFX."""
    from pyasn1.codec.ber import decoder
    from pyasn1.codec.der import encoder
    from pyasn1.type import univ
    from pyasn1_modules import rfc7292

    parsed, _ = decoder.decode(pfx, asn1Spec=rfc7292.PFX())
    octets, _ = decoder.decode(bytes(parsed["authSafe"]["content"]), asn1Spec=univ.OctetString())
    return bytes(octets), bytes(encoder.encode(parsed["macData"]))


def test_windows_sized_chunks_are_read() -> None:
    """Strings cut into 1,000-byte chunks, as Windows writes them: well under the bound."""
    content, mac = _auth_safe_and_mac(seeds().files["pfx-compatible"])
    windows = _pfx_with_auth_safe(_chunked(content, 1000), mac)
    assert ber_elements(windows, MAX_BER_ELEMENTS) < 100
    pfx = load_pfx(windows, PASSWORD)
    assert pfx.private_key is not None


def test_one_byte_chunks_are_refused_before_pyasn1_reads_them() -> None:
    """300,000 one-byte chunks (900 KB) took pyasn1 1.8 s: refused after counting."""
    hostile = _pfx_with_auth_safe(_chunked(b"\x00" * 300_000, 1))
    assert len(hostile) < MAX_INPUT_BYTES
    for call in (lambda: load_pfx(hostile), lambda: load_certificates(hostile)):
        with pytest.raises(Exception, match=f"over {MAX_BER_ELEMENTS:,} elements"):
            call()
        assert _cpu(call) < 0.5
    report = check_upload(Slot.LISTENER, hostile, sku="v2")
    assert not report.ok


def test_chunks_one_level_down_are_counted_too() -> None:
    """The chunks inside the AuthenticatedSafe, in a ContentInfo's data."""
    inner = seq(
        seq(
            oid("1.2.840.113549.1.7.1") + b"\xa0\x80" + _chunked(b"\x00" * 200_000, 1) + b"\x00\x00"
        )
    )
    hostile = _pfx_with_auth_safe(_chunked(inner, 1000))
    assert len(hostile) < MAX_INPUT_BYTES
    with pytest.raises(Exception, match=f"over {MAX_BER_ELEMENTS:,} elements"):
        load_pfx(hostile)
    assert _cpu(lambda: load_pfx(hostile)) < 0.5


def test_the_count_is_of_elements() -> None:
    assert ber_elements(_chunked(b"abc", 1), 100) == 5  # the string, three chunks, its end
    assert ber_elements(seq(b"\x04\x01a" * 3), 100) == 4
    assert ber_elements(_chunked(b"a" * 50, 1), 10) == 11  # stops once past the limit

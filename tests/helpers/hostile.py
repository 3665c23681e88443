"""Seeds and mutations for the hostile-input tests: real files, damaged in every way a
stranger's file can be damaged, and a guard that every call returns quickly.

Seeds are built once per process (EC keys: fast). Mutations work on bytes
(flipped, truncated, extended, spliced), on PEM (bad base64, lost lines) and on
nesting (base64 of base64, PEM-wrapped PKCS#7, a PFX inside a PFX).
"""

from __future__ import annotations

import base64
import functools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12
from hypothesis import strategies as st

from appgw_certs import KeyType, TestChain, build_test_chain, to_pfx
from appgw_certs.testing import broken_certificate_bytes

PASSWORD = "Hostile1Pw"
HOSTNAME = "www.contoso.com"

#: A single call may use this much CPU time before it counts as a hang (a detector,
#: not a benchmark: typical calls take milliseconds).
CPU_SECONDS = 1.0
#: Wall-clock bound, generous because the CI machine is shared.
WALL_SECONDS = 5.0


@dataclass(frozen=True)
class Seeds:
    """Real files of every format the library reads, from one EC chain."""

    chain: TestChain
    files: dict[str, bytes]

    @property
    def certificates(self) -> list[x509.Certificate]:
        """Leaf first, then intermediates, then the root."""
        c = self.chain
        return [
            c.server.certificate,
            *(i.certificate for i in reversed(c.intermediates)),
            c.root.certificate,
        ]


@functools.cache
def seeds() -> Seeds:
    chain = build_test_chain([HOSTNAME], intermediates=1, key_type=KeyType.EC_P256)
    certs = [
        chain.server.certificate,
        chain.intermediates[0].certificate,
        chain.root.certificate,
    ]
    pem_chain = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)
    p7_der = pkcs7.serialize_certificates(certs, serialization.Encoding.DER)
    p7_pem = pkcs7.serialize_certificates(certs, serialization.Encoding.PEM)
    pfx = chain.listener_pfx(PASSWORD)
    files = {
        "pem-chain": pem_chain,
        "der-leaf": certs[0].public_bytes(serialization.Encoding.DER),
        "der-root": certs[2].public_bytes(serialization.Encoding.DER),
        "p7b-der": p7_der,
        "p7b-pem": p7_pem,
        "pfx-compatible": pfx,
        "pfx-modern": chain.listener_pfx(PASSWORD, profile="modern"),
        "pfx-no-password": to_pfx(
            chain.server.private_key, chain.server.certificate, certs[1:], password=None
        ),
        "key-and-chain-pem": chain.server.key_pem() + pem_chain,
        "encrypted-key-pem": chain.server.key_pem(PASSWORD),
        "client-ca": chain.client_ca_cer(),
        "base64-pfx": base64.b64encode(pfx),
        "base64-base64-der": base64.b64encode(
            base64.b64encode(certs[0].public_bytes(serialization.Encoding.DER))
        ),
        "pem-wrapped-pfx": _pem("PKCS12", pfx),
        "pem-wrapped-p7b-of-p7b": _pem("PKCS7", _p7_inside_p7(p7_der)),
        "pfx-inside-pfx": _pfx_holding(pfx, chain),
    }
    return Seeds(chain, files)


def _pem(label: str, der: bytes) -> bytes:
    body = base64.encodebytes(der)
    return (
        b"-----BEGIN "
        + label.encode()
        + b"-----\n"
        + body
        + b"-----END "
        + label.encode()
        + b"-----\n"
    )


def _tlv(tag: int, content: bytes) -> bytes:
    """One DER element (definite length)."""
    n = len(content)
    length = (
        bytes([n])
        if n < 0x80
        else bytes([0x80 | ((n.bit_length() + 7) // 8)])
        + n.to_bytes((n.bit_length() + 7) // 8, "big")
    )
    return bytes([tag]) + length + content


def signed_data(*certificate_ders: bytes) -> bytes:
    """A degenerate PKCS#7 SignedData holding these elements as its certificates, any bytes."""
    oid_signed = bytes.fromhex("06092a864886f70d010702")
    oid_data = bytes.fromhex("06092a864886f70d010701")
    body = (
        _tlv(0x02, b"\x01")  # version
        + _tlv(0x31, b"")  # digestAlgorithms
        + _tlv(0x30, oid_data)  # contentInfo
        + _tlv(0xA0, b"".join(certificate_ders))  # [0] IMPLICIT certificates
        + _tlv(0x31, b"")  # signerInfos
    )
    return _tlv(0x30, oid_signed + _tlv(0xA0, _tlv(0x30, body)))


def _p7_inside_p7(p7_der: bytes) -> bytes:
    """A PKCS#7 whose certificate set holds a whole PKCS#7 (hostile nesting), three deep."""
    return signed_data(signed_data(signed_data(p7_der)))


def _pfx_holding(inner: bytes, chain: TestChain) -> bytes:
    """A PFX whose friendly name is a whole PFX: nested PKCS#12 bytes in a bag attribute."""
    encryption = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(2048)
        .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
        .build(PASSWORD.encode())
    )
    return pkcs12.serialize_key_and_certificates(
        base64.b64encode(inner)[:200],
        chain.server.private_key,
        chain.server.certificate,
        None,
        encryption,
    )


# --- mutations -----------------------------------------------------------------------------


def _flip(data: bytes, bit: int) -> bytes:
    out = bytearray(data)
    out[bit // 8 % len(out)] ^= 1 << (bit % 8)
    return bytes(out)


def mutated(data: bytes) -> st.SearchStrategy[bytes]:
    """``data`` damaged once or a few times: flipped bits, cuts, extensions, splices."""
    if not data:
        return st.binary(max_size=64)
    n = len(data)
    position = st.integers(0, n - 1)
    one = st.one_of(
        st.integers(0, n * 8 - 1).map(lambda bit: _flip(data, bit)),
        position.map(lambda i: data[:i]),  # truncated
        position.map(lambda i: data[i:]),  # head lost
        st.binary(min_size=1, max_size=256).map(lambda extra: data + extra),  # extended
        st.tuples(position, st.binary(min_size=1, max_size=16)).map(
            lambda a: data[: a[0]] + a[1] + data[a[0] :]
        ),  # inserted
        st.tuples(position, position).map(lambda a: data[: min(a)] + data[max(a) :]),  # cut out
        st.tuples(position, position).map(
            lambda a: data[: min(a)] + data[min(a) : max(a)] * 2 + data[max(a) :]
        ),  # a stretch doubled
        st.tuples(position, st.integers(0, 255)).map(
            lambda a: data[: a[0]] + bytes([a[1]]) + data[a[0] + 1 :]
        ),  # a byte replaced
    )
    return one | one.flatmap(lambda once: one.map(lambda _: once))


def pem_damaged(pem: bytes) -> st.SearchStrategy[bytes]:
    """PEM text with its base64 or framing broken in one place."""
    lines = pem.split(b"\n")
    index = st.integers(0, len(lines) - 1)
    return st.one_of(
        index.map(lambda i: b"\n".join(lines[:i] + lines[i + 1 :])),  # a line lost
        st.tuples(
            index, st.sampled_from([b"!", b"=", b"==", b"\x00", b"\xff", b"-----", b" "])
        ).map(lambda a: b"\n".join([*lines[: a[0]], lines[a[0]] + a[1], *lines[a[0] + 1 :]])),
        index.map(lambda i: b"\n".join([*lines[:i], lines[i], *lines[i:]])),
        st.just(pem.replace(b"\n", b"\r\n")),
        st.just(pem.replace(b"=", b"")),
        st.just(pem.swapcase()),
    )


def hostile_bytes() -> st.SearchStrategy[bytes]:
    """Random bytes, library's broken certificates, and every seed file mutated."""
    files = seeds().files
    names = sorted(files)
    pem_names = [n for n in names if b"-----BEGIN" in files[n]]
    return st.one_of(
        st.binary(max_size=512),
        broken_certificate_bytes(seeds().certificates),
        st.sampled_from(names).map(files.__getitem__),
        st.sampled_from(names).flatmap(lambda n: mutated(files[n])),
        st.sampled_from(pem_names).flatmap(lambda n: pem_damaged(files[n])),
    )


passwords = st.one_of(st.none(), st.just(PASSWORD), st.text(max_size=12), st.binary(max_size=12))


# --- the guard -----------------------------------------------------------------------------


@contextmanager
def quick(what: str) -> Iterator[None]:
    """Fail when the block uses more than :data:`CPU_SECONDS` of CPU (a hang, not slowness)."""
    cpu, wall = time.process_time(), time.perf_counter()
    yield
    used, waited = time.process_time() - cpu, time.perf_counter() - wall
    assert used < CPU_SECONDS, f"{what} used {used:.2f} s of CPU"
    assert waited < WALL_SECONDS, f"{what} took {waited:.2f} s"


def call_loader(what: str, function: Callable[[], object], allowed: type[BaseException]) -> object:
    """Run a loader under :func:`quick`; only ``allowed`` may escape (returned, not raised)."""
    with quick(what):
        try:
            return function()
        except allowed as exc:
            return exc

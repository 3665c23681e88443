"""The ASN.1 layout of a PFX: its encryption algorithms, iteration counts, key bags;
and the cost of every key derivation that loading it would run.

Read before anything derives a key from the file: a hostile file could
otherwise stall the process for minutes, and a derivation, once started,
cannot be interrupted. Two decoders read the structures (``pfx_decoder``):
DER files, which is what OpenSSL, cryptography and Java write, are read with
cryptography's declarative decoder (``pfx_der``); BER files (Windows exports
with indefinite lengths or constructed strings) and whatever that decoder steps
aside from, with pyasn1-modules (``pfx_ber``, imported on first use). Both are
walked by the same code here, so both give the same :class:`Layout`.

What can be read without a password is the MAC, the certificate safes'
encryption and the key bags outside them. A certificate safe can hold more:
key bags and nested safes that loading the file decrypts in turn. With the
password that loading will use (:class:`SafeOpener`), each safe is decrypted
here, its own cost bounded first, and what it holds is counted too: every
derivation the load would run, at any depth, before it runs any.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from .._errors import CertificateFormatError, translate_errors
from .inputs import is_utf8
from .pbe import (
    MAX_ITERATIONS,
    MAX_OPENING_WORK,
    MAX_SCRYPT_WORK,
    MAX_TOTAL_ITERATIONS,
    Scheme,
    check_iterations,
    kdf_scheme,
    read_scheme,
)
from .pfx_decoder import Algorithm, Bag, ContentInfo, PfxDecoder
from .pfx_der import der_decoder
from .sniff import could_be_pfx

__all__ = [
    "MAX_BAG_NESTING",
    "MAX_ITERATIONS",
    "MAX_SCRYPT_WORK",
    "MAX_TOTAL_ITERATIONS",
    "Layout",
    "PfxEncryption",
    "SafeOpener",
    "check_encrypted_key_info",
    "encrypted_key_iterations_with",
    "read_layout",
    "read_layout_with",
]

E = TypeVar("E")
T = TypeVar("T")

#: How deep safeContentsBags may nest (real files: not at all). Deeper files are
#: refused alike by both decoders, before either recurses near Python's limit.
MAX_BAG_NESTING = 16

_DIGESTS = {
    "1.3.14.3.2.26": "sha1",
    "2.16.840.1.101.3.4.2.1": "sha256",
    "2.16.840.1.101.3.4.2.2": "sha384",
    "2.16.840.1.101.3.4.2.3": "sha512",
    "2.16.840.1.101.3.4.2.4": "sha224",
    "1.2.840.113549.2.5": "md5",
    "1.2.840.113549.1.5.14": "PBMAC1",
}
_PBMAC1 = "1.2.840.113549.1.5.14"
_DATA = "1.2.840.113549.1.7.1"
_ENCRYPTED_DATA = "1.2.840.113549.1.7.6"
_KEY_BAG = "1.2.840.113549.1.12.10.1.1"
_SHROUDED_KEY_BAG = "1.2.840.113549.1.12.10.1.2"
_SAFE_CONTENTS_BAG = "1.2.840.113549.1.12.10.1.6"
_FRIENDLY_NAME = "1.2.840.113549.1.9.20"

# What Application Gateway is known to import: a 3DES key bag, certificates in
# 3DES, RC2-40 or not encrypted, a SHA-1 MAC (see docs/formats.md).
_AZURE_KEY_ALGORITHMS = frozenset({"pbeWithSHA1And3-KeyTripleDES-CBC"})
_AZURE_CERT_ALGORITHMS = frozenset(
    {None, "pbeWithSHA1And3-KeyTripleDES-CBC", "pbeWithSHA1And40BitRC2-CBC"}
)


@dataclass(frozen=True)
class PfxEncryption:
    """How a PFX is protected, as read from the file.

    ``azure_compatible`` is what Application Gateway is known to import: a
    3DES key bag, a certificate bag in 3DES, RC2-40 or not encrypted, and a
    SHA-1 MAC (OpenSSL 1.x, OpenSSL 3 ``-legacy``, profile "compatible").

    >>> load_pfx(data, "secret").encryption   # doctest: +SKIP
    PfxEncryption(key_algorithm='PBES2/AES-256-CBC', cert_algorithm='PBES2/AES-256-CBC',
                  mac_algorithm='sha256', iterations=2048, azure_compatible=False)
    """

    key_algorithm: str | None
    cert_algorithm: str | None
    mac_algorithm: str | None
    iterations: int | None
    azure_compatible: bool


@dataclass(frozen=True)
class Layout:
    encryption: PfxEncryption
    key_friendly_name: str | None
    key_bags: int  # key bags outside encrypted content (where exporters put them)


@dataclass(frozen=True)
class SafeOpener:
    """The password that loading the PFX will decrypt with, as bytes (``None``:
    none given), to open its certificate safes with first."""

    password: bytes | None

    @property
    def empty(self) -> bool:
        return not self.password

    def candidates(self, has_mac: bool) -> list[bytes | None]:
        """The passwords OpenSSL decrypts with. Without one, it verifies the MAC with
        none and then with the empty one, and decrypts with the one that verified
        (with none when there is no MAC); cryptography passes none for ``None`` and
        for an empty password alike. A password with a NUL, or not UTF-8, is refused
        before anything is decrypted."""
        if self.password:
            if b"\0" in self.password or not is_utf8(self.password):
                return []
            return [self.password]
        return [None, b""] if has_mac else [None]


def read_layout(der: bytes, opener: SafeOpener | None = None) -> Layout:
    """The layout of the PFX ``der`` (DER or BER); :class:`CertificateFormatError`
    when it is not one, or asks for absurd iteration counts. With ``opener``, the
    certificate safes are opened and what they hold counted too.

    >>> read_layout(pfx_bytes, SafeOpener(b"secret")).key_bags   # doctest: +SKIP
    1
    """
    if not could_be_pfx(der):  # PEM, a certificate...: no decoder need look
        raise CertificateFormatError(
            "could not read the PFX (PKCS#12) structure: it does not start as one "
            "(a SEQUENCE holding a version number)"
        )
    with translate_errors("the PFX (PKCS#12) structure"):
        return _decoded(lambda decoder: read_layout_with(decoder, der, opener))


def check_encrypted_key_info(der: bytes) -> None:
    """Refuse a PKCS#8 ``ENCRYPTED PRIVATE KEY`` with an absurd iteration count or scrypt cost.

    Called before ``cryptography`` derives the key, for the same reason as for
    PFX files. Structure errors are left to ``cryptography`` to report.
    """
    try:
        iterations = _decoded(lambda decoder: encrypted_key_iterations_with(decoder, der))
    except CertificateFormatError:
        raise  # scrypt asking for too much work
    except Exception:
        return  # not well-formed: cryptography says so with its own message
    check_iterations(iterations, "the private key")


def encrypted_key_iterations_with(decoder: PfxDecoder[E], der: bytes) -> int | None:
    """The iteration count of an EncryptedPrivateKeyInfo as read with ``decoder``
    (``None`` for scrypt, whose cost is bounded here, and other schemes)."""
    return read_scheme(decoder, decoder.encrypted_key_algorithm(der)).iterations


def _decoded(read: Callable[[PfxDecoder[Any]], T]) -> T:
    """``read`` with the DER decoder; with pyasn1 when that one cannot read the bytes."""
    fast = der_decoder()
    if fast is not None:
        try:
            return read(fast)
        except CertificateFormatError:
            raise  # read, and refused
        except Exception:  # noqa: S110 - not DER, or a shape not declared: pyasn1 decides
            pass
    from .pfx_ber import BER_DECODER  # on use: pyasn1-modules is slow to import

    return read(BER_DECODER)


# --- the walk ------------------------------------------------------------------


@dataclass
class _Seen:
    key_algorithm: str | None = None
    key_iterations: int | None = None
    key_bags: int = 0
    cert_algorithm: str | None = None
    key_friendly_name: str | None = None
    total_iterations: int = 0
    total_scrypt_work: int = 0
    opening_work: int = 0

    def spend(self, scheme: Scheme, where: str, times: int = 1) -> None:
        """Count ``times`` derivations of ``scheme``; refuse one, or the file's running
        total, when absurd."""
        check_iterations(scheme.iterations, where)
        self.total_iterations += (scheme.iterations or 0) * times
        if self.total_iterations > MAX_TOTAL_ITERATIONS:
            raise CertificateFormatError(
                f"the PFX's derivations add up to over {MAX_TOTAL_ITERATIONS:,} iterations "
                "(many bags or high counts): the file is corrupt or hostile; not decrypting it"
            )
        if scheme.scrypt is not None:
            n, r, p = scheme.scrypt
            self.total_scrypt_work += n * r * p * times
            if self.total_scrypt_work > 2 * MAX_SCRYPT_WORK:
                raise CertificateFormatError(
                    f"the PFX's scrypt derivations add up to over {2 * MAX_SCRYPT_WORK:,} "
                    "(N*r*p): the file is corrupt or hostile; not decrypting it"
                )

    def spend_opening(self, scheme: Scheme) -> None:
        """Count a derivation of our own, to open a certificate safe."""
        self.opening_work += scheme.opening_work
        if self.opening_work > MAX_OPENING_WORK:
            raise CertificateFormatError(
                "opening the PFX's certificate safes to check what they hold would take "
                f"over {MAX_OPENING_WORK:,} hash computations (iterations times hash blocks): "
                "the file is corrupt or hostile; not decrypting it"
            )


def read_layout_with(
    decoder: PfxDecoder[E], der: bytes, opener: SafeOpener | None = None
) -> Layout:
    """The layout as read with ``decoder``; raises what it raises on bytes it cannot read."""
    auth_safe, mac = decoder.pfx(der)
    if auth_safe.content_type != _DATA:
        raise CertificateFormatError(
            "this PFX uses public-key integrity (signed PKCS#12), which is not supported: "
            "export it again with a password"
        )
    seen = _Seen()
    mac_algorithm, mac_scheme = (None, None) if mac is None else _mac(decoder, *mac)
    if mac_scheme is not None:  # without a password, OpenSSL may verify it twice
        seen.spend(mac_scheme, "the PFX's MAC", times=2 if opener and opener.empty else 1)
    sealed: list[tuple[Scheme, bytes]] = []
    for info in decoder.authenticated_safe(decoder.octets(auth_safe.content)):
        _read_content_info(decoder, info, seen, sealed)
    # what shows is counted first: a file refused for that is refused before any derivation
    candidates = opener.candidates(mac is not None) if opener else []
    for scheme, ciphertext in sealed if candidates else []:
        _open_safe(scheme, ciphertext, seen, candidates)
    check_iterations(seen.key_iterations, "the PFX's key bag")
    mac_iterations = None if mac_scheme is None else mac_scheme.iterations
    iterations = seen.key_iterations if seen.key_bags else mac_iterations
    encryption = PfxEncryption(
        key_algorithm=seen.key_algorithm,
        cert_algorithm=seen.cert_algorithm,
        mac_algorithm=mac_algorithm,
        iterations=iterations,
        azure_compatible=(
            seen.key_algorithm in _AZURE_KEY_ALGORITHMS
            and seen.cert_algorithm in _AZURE_CERT_ALGORITHMS
            and mac_algorithm == "sha1"
        ),
    )
    return Layout(encryption, seen.key_friendly_name, seen.key_bags)


def _mac(decoder: PfxDecoder[E], digest: Algorithm[E], iterations: int) -> tuple[str, Scheme]:
    """The MAC's name and cost: its iteration count, or PBMAC1's PBKDF2 one (RFC 9579)."""
    if digest.oid != _PBMAC1:
        return _DIGESTS.get(digest.oid, digest.oid), Scheme("MAC", iterations)
    kdf, _ = decoder.pbes2(digest.parameters)
    return "PBMAC1", kdf_scheme(decoder, kdf, "PBMAC1")[0]


def _read_content_info(
    decoder: PfxDecoder[E], info: ContentInfo[E], seen: _Seen, sealed: list[tuple[Scheme, bytes]]
) -> None:
    """Count a content's derivations; an encrypted one joins ``sealed``, to be opened."""
    if info.content_type == _DATA:
        _read_bags(decoder, decoder.safe_contents(decoder.octets(info.content)), seen)
    elif info.content_type == _ENCRYPTED_DATA:
        algorithm, ciphertext = decoder.encrypted_data(info.content)
        scheme = read_scheme(decoder, algorithm)
        seen.spend(scheme, "the PFX's certificate bag")
        if seen.cert_algorithm is None:
            seen.cert_algorithm = scheme.name
        if ciphertext:
            sealed.append((scheme, ciphertext))


def _open_safe(
    scheme: Scheme, ciphertext: bytes, seen: _Seen, candidates: list[bytes | None]
) -> None:
    """Decrypt a certificate safe as loading will, and count what it holds. A safe
    that no candidate opens is left alone: loading stops there too."""
    if scheme.opener is None:
        raise CertificateFormatError(
            f"the PFX encrypts certificates with {scheme.name}, which is not opened here to "
            "check what it holds before loading: export the file again with AES-256 or 3DES"
        )
    for password in candidates:
        seen.spend_opening(scheme)
        plaintext = scheme.decrypt(password, ciphertext)
        if plaintext is not None and _count_hidden(plaintext, seen):
            return


def _count_hidden(safe_contents: bytes, seen: _Seen) -> bool:
    """Count the derivations that a decrypted SafeContents holds; ``False`` when it is
    not one (a wrong password whose padding happened to look right)."""

    def walk(decoder: PfxDecoder[Any]) -> _Seen:
        trial = replace(seen)  # a decoder that fails half-way leaves ``seen`` unchanged
        _read_bags(decoder, decoder.safe_contents(safe_contents), trial, hidden=True)
        return trial

    try:
        counted = _decoded(walk)
    except CertificateFormatError:
        raise  # counted, and over a limit
    except Exception:
        return False
    seen.total_iterations = counted.total_iterations
    seen.total_scrypt_work = counted.total_scrypt_work
    return True


def _read_bags(
    decoder: PfxDecoder[E], bags: list[Bag[E]], seen: _Seen, depth: int = 0, *, hidden: bool = False
) -> None:
    """Count the bags' derivations; note the key bags (``hidden``: bags inside a
    certificate safe, which are counted and not described)."""
    for bag in bags:
        if bag.bag_id == _SHROUDED_KEY_BAG:
            scheme = read_scheme(
                decoder, decoder.encrypted_key_algorithm(decoder.encoding(bag.value))
            )
            seen.spend(scheme, "the PFX's key bag")
            if not hidden:
                _note_key_bag(decoder, seen, bag, scheme.name, scheme.iterations)
        elif bag.bag_id == _KEY_BAG and not hidden:
            _note_key_bag(decoder, seen, bag, None, None)
        elif bag.bag_id == _SAFE_CONTENTS_BAG:
            if depth == MAX_BAG_NESTING:
                raise CertificateFormatError(
                    f"the PFX nests bags more than {MAX_BAG_NESTING} deep: the file is "
                    "corrupt or hostile; not decrypting it"
                )
            nested = decoder.safe_contents(decoder.encoding(bag.value))
            _read_bags(decoder, nested, seen, depth + 1, hidden=hidden)


def _note_key_bag(
    decoder: PfxDecoder[E], seen: _Seen, bag: Bag[E], algorithm: str | None, iterations: int | None
) -> None:
    seen.key_bags += 1
    if seen.key_bags > 1:
        return  # the first key bag describes the file
    seen.key_algorithm = algorithm
    seen.key_iterations = iterations
    seen.key_friendly_name = _friendly_name(decoder, bag)


def _friendly_name(decoder: PfxDecoder[E], bag: Bag[E]) -> str | None:
    for attribute_type, values in bag.attributes:
        if attribute_type == _FRIENDLY_NAME:
            for value in values:
                return decoder.bmp_text(value)
    return None

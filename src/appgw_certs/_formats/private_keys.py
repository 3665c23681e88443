"""Private keys from PEM (any key label), DER (PKCS#8 or traditional) or a PFX.

cryptography reads and decrypts them; its password complaints become ours
(:class:`PfxPasswordError`), and an encrypted PKCS#8 key's iteration count is
bounded before anything derives its key, as a PFX's is.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from cryptography.hazmat.primitives import serialization

from .._errors import AppGwCertError, CertificateFormatError, PfxPasswordError
from .inputs import Password, PrivateKey, check_size, encode_password, read_bytes
from .pem import KEY_LABELS, PemBlock, pem_blocks
from .sniff import sniff_format, unwrap_base64

__all__ = ["der_key", "load_private_key", "optional_pem_key"]


def load_private_key(
    source: PrivateKey | bytes | str | os.PathLike[str], password: Password = None
) -> PrivateKey:
    """A private key from PEM (any key label), DER (PKCS#8 or traditional) or a PFX.

    A wrong or missing password raises :class:`PfxPasswordError`.

    >>> key = load_private_key(Path("server.key"))   # doctest: +SKIP
    """
    if _is_private_key(source):
        return source  # type: ignore[return-value]
    data = _key_source_bytes(source)
    secret = encode_password(password)
    fmt = sniff_format(data)
    if fmt == "base64":
        data = unwrap_base64(data) or data
        fmt = sniff_format(data)
    if fmt == "pem":
        return _pem_key(pem_blocks(data), secret)
    if fmt == "pkcs12":
        from .pfx import load_pfx  # deferred: the PFX decoders load for a PFX only

        key = load_pfx(data, password).private_key
        if key is None:
            raise CertificateFormatError("the PFX holds no private key")
        return key
    return der_key(data, secret)


def _is_private_key(value: object) -> bool:
    """Whether ``value`` is a private key object (of cryptography, or shaped like one)."""
    return hasattr(value, "private_bytes") and hasattr(value, "public_key")


def optional_pem_key(blocks: list[PemBlock], password: bytes | None) -> PrivateKey | None:
    """The first private key of a PEM bundle; None if it is encrypted and no password was given."""
    if not any(b.label in KEY_LABELS for b in blocks):
        return None
    try:
        return _pem_key(blocks, password)
    except PfxPasswordError:
        if password is None:
            return None
        raise


def der_key(data: bytes, password: bytes | None) -> PrivateKey:
    """A DER private key (PKCS#8, encrypted or not, or traditional)."""
    from .pfx_layout import check_encrypted_key_info  # deferred: the PFX decoders, for keys only

    check_encrypted_key_info(data)
    return _decrypt_key(lambda secret: serialization.load_der_private_key(data, secret), password)


def _key_source_bytes(source: object) -> bytes:
    if isinstance(source, str):
        check_size(source)
        return source.encode("utf-8", errors="replace")
    if isinstance(source, bytes | bytearray | memoryview | os.PathLike):
        return read_bytes(source)
    raise TypeError(
        f"expected a private key, bytes, str or a pathlib.Path, got {type(source).__name__}"
    )


def _pem_key(blocks: list[PemBlock], password: bytes | None) -> PrivateKey:
    block = next((b for b in blocks if b.label in KEY_LABELS), None)
    if block is None:
        labels = ", ".join(b.label for b in blocks) or "none"
        raise CertificateFormatError(f"no private key in this PEM (blocks found: {labels})")
    if block.label == "ENCRYPTED PRIVATE KEY":
        from .pfx_layout import check_encrypted_key_info  # deferred: encrypted keys only

        check_encrypted_key_info(block.der())
    if block.label == "OPENSSH PRIVATE KEY":
        return _openssh_key(block.text, password)
    return _decrypt_key(
        lambda secret: serialization.load_pem_private_key(block.text, secret), password
    )


def _openssh_key(text: bytes, password: bytes | None) -> PrivateKey:
    """Unencrypted only: an encrypted OpenSSH key names its own bcrypt rounds (never derived)."""
    try:
        return _decrypt_key(lambda _: serialization.load_ssh_private_key(text, None), None)
    except PfxPasswordError as exc:
        error = PfxPasswordError if password is None else CertificateFormatError
        raise error(
            "an encrypted OpenSSH private key is not read: convert it to PKCS#8 first "
            "(ssh-keygen -p -m PKCS8 -f KEYFILE)"
        ) from exc


def _decrypt_key(load: Callable[[bytes | None], object], password: bytes | None) -> PrivateKey:
    """Run a cryptography key loader, turning its password complaints into ours."""
    try:
        key = load(password)
    except AppGwCertError:
        raise
    except TypeError as exc:
        if password is None:  # "Password was not given but private key is encrypted"
            raise PfxPasswordError(
                "the private key is encrypted: pass its password (key_password=...)"
            ) from exc
        return _decrypt_key(load, None)  # a password given for a plain key: ignore it
    except ValueError as exc:
        if password is not None:
            # a wrong password fails the padding check, except when it passes by chance
            # (1 in 256): then the decrypted bytes fail to parse. Either way: the password.
            raise PfxPasswordError(
                "the private key's password is wrong (or the key is corrupt)"
            ) from exc
        raise CertificateFormatError(
            "could not read the private key: the bytes are corrupt or not a key"
        ) from exc
    except Exception as exc:  # UnsupportedAlgorithm and other parser failures
        raise CertificateFormatError(
            f"could not read the private key ({type(exc).__name__})"
        ) from exc
    if not _is_private_key(key) or not hasattr(key, "sign"):
        raise CertificateFormatError("this key type cannot be used with a certificate")
    return key  # type: ignore[return-value]

"""The listener slot: a PFX with its private key and full chain, within the size
limit, with a password Azure takes and encryption it imports.

Sizes are measured on the raw file, KB = 1024 bytes. The limits page gives
10 KB (v1) and 16 KB (v2) but not whether it measures the PFX or the base64
text Azure receives, about 4/3 larger: over the limit raw is an error, over it
only as base64 a warning (LST006).

    >>> c = Checker(sku=Sku.STANDARD_V2, password="Secret123", hostnames=(), now=now,
    ...             expiry_warning=timedelta(days=30))
    >>> check_listener(c, pfx_bytes)
    >>> [note.code for note in c.notes]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from .._errors import AppGwCertError
from .._findings.report import Severity
from .._formats.bundle import load_bundle
from .._formats.inputs import encode_password
from .._formats.keys import key_description, key_matches
from .._x509.graph import distinct, path_up
from .._x509.links import is_self_signed, missing_issuer_text
from .._x509.names import extension_value, is_ca, matches_hostname, subject_text
from .checker import EXPIRY_WARNING_DAYS, KB, Checker, Note, bare_checker
from .listener_file import open_listener_file

if TYPE_CHECKING:
    from .._formats.pfx import Pfx, PfxEncryption

__all__ = ["LISTENER_LIMITS", "check_listener", "listener_bundle_notes"]

#: Listener PFX limit per generation, in bytes: "Maximum SSL certificate size"
#: on https://learn.microsoft.com/azure/azure-resource-manager/management/azure-subscription-service-limits#application-gateway-limits
#: (10 KB on v1, 16 KB on v2).
LISTENER_LIMITS = {1: 10 * KB, 2: 16 * KB}

_PASSWORD = re.compile(rb"[A-Za-z0-9]{4,12}")


def check_listener(c: Checker, data: bytes) -> None:
    """LST001–LST011 and the certificate checks for a listener file (a Key Vault secret's
    profile when the context says so: ``UploadContext.key_vault_secret``)."""
    opened = c.context.listener_file or open_listener_file(data, c.password)
    if opened.base64_text:
        c.add(
            "LST001",
            "base64 text of a PFX, not the binary file: the az CLI encodes the file again, "
            "so upload the binary .pfx",
            severity=Severity.WARNING,
        )
    data = opened.data
    if opened.format != "pkcs12":
        _not_a_pfx(c, data, opened.format)
        return
    if opened.refused is not None:
        if encode_password(c.password):
            _password_rule(c)
        _refused(c, opened.refused)
        _encryption(c, _encryption_of(data), None)
        _size(c, data, None)
        return
    pfx, layout = opened.pfx, opened.layout
    if pfx is None or layout is None:
        c.add("GEN001", opened.unreadable or "the PFX cannot be read")
        return
    leaf = pfx.certificate
    _password_rule(c, leaf)
    _size(c, data, leaf)
    _encryption(c, pfx.encryption, leaf)
    if leaf is None:
        c.add("GEN001", "the PFX holds no certificate")
        return
    c.read = [leaf, *pfx.chain]
    _key(c, pfx, leaf)
    if not c.context.chain_judged_elsewhere:
        _chain_complete(c, leaf, pfx.chain)
    _other_leaves(c, leaf, pfx.chain, key_bags=layout.key_bags)
    _server_use(c, leaf)
    for host in c.hostnames:
        if not matches_hostname(leaf, host):
            c.add(
                "LST009",
                f"{host!r} is not covered by the certificate's "
                f"{'SAN' if extension_value(leaf, x509.SubjectAlternativeName) else 'CN'}",
                certificate=leaf,
            )
    c.certificates([leaf, *pfx.chain])


def listener_bundle_notes(leaf: x509.Certificate, chain: Sequence[x509.Certificate]) -> list[Note]:
    """LST010 and LST011 on a listener's certificates that come without their PFX
    (``publicCertData``): the checks on what the PFX holds that need no key.

    >>> listener_bundle_notes(ca_certificate, [])[0].code   # doctest: +SKIP
    'LST010'
    """
    checker = bare_checker(datetime.now(UTC), EXPIRY_WARNING_DAYS)
    _other_leaves(checker, leaf, chain)
    _server_use(checker, leaf)
    return checker.notes


def _not_a_pfx(c: Checker, data: bytes, fmt: str) -> None:
    if fmt in ("empty", "unknown", "base64"):
        c.add("GEN001", "the file is empty" if fmt == "empty" else "not a certificate file")
        c.add("LST001", "a listener takes a PFX (.pfx/.p12) with the private key and chain")
        return
    try:
        bundle = load_bundle(data)
    except AppGwCertError as exc:
        c.add("GEN001", str(exc))
        c.add("LST001", f"a {fmt.upper()} file that cannot be read, not a PFX")
        return
    leaf = bundle.certificates[0] if bundle.certificates else None
    held = "certificates and a private key" if bundle.has_private_key else "certificates only"
    c.add("LST001", f"a {fmt.upper()} file ({held}), not a PFX", certificate=leaf)


def _refused(c: Checker, why: str) -> None:
    if c.context.key_vault_secret:
        c.add(
            "LST002",
            "the PFX in the secret is protected by a password: the gateway opens Key Vault "
            "secrets without one; store the PFX without a password, as Key Vault "
            "certificates do",
        )
        return
    c.add("LST002", f'{why} (Azure says: "Password specified for certificate is incorrect")')


def _password_rule(c: Checker, leaf: x509.Certificate | None = None) -> None:
    if c.context.key_vault_secret:
        return  # the gateway opens a secret's PFX without a password
    secret = encode_password(c.password)
    if not secret:
        c.add(
            "LST005",
            "no password: the portal requires one (4–12 letters and digits); a "
            "direct REST upload without one is unconfirmed",
            certificate=leaf,
            severity=Severity.WARNING,
        )
    elif not _PASSWORD.fullmatch(secret):
        # Never echo the password: say only what is wrong with its shape.
        length = len(c.password) if isinstance(c.password, str) else len(secret)
        odd = "" if secret.isalnum() else ", not all letters and digits"
        c.add(
            "LST005",
            f"the password has {length} characters{odd}; Azure takes 4–12 letters and digits",
            certificate=leaf,
        )


def _encryption_of(data: bytes) -> PfxEncryption | None:
    from .._formats.pfx import read_pfx_encryption  # deferred: the PFX decoders, for a PFX only

    try:
        return read_pfx_encryption(data)
    except AppGwCertError:
        return None


def _encryption(
    c: Checker, encryption: PfxEncryption | None, leaf: x509.Certificate | None
) -> None:
    if encryption is None or encryption.azure_compatible or c.context.pfx_written_by_key_vault:
        return
    algorithms = (encryption.key_algorithm or "", encryption.cert_algorithm or "")
    refused = (
        '; AES PFX files have been refused with "Password specified for certificate is incorrect"'
        if any("AES" in name or "PBES2" in name for name in algorithms)
        else ""
    )
    c.add(
        "LST007",
        f"key bag {encryption.key_algorithm or 'not encrypted'}, certificate bag "
        f"{encryption.cert_algorithm or 'not encrypted'}, MAC {encryption.mac_algorithm or 'none'}"
        f": Application Gateway is known to import 3DES with a SHA-1 MAC{refused}",
        certificate=leaf,
    )


def _size(c: Checker, data: bytes, leaf: x509.Certificate | None) -> None:
    if c.context.key_vault_secret:
        return  # no upload: the gateway reads the secret (Key Vault caps it at 25 KB)
    limit = LISTENER_LIMITS[c.sku.generation]
    encoded = 4 * ((len(data) + 2) // 3)
    if len(data) > limit:
        c.add(
            "LST006",
            f"the PFX is {len(data):,} bytes, over the {limit // KB} KB "
            f"({limit:,} bytes) limit of {c.sku.value}",
            certificate=leaf,
        )
    elif encoded > limit:
        c.add(
            "LST006",
            f"the PFX is {len(data):,} bytes, but {encoded:,} as base64, over the "
            f"{limit // KB} KB limit of {c.sku.value}; whether Azure measures the file or its "
            "base64 is unconfirmed",
            certificate=leaf,
            severity=Severity.WARNING,
        )


def _key(c: Checker, pfx: Pfx, leaf: x509.Certificate) -> None:
    if pfx.private_key is None and c.context.key_vault_secret:
        c.add(
            "KV003",
            "the secret holds the certificate without its private key: the certificate's key "
            "is not exportable (HSM-backed keys never are)",
            certificate=leaf,
        )
    elif pfx.private_key is None:
        c.add("LST003", certificate=leaf)
    elif not key_matches(pfx.private_key, leaf):
        c.add(
            "LST004",
            f"the private key ({key_description(pfx.private_key)}) is not the key of "
            "any certificate in the PFX",
            certificate=leaf,
        )


def _chain_complete(c: Checker, leaf: x509.Certificate, chain: Sequence[x509.Certificate]) -> None:
    path = path_up(leaf, chain)
    top = path[-1]
    if is_self_signed(top):
        return
    missing = "the intermediates and the root are" if top is leaf else "the root is"
    c.add(
        "LST008",
        f"{missing} not in the PFX: the chain stops at {subject_text(top)!r}, whose "
        f"issuer {missing_issuer_text(top)} is missing",
        certificate=leaf,
    )


def _other_leaves(
    c: Checker, leaf: x509.Certificate, chain: Sequence[x509.Certificate], *, key_bags: int = 1
) -> None:
    """LST011: more than one server identity in one PFX; which one the gateway serves
    is documented nowhere, so a warning."""
    others = [cert for cert in distinct(chain) if cert != leaf and not is_ca(cert)]
    held = []
    if key_bags > 1:
        held.append(f"{key_bags} private keys")
    if others:
        names = ", ".join(repr(subject_text(cert)) for cert in others)
        plural = "s" if len(others) > 1 else ""
        held.append(f"{len(others)} end-entity certificate{plural} besides its leaf ({names})")
    if held:
        c.add(
            "LST011",
            f"the PFX holds {' and '.join(held)}; which key and certificate the gateway "
            "serves from such a file is not documented",
            certificate=leaf,
        )


def _server_use(c: Checker, leaf: x509.Certificate) -> None:
    if is_ca(leaf):
        c.add(
            "LST010",
            "the certificate is a CA (CA:TRUE), not a server certificate",
            certificate=leaf,
        )
        return
    usage = extension_value(leaf, x509.ExtendedKeyUsage)
    if usage is None:
        return  # no EKU: any purpose
    purposes = set(usage)
    if not purposes & {
        ExtendedKeyUsageOID.SERVER_AUTH,
        ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE,
    }:
        c.add(
            "LST010",
            "the extended key usage lacks serverAuth: browsers refuse it for TLS",
            certificate=leaf,
        )

"""The trusted client CA slot (mutual TLS): one PEM file with exactly one root CA
and any intermediates, no key, at most 25 KB; and the issuer DN the gateway
will extract from it.

The rules and Azure's error codes are those of
https://learn.microsoft.com/azure/application-gateway/mutual-authentication-troubleshooting;
the size limit and the issuer DN rule (the subject of the CA at the end of the
longest chain, the first of equally long ones) are on
https://learn.microsoft.com/azure/application-gateway/mutual-authentication-overview.

    >>> check_client_ca(checker, pem_bytes)
    >>> checker.details["client_cert_issuer_dn"]
    'CN=Contoso Issuing CA'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from cryptography import x509

from .._errors import CertificateFormatError
from .._findings.report import Severity
from .._formats.bundle import (
    CERT_LABELS,
    KEY_LABELS,
    PemBlock,
    load_der_certificate,
    pem_blocks,
    sniff_format,
)
from .._x509.graph import issued_none, path_up
from .._x509.links import is_self_signed, missing_issuer_text
from .._x509.names import is_ca, subject_text
from .checker import KB, Checker

__all__ = ["CLIENT_CA_LIMIT", "check_client_ca", "client_ca_issuer"]

#: "The maximum size of each uploaded file must be 25 KB or less"
#: (https://learn.microsoft.com/azure/application-gateway/mutual-authentication-overview).
CLIENT_CA_LIMIT = 25 * KB


def check_client_ca(c: Checker, data: bytes) -> None:
    if not data.strip():
        c.add("CCA001", "the file is empty")
        return
    if len(data) > CLIENT_CA_LIMIT:
        c.add(
            "CCA006",
            f"the file is {len(data):,} bytes, over the 25 KB ({CLIENT_CA_LIMIT:,} bytes) limit",
        )
    certs = _client_ca_certificates(c, data)
    if not certs:
        return
    c.read = certs
    cas = [cert for cert in certs if is_ca(cert)]
    for leaf in (cert for cert in certs if not is_ca(cert)):
        c.add("CCA009", "a certificate without CA:TRUE; the gateway ignores it", certificate=leaf)
    if not cas:
        c.add("CCA004", "no certificate with CA:TRUE (basicConstraints)", certificate=certs[0])
        return
    roots = [ca for ca in cas if is_self_signed(ca)]
    if len(roots) != 1:
        names = "; ".join(repr(subject_text(r)) for r in roots) or "none"
        c.add(
            "CCA005",
            f"{len(roots)} self-signed root CAs ({names}); Azure answers "
            "ApplicationGatewayOnlyOneRootCAAllowedInTrustedClientCertificate",
            certificate=roots[1] if len(roots) > 1 else cas[0],
        )
    tops: dict[int, x509.Certificate] = {}
    for start in [*issued_none(cas), *cas]:  # from the tips, each path is walked once
        if id(start) not in tops:
            path = path_up(start, cas)
            for member in path:
                tops.setdefault(id(member), path[-1])
    for ca in cas:
        top = tops[id(ca)]
        if not is_self_signed(top):
            c.add(
                "CCA008",
                f"does not chain to a root in the file: {subject_text(top)!r} needs its issuer "
                f"{missing_issuer_text(top)}",
                certificate=ca,
            )
    _issuer_dn(c, cas)
    c.certificates(cas)


def _client_ca_certificates(c: Checker, data: bytes) -> list[x509.Certificate]:
    """The certificates of a client CA file, held to Azure's rules: no private key
    (``ApplicationGatewayTrustedClientCertificateMustNotHavePrivateKey``), PEM
    certificates only (``...InvalidData``)."""
    fmt = sniff_format(data)
    if fmt == "pkcs12":
        c.add("CCA002", "a PKCS#12 (.pfx) file, which carries a private key")
        c.add("CCA003", "a PKCS#12 (.pfx) file, not PEM certificates")
        return []
    if fmt == "der":
        return _der_client_ca(c, data)
    if fmt != "pem":
        c.add(
            "CCA003",
            f"{_FORMAT_NAMES.get(fmt, 'not a certificate file')}, not PEM "
            "certificates between BEGIN/END CERTIFICATE lines",
        )
        return []
    try:
        blocks = pem_blocks(data)
    except CertificateFormatError as exc:
        c.add("CCA003", str(exc))
        return []
    certs: list[x509.Certificate] = []
    for number, block in enumerate(blocks, 1):
        if block.label in KEY_LABELS:
            c.add("CCA002", f"PEM block {number} is a private key ({block.label})")
        elif block.label not in CERT_LABELS:
            c.add("CCA003", f"PEM block {number} is {block.label!r}, not a CERTIFICATE")
        else:
            cert = _block_certificate(block)
            if cert is None:
                c.add("CCA003", f"PEM block {number} is not a readable certificate")
            else:
                certs.append(cert)
    if not certs and not blocks:
        c.add("CCA003", "no PEM block found")
    if _text_around(data, blocks):
        c.add(
            "CCA003",
            "text outside the BEGIN/END lines; whether Azure's parser accepts it is unconfirmed",
            certificate=certs[0] if certs else None,
            severity=Severity.WARNING,
        )
    return certs


def _text_around(data: bytes, blocks: Iterable[PemBlock]) -> bool:
    rest = data
    for block in blocks:
        rest = rest.replace(block.text, b"", 1)
    return bool(rest.strip())


_FORMAT_NAMES = {
    "pkcs7": "a PKCS#7 (.p7b) bundle",
    "base64": "bare base64 text",
    "unknown": "not a certificate file",
}


def _der_client_ca(c: Checker, data: bytes) -> list[x509.Certificate]:
    try:
        cert = load_der_certificate(data)
    except ValueError:
        c.add("CCA003", "DER bytes that are not a certificate")
        return []
    # A single DER certificate probably works: Azure PowerShell sends one DER certificate
    # (X509Certificate2.Export in AzureApplicationGatewayTrustedClientCertificateBase.cs,
    # Azure/azure-powershell). Unconfirmed, so a warning only.
    c.add(
        "CCA003",
        "a DER (binary) certificate; Azure documents PEM. Convert it with "
        "`appgw-certs convert in.cer out.cer --to cer` (`to_cer`)",
        certificate=cert,
        severity=Severity.WARNING,
    )
    return [cert]


def _block_certificate(block: PemBlock) -> x509.Certificate | None:
    try:
        return load_der_certificate(block.der())
    except Exception:
        return None


def client_ca_issuer(cas: Sequence[x509.Certificate]) -> x509.Certificate | None:
    """The CA whose subject the gateway extracts as the client issuer DN
    (mutual-authentication-overview, on verifying the client certificate's issuer DN).

    Each chain ends at a CA that issued no other CA in the file; the longest
    chain wins, the first in file order among equals. ``None`` without CAs.
    """
    tips = issued_none(cas)
    if not tips:
        return None
    return max(tips, key=lambda tip: (len(path_up(tip, cas)), -tips.index(tip)))


def _issuer_dn(c: Checker, cas: list[x509.Certificate]) -> None:
    issuer = client_ca_issuer(cas)
    if issuer is None:
        return
    dn = subject_text(issuer)
    c.details["client_cert_issuer_dn"] = dn
    tips = issued_none(cas)
    if len(tips) > 1:
        c.add(
            "CCA007",
            f"{len(tips)} chains; the gateway will extract the issuer DN {dn!r} "
            "(longest chain, else the first), so with the issuer DN check on only clients "
            "issued by it pass",
            certificate=issuer,
        )

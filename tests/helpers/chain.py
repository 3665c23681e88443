"""Odd chains for the chain/trust/extract tests, built with plain cryptography.

appgw_certs._testpki.build makes only well-formed chains; the hard cases (cross-signed
CAs, no key identifiers, roots that are not self-issued) are made here, with EC
P-256 keys (fast) and nothing from the code under test.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cryptography_vectors
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

NOW = datetime.now(UTC).replace(microsecond=0)
VECTORS = Path(os.path.dirname(cryptography_vectors.__file__)) / "x509"
PKITS = VECTORS / "PKITS_data" / "certs"


@dataclass(frozen=True)
class Ca:
    """A certificate and the key that signs with its name."""

    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey = field(repr=False)


def name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def issue(
    subject: str | x509.Name,
    *,
    key: ec.EllipticCurvePrivateKey | None = None,
    issuer: Ca | None = None,
    issuer_name: x509.Name | None = None,
    ca: bool = True,
    key_ids: bool = True,
    dns: tuple[str, ...] = (),
    key_usage: bool = False,
) -> Ca:
    """A certificate for ``subject``, signed by ``issuer`` (self-signed when None).

    ``issuer_name`` overrides the issuer field (to make a certificate that is
    signed by its own key but names someone else as issuer). ``key_usage`` adds
    the key usage extension that ``cryptography.x509.verification`` requires.
    """
    key = key or new_key()
    subject_name = name(subject) if isinstance(subject, str) else subject
    signer_key = issuer.key if issuer else key
    signer_name = issuer.cert.subject if issuer else subject_name
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject_name)
        .issuer_name(issuer_name or signer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=1))
        .not_valid_after(NOW + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if key_ids:
        builder = builder.add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
        )
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signer_key.public_key()),
            critical=False,
        )
    if key_usage:
        usage = x509.KeyUsage(
            digital_signature=not ca, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
            encipher_only=False, decipher_only=False,
        )  # fmt: skip
        builder = builder.add_extension(usage, critical=True)
    if dns:
        san = x509.SubjectAlternativeName([x509.DNSName(d) for d in dns])
        builder = builder.add_extension(san, critical=False)
    return Ca(builder.sign(signer_key, hashes.SHA256()), key)


def chain(depth: int, *, key_ids: bool = True, prefix: str = "") -> list[Ca]:
    """Root first: a root, ``depth - 2`` intermediates, a leaf (depth >= 1)."""
    made = [issue(f"{prefix}Root", key_ids=key_ids)]
    for level in range(1, depth - 1):
        made.append(issue(f"{prefix}CA {level}", issuer=made[-1], key_ids=key_ids))
    if depth > 1:
        made.append(issue(f"{prefix}leaf", issuer=made[-1], ca=False, key_ids=key_ids))
    return made


def pem(*certs: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def vector(path: str) -> list[x509.Certificate]:
    data = (VECTORS / path).read_bytes()
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_certificates(data)
    return [x509.load_der_x509_certificate(data)]


def pkits(file_name: str) -> x509.Certificate:
    return x509.load_der_x509_certificate((PKITS / f"{file_name}.crt").read_bytes())


def openssl_self_signed(openssl: str, directory: Path, digest: str) -> x509.Certificate:
    """An RSA root signed with ``digest`` (md5, sha1) by the openssl CLI."""
    out = directory / f"{digest}-root.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", f"-{digest}",
         "-subj", f"/CN={digest} root/O=old", "-days", "30",
         "-keyout", str(directory / f"{digest}-key.pem"), "-out", str(out)],
        check=True, capture_output=True,
    )  # fmt: skip
    return x509.load_pem_x509_certificate(out.read_bytes())


def openssl_verify(openssl: str, directory: Path, leaf: x509.Certificate,
                   anchors: list[x509.Certificate], untrusted: list[x509.Certificate],
                   *extra: str) -> subprocess.CompletedProcess[str]:  # fmt: skip
    """``openssl verify -CAfile anchors -untrusted untrusted leaf`` (no time checks)."""
    ca_file, leaf_file = directory / "anchors.pem", directory / "leaf.pem"
    ca_file.write_bytes(pem(*anchors))
    leaf_file.write_bytes(pem(leaf))
    # -no-CApath/-no-CAstore: only the anchors given, never the system's store.
    args = [openssl, "verify", "-no-CApath", "-no-CAstore", "-no_check_time", *extra,
            "-CAfile", str(ca_file)]  # fmt: skip
    if untrusted:
        untrusted_file = directory / "untrusted.pem"
        untrusted_file.write_bytes(pem(*untrusted))
        args += ["-untrusted", str(untrusted_file)]
    return subprocess.run([*args, str(leaf_file)], capture_output=True, text=True, check=False)

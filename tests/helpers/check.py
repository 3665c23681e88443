"""Certificates and files for the upload-check tests, built directly with cryptography
and the openssl CLI (never with appgw_certs._testpki.build, so a builder bug cannot hide a
checker bug)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

Key = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
PASSWORD = "Secret123"


@dataclass(frozen=True)
class Issued:
    """A certificate and its key."""

    cert: x509.Certificate
    key: Key = field(repr=False)

    @property
    def name(self) -> str:
        return self.cert.subject.rfc4514_string()


def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def make_cert(
    cn: str,
    *,
    issuer: Issued | None = None,
    key: Key | None = None,
    ca: bool | None = False,
    eku: Sequence[x509.ObjectIdentifier] | None = (ExtendedKeyUsageOID.SERVER_AUTH,),
    dns: Sequence[str] = (),
    not_before: datetime = NOW - timedelta(days=30),
    not_after: datetime = NOW + timedelta(days=365),
) -> Issued:
    """A certificate signed by ``issuer`` (self-signed when None).

    ``ca=None`` leaves basicConstraints out; ``eku=None`` leaves EKU out.
    """
    key = key if key is not None else ec_key()
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    signer_key = issuer.key if issuer is not None else key
    issuer_name = issuer.cert.subject if issuer is not None else subject
    public = key.public_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
    )
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
            critical=False,
        )
    if ca is not None:
        builder = builder.add_extension(
            x509.BasicConstraints(ca=ca, path_length=None), critical=True
        )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
    elif eku is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage(list(eku)), critical=False)
    if dns:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(d) for d in dns]), critical=False
        )
    algorithm = None if isinstance(signer_key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return Issued(builder.sign(signer_key, algorithm), key)


def pem(*certs: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def key_pem(key: Key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


@dataclass(frozen=True)
class Pki:
    """A private PKI: root -> intermediate -> server and client leaves."""

    root: Issued
    intermediate: Issued
    server: Issued
    client: Issued
    other_root: Issued
    other_intermediate: Issued  # issued by other_root


def make_pki() -> Pki:
    root = make_cert("Check Root CA", ca=True)
    intermediate = make_cert("Check Issuing CA", issuer=root, ca=True)
    server = make_cert(
        "www.contoso.com", issuer=intermediate, dns=("www.contoso.com", "*.api.contoso.com")
    )
    client = make_cert(
        "client one",
        issuer=intermediate,
        eku=(ExtendedKeyUsageOID.CLIENT_AUTH,),
        dns=("client.contoso.com",),
    )
    other_root = make_cert("Other Root CA", ca=True)
    other_intermediate = make_cert("Other Issuing CA", issuer=other_root, ca=True)
    return Pki(root, intermediate, server, client, other_root, other_intermediate)


class OpenSSL:
    """The openssl CLI, writing into one directory."""

    def __init__(self, binary: str, directory: Path) -> None:
        self.binary = binary
        self.directory = directory
        self._count = 0

    def file(self, data: bytes, suffix: str = ".pem") -> Path:
        self._count += 1
        path = self.directory / f"f{self._count}{suffix}"
        path.write_bytes(data)
        return path

    def run(self, *args: str | Path) -> bytes:
        done = subprocess.run(
            [self.binary, *map(str, args)], check=True, capture_output=True, timeout=60
        )
        return done.stdout

    def pkcs12(
        self,
        *,
        key: Key | None,
        cert: x509.Certificate,
        chain: Iterable[x509.Certificate] = (),
        password: str = PASSWORD,
        options: Sequence[str] = (),
    ) -> bytes:
        """``openssl pkcs12 -export`` (OpenSSL 3 defaults unless ``options`` say otherwise)."""
        out = self.directory / f"out{self._count}.p12"
        self._count += 1
        args: list[str | Path] = ["pkcs12", "-export", "-in", self.file(pem(cert))]
        args += ["-inkey", self.file(key_pem(key))] if key is not None else ["-nokeys"]
        chain = list(chain)
        if chain:
            args += ["-certfile", self.file(pem(*chain))]
        self.run(*args, *options, "-out", out, "-passout", f"pass:{password}")
        return out.read_bytes()

    def sha1_leaf(self, issuer: Issued, cn: str) -> tuple[x509.Certificate, Path]:
        """A leaf signed with SHA-1 (cryptography 50 cannot sign SHA-1), and its key file."""
        key = self.file(key_pem(ec_key()))
        csr = self.directory / f"sha1-{self._count}.csr"
        self.run("req", "-new", "-key", key, "-subj", f"/CN={cn}", "-out", csr)
        out = self.directory / f"sha1-{self._count}.pem"
        self.run(
            "x509",
            "-req",
            "-in",
            csr,
            "-CA",
            self.file(pem(issuer.cert)),
            "-CAkey",
            self.file(key_pem(issuer.key)),
            "-set_serial",
            "0x1001",
            "-days",
            "3650",
            "-sha1",
            "-out",
            out,
        )
        return x509.load_pem_x509_certificate(out.read_bytes()), key

    def rsa1024_root(self) -> tuple[x509.Certificate, bytes]:
        """A self-signed RSA-1024 CA and its key PEM."""
        key = self.directory / "rsa1024.key"
        out = self.directory / "rsa1024.pem"
        self.run(
            "req",
            "-x509",
            "-newkey",
            "rsa:1024",
            "-nodes",
            "-keyout",
            key,
            "-out",
            out,
            "-subj",
            "/CN=Small RSA Root",
            "-days",
            "3650",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
        )
        return x509.load_pem_x509_certificate(out.read_bytes()), key.read_bytes()


def rsa_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)

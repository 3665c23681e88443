"""Helpers for the read/PFX/convert tests: small certificates, the openssl oracle, hostile PFX."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyasn1.codec.ber import decoder
from pyasn1.codec.der import encoder
from pyasn1.type import univ
from pyasn1_modules import rfc2315, rfc5208, rfc7292, rfc7914, rfc8018

NOW = datetime.now(UTC)


@dataclass(frozen=True)
class Issued:
    """A certificate and its key."""

    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def cert_der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)

    def key_pem(self, password: bytes | None = None) -> bytes:
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(password)
            if password
            else serialization.NoEncryption()
        )
        return self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )


@dataclass(frozen=True)
class Chain:
    """root -> intermediate -> leaf, EC P-256 (fast)."""

    root: Issued
    intermediate: Issued
    leaf: Issued

    @property
    def certs(self) -> list[x509.Certificate]:
        """Leaf first, as a server sends them."""
        return [self.leaf.cert, self.intermediate.cert, self.root.cert]


def issue(common_name: str, issuer: Issued | None = None, *, ca: bool = False) -> Issued:
    """A certificate for ``common_name`` signed by ``issuer`` (self-signed when None)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    signer_key = issuer.key if issuer else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer.cert.subject if issuer else name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=1))
        .not_valid_after(NOW + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(common_name)]), critical=False
        )
    return Issued(builder.sign(signer_key, hashes.SHA256()), key)


def make_chain(prefix: str = "test") -> Chain:
    root = issue(f"{prefix} root", ca=True)
    intermediate = issue(f"{prefix} intermediate", root, ca=True)
    return Chain(root, intermediate, issue(f"{prefix}.example.com", intermediate))


def fingerprint(cert: x509.Certificate) -> bytes:
    return cert.fingerprint(hashes.SHA256())


def fingerprints(certs: list[x509.Certificate] | tuple[x509.Certificate, ...]) -> list[bytes]:
    return [fingerprint(c) for c in certs]


def run(openssl: str, *args: str | Path, stdin: bytes | None = None) -> bytes:
    """Run the openssl CLI; its stdout. Fails the test with its stderr when it fails."""
    result = subprocess.run(
        [openssl, *map(str, args)], input=stdin, capture_output=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    return result.stdout


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def openssl_fingerprints(openssl: str, pem: bytes) -> list[bytes]:
    """SHA-256 fingerprints of every certificate in ``pem``, as openssl computes them."""
    out: list[bytes] = []
    for block in pem.split(b"-----END CERTIFICATE-----")[:-1]:
        text = block[block.index(b"-----BEGIN CERTIFICATE-----") :] + b"-----END CERTIFICATE-----\n"
        line = run(openssl, "x509", "-noout", "-fingerprint", "-sha256", stdin=text)
        out.append(bytes.fromhex(line.decode().strip().split("=", 1)[1].replace(":", "")))
    return out


# --- hostile PFX: iteration counts rewritten with pyasn1 ---------------------


def with_mac_iterations(pfx_der: bytes, iterations: int) -> bytes:
    pfx, _ = decoder.decode(pfx_der, asn1Spec=rfc7292.PFX())
    pfx["macData"]["iterations"] = iterations
    return bytes(encoder.encode(pfx))


def with_bag_iterations(pfx_der: bytes, iterations: int, *, which: str) -> bytes:
    """Rewrite the iteration count of the key bag (``which="key"``) or cert bag (``"cert"``).

    Works for PKCS#12 PBE and PBES2/PBKDF2 parameters.
    """
    pfx, _ = decoder.decode(pfx_der, asn1Spec=rfc7292.PFX())
    safe_octets, _ = decoder.decode(bytes(pfx["authSafe"]["content"]), asn1Spec=univ.OctetString())
    safe, _ = decoder.decode(bytes(safe_octets), asn1Spec=rfc7292.AuthenticatedSafe())
    for info in safe:
        content_type = str(info["contentType"])
        if which == "cert" and content_type == "1.2.840.113549.1.7.6":
            data, _ = decoder.decode(bytes(info["content"]), asn1Spec=rfc2315.EncryptedData())
            algorithm = data["encryptedContentInfo"]["contentEncryptionAlgorithm"]
            algorithm["parameters"] = _with_iterations(algorithm, iterations)
            info["content"] = encoder.encode(data)
        elif which == "key" and content_type == "1.2.840.113549.1.7.1":
            octets, _ = decoder.decode(bytes(info["content"]), asn1Spec=univ.OctetString())
            bags, _ = decoder.decode(bytes(octets), asn1Spec=rfc7292.SafeContents())
            for bag in bags:
                if str(bag["bagId"]) == "1.2.840.113549.1.12.10.1.2":
                    key_info, _ = decoder.decode(
                        bytes(bag["bagValue"]), asn1Spec=rfc5208.EncryptedPrivateKeyInfo()
                    )
                    algorithm = key_info["encryptionAlgorithm"]
                    algorithm["parameters"] = _with_iterations(algorithm, iterations)
                    bag["bagValue"] = encoder.encode(key_info)
            info["content"] = encoder.encode(univ.OctetString(encoder.encode(bags)))
    pfx["authSafe"]["content"] = encoder.encode(univ.OctetString(encoder.encode(safe)))
    return bytes(encoder.encode(pfx))


def encrypted_key_with_iterations(encrypted_pkcs8_der: bytes, iterations: int) -> bytes:
    info, _ = decoder.decode(encrypted_pkcs8_der, asn1Spec=rfc5208.EncryptedPrivateKeyInfo())
    info["encryptionAlgorithm"]["parameters"] = _with_iterations(
        info["encryptionAlgorithm"], iterations
    )
    return bytes(encoder.encode(info))


def _with_iterations(algorithm: univ.Sequence, iterations: int) -> univ.Any:
    """The parameters with PBKDF2/PKCS#12 iterations, or scrypt's N, set to ``iterations``."""
    oid = str(algorithm["algorithm"])
    raw = bytes(algorithm["parameters"])
    if oid == "1.2.840.113549.1.5.13":  # PBES2: rewrite the KDF parameters
        params, _ = decoder.decode(raw, asn1Spec=rfc8018.PBES2_params())
        kdf = params["keyDerivationFunc"]
        scrypt = str(kdf["algorithm"]) == "1.3.6.1.4.1.11591.4.11"
        spec = rfc7914.Scrypt_params() if scrypt else rfc8018.PBKDF2_params()
        kdf_params, _ = decoder.decode(bytes(kdf["parameters"]), asn1Spec=spec)
        kdf_params["costParameter" if scrypt else "iterationCount"] = iterations
        params["keyDerivationFunc"]["parameters"] = univ.Any(encoder.encode(kdf_params))
        return univ.Any(encoder.encode(params))
    pbe, _ = decoder.decode(raw, asn1Spec=rfc7292.Pkcs_12PbeParams())
    pbe["iterations"] = iterations
    return univ.Any(encoder.encode(pbe))

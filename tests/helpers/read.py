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


# --- DER as a tree: to change one INTEGER and encode the rest as it was ------------------

#: A DER element: [tag byte, content]. The content is bytes, or the elements inside a
#: constructed element or inside an OCTET STRING that holds DER (as PFX files nest them).
Node = list[object]

_OCTET_STRING = 0x04
_INTEGER = 0x02


def der_tree(data: bytes) -> list[Node]:
    """The DER elements of ``data`` (single-byte tags, definite lengths); ValueError if
    ``data`` is not a run of whole elements."""
    nodes: list[Node] = []
    position = 0
    while position < len(data):
        if position + 2 > len(data) or data[position] & 0x1F == 0x1F:
            raise ValueError("not DER this helper reads")
        tag, first = data[position], data[position + 1]
        start, size = position + 2, first
        if first >= 0x80:
            count = first & 0x7F
            if not 0 < count <= 4:
                raise ValueError("not a definite length")
            start = position + 2 + count
            size = int.from_bytes(data[position + 2 : start], "big")
        end = start + size
        if end > len(data):
            raise ValueError("truncated")
        content: object = data[start:end]
        if tag & 0x20:
            content = der_tree(data[start:end])
        elif tag == _OCTET_STRING:
            try:
                inner = der_tree(data[start:end])
                content = inner if inner else content
            except ValueError:
                pass  # opaque bytes (encrypted content, a salt)
        nodes.append([tag, content])
        position = end
    return nodes


def der_bytes(nodes: list[Node]) -> bytes:
    """The encoding of ``nodes`` (lengths in the shortest form)."""
    out = b""
    for tag, content in nodes:
        body = content if isinstance(content, bytes) else der_bytes(content)  # type: ignore[arg-type]
        size = len(body)
        length = (
            bytes([size])
            if size < 0x80
            else bytes([0x80 | ((size.bit_length() + 7) // 8)])
            + size.to_bytes((size.bit_length() + 7) // 8, "big")
        )
        out += bytes([tag]) + length + body  # type: ignore[list-item]
    return out


def integer_nodes(nodes: list[Node]) -> list[Node]:
    """Every INTEGER in the tree, in encoded order."""
    found: list[Node] = []
    for node in nodes:
        if node[0] == _INTEGER:
            found.append(node)
        elif isinstance(node[1], list):
            found += integer_nodes(node[1])
    return found


def set_integer(node: Node, value: int) -> None:
    """Make an INTEGER node hold ``value`` (minimal two's complement, as DER wants)."""
    size = max(1, (value + (value < 0)).bit_length() // 8 + 1)
    node[1] = value.to_bytes(size, "big", signed=True)


def structure_offsets(data: bytes, base: int = 0) -> list[int]:
    """Where ``data`` encodes structure: the offsets of its tags, lengths, and contents
    of up to 32 bytes (numbers, OIDs, names), not of long opaque contents (ciphertext,
    certificates). Damage there reaches the decoders rather than the decryption."""
    offsets: list[int] = []
    position = 0
    for tag, content in der_tree(data):
        body = content if isinstance(content, bytes) else der_bytes(content)  # type: ignore[arg-type]
        header = len(der_bytes([[tag, body]])) - len(body)
        offsets += range(base + position, base + position + header)
        start = position + header
        if isinstance(content, list):
            offsets += structure_offsets(body, base + start)
        elif len(body) <= 32:
            offsets += range(base + start, base + start + len(body))
        position = start + len(body)
    return offsets

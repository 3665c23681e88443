"""The verbs of ``appgw-certs`` other than ``quickstart`` (and ``audit``).

Each ``run_*`` takes the parsed arguments and returns the exit status. The
library is imported inside each verb, so a verb pays only for what it uses
(``backend --probe`` is the only one that loads pyOpenSSL).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar

from .terminal import (
    CliError,
    Console,
    OutputFiles,
    Password,
    can_prompt,
    prompt_password,
    read_password,
    require_readable,
)

if TYPE_CHECKING:
    from cryptography import x509

    from .._findings.report import Report
    from .._formats.pfx import Pfx, PfxEncryption
    from .._x509.describe import CertInfo

__all__ = [
    "run_backend",
    "run_check",
    "run_client",
    "run_convert",
    "run_extract",
    "run_inspect",
]

EXIT_OK, EXIT_FINDINGS = 0, 1
T = TypeVar("T")
Encoding = Literal["base64", "der"]

# --------------------------------------------------------------------------- shared


def emit_report(report: Report, as_json: bool, label: str | None = None) -> int:
    """Print one report (text or JSON) and return the exit status it implies."""
    console = Console()
    if as_json:
        console.json(report.to_dict())
    else:
        console.report(report, label=label)
    return EXIT_OK if report.ok else EXIT_FINDINGS


def with_password(spec: str | None, action: Callable[[Password | None], T], what: str) -> T:
    """Run ``action`` with the SPEC's password, or none; ask once if one is needed.

    Without a SPEC the action first runs without a password; only when the
    file turns out to need one, and a person is at a terminal, is it asked
    for (no echo). Otherwise the error says how to give one.
    """
    from .._errors import PfxPasswordError

    if spec is not None:
        return action(read_password(spec))
    try:
        return action(None)
    except PfxPasswordError:
        if not can_prompt():
            raise CliError(
                f"{what} is protected by a password: give it with --password SPEC "
                "(pass:TEXT, env:VAR, file:PATH, fd:N or stdin)"
            ) from None
    return action(prompt_password(f"Password for {what}: ") or None)


def is_pfx(path: Path) -> bool:
    """True when the file's structure is PKCS#12 (read without decrypting)."""
    from .._errors import AppGwCertError
    from .._formats.inputs import read_bytes
    from .._formats.pfx import read_pfx_encryption

    data = read_bytes(path)
    try:
        read_pfx_encryption(data)
    except AppGwCertError:
        return False
    return True


def write_one(target: Path, data: bytes, *, private: bool, force: bool) -> None:
    """Write one file atomically and say so (on stderr: stdout may be data)."""
    with OutputFiles(force=force) as out:
        out.add(target, data, private=private)
        out.commit()
    mode = " (0600)" if private else ""
    print(f"wrote {target}{mode}", file=sys.stderr)


# --------------------------------------------------------------------------- inspect


def run_inspect(args: argparse.Namespace) -> int:
    """``inspect FILE``: describe every certificate; for a PFX, how it is encrypted."""
    from .. import describe

    path = require_readable(args.file)
    encryption = _pfx_encryption(path) if is_pfx(path) else None
    infos = with_password(args.password, lambda pw: describe(path, pw), path.name)
    console = Console()
    if args.json:
        console.json(
            {
                "file": str(path),
                "pfx": asdict(encryption) if encryption else None,
                "certificates": [_info_dict(i) for i in infos],
            }
        )
        return EXIT_OK
    if encryption is not None:
        console.line(console.style(f"{path}: PKCS#12 (PFX)", "bold"))
        console.table(_encryption_rows(encryption, console))
        console.line()
    for number, info in enumerate(infos, 1):
        console.line(console.style(f"[{number}] {info.role}: {info.subject}", "bold"))
        console.table(_info_rows(info))
        console.line()
    return EXIT_OK


def _pfx_encryption(path: Path) -> PfxEncryption:
    from .._formats.inputs import read_bytes
    from .._formats.pfx import read_pfx_encryption

    return read_pfx_encryption(read_bytes(path))


def _encryption_rows(e: PfxEncryption, console: Console) -> list[tuple[str, str]]:
    verdict = (
        console.style("yes", "ok")
        if e.azure_compatible
        else console.style(
            "no: re-export with `appgw-certs convert --profile compatible`", "warning"
        )
    )
    return [
        ("key bag", e.key_algorithm or "-"),
        ("certificate bag", e.cert_algorithm or "not encrypted"),
        ("MAC", e.mac_algorithm or "none"),
        ("iterations", str(e.iterations) if e.iterations is not None else "-"),
        ("Azure-compatible", verdict),
    ]


def _info_rows(info: CertInfo) -> list[tuple[str, str]]:
    return [
        ("issuer", info.issuer),
        ("valid", f"{_when(info.not_before)} to {_when(info.not_after)}"),
        ("dns names", ", ".join(info.dns_names) or "-"),
        ("key", info.key),
        ("signature", info.signature_algorithm),
        ("CA", "yes" if info.is_ca else "no"),
        ("self-signed", "yes" if info.is_self_signed else "no"),
        ("serial", info.serial_number),
        ("SHA-1 thumbprint", info.sha1_thumbprint),
        ("SHA-256", info.sha256_fingerprint),
    ]


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def _info_dict(info: CertInfo) -> dict[str, object]:
    return {
        key: value.isoformat() if isinstance(value, datetime) else value
        for key, value in asdict(info).items()
    }


# --------------------------------------------------------------------------- convert

_SUFFIX_FORMATS = {".pfx": "pfx", ".p12": "pfx", ".der": "der"}


def run_convert(args: argparse.Namespace) -> int:
    """``convert IN OUT``: PFX to CER/DER, certificates + key to PFX, PFX to PFX."""
    source = require_readable(args.input)
    target = Path(args.output)
    fmt = args.to or _SUFFIX_FORMATS.get(target.suffix.lower(), "cer")
    if not args.force and target.exists():
        raise CliError(f"refusing to overwrite {target}; pass --force to replace")
    if fmt == "pfx":
        data = _to_pfx(args, source)
    else:
        data = _to_cer(args, source, "der" if fmt == "der" else "base64")
    write_one(target, data, private=fmt == "pfx", force=args.force)
    return EXIT_OK


def _to_cer(args: argparse.Namespace, source: Path, encoding: Encoding) -> bytes:
    from .. import pfx_to_cer, to_cer

    if encoding == "der" and args.include_chain:
        raise CliError("--include-chain needs Base-64 output: DER holds one certificate")
    if is_pfx(source):
        return with_password(
            args.password,
            lambda pw: pfx_to_cer(source, pw, encoding=encoding, include_chain=args.include_chain),
            source.name,
        )
    return to_cer(source, encoding=encoding)


def _to_pfx(args: argparse.Namespace, source: Path) -> bytes:
    if is_pfx(source):
        return _pfx_to_pfx(args, source)
    from .. import cer_to_pfx

    if not args.key:
        raise CliError("making a PFX from certificates needs the private key: --key KEYFILE")
    key = require_readable(args.key, "--key")
    chain = require_readable(args.chain, "--chain") if args.chain else ()
    key_password = (
        read_password(args.key_password, option="--key-password") if (args.key_password) else None
    )
    password = _new_pfx_password(args, args.password)
    return cer_to_pfx(
        source,
        key,
        password=password,
        key_password=key_password,
        chain=chain,
        profile=args.profile,
    )


def _pfx_to_pfx(args: argparse.Namespace, source: Path) -> bytes:
    from .. import load_certificates, load_pfx, to_pfx

    old: list[Password | None] = []

    def load(pw: Password | None) -> Pfx:
        old.append(pw)
        return load_pfx(source, pw)

    pfx = with_password(args.password, load, source.name)
    if pfx.private_key is None or pfx.certificate is None:
        raise CliError(f"{source} holds no private key and certificate to put in a new PFX")
    if args.new_password is None and not args.no_password and old[-1] is not None:
        password: Password | None = old[-1]  # same password, new encryption
    else:
        password = _new_pfx_password(args, args.new_password, option="--new-password")
    chain = list(pfx.chain) + (
        load_certificates(require_readable(args.chain)) if args.chain else []
    )
    return to_pfx(
        pfx.private_key,
        pfx.certificate,
        chain,
        password=password,
        profile=args.profile,
        friendly_name=pfx.friendly_name,
    )


def _new_pfx_password(
    args: argparse.Namespace, spec: str | None, option: str = "--password"
) -> Password | None:
    """The password of a PFX about to be written; never none unless asked for."""
    if args.no_password:
        return None
    if spec is not None:
        password = read_password(spec, option=option)
    elif can_prompt():
        password = prompt_password("Password for the new PFX: ", confirm=True)
    else:
        raise CliError(
            f"a PFX needs a password: {option} SPEC (or --no-password to write one without)"
        )
    if not _azure_accepts(password):
        print(
            "appgw-certs: note: Application Gateway takes listener PFX passwords of "
            "4-12 letters and digits only",
            file=sys.stderr,
        )
    return password


def _azure_accepts(password: Password) -> bool:
    text = password.decode("utf-8", "replace") if isinstance(password, bytes) else password
    return bool(re.fullmatch(r"[A-Za-z0-9]{4,12}", text))


# --------------------------------------------------------------------------- extract


def run_extract(args: argparse.Namespace) -> int:
    """``extract {auth,root,pubkey} IN``: what each SKU wants, to a file or stdout."""
    from .. import extract_authentication_cert, extract_public_key, extract_trusted_root

    source = require_readable(args.input)
    encoding: Encoding = "der" if args.der else "base64"
    if args.what == "pubkey":
        if args.der:
            raise CliError("--der applies to auth and root; pubkey is PEM")
        data = with_password(args.password, lambda pw: extract_public_key(source, pw), source.name)
    else:
        extract = extract_authentication_cert if args.what == "auth" else extract_trusted_root
        data = with_password(
            args.password,
            lambda pw: extract(source, pw, encoding=encoding),
            source.name,
        )
    if args.output:
        write_one(Path(args.output), data, private=False, force=args.force)
    elif args.der and sys.stdout.isatty():
        raise CliError("refusing to print DER (binary) to a terminal: use -o OUT")
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return EXIT_OK


# --------------------------------------------------------------------------- check


def run_check(args: argparse.Namespace) -> int:
    """``check SLOT FILE --sku SKU``: the upload checks; exit 1 when there are errors."""
    from .. import check_upload

    path = require_readable(args.file)
    if args.password is not None:
        password: Password | None = read_password(args.password)
    elif args.slot == "listener" and can_prompt() and is_pfx(path):
        password = prompt_password(f"Password for {path.name}: ") or None
    else:
        password = None
    report = check_upload(args.slot, path, sku=args.sku, password=password, hostnames=args.hostname)
    return emit_report(report, args.json, label=str(path))


# --------------------------------------------------------------------------- backend


def run_backend(args: argparse.Namespace) -> int:
    """``backend FILE|--probe HOST[:PORT]``: what backend health will say."""
    from .. import check_backend

    roots = [require_readable(p, "--trusted-root") for p in args.trusted_root]
    auth = [require_readable(p, "--auth-cert") for p in args.auth_cert]
    if args.probe:
        presented: Path | list[x509.Certificate] = _probe(args)
        label = f"presented by {args.probe}"
        host_name = args.host_name or _name_for_sni(split_host_port(args.probe)[0])
    else:
        presented = require_readable(args.file)
        label = str(presented)
        host_name = args.host_name
    report = check_backend(
        presented,
        sku=args.sku,
        host_name=host_name,
        trusted_roots=roots,
        authentication_certs=auth,
        use_well_known=args.well_known,
    )
    return emit_report(report, args.json, label=label)


def _probe(args: argparse.Namespace) -> list[x509.Certificate]:
    from .. import fetch_presented_chain

    host, port = split_host_port(args.probe)
    return fetch_presented_chain(host, port, server_name=args.host_name, timeout=args.timeout)


def _name_for_sni(host: str) -> str | None:
    """A probed DNS name stands for the pool's FQDN, which the gateway sends; an IP, nothing."""
    return None if _is_ip(host) else host


def _is_ip(host: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def split_host_port(text: str, default_port: int = 443) -> tuple[str, int]:
    """``host``, ``host:port``, ``[v6]:port`` or a bare IPv6 literal -> (host, port).

    >>> split_host_port("[::1]:8443")
    ('::1', 8443)
    """
    port: str | None
    if text.startswith("["):
        match = re.fullmatch(r"\[([^\]]+)\](?::([^:]*))?", text)
        host, port = match.groups() if match else ("", None)
    elif text.count(":") == 1:
        host, port = text.split(":")
    else:  # a name, an IPv4 address, or an IPv6 literal without a port
        host, port = text, None
    # isascii(): str.isdigit() also takes "²", which int() refuses
    valid_port = port is None or (port.isascii() and port.isdigit() and 0 < int(port) < 65536)
    if not host or not valid_port or (":" in host and not _is_ip(host)):
        raise CliError(f"--probe: expected HOST[:PORT], got {text!r}")
    return host, int(port) if port else default_port


# --------------------------------------------------------------------------- client


def run_client(args: argparse.Namespace) -> int:
    """``client FILE --client-ca FILE``: what mutual TLS will say about a client."""
    from .. import check_client

    path = require_readable(args.file)
    ca = require_readable(args.client_ca, "--client-ca")
    presented: Path | list[x509.Certificate] = (
        _client_chain(path, args.password) if is_pfx(path) else path
    )
    report = check_client(
        presented,
        ca,
        verify_issuer_dn=args.verify_issuer_dn,
        ocsp=args.ocsp,
    )
    return emit_report(report, args.json, label=str(path))


def _client_chain(path: Path, spec: str | None) -> list[x509.Certificate]:
    """A client PFX as the client sends it: its certificate, then the rest."""
    from .. import load_pfx

    pfx = with_password(spec, lambda pw: load_pfx(path, pw), path.name)
    leaf = [pfx.certificate] if pfx.certificate is not None else []
    return leaf + list(pfx.chain)

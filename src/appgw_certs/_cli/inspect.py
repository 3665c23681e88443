"""``appgw-certs inspect FILE|https://HOST[:PORT]|--probe HOST[:PORT]``: describe what a file
holds (certificates with the extensions the gateway reads, keys, requests, a PFX's
encryption) or the chain a live server presents, and how that chain is ordered."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from .backend import probe_target, split_host_port
from .options import (
    EXIT_OK,
    CliError,
    add_json,
    add_password,
    add_verb,
    file_name,
    timeout_seconds,
)

if TYPE_CHECKING:
    from pathlib import Path

    from cryptography import x509

    from .._formats.pfx import PfxEncryption
    from .._x509.describe import CertInfoList
    from .options import Verbs

__all__ = ["add_parser", "run"]

_LABELS_SHOWN = 5
_URL_SCHEME = "https://"
JSON_HELP = (
    '{"schema_version", "input", "file" (null for a server), "server" and "server_name" '
    '(null for a file), "pfx": its PFX encryption or null, "chain": {"in_order", '
    '"well_known_root", "order"}, "certificates": each described, "keys": each key, '
    "public key or request}"
)


def add_parser(verbs: Verbs) -> None:
    help_ = "describe the certificates, keys and requests in a file, or a server's chain"
    sub = add_verb(verbs, "inspect", help_, run)
    source = sub.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "file",
        nargs="?",
        type=file_name,
        metavar="FILE",
        help="a certificate, chain, PFX, key or CSR file; or https://HOST[:PORT] for a server",
    )
    source.add_argument(
        "--probe",
        type=probe_target,
        metavar="HOST[:PORT]",
        help="show the chain a live TLS server presents (port 443 by default)",
    )
    sub.add_argument(
        "--server-name",
        metavar="NAME",
        help="the SNI to send to the server (default: its HOST; an IP address or '' sends none)",
    )
    sub.add_argument(
        "--timeout",
        type=timeout_seconds,
        default=10.0,
        metavar="S",
        help="server timeout in seconds (more than 0, at most 300; default 10)",
    )
    add_password(sub)
    add_json(sub, JSON_HELP)


def run(args: argparse.Namespace) -> int:
    """Describe ``args.file``, or the chain presented by ``--probe`` / an https:// URL."""
    # deferred: keeps --help fast
    from .._formats.inputs import read_bytes
    from .._x509.describe import describe
    from .inspect_text import print_described
    from .shared import is_pfx, with_password
    from .terminal import Console, require_readable

    target = _server_target(args)
    console = Console()
    if target is not None:
        host, port, name = target
        label = f"{host}:{port}" if ":" not in host else f"[{host}]:{port}"
        infos = describe(_presented(host, port, name, args.timeout, label))
        server = {"server": label, "server_name": _sent_name(name)}
        encryption = None
        path = None
    else:
        path = require_readable(args.file)
        encryption = _encryption(read_bytes(path)) if is_pfx(path) else None
        infos = with_password(args.password, lambda pw: describe(path, pw), path.name)
        if not infos and not infos.keys:
            raise CliError(f"no certificate in {path}: {_what_it_holds(path, encryption)}")
        label, server = str(path), {"server": None, "server_name": None}
    if args.json:
        console.json(_as_json(label, path, server, encryption, infos))
        return EXIT_OK
    heading = label if target is None else f"{label} (SNI: {server['server_name'] or 'none'})"
    print_described(console, heading, encryption, infos, presented=target is not None)
    return EXIT_OK


def _server_target(args: argparse.Namespace) -> tuple[str, int, str] | None:
    """``(host, port, SNI)`` for ``--probe`` or an https:// FILE; ``None`` for a file."""
    if args.probe is not None:
        host, port = split_host_port(args.probe)
    elif args.file is not None and args.file.lower().startswith(_URL_SCHEME):
        host, port = _from_url(args.file)
    else:
        if args.server_name is not None:
            raise CliError("--server-name is for a server (--probe or https://HOST)")
        return None
    if args.password is not None:
        raise CliError("--password is for files, not for a server's chain")
    return host, port, args.server_name if args.server_name is not None else host


def _sent_name(name: str) -> str | None:
    """The SNI the probe sends for ``name``: none for an IP address or an empty name."""
    # deferred: keeps --help fast
    from .._x509.names import is_ip

    name = name.rstrip(".")
    return None if not name or is_ip(name) else name


def _from_url(url: str) -> tuple[str, int]:
    """``https://HOST[:PORT][/...]`` -> (host, port); a path or query is ignored."""
    # deferred: keeps --help fast
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        host = port = None
        parts = None
    if parts is None or not host or parts.username or parts.password:
        raise CliError(f"expected https://HOST[:PORT], got {url[:80]!r}")
    return host, port or 443


def _presented(
    host: str, port: int, name: str, timeout: float, label: str
) -> list[x509.Certificate]:
    """The chain the server at ``host:port`` sends for the SNI ``name``."""
    # deferred: keeps --help fast (and only a probe loads pyOpenSSL)
    from cryptography.x509 import InvalidVersion

    from .._errors import AppGwCertError
    from .._verdicts.probe import fetch_presented_chain

    try:
        return fetch_presented_chain(host, port, server_name=name, timeout=timeout)
    except AppGwCertError:  # ProbeError: its message says what failed, in one line
        raise
    except (ValueError, InvalidVersion):  # cryptography's words speak ASN.1, not to people
        raise CliError(f"{label} presents a certificate that cannot be parsed as X.509") from None


def _encryption(data: bytes) -> PfxEncryption:
    from .._formats.pfx import read_pfx_encryption  # deferred: for a PFX only

    return read_pfx_encryption(data)


def _what_it_holds(path: Path, encryption: PfxEncryption | None) -> str:
    """What a file with neither certificates nor keys holds, by PEM label or format."""
    # deferred: keeps --help fast
    from .._errors import AppGwCertError
    from .._formats.bundle import pem_blocks, sniff_format
    from .._formats.inputs import read_bytes

    if encryption is not None:
        return "the PFX holds neither a certificate nor a key"
    data = read_bytes(path)
    try:
        labels = list(dict.fromkeys(block.label for block in pem_blocks(data)))
    except AppGwCertError:
        labels = []
    if not labels:
        return f"it holds {sniff_format(data).upper()} data that is not a certificate"
    shown = ", ".join(f"'{label}'" for label in labels[:_LABELS_SHOWN])
    more = f" and {len(labels) - _LABELS_SHOWN} more" if len(labels) > _LABELS_SHOWN else ""
    blocks = "a PEM block" if len(labels) == 1 else "PEM blocks"
    return f"the file holds {blocks} {shown}{more}, and no 'CERTIFICATE' or key"


def _as_json(
    label: str,
    path: Path | None,
    server: dict[str, str | None],
    encryption: PfxEncryption | None,
    infos: CertInfoList,
) -> dict[str, object]:
    """The JSON document of ``inspect --json`` (see :data:`JSON_HELP`)."""
    # deferred: keeps --help fast
    from dataclasses import asdict

    from .formats import with_input

    document: dict[str, object] = {
        "file": str(path) if path is not None else None,
        **server,
        "pfx": asdict(encryption) if encryption else None,
        **infos.to_dict(),
    }
    return with_input(document, label)

"""``appgw-certs backend FILE|--probe HOST[:PORT]``: what backend health will say.

The names the gateway is configured with (``--backend-address``, ``--host-name``,
``--probe-host-name``, ``--pick-host-name-from-backend-address``) resolve to the name
its health probe sends as SNI (``resolve_sni``): ``--probe`` sends that name too, so
that a backend choosing its certificate by SNI shows the one the gateway gets.
"""

from __future__ import annotations

import argparse
import re
from typing import TYPE_CHECKING

from .options import (
    SKU_HELP,
    CliError,
    add_host_name,
    add_report_output,
    add_verb,
    file_name,
    timeout_seconds,
)

if TYPE_CHECKING:
    from pathlib import Path

    from cryptography import x509

    from .options import Verbs

__all__ = ["add_parser", "probe_target", "run", "split_host_port"]


def add_parser(verbs: Verbs) -> None:
    help_ = "predict backend health for the chain a backend presents"
    sub = add_verb(verbs, "backend", help_, run)
    source = sub.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "file", nargs="?", type=file_name, metavar="FILE", help="the chain, as presented"
    )
    source.add_argument(
        "--probe", type=probe_target, metavar="HOST[:PORT]", help="read it from a live server"
    )
    sub.add_argument("--sku", required=True, help=SKU_HELP)
    sub.add_argument(
        "--backend-address",
        metavar="A",
        help="the backend pool member, FQDN or IP (default with --probe: its HOST)",
    )
    add_host_name(
        sub, "--host-name", "host_name", metavar="H", help="the backend setting's host name"
    )
    sub.add_argument(
        "--pick-host-name-from-backend-address",
        action="store_true",
        help="the backend setting picks the host name from the backend address",
    )
    sub.add_argument(
        "--probe-host-name",
        metavar="H",
        help="the custom probe's host name (omit for the default probe)",
    )
    sub.add_argument(
        "--trusted-root",
        action="append",
        default=[],
        type=file_name,
        metavar="FILE",
        help="a trusted root certificate uploaded to the v2 setting (repeatable)",
    )
    sub.add_argument(
        "--auth-cert",
        action="append",
        default=[],
        type=file_name,
        metavar="FILE",
        help="an authentication certificate uploaded to the v1 setting (repeatable)",
    )
    sub.add_argument("--well-known", action="store_true", help="use well-known CA certificates")
    sub.add_argument(
        "--timeout",
        type=timeout_seconds,
        default=10.0,
        metavar="S",
        help="--probe timeout in seconds (more than 0, at most 300; default 10)",
    )
    add_report_output(sub)


def run(args: argparse.Namespace) -> int:
    """Simulate backend health for the chain in ``args.file`` or sent by ``--probe``."""
    # deferred: keeps --help fast
    from .._verdicts.backend import check_backend
    from .._verdicts.names import resolve_sni
    from .shared import chain_pictures, emit_report
    from .terminal import require_readable

    roots = [require_readable(p, "--trusted-root") for p in args.trusted_root]
    auth = [require_readable(p, "--auth-cert") for p in args.auth_cert]
    names = {
        "host_name": args.host_name,
        "probe_host_name": args.probe_host_name,
        "pick_host_name_from_backend_address": args.pick_host_name_from_backend_address,
        # A probed host stands for the pool member, unless the member is given.
        "backend_address": args.backend_address
        or (split_host_port(args.probe)[0] if args.probe else None),
    }
    if args.probe is not None:
        resolved = resolve_sni(args.sku, **names)
        presented: Path | list[x509.Certificate] = _probe(args, resolved.name)
        label = f"presented by {args.probe}"
    else:
        presented = require_readable(args.file)
        label = str(presented)
    report = check_backend(
        presented,
        sku=args.sku,
        trusted_roots=roots,
        authentication_certs=auth,
        use_well_known=args.well_known,
        **names,
    )
    return emit_report(report, args, label=label, pictures=chain_pictures(report))


def _probe(args: argparse.Namespace, name: str | None) -> list[x509.Certificate]:
    """The chain ``--probe`` sends to a client whose SNI is ``name`` (none: no SNI)."""
    # deferred: keeps --help fast (and only --probe loads pyOpenSSL)
    from cryptography.x509 import InvalidVersion

    from .._errors import AppGwCertError
    from .._verdicts.probe import fetch_presented_chain

    host, port = split_host_port(args.probe)
    try:
        return fetch_presented_chain(host, port, server_name=name or "", timeout=args.timeout)
    except AppGwCertError:  # ProbeError: its message says what failed, in one line
        raise
    except (ValueError, InvalidVersion):
        # cryptography refused a certificate the server sent (the arguments were checked
        # when parsed); its message is the parser's, with ASN.1 paths: not for a person.
        raise CliError(
            f"{args.probe} presents a certificate that cannot be parsed as X.509"
        ) from None


def probe_target(text: str) -> str:
    """An argparse type: ``HOST[:PORT]`` that :func:`split_host_port` takes."""
    try:
        split_host_port(text)
    except CliError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--probe: ")) from None
    return text


def _name_for_sni(host: str) -> str | None:
    """A probed DNS name stands for the pool's FQDN, which the gateway sends; an IP, nothing."""
    return None if _is_ip(host) else host


def _is_ip(host: str) -> bool:
    # deferred: keeps --help fast
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

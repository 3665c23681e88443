"""``appgw-certs client FILE --client-ca FILE``: what mutual TLS will say about a client."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from .options import SPEC_HELP, add_password, add_report_output, add_verb, file_name

if TYPE_CHECKING:
    from pathlib import Path

    from cryptography import x509

    from .options import Verbs

__all__ = ["add_parser", "run"]


def add_parser(verbs: Verbs) -> None:
    sub = add_verb(verbs, "client", "predict mutual TLS for a client certificate", run)
    sub.add_argument("file", type=file_name, metavar="FILE", help="client chain (PEM) or PFX")
    sub.add_argument(
        "--client-ca",
        required=True,
        type=file_name,
        metavar="FILE",
        help="the trusted client CA certificate chain uploaded to the SSL profile",
    )
    sub.add_argument(
        "--verify-issuer-dn",
        action="store_true",
        help="the SSL profile's 'Verify client certificate issuer's DN' is on",
    )
    sub.add_argument(
        "--ocsp",
        action="store_true",
        help="the SSL profile checks revocation by OCSP",
    )
    add_password(sub, "password of FILE when it is a PFX (" + SPEC_HELP + ")")
    add_report_output(sub)


def run(args: argparse.Namespace) -> int:
    """Simulate the gateway verifying the client chain ``args.file`` against ``--client-ca``."""
    # deferred: keeps --help fast
    from .._verdicts.backend import check_client
    from .shared import chain_pictures, emit_report, is_pfx
    from .terminal import require_readable

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
    return emit_report(report, args, label=str(path), pictures=chain_pictures(report))


def _client_chain(path: Path, spec: str | None) -> list[x509.Certificate]:
    """A client PFX as the client sends it: its certificate, then the rest."""
    # deferred: keeps --help fast
    from .._formats.pfx import load_pfx
    from .shared import with_password

    pfx = with_password(spec, lambda pw: load_pfx(path, pw), path.name)
    leaf = [pfx.certificate] if pfx.certificate is not None else []
    return leaf + list(pfx.chain)

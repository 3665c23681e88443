"""``appgw-certs extract {auth,root,pubkey} IN``: what each SKU wants, to a file or stdout."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Literal

from .options import EXIT_OK, CliError, add_force, add_password, add_verb, file_name

if TYPE_CHECKING:
    from .._x509.trust import TrustStore
    from .options import Verbs

__all__ = ["add_parser", "run"]


def add_parser(verbs: Verbs) -> None:
    help_ = "pick what each SKU wants: auth (v1 leaf), root (v2 trusted root), pubkey"
    sub = add_verb(verbs, "extract", help_, run)
    sub.add_argument(
        "what",
        choices=("auth", "root", "pubkey"),
        help="auth: the leaf (v1 authentication certificate); root: the root CA (v2 trusted "
        "root); pubkey: the leaf's public key (PEM)",
    )
    sub.add_argument(
        "input", type=file_name, metavar="IN", help="a PFX, PEM or PKCS#7 bundle, or DER file"
    )
    sub.add_argument(
        "--ca",
        type=file_name,
        metavar="FILE",
        help="root: CA certificates to find the root in when IN stops below it, e.g. your "
        "company's CA bundle (default: Mozilla's roots, via certifi)",
    )
    sub.add_argument(
        "-o", "--output", type=file_name, metavar="OUT", help="write here (default: stdout)"
    )
    sub.add_argument("--der", action="store_true", help="DER instead of Base-64 (auth, root)")
    add_password(sub)
    add_force(sub)


def run(args: argparse.Namespace) -> int:
    """Extract ``args.what`` from ``args.input``: to ``-o OUT``, else to stdout."""
    # deferred: keeps --help fast
    from pathlib import Path

    from .._x509.extract import (
        extract_authentication_cert,
        extract_public_key,
        extract_trusted_root,
    )
    from .shared import with_password, write_one
    from .terminal import OutputFiles, require_readable

    source = require_readable(args.input)
    if args.ca and args.what != "root":
        raise CliError("--ca applies to extract root only")
    if args.output:  # before any password is asked
        OutputFiles(force=args.force).refuse_existing([Path(args.output)])
    if args.what == "pubkey":
        if args.der:
            raise CliError("--der applies to auth and root; pubkey is PEM")
        data = with_password(args.password, lambda pw: extract_public_key(source, pw), source.name)
    else:
        encoding: Literal["base64", "der"] = "der" if args.der else "base64"
        if args.what == "auth":
            data = with_password(
                args.password,
                lambda pw: extract_authentication_cert(source, pw, encoding=encoding),
                source.name,
            )
        else:
            store = _ca_store(args.ca)
            data = with_password(
                args.password,
                lambda pw: extract_trusted_root(source, pw, store=store, encoding=encoding),
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


def _ca_store(ca: str | None) -> TrustStore | None:
    """The trust store ``--ca`` names (None: the library's default, certifi)."""
    if ca is None:
        return None
    # deferred: keeps --help fast
    from .._errors import AppGwCertError
    from .._formats.bundle import load_certificates
    from .._x509.trust import TrustStore
    from .terminal import require_readable

    try:
        certificates = load_certificates(require_readable(ca, "--ca"))
    except AppGwCertError as exc:
        raise CliError(f"--ca: {ca}: {exc}") from None
    if not certificates:
        raise CliError(f"--ca: {ca} holds no certificate")
    return TrustStore(certificates)

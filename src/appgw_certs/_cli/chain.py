"""``appgw-certs chain OUTDIR --host-name H``: a test chain, as the files a gateway wants;
from a fresh root, or issued by an existing CA (``--ca-cert``, ``--ca-key``)."""

from __future__ import annotations

import argparse
import re
from typing import TYPE_CHECKING

from .options import (
    EXIT_OK,
    SPEC_HELP,
    CliError,
    add_force,
    add_host_name,
    add_key_type,
    add_password,
    add_verb,
    file_name,
    iso_datetime,
    password_spec,
    whole_number,
)

if TYPE_CHECKING:
    from pathlib import Path

    from cryptography import x509

    from .._testpki.credential import Credential
    from .options import Verbs
    from .passwords import Password

__all__ = ["MAX_INTERMEDIATES", "add_parser", "run"]

#: The library's ``MAX_INTERMEDIATES`` (``_testpki.build``), spelled out so that
#: parsing needs no ``cryptography``; a test keeps the two equal.
MAX_INTERMEDIATES = 5
#: The longest validity ``--valid-days`` takes (100 years; X.509 time ends in 9999).
MAX_VALID_DAYS = 36_500


def add_parser(verbs: Verbs) -> None:
    sub = add_verb(
        verbs, "chain", "build a test chain: from a fresh root, or from your own CA", run
    )
    sub.add_argument("outdir", type=file_name, metavar="OUTDIR", help="the directory to write")
    # required, checked in run(): argparse would not count the alias as the option given
    add_host_name(
        sub,
        "--host-name",
        "hostname",
        action="append",
        metavar="H",
        help="a name the server certificate is for (required, repeatable)",
    )
    sub.add_argument(
        "--intermediates",
        type=whole_number(0, MAX_INTERMEDIATES, "intermediates"),
        metavar="N",
        help=f"new intermediate CAs between the root (or --ca-cert) and the leaves "
        f"(0-{MAX_INTERMEDIATES}; default 1, or 0 with --ca-cert)",
    )
    add_key_type(sub)
    sub.add_argument(
        "--valid-days",
        type=whole_number(1, MAX_VALID_DAYS, "days"),
        default=365,
        metavar="N",
        help="days every new certificate is valid (default 365)",
    )
    sub.add_argument(
        "--not-before",
        type=iso_datetime,
        metavar="DATE",
        help="start of validity: an ISO date or date and time, UTC unless it names a zone "
        "(default: an hour ago)",
    )
    sub.add_argument(
        "--ca-cert",
        type=file_name,
        metavar="FILE",
        help="issue from this existing CA (PEM, with its issuers up to the root when it is "
        "an intermediate) instead of a fresh root; needs --ca-key",
    )
    sub.add_argument(
        "--ca-key", type=file_name, metavar="FILE", help="the private key of --ca-cert"
    )
    sub.add_argument(
        "--ca-key-password",
        type=password_spec,
        metavar="SPEC",
        help="password of --ca-key when it is encrypted (" + SPEC_HELP + ")",
    )
    sub.add_argument(
        "--client",
        action="append",
        default=[],
        metavar="NAME",
        help="also issue a client certificate (repeatable)",
    )
    add_password(sub, "password of the PFX files (default: invent one, saved in passwords.txt)")
    add_force(sub)


def run(args: argparse.Namespace) -> int:
    """Build a test chain for ``args.hostname`` and write its files into ``args.outdir``."""
    if not args.hostname:
        raise CliError("the following arguments are required: --host-name")
    if (args.ca_cert is None) != (args.ca_key is None):
        raise CliError("--ca-cert and --ca-key go together: the CA's certificate and its key")
    # deferred: keeps --help fast
    from pathlib import Path

    from .._errors import InvalidArgumentError
    from .._testpki.build import build_test_chain
    from .passwords import invent_password, read_password
    from .terminal import Console, OutputFiles, require_readable, write_files

    ca_files = None
    if args.ca_cert is not None:  # before any file is written or password asked for
        ca_files = (
            require_readable(args.ca_cert, "--ca-cert"),
            require_readable(args.ca_key, "--ca-key"),
        )
    outdir = Path(args.outdir)
    invented = None if args.password else invent_password()
    names = ["root.cer", "client-ca.cer", "server.pfx", "server.cer", "server-chain.pem"]
    names += ["server.key", *(f"client-{_slug(c)}.pfx" for c in args.client)]
    names += ["passwords.txt"] if invented else []
    OutputFiles(force=args.force).refuse_existing([outdir / name for name in names])
    password: Password = invented or read_password(args.password)
    ca, ca_chain = _existing_ca(*ca_files, args.ca_key_password) if ca_files else (None, [])
    intermediates = args.intermediates
    if intermediates is None:
        intermediates = 0 if ca else 1
    try:
        chain = build_test_chain(
            args.hostname,
            intermediates=intermediates,
            key_type=args.key_type,
            valid_days=args.valid_days,
            not_before=args.not_before,
            ca=ca,
            ca_chain=ca_chain,
        )
    except InvalidArgumentError as exc:
        raise CliError(_option_words(str(exc))) from None
    issuers = chain.issuer_chain()
    files: list[tuple[str, bytes, bool, str]] = [
        ("root.cer", chain.trusted_root_cer(), False, "v2 trusted root"),
        ("client-ca.cer", chain.client_ca_cer(), False, "mutual-auth trusted client CA"),
        ("server.pfx", chain.listener_pfx(password), True, "listener PFX (key + full chain)"),
        ("server.cer", chain.authentication_cer(), False, "v1 authentication certificate"),
        ("server-chain.pem", chain.backend_chain_pem(), False, "what a backend presents"),
        ("server.key", chain.server.key_pem(), True, "backend private key (unencrypted)"),
    ]
    for name in args.client:
        client = chain.issue_client(name)
        files.append(
            (
                f"client-{_slug(name)}.pfx",
                client.pfx(password, chain=issuers),
                True,
                f"client certificate for {name}",
            )
        )
    if invented:
        lines = [f"{name}: {invented}" for name, _, _, _ in files if name.endswith(".pfx")]
        text = "# Passwords invented by appgw-certs chain. Keep private.\n" + "\n".join(lines)
        files.append(("passwords.txt", (text + "\n").encode(), True, "the PFX password"))
    write_files(outdir, [(n, d, p) for n, d, p, _ in files], force=args.force)
    console = Console()
    by = f", issued by {chain.root.certificate.subject.rfc4514_string()}" if ca else ""
    console.line(f"wrote a test chain for {', '.join(args.hostname)}{by} to {outdir}/")
    console.table([(name, purpose) for name, _, _, purpose in files])
    return EXIT_OK


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "client"


def _existing_ca(
    cert_file: Path, key_file: Path, key_spec: str | None
) -> tuple[Credential, list[x509.Certificate]]:
    """The CA of ``--ca-cert`` with the key of ``--ca-key``, and its issuers in that file
    (leaf-nearest first). Refused, exit 2: a key that matches no certificate of the file,
    an intermediate CA without its issuers up to the root."""
    # deferred: keeps --help fast
    from .._errors import AppGwCertError, PfxPasswordError
    from .._formats.bundle import load_certificates
    from .._formats.keys import key_matches
    from .._formats.private_keys import load_private_key
    from .._testpki.credential import Credential
    from .._x509.chain import chain_path
    from .._x509.links import is_self_signed
    from .passwords import can_prompt, prompt_password, read_password

    try:
        certificates = load_certificates(cert_file)
    except AppGwCertError as exc:
        raise CliError(f"--ca-cert: {cert_file}: {exc}") from None
    try:
        if key_spec is not None:
            key = load_private_key(key_file, read_password(key_spec, option="--ca-key-password"))
        else:
            try:
                key = load_private_key(key_file)
            except PfxPasswordError:
                if not can_prompt():
                    raise CliError(
                        f"--ca-key: {key_file} is encrypted: give its password with "
                        "--ca-key-password SPEC"
                    ) from None
                key = load_private_key(key_file, prompt_password(f"Password for {key_file}: "))
    except AppGwCertError as exc:
        raise CliError(f"--ca-key: {key_file}: {exc}") from None
    matching = [c for c in certificates if key_matches(key, c)]
    if not matching:
        raise CliError(
            f"--ca-key: the key in {key_file} matches no certificate in {cert_file}: "
            "give the CA certificate and its own key"
        )
    ca = matching[0]
    others = [c for c in certificates if c is not ca]
    path = chain_path([ca, *others]) if others else [ca]
    above = path[1:] if path[0] is ca else []
    top = above[-1] if above else ca
    if not is_self_signed(top):
        raise CliError(
            f"--ca-cert: {top.subject.rfc4514_string()!r} is an intermediate CA: put its "
            f"issuers, up to the root, in {cert_file} after it (PEM, one after another)"
        )
    return Credential(ca, key), above


def _option_words(message: str) -> str:
    """A library complaint about the ``ca`` argument, in the command line's words."""
    for argument, option in (("ca_chain: ", "--ca-cert: "), ("ca: ", "--ca-cert: ")):
        if message.startswith(argument):
            return option + message.removeprefix(argument)
    return message

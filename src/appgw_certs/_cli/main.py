"""``appgw-certs``: the command line. Parsing and dispatch only.

Each verb's work lives in :mod:`._cli_quickstart` or :mod:`._cli_verbs`,
imported only when that verb runs: ``appgw-certs --help`` and ``--version``
import nothing but ``argparse`` (no ``cryptography``), so they start fast.

Exit status: 0 no errors; 1 a check found errors; 2 usage error, missing or
unreadable input, or a file that would be overwritten without ``--force``
(one line on stderr, never a traceback); 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, NoReturn, TypeAlias

from .._version import __version__

if TYPE_CHECKING:
    _Verbs: TypeAlias = "argparse._SubParsersAction[_Parser]"

__all__ = ["build_parser", "main"]

PROG = "appgw-certs"
EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
#: Set to see the traceback of an unexpected error (hidden by default: it may quote input).
DEBUG_ENV = "APPGW_CERTS_DEBUG"

SKU_HELP = "Standard, WAF (v1); Standard_v2, WAF_v2, Basic (v2); or v1 / v2"
KEY_TYPES = ("rsa2048", "rsa3072", "rsa4096", "ec-p256", "ec-p384")
SPEC_HELP = (
    "password source, as openssl's -passin: pass:TEXT, env:VAR, file:PATH, fd:N, stdin "
    "(default: ask when a terminal is attached)"
)


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line on stderr, exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The whole command line; builds fast (argparse only)."""
    parser = _Parser(
        prog=PROG,
        description="Prepare and check the certificates you upload to Azure Application Gateway.",
        epilog="Start with: appgw-certs quickstart",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", parser_class=_Parser)
    verbs.required = True
    _add_quickstart(verbs)
    _add_chain(verbs)
    _add_inspect(verbs)
    _add_convert(verbs)
    _add_extract(verbs)
    _add_check(verbs)
    _add_backend(verbs)
    _add_client(verbs)
    _add_audit(verbs)
    return parser


def _verb(verbs: _Verbs, name: str, handler: str, help_: str) -> argparse.ArgumentParser:
    sub: argparse.ArgumentParser = verbs.add_parser(name, help=help_, description=help_)
    sub.set_defaults(handler=handler)
    return sub


def _add_force(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--force", action="store_true", help="replace existing files")


def _add_json(sub: argparse.ArgumentParser, what: str = "the report's to_dict") -> None:
    sub.add_argument("--json", action="store_true", help=f"print JSON ({what})")


def _add_password(sub: argparse.ArgumentParser, help_: str = SPEC_HELP) -> None:
    sub.add_argument("--password", metavar="SPEC", help=help_)


def _add_quickstart(verbs: _Verbs) -> None:
    sub = _verb(
        verbs,
        "quickstart",
        "quickstart:run",
        "write a complete, checked test PKI for one gateway, with a README of what goes where",
    )
    sub.add_argument(
        "outdir",
        nargs="?",
        default="appgw-certs-quickstart",
        metavar="OUTDIR",
        help="directory to write (default: ./appgw-certs-quickstart)",
    )
    sub.add_argument(
        "--hostname",
        action="append",
        metavar="H",
        help="listener host name (repeatable; default www.contoso.com)",
    )
    sub.add_argument(
        "--backend-hostname",
        default="backend.contoso.com",
        metavar="H",
        help="host name the backend certificate is for (default backend.contoso.com)",
    )
    sub.add_argument("--key-type", choices=KEY_TYPES, default="rsa2048")
    sub.add_argument(
        "--show-passwords",
        action="store_true",
        help="also print the invented passwords (they are always in passwords.txt, 0600)",
    )
    _add_force(sub)
    _add_json(sub, "the files written and each one's check report")


def _add_chain(verbs: _Verbs) -> None:
    sub = _verb(verbs, "chain", "quickstart:run_chain", "build a self-signed test chain")
    sub.add_argument("outdir", metavar="OUTDIR")
    sub.add_argument("--hostname", action="append", required=True, metavar="H")
    sub.add_argument("--intermediates", type=int, default=1, metavar="N")
    sub.add_argument("--key-type", choices=KEY_TYPES, default="rsa2048")
    sub.add_argument(
        "--client",
        action="append",
        default=[],
        metavar="NAME",
        help="also issue a client certificate (repeatable)",
    )
    _add_password(sub, "password of the PFX files (default: invent one, saved in passwords.txt)")
    _add_force(sub)


def _add_inspect(verbs: _Verbs) -> None:
    sub = _verb(verbs, "inspect", "verbs:run_inspect", "describe the certificates in a file")
    sub.add_argument("file", metavar="FILE")
    _add_password(sub)
    _add_json(sub)


def _add_convert(verbs: _Verbs) -> None:
    sub = _verb(
        verbs,
        "convert",
        "verbs:run_convert",
        "convert between PFX and CER (Base-64 or DER), or re-encrypt a PFX",
    )
    sub.add_argument("input", metavar="IN")
    sub.add_argument("output", metavar="OUT")
    sub.add_argument(
        "--to",
        choices=("cer", "der", "pfx"),
        help="output format (default: from OUT's suffix: .pfx/.p12, .der, else cer)",
    )
    sub.add_argument("--key", metavar="KEYFILE", help="private key for a PFX made from a CER")
    sub.add_argument("--key-password", metavar="SPEC", help="password of KEYFILE, if encrypted")
    sub.add_argument("--chain", metavar="FILE", help="intermediates/root to add to a PFX")
    _add_password(sub, "password of the PFX read or written (" + SPEC_HELP + ")")
    sub.add_argument(
        "--new-password",
        metavar="SPEC",
        help="PFX to PFX: password of the new file (default: the same as --password)",
    )
    sub.add_argument(
        "--no-password",
        action="store_true",
        help="write a PFX without a password (never the default)",
    )
    sub.add_argument(
        "--include-chain",
        action="store_true",
        help="PFX to CER: also write the chain (Base-64 only)",
    )
    sub.add_argument("--profile", choices=("compatible", "modern"), default="compatible")
    _add_force(sub)


def _add_extract(verbs: _Verbs) -> None:
    sub = _verb(
        verbs,
        "extract",
        "verbs:run_extract",
        "pick what each SKU wants: auth (v1 leaf), root (v2 trusted root), pubkey",
    )
    sub.add_argument("what", choices=("auth", "root", "pubkey"))
    sub.add_argument("input", metavar="IN")
    sub.add_argument("-o", "--output", metavar="OUT", help="write here (default: stdout)")
    sub.add_argument("--der", action="store_true", help="DER instead of Base-64 (auth, root)")
    _add_password(sub)
    _add_force(sub)


def _add_check(verbs: _Verbs) -> None:
    sub = _verb(verbs, "check", "verbs:run_check", "check a file for an upload slot")
    sub.add_argument(
        "slot", choices=("listener", "authentication", "trusted-root", "trusted-client-ca")
    )
    sub.add_argument("file", metavar="FILE")
    sub.add_argument("--sku", required=True, help=SKU_HELP)
    _add_password(sub)
    sub.add_argument("--hostname", action="append", default=[], metavar="H")
    _add_json(sub)


def _add_backend(verbs: _Verbs) -> None:
    sub = _verb(
        verbs,
        "backend",
        "verbs:run_backend",
        "predict backend health for the chain a backend presents",
    )
    source = sub.add_mutually_exclusive_group(required=True)
    source.add_argument("file", nargs="?", metavar="FILE", help="the chain, as presented")
    source.add_argument("--probe", metavar="HOST[:PORT]", help="read it from a live server")
    sub.add_argument("--sku", required=True, help=SKU_HELP)
    sub.add_argument("--host-name", metavar="H", help="host name the gateway sends (SNI)")
    sub.add_argument("--trusted-root", action="append", default=[], metavar="FILE")
    sub.add_argument("--auth-cert", action="append", default=[], metavar="FILE")
    sub.add_argument("--well-known", action="store_true", help="use well-known CA certificates")
    sub.add_argument("--timeout", type=float, default=10.0, help="--probe timeout in seconds")
    _add_json(sub)


def _add_client(verbs: _Verbs) -> None:
    sub = _verb(
        verbs,
        "client",
        "verbs:run_client",
        "predict mutual TLS for a client certificate",
    )
    sub.add_argument("file", metavar="FILE", help="client chain (PEM) or PFX")
    sub.add_argument("--client-ca", required=True, metavar="FILE")
    sub.add_argument("--verify-issuer-dn", action="store_true")
    sub.add_argument("--ocsp", action="store_true")
    _add_password(sub, "password of FILE when it is a PFX (" + SPEC_HELP + ")")
    _add_json(sub)


def _add_audit(verbs: _Verbs) -> None:
    # Another module owns the verb; only its argparse set-up runs here.
    if importlib.util.find_spec(f"{__package__}.audit") is None:
        return
    audit = importlib.import_module(f"{__package__}.audit")
    before = set(verbs.choices)
    audit.add_parser(verbs)
    for name in set(verbs.choices) - before:
        verbs.choices[name].set_defaults(handler="audit:run")


def _run_handler(args: argparse.Namespace) -> int:
    module_name, _, function = str(args.handler).partition(":")
    module = importlib.import_module(f"{__package__}.{module_name}")
    status = getattr(module, function)(args)
    return int(status)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``appgw-certs``; return the exit status."""
    args = build_parser().parse_args(argv)  # --help and --version end here, fast
    from .terminal import CliError  # light: no cryptography

    _warnings_as_one_line()
    try:
        return _run_handler(args)
    except KeyboardInterrupt:
        _fail("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # Output piped into `head` and so on: not an error of ours.
        _silence_stdout()
        return EXIT_OK
    except CliError as exc:
        _fail(str(exc))
    except (OSError, ValueError) as exc:
        # Library errors are ValueError/OSError subclasses (AppGwCertError
        # family); their messages say what was wrong and never hold secrets.
        _fail(_one_line(exc))
    except _app_error() as exc:
        _fail(_one_line(exc))
    except (SystemExit, GeneratorExit):
        raise
    except BaseException as exc:  # a bug of ours, or a panic in a native library
        if os.environ.get(DEBUG_ENV):
            raise
        # The message is not shown: it could quote input (a password, key bytes).
        _fail(
            f"internal error ({type(exc).__name__}); rerun with {DEBUG_ENV}=1 "
            "for a traceback, and please report it"
        )
    return EXIT_USAGE


def _warnings_as_one_line() -> None:
    """Python warnings (from a dependency, say) as one ``warning:`` line each, once."""
    if sys.warnoptions:  # the user asked for Python's own handling (-W)
        return
    import warnings

    shown: set[str] = set()

    def show(message: Warning | str, *_: object, **__: object) -> None:
        text = (str(message).strip().splitlines() or [""])[0]
        if text not in shown:
            shown.add(text)
            print(f"{PROG}: warning: {text}", file=sys.stderr)

    warnings.showwarning = show


def _app_error() -> type[Exception]:
    from .._errors import AppGwCertError

    return AppGwCertError


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    if isinstance(exc, OSError) and exc.strerror and exc.filename:
        text = f"{exc.filename}: {exc.strerror}"
    return text.splitlines()[0] if text else type(exc).__name__


def _fail(message: str) -> None:
    from .._findings.report import printable  # light: no cryptography

    # messages can quote a certificate's name: no control character reaches the terminal
    print(f"{PROG}: error: {printable(message)}", file=sys.stderr)


def _silence_stdout() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())

"""``appgw-certs``: the command line's parser, dispatch and error handling.

Each verb is a module here that adds its own parser and names the function that
runs it (``add_parser`` / ``run``); :data:`VERBS` lists them in ``--help`` order.
Verb modules import only ``argparse`` and the standard library when loaded, and
the library inside ``run``: ``appgw-certs --help`` and ``--version`` import no
``cryptography``, so they start fast.

Exit status: 0 no errors; 1 a check found errors; 2 usage error, missing or
unreadable input, or a file that would be overwritten without ``--force``
(one line on stderr, never a traceback); 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Sequence
from typing import NoReturn

from .._errors import AppGwCertError
from .._version import __version__
from . import audit, backend, chain, check, client, convert, extract, inspect, quickstart
from .options import EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, PROG, CliError

__all__ = ["VERBS", "build_parser", "main"]

#: The verb modules, in the order ``--help`` lists them.
VERBS = (quickstart, chain, inspect, convert, extract, check, backend, client, audit)
#: Set to see the traceback of an unexpected error (hidden by default: it may quote input).
DEBUG_ENV = "APPGW_CERTS_DEBUG"


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
    for verb in VERBS:
        verb.add_parser(verbs)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``appgw-certs``; return the exit status."""
    args = build_parser().parse_args(argv)  # --help and --version end here, fast
    _warnings_as_one_line()
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        _fail("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # Output piped into `head` and so on: not an error of ours.
        _silence_stdout()
        return EXIT_OK
    except CliError as exc:
        _fail(str(exc))
    except (OSError, ValueError, AppGwCertError) as exc:
        # Library errors are ValueError/OSError subclasses (AppGwCertError
        # family); their messages say what was wrong and never hold secrets.
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
    shown: set[str] = set()

    def show(message: Warning | str, *_: object, **__: object) -> None:
        text = (str(message).strip().splitlines() or [""])[0]
        if text not in shown:
            shown.add(text)
            print(f"{PROG}: warning: {text}", file=sys.stderr)

    warnings.showwarning = show


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    if isinstance(exc, OSError) and exc.strerror and exc.filename:
        text = f"{exc.filename}: {exc.strerror}"
    return text.splitlines()[0] if text else type(exc).__name__


def _fail(message: str) -> None:
    # deferred: keeps --help fast
    from .._findings.report import printable

    # messages can quote a certificate's name: no control character reaches the terminal
    print(f"{PROG}: error: {printable(message)}", file=sys.stderr)


def _silence_stdout() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())

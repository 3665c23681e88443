# PYTHON_ARGCOMPLETE_OK
"""``appgw-certs``: the command line's parser, dispatch and error handling.

Each verb is a module here that adds its own parser and names the function that
runs it (``add_parser`` / ``run``); :data:`VERBS` lists them in ``--help`` order.
Verb modules import only ``argparse`` and the standard library when loaded, and
the library inside ``run``: ``appgw-certs --help`` and ``--version`` import no
``cryptography``, so they start fast. A command line that starts with a verb's
name imports and builds that verb's parser only.

Exit status: 0 no errors; 1 a check found errors; 2 usage error, missing or
unreadable input, or a file that would be overwritten without ``--force``
(one line on stderr, never a traceback); 130 interrupted.

Shell completion: when a shell asks (argcomplete's protocol sets ``_ARGCOMPLETE``),
the parser is handed to ``argcomplete`` (the ``completion`` extra), imported only
then; ``eval "$(register-python-argcomplete appgw-certs)"`` turns it on in bash/zsh.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
import warnings
from collections.abc import Sequence
from typing import NoReturn

from .._errors import AppGwCertError
from .._version import __version__
from . import caused_by_ctrl_c
from .options import DEBUG_ENV, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, PROG, CliError

__all__ = ["COMPLETION_ENV", "VERBS", "build_parser", "main"]

#: Set by the shell (argcomplete's protocol) when it asks for completions.
COMPLETION_ENV = "_ARGCOMPLETE"

#: Each verb's name and its module here, in the order ``--help`` lists them.
VERBS: dict[str, str] = {
    "quickstart": "quickstart",
    "chain": "chain",
    "inspect": "inspect",
    "convert": "convert",
    "extract": "extract",
    "client-ca": "client_ca",
    "check": "check",
    "backend": "backend",
    "client": "client",
    "audit": "audit",
}


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line on stderr, exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line, or with the verb ``only`` alone; builds fast (argparse only).

    A verb's module is imported here, as its parser is built: a command line that names
    a verb loads no other verb's module.
    """
    parser = _Parser(
        prog=PROG,
        description="Prepare and check the certificates you upload to Azure Application Gateway.",
        epilog="Start with: appgw-certs quickstart",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", parser_class=_Parser)
    verbs.required = True
    for name, module in VERBS.items():
        if only is None or name == only:
            importlib.import_module(f"{__package__}.{module}").add_parser(verbs)
    return parser


def _verb_named(argv: Sequence[str]) -> str | None:
    """The verb a command line starts with (only then is one verb's parser enough)."""
    return argv[0] if argv and argv[0] in VERBS else None


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``appgw-certs``; return the exit status."""
    try:
        status = _run(argv)
    except KeyboardInterrupt:  # anywhere in _run, its deferred imports and its error handling
        _say("interrupted")
        return EXIT_INTERRUPTED
    return _settle_stdout(status)


def _run(argv: Sequence[str] | None) -> int:
    try:
        if sys.stdout is None:  # started with stdout closed (`>&-`)
            raise CliError("standard output is closed: send it to a file or /dev/null")
        words = sys.argv[1:] if argv is None else list(argv)
        completing = COMPLETION_ENV in os.environ
        parser = build_parser(None if completing else _verb_named(words))
        if completing:
            _complete(parser)
        args = parser.parse_args(words)  # --help and --version end here, fast
        _warnings_as_one_line()
        return int(args.run(args))
    except (SystemExit, GeneratorExit, KeyboardInterrupt):
        raise
    except BaseException as exc:
        if caused_by_ctrl_c(exc):  # wrapped by Python where it landed (class creation)
            raise KeyboardInterrupt from None
        if isinstance(exc, BrokenPipeError):
            # Output piped into `head` and so on: not an error of ours.
            _silence_stdout()
            return EXIT_OK
        _fail(_error_line(exc))
    return EXIT_USAGE


def _complete(parser: argparse.ArgumentParser) -> None:
    """Answer the shell's completion request and exit (argcomplete ends the process)."""
    try:
        # deferred: only a shell asking for completions loads argcomplete
        import argcomplete
    except ImportError:
        raise CliError(
            "shell completion needs argcomplete: pip install 'appgw-certs[completion]'"
        ) from None
    argcomplete.autocomplete(parser)


def _error_line(exc: BaseException) -> str:
    """The one line that says what went wrong."""
    if isinstance(exc, CliError):
        return str(exc)
    if isinstance(exc, OSError | ValueError | AppGwCertError):
        # Library errors are ValueError/OSError subclasses (AppGwCertError
        # family); their messages say what was wrong and never hold secrets.
        return _one_line(exc)
    # A bug of ours, or a panic in a native library.
    if os.environ.get(DEBUG_ENV):
        raise exc
    # The message is not shown: it could quote input (a password, key bytes).
    return (
        f"internal error ({type(exc).__name__}); rerun with {DEBUG_ENV}=1 "
        "for a traceback, and please report it"
    )


def _warnings_as_one_line() -> None:
    """Python warnings (from a dependency, say) as one ``warning:`` line each, once."""
    if sys.warnoptions or sys.stderr is None:  # -W: the user asked for Python's own handling
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
    if isinstance(exc, OSError) and exc.strerror:  # not "[Errno 28] ..."
        text = f"{exc.filename}: {exc.strerror}" if exc.filename else exc.strerror
    return text.splitlines()[0] if text else type(exc).__name__


def _fail(message: str) -> None:
    # deferred: keeps --help fast
    from .terminal import terminal_text

    # messages can quote a certificate's name: no control character reaches the terminal
    _say(terminal_text(message))


def _say(message: str) -> None:
    """One ``error:`` line on stderr; none when stderr is closed (never onto stdout)."""
    if sys.stderr is not None:
        with contextlib.suppress(OSError, ValueError):  # closed, or a full disk: nowhere to say it
            print(f"{PROG}: error: {message}", file=sys.stderr, flush=True)


def _settle_stdout(status: int) -> int:
    """Flush stdout before returning: a closed pipe ends quietly and a full disk is an
    error here, rather than a message from Python at exit (with exit status 120)."""
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
    except OSError as exc:
        _silence_stdout()
        _say(f"cannot write to standard output: {exc.strerror or exc}")
        return max(status, EXIT_USAGE)
    except ValueError:  # closed by the caller (in-process use): nothing to flush
        pass
    return status


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that what is still buffered goes nowhere, quietly."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no real file behind stdout (in-process)
        pass

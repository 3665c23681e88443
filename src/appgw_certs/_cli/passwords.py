"""Passwords on the command line: read from a SPEC (openssl's ``-passin``), asked for, or invented.

Every password the user gives becomes ``bytes`` in one place, :func:`password_bytes`:
text from the command line, the environment or a terminal may hold bytes that are
not UTF-8 (Python keeps them as surrogate escapes), and encoding such text as UTF-8
later would fail with a message about the password. Files, descriptors and stdin
are read up to :data:`MAX_PASSWORD_BYTES`, never further (``file:/dev/zero`` is
refused, not read).

Imported when a verb runs, not for ``--help``; nothing here imports ``cryptography``.
"""

from __future__ import annotations

import getpass
import os
import secrets
import string
import sys
from typing import IO

from .options import SPEC_FORMS, CliError, split_spec

__all__ = [
    "MAX_PASSWORD_BYTES",
    "Password",
    "can_prompt",
    "invent_password",
    "password_bytes",
    "prompt_password",
    "read_password",
]

Password = str | bytes
#: The longest password read, in bytes. Azure's listener passwords have 4-12
#: characters and openssl's ``-passin`` reads 1 KiB at most; 4 KiB leaves room.
MAX_PASSWORD_BYTES = 4096


def password_bytes(text: str) -> bytes:
    """A password typed or given as text, as the bytes the user meant.

    The inverse of how Python decoded the command line and the environment
    (the file system encoding, with surrogate escapes), so no text fails to encode.

    >>> password_bytes("pw\\udcff")
    b'pw\\xff'
    """
    return os.fsencode(text)


def read_password(spec: str, *, option: str = "--password") -> bytes:
    """The password a SPEC names, by openssl's ``-passin`` convention.

    ``pass:TEXT`` is the text itself; ``env:VAR`` an environment variable;
    ``file:PATH`` and ``fd:N`` the first line of a file or descriptor;
    ``stdin`` the next line of standard input. Messages name the source,
    never the password.

    >>> read_password("pass:Secret12")
    b'Secret12'
    """
    try:
        kind, rest = split_spec(spec)
    except ValueError:
        raise CliError(f"{option}: expected {SPEC_FORMS}") from None
    if kind == "stdin":
        if sys.stdin is None:
            raise CliError(f"{option}: standard input is closed")
        return _first_line(sys.stdin.buffer, "standard input", option)
    if kind == "pass":
        return _bounded(password_bytes(rest), "the text", option)
    if kind == "env":
        value = os.environ.get(rest)
        if value is None:
            raise CliError(f"{option}: environment variable {rest!r} is not set")
        return _bounded(password_bytes(value), f"environment variable {rest!r}", option)
    if kind == "file":
        return _from_file(rest, option)
    return _from_descriptor(rest, option)


def _from_file(path: str, option: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return _first_line(handle, f"file {path!r}", option)
    except OSError as exc:
        raise CliError(f"{option}: cannot read {path!r}: {exc.strerror or exc}") from None
    except ValueError:  # a NUL in the path
        raise CliError(f"{option}: {path!r} is not a file name") from None


def _from_descriptor(number: str, option: str) -> bytes:
    try:
        with os.fdopen(int(number), "rb", closefd=False) as handle:
            return _first_line(handle, f"descriptor {number}", option)
    except (OSError, OverflowError, TypeError) as exc:  # TypeError: beyond a C int
        reason = getattr(exc, "strerror", None) or "no such descriptor"
        raise CliError(f"{option}: cannot read descriptor {number}: {reason}") from None


def _first_line(handle: IO[bytes], source: str, option: str) -> bytes:
    """The first line, without its end; no more than one byte past the limit is read."""
    line = handle.readline(MAX_PASSWORD_BYTES + 1)
    if not line:
        raise CliError(f"{option}: {source} is empty")
    return _bounded(line.rstrip(b"\r\n"), f"the first line of {source}", option)


def _bounded(password: bytes, source: str, option: str) -> bytes:
    if len(password) > MAX_PASSWORD_BYTES:
        raise CliError(
            f"{option}: {source} is longer than {MAX_PASSWORD_BYTES:,} bytes, "
            "too long for a password"
        )
    return password


def prompt_password(prompt: str, *, confirm: bool = False) -> bytes:
    """Ask on the terminal without echo; ``confirm`` asks twice (for new passwords)."""
    try:
        first = getpass.getpass(prompt)
        if confirm and getpass.getpass("Verifying - " + prompt) != first:
            raise CliError("the two passwords typed differ")
    except EOFError:  # Ctrl-D at the prompt
        raise CliError("no password typed") from None
    except UnicodeDecodeError:  # its message would quote a byte of the password
        raise CliError("the password typed is not text in the terminal's encoding") from None
    return _bounded(password_bytes(first), "the password typed", "the prompt")


def can_prompt() -> bool:
    """True when a person can be asked: standard input is a terminal."""
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except ValueError:  # closed
        return False


_ALPHANUMERIC = string.ascii_letters + string.digits


def invent_password(length: int = 12) -> str:
    """A random password Azure accepts for a listener PFX: 4–12 letters and digits.

    At least one letter and one digit, so it also passes "complexity" checks
    some tools add. 12 characters of 62 give about 71 bits.

    >>> len(invent_password())
    12
    """
    while True:
        candidate = "".join(secrets.choice(_ALPHANUMERIC) for _ in range(length))
        if any(c.isdigit() for c in candidate) and any(c.isalpha() for c in candidate):
            return candidate

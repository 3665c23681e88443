"""What the command line writes: files, and text for the terminal.

Two concerns, each small (passwords are in :mod:`.passwords`):

- files, written atomically (temp file beside the target, then rename), key
  material ``0600``, never over an existing file without ``--force``, and only
  ever as regular files: a directory, device, FIFO or socket in the way is
  refused, with or without ``--force``, and left as it was;
- output, aligned text with colour only on a terminal and never under ``NO_COLOR``.

Imported when a verb runs, not for ``--help``; nothing here imports ``cryptography``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import signal
import stat
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

from .options import CliError

if TYPE_CHECKING:
    from collections.abc import Callable

    from .._findings.report import Finding, Report

    _Styler = Callable[[str, str], str]

__all__ = [
    "CliError",
    "Console",
    "OutputFiles",
    "holding_ctrl_c",
    "require_readable",
    "terminal_text",
    "write_files",
]


# --------------------------------------------------------------------------- files


def require_readable(path: str, what: str = "input") -> Path:
    """The path of an existing, readable file, or a one-line :class:`CliError`."""
    p = Path(path)
    if not p.exists():
        raise CliError(f"{what}: no such file: {path}")
    if p.is_dir():
        raise CliError(f"{what}: {path} is a directory, not a file")
    if not os.access(p, os.R_OK):
        raise CliError(f"{what}: cannot read {path}: permission denied")
    return p


@dataclass
class _Staged:
    target: Path
    temp: Path


@dataclass
class OutputFiles:
    """Write a set of files all-or-nothing-half-written.

    Every file is first written in full to a temp file beside its target
    (same directory, same file system), flushed to disk, then all are renamed
    into place. Until :meth:`commit` nothing is visible; any error or Ctrl-C
    removes the temp files. Files holding keys are created ``0600`` (the mode
    is given to ``open``, so there is no moment where they are readable by
    others). Without ``force`` an existing target is refused before anything
    is written, and renames never replace a file that appeared meanwhile. A
    target that is not a regular file (a directory, device, FIFO or socket) is
    refused even with ``force``: renaming over it would replace the node itself.
    A symbolic link is replaced itself (with ``force``), never followed.

    >>> with OutputFiles(force=False) as out:  # doctest: +SKIP
    ...     out.add(Path("server.key"), key_pem, private=True)
    ...     out.commit()
    """

    force: bool = False
    _staged: list[_Staged] = field(default_factory=list)
    _created_dirs: list[Path] = field(default_factory=list)
    _committed: bool = False

    def __enter__(self) -> OutputFiles:
        return self

    def __exit__(self, *exc: object) -> None:
        if not self._committed:
            self.discard()

    def refuse_existing(self, targets: Sequence[Path]) -> None:
        """Refuse, before anything is written: a target that is not a regular file
        (or a symbolic link), a target inside something that is not a directory,
        and, unless ``force``, every target that exists (all named in one error)."""
        for target in targets:
            _refuse_special(target)
        if self.force:
            return
        existing = [str(t) for t in targets if _kind(t) is not None]
        if existing:
            raise CliError(f"refusing to overwrite {', '.join(existing)}; pass --force to replace")

    def make_dir(self, directory: Path) -> None:
        """Create ``directory`` (and parents); removed again if nothing is committed."""
        _refuse_non_directory(directory)
        missing = [p for p in (directory, *directory.parents) if not p.exists()]
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CliError(f"cannot create directory {directory}: {exc.strerror or exc}") from None
        self._created_dirs.extend(missing)  # deepest first: the order to remove them

    def add(self, target: Path, data: bytes, *, private: bool = False) -> None:
        """Write ``data`` to a temp file for ``target``; visible only after :meth:`commit`."""
        self.refuse_existing([target])  # now, before any file of the set is renamed into place
        temp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(temp, flags, 0o600 if private else 0o666)
        except OSError as exc:
            raise CliError(f"cannot write {target}: {exc.strerror or exc}") from None
        self._staged.append(_Staged(target, temp))
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise CliError(f"cannot write {target}: {exc.strerror or exc}") from None

    def commit(self) -> None:
        """Rename every temp file onto its target; a Ctrl-C meanwhile waits until all are."""
        with holding_ctrl_c():
            for staged in self._staged:
                if self.force:
                    _refuse_special(staged.target)  # again: it may have appeared since add()
                    _replace(staged.temp, staged.target)
                else:
                    _rename_no_clobber(staged.temp, staged.target)
            self._committed = True
        for directory in {s.target.parent for s in self._staged}:
            _fsync_dir(directory)
        self._staged.clear()

    def discard(self) -> None:
        """Remove temp files not yet renamed, and directories made for them."""
        for staged in self._staged:
            with contextlib.suppress(FileNotFoundError):
                staged.temp.unlink()
        self._staged.clear()
        for directory in self._created_dirs:
            with contextlib.suppress(OSError):  # not empty: something of ours got in
                directory.rmdir()
        self._created_dirs.clear()


@contextlib.contextmanager
def holding_ctrl_c() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) back for a moment that must not be cut in two; one that came
    meanwhile is delivered as the block ends. Child processes started inside inherit the
    hold. Elsewhere than in the main thread of a POSIX system, it holds nothing."""
    if sys.platform == "win32" or threading.current_thread() is not threading.main_thread():
        yield
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


_KINDS = (
    (stat.S_ISREG, "regular file"),
    (stat.S_ISLNK, "symbolic link"),
    (stat.S_ISDIR, "directory"),
    (stat.S_ISCHR, "character device"),
    (stat.S_ISBLK, "block device"),
    (stat.S_ISFIFO, "FIFO (named pipe)"),
    (stat.S_ISSOCK, "socket"),
)
#: What an output may replace: a file, or a link's own path (the link is not followed).
_REPLACEABLE = ("regular file", "symbolic link")


def _kind(path: Path, *, follow: bool = False) -> str | None:
    """What is at ``path`` ("regular file", "directory", ...), or None when nothing is
    (or it cannot be looked at: writing there will then say why)."""
    try:
        mode = (os.stat if follow else os.lstat)(path).st_mode
    except (OSError, ValueError):
        return None
    return next((name for is_kind, name in _KINDS if is_kind(mode)), "special file")


def _refuse_special(target: Path) -> None:
    kind = _kind(target)
    if kind is not None and kind not in _REPLACEABLE:
        advice = "; name a file inside it" if kind == "directory" else ""
        raise CliError(
            f"cannot write {target}: it is a {kind}, and appgw-certs writes regular files "
            f"only{advice}"
        )
    _refuse_non_directory(target.parent)


def _refuse_non_directory(directory: Path) -> None:
    """Refuse when ``directory``, or the nearest of its parents that exists, is not one."""
    for path in (directory, *directory.parents):
        kind = _kind(path, follow=True)
        if kind == "directory":
            return
        if kind is not None:
            raise CliError(f"cannot write into {path}: it is a {kind}, not a directory")


def _rename_no_clobber(temp: Path, target: Path) -> None:
    """Rename, failing if ``target`` exists (a hard link cannot replace a file)."""
    try:
        os.link(temp, target)
    except FileExistsError:
        raise CliError(f"refusing to overwrite {target}; pass --force to replace") from None
    except OSError:
        # File systems without hard links: check, then rename (a small race).
        if target.exists():
            raise CliError(f"refusing to overwrite {target}; pass --force to replace") from None
        _replace(temp, target)
        return
    temp.unlink()


def _replace(temp: Path, target: Path) -> None:
    """``os.replace``, with an error that names the target, not our temp file."""
    try:
        os.replace(temp, target)
    except OSError as exc:
        raise CliError(f"cannot write {target}: {exc.strerror or exc}") from None


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):  # not supported everywhere; durability only
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_files(outdir: Path, files: list[tuple[str, bytes, bool]], *, force: bool) -> None:
    """Write ``(name, data, private)`` files into ``outdir``: all of them, or none."""
    with OutputFiles(force=force) as out:
        out.refuse_existing([outdir / name for name, _, _ in files])
        out.make_dir(outdir)
        for name, data, private in files:
            out.add(outdir / name, data, private=private)
        out.commit()


# --------------------------------------------------------------------------- output

_STYLES = {
    "error": "1;31",
    "warning": "33",
    "info": "36",
    "ok": "32",
    "bold": "1",
    "dim": "2",
}


def wants_colour(stream: IO[str]) -> bool:
    """Colour only on a terminal, and never when ``NO_COLOR`` is set (no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@dataclass
class Console:
    """Where the CLI prints: human text (optionally coloured) or JSON."""

    stream: IO[str] = field(default_factory=lambda: sys.stdout)
    colour: bool | None = None

    def __post_init__(self) -> None:
        if self.colour is None:
            self.colour = wants_colour(self.stream)

    def style(self, text: str, style: str) -> str:
        """``text`` wrapped in the ANSI colour of ``style`` when colour is on."""
        if not self.colour or style not in _STYLES:
            return text
        return f"\x1b[{_STYLES[style]}m{text}\x1b[0m"

    def line(self, text: str = "") -> None:
        """Print one line; control characters in it are shown escaped (our colours aside)."""
        safe = _terminal_safe(text) if self.colour else terminal_text(text)
        print(safe, file=self.stream)

    def json(self, value: object) -> None:
        """Print ``value`` as indented JSON (the machine-readable form)."""
        print(json.dumps(value, indent=2, default=str), file=self.stream)

    def table(self, rows: Sequence[tuple[str, str]], indent: str = "  ") -> None:
        """Print ``label value`` rows with the values aligned."""
        width = max((len(label) for label, _ in rows), default=0)
        for label, value in rows:
            self.line(f"{indent}{self.style(label.ljust(width), 'dim')}  {value}")

    def report(self, report: Report, *, label: str | None = None) -> None:
        """Print a report: a verdict line, then one aligned line per finding."""
        verdict = self.style("OK    ", "ok") if report.ok else self.style("FAILED", "error")
        counts = _counts(report)
        head = f"{label}: {report.title}" if label else report.title
        self.line(f"{verdict}  {self.style(head, 'bold')}{counts}")
        details = report.details
        if details:
            self.table([(name.replace("_", " "), value) for name, value in details], " " * 8)
        for text in render_findings(report.findings, self.style):
            self.line(text)


# Text from certificates and gateway JSON is a stranger's: ESC, BEL, CR or a newline in
# it would clear or retitle the terminal, or forge a line of output. Only the colour
# codes this module writes itself pass. A file name given in bytes that are not UTF-8
# arrives with surrogate escapes, which no stream can encode: shown as the byte, \xff.
_OUR_COLOURS = re.compile(r"(\x1b\[[0-9;]*m)")
_CONTROLS = {c: f"\\x{c:02x}" for c in (*range(0x20), 0x7F, *range(0x80, 0xA0))}
_CONTROLS |= {c: f"\\x{c - 0xDC00:02x}" for c in range(0xDC80, 0xDD00)}


def terminal_text(text: str) -> str:
    r"""``text`` for one line of output: control characters and undecodable bytes escaped.

    >>> terminal_text("CN=evil\x1b[2J \udcff")
    'CN=evil\\x1b[2J \\xff'
    """
    return text.translate(_CONTROLS)


def _terminal_safe(text: str) -> str:
    parts = _OUR_COLOURS.split(text)
    return "".join(p if i % 2 else terminal_text(p) for i, p in enumerate(parts))


def _counts(report: Report) -> str:
    parts = []
    if report.errors:
        parts.append(f"{len(report.errors)} error(s)")
    if report.warnings:
        parts.append(f"{len(report.warnings)} warning(s)")
    return f"  ({', '.join(parts)})" if parts else ""


def render_findings(findings: Sequence[Finding], style: _Styler) -> Iterator[str]:
    """Lines for findings: severity and code in aligned columns, then message and hint."""
    if not findings:
        return
    code_width = max(len(f.code) for f in findings)
    margin = " " * 8  # under the report's title, past "FAILED  "
    indent = margin + " " * (7 + 2 + code_width + 2)
    for f in findings:
        severity = f.severity.value
        code = f.code.ljust(code_width)
        yield f"{margin}{style(severity.ljust(7), severity)}  {code}  {f.message}"
        if f.certificate:
            yield f"{indent}{style('certificate: ' + f.certificate, 'dim')}"
        if f.location:
            yield f"{indent}{style('in: ' + f.location, 'dim')}"
        if f.hint:
            yield f"{indent}{style('hint: ' + f.hint, 'dim')}"

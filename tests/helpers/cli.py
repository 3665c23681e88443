"""Run the installed ``appgw-certs`` entry point (or ``python -m appgw_certs``) as a user would.

Every run checks the two promises that hold for any verb: no traceback, and no
password anywhere in what the program printed: every password the run was
given (``pass:TEXT``, environment values, lines of stdin, ``secrets``) is
searched for in its stdout and stderr.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

BIN = Path(sys.executable).parent
ENTRY_POINT = BIN / "appgw-certs"
TIMEOUT = 60


@dataclass(frozen=True)
class Result:
    """What one run printed, and its exit status."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def command(*, module: bool = False) -> list[str]:
    """The command to run: the console script, or ``python -m appgw_certs``."""
    if module:
        return [sys.executable, "-m", "appgw_certs"]
    assert ENTRY_POINT.exists(), f"install the project first: {ENTRY_POINT} is missing"
    return [str(ENTRY_POINT)]


def run(
    *args: str | os.PathLike[str],
    secrets: Iterable[str] = (),
    env: Mapping[str, str] | None = None,
    stdin: str | None = None,
    cwd: Path | None = None,
    module: bool = False,
    max_file_size: int | None = None,
) -> Result:
    """Run the CLI without a terminal; assert no traceback and no secret in its output.

    ``max_file_size`` limits the size of files the process may write (RLIMIT_FSIZE):
    a real write failure half way, as on a full disk.
    """
    environment = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | dict(env or {})
    completed = subprocess.run(
        [*command(module=module), *map(str, args)],
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        env=environment,
        cwd=cwd,
        timeout=TIMEOUT,
        check=False,
        preexec_fn=_limit_file_size(max_file_size) if max_file_size else None,
    )
    result = Result(tuple(map(str, args)), completed.returncode, completed.stdout, completed.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    assert_no_secret(result.output, [*secrets, *_secrets_given(args, env, stdin)])
    return result


def _secrets_given(
    args: Sequence[object], env: Mapping[str, str] | None, stdin: str | None
) -> list[str]:
    """Every password this run handed over: pass:TEXT, env values, lines of stdin."""
    given = [str(a)[5:] for a in args if str(a).startswith("pass:")]
    given += [v for k, v in (env or {}).items() if k != "NO_COLOR"]
    given += (stdin or "").splitlines()
    return [g for g in given if len(g) >= 4]


def _limit_file_size(limit: int) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def assert_no_secret(text: str, secrets: Iterable[str]) -> None:
    """No secret appears in ``text`` (the message does not repeat it either)."""
    leaked = [s for s in secrets if s and s in text]
    assert not leaked, f"{len(leaked)} secret(s) printed"


def assert_usage_error(result: Result, *words: str) -> None:
    """Exit 2, nothing on stdout, exactly one line on stderr that mentions ``words``."""
    assert result.returncode == 2, result
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("appgw-certs"), lines
    for word in words:
        assert word in lines[0], (word, lines[0])


def passwords_file(directory: Path) -> dict[str, str]:
    """``name: password`` lines of a passwords.txt written by quickstart or chain."""
    entries: dict[str, str] = {}
    for line in (directory / "passwords.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, password = line.partition(": ")
            entries[name] = password
    return entries


def openssl_run(
    openssl: str, *args: str, stdin: bytes | None = None, env: Mapping[str, str] | None = None
) -> bytes:
    """Run the openssl CLI, the oracle; fail the test with its stderr when it refuses."""
    return openssl_completed(openssl, *args, stdin=stdin, env=env).stdout


def openssl_completed(
    openssl: str, *args: str, stdin: bytes | None = None, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run the openssl CLI (``env`` added to the environment); it must succeed."""
    completed = subprocess.run(
        [openssl, *args],
        input=stdin,
        capture_output=True,
        timeout=TIMEOUT,
        check=False,
        env={**os.environ, **(env or {})},
    )
    assert completed.returncode == 0, completed.stderr.decode(errors="replace")
    return completed


def mode(path: Path) -> int:
    """Permission bits of a file."""
    return path.stat().st_mode & 0o777


def files_in(directory: Path) -> Sequence[str]:
    """Every name in ``directory``, hidden ones (temp files) included, sorted."""
    return sorted(os.listdir(directory))

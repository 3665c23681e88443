"""The CLI on a real terminal (a pseudo-terminal): colour, NO_COLOR, password prompts, Ctrl-C."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from appgw_certs import KeyType, build_test_chain
from helpers.cli import assert_no_secret, command, files_in

PASSWORD = "Term1nalPw"
DEADLINE = 30.0


@dataclass(frozen=True)
class Files:
    pfx: Path
    root: Path
    cer: Path
    key: Path


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Files:
    directory = tmp_path_factory.mktemp("term")
    chain = build_test_chain(["www.contoso.com"], key_type=KeyType.EC_P256)
    (directory / "server.pfx").write_bytes(chain.listener_pfx(PASSWORD))
    (directory / "root.cer").write_bytes(chain.trusted_root_cer())
    (directory / "server.cer").write_bytes(chain.server.cer())
    (directory / "server.key").write_bytes(chain.server.key_pem())
    return Files(*(directory / n for n in ("server.pfx", "root.cer", "server.cer", "server.key")))


def in_terminal(
    args: Sequence[str | os.PathLike[str]],
    *,
    env: Mapping[str, str] | None = None,
    answers: Sequence[bytes] = (),
) -> tuple[int, str]:
    """Run the CLI with a pseudo-terminal as its controlling terminal and stdio.

    Each time a prompt ending in ": " appears, the next of ``answers`` is typed.
    Returns the exit status and everything the terminal showed.
    """
    argv = [*command(), *map(str, args)]
    environment = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | dict(env or {})
    pid, fd = pty.fork()
    if pid == 0:  # the child: become the CLI at once
        os.execve(argv[0], argv, environment)  # noqa: S606 (argv is ours, no shell)
    shown = b""
    pending = list(answers)
    deadline = time.monotonic() + DEADLINE
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not chunk:
                    break
                shown += chunk
                if pending and shown.rstrip(b" ").endswith(b":"):
                    os.write(fd, pending.pop(0) + b"\n")
    finally:
        os.close(fd)
        _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), shown.decode(errors="replace")


def test_colour_on_a_terminal(files: Files) -> None:
    status, shown = in_terminal(["check", "trusted-root", files.root, "--sku", "v2"])
    assert status == 0, shown
    assert "\x1b[32mOK" in shown


def test_no_color_turns_colour_off_on_a_terminal(files: Files) -> None:
    status, shown = in_terminal(
        ["check", "trusted-root", files.root, "--sku", "v1"], env={"NO_COLOR": "1"}
    )
    assert status == 1, shown  # trusted roots do not exist on v1: GEN006
    assert "GEN006" in shown
    assert "\x1b[" not in shown


def test_prompts_for_a_needed_password_without_echo(files: Files) -> None:
    status, shown = in_terminal(["inspect", files.pfx], answers=[PASSWORD.encode()])
    assert status == 0, shown
    assert "Password for server.pfx:" in shown
    assert "CN=www.contoso.com" in shown
    assert_no_secret(shown, [PASSWORD])  # typed, but the terminal did not echo it


def test_new_pfx_password_is_asked_twice(files: Files, tmp_path: Path) -> None:
    out = tmp_path / "new.pfx"
    status, shown = in_terminal(
        ["convert", files.cer, out, "--key", files.key], answers=[b"N3wPassw0rd", b"Different1"]
    )
    assert status == 2, shown
    assert "Verifying - Password for the new PFX:" in shown
    assert "differ" in shown
    assert not out.exists()
    assert_no_secret(shown, ["N3wPassw0rd", "Different1"])
    status, shown = in_terminal(
        ["convert", files.cer, out, "--key", files.key], answers=[b"N3wPassw0rd"] * 2
    )
    assert status == 0, shown
    assert out.stat().st_mode & 0o777 == 0o600
    assert_no_secret(shown, ["N3wPassw0rd"])


def test_ctrl_d_at_a_prompt_is_one_line(files: Files) -> None:
    status, shown = in_terminal(["inspect", files.pfx], answers=[b"\x04"])
    assert status == 2, shown
    assert shown.strip().endswith("appgw-certs: error: no password typed")
    assert "Traceback" not in shown


def _wait_until_reading_stdin(process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + DEADLINE
    wchan = Path(f"/proc/{process.pid}/wchan")
    while time.monotonic() < deadline and process.poll() is None:
        if "pipe_read" in wchan.read_text():
            return
        time.sleep(0.02)
    raise AssertionError("the CLI never waited for the password on stdin")


def test_ctrl_c_while_waiting_writes_nothing(files: Files, tmp_path: Path) -> None:
    out = tmp_path / "never.pfx"
    process = subprocess.Popen(
        [*command(), "convert", str(files.cer), str(out), "--key", str(files.key),
         "--password", "stdin"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        _wait_until_reading_stdin(process)
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=DEADLINE)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130
    assert stderr.decode().strip() == "appgw-certs: error: interrupted"
    assert stdout == b""
    assert files_in(tmp_path) == []

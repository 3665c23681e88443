"""The CLI as a process among others: closed or failing standard streams, and Ctrl-C at any
moment, from the first line of its own code to its last."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from appgw_certs import KeyType, build_test_chain
from appgw_certs._cli.quickstart_files import FILE_NAMES
from helpers.cli import command
from helpers.gateway import GatewayBuilder

TIMEOUT = 60
INTERRUPTED = "appgw-certs: error: interrupted\n"


@pytest.fixture(scope="module")
def root_cer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("process") / "root.cer"
    path.write_bytes(build_test_chain(["a.example"], key_type=KeyType.EC_P256).trusted_root_cer())
    return path


def shell(script: str, *args: str | Path) -> subprocess.CompletedProcess[bytes]:
    """Run a bash script with ``$CLI`` the installed command and ``$1``... the args."""
    return subprocess.run(
        ["bash", "-c", script, "bash", *map(str, args)],
        env={**os.environ, "CLI": command()[0]},
        capture_output=True,
        timeout=TIMEOUT,
        check=False,
    )


# --------------------------------------------------------------------------- closed streams


@pytest.mark.parametrize(
    "argv",
    [["extract", "root", "{file}"], ["inspect", "{file}"], ["inspect", "--json", "{file}"]],
)
def test_a_closed_stdout_is_exit_2_in_one_line(argv: list[str], root_cer: Path) -> None:
    done = shell('"$CLI" "$@" >&-', *(a.format(file=root_cer) for a in argv))
    assert done.returncode == 2
    assert done.stderr.decode().startswith("appgw-certs: error: standard output is closed")
    assert len(done.stderr.splitlines()) == 1


def test_closed_stdout_and_stderr_is_still_exit_2(root_cer: Path) -> None:
    # the redirections close them for the CLI only; the shell's echo reports its status
    done = shell('"$CLI" extract root "$1" >&- 2>&-; echo "status $?"', root_cer)
    assert done.stdout == b"status 2\n"


def test_a_closed_stdin_is_one_line(root_cer: Path) -> None:
    for argv in (["audit", "-"], ["inspect", str(root_cer), "--password", "stdin"]):
        done = shell('"$CLI" "$@" <&-', *argv)
        assert done.returncode == 2
        assert b"standard input is closed" in done.stderr
        assert len(done.stderr.splitlines()) == 1


@pytest.mark.parametrize("argv", [["extract", "root", "{file}"], ["inspect", "--json", "{file}"]])
def test_output_into_head_ends_quietly(argv: list[str], root_cer: Path) -> None:
    done = shell(
        'set -o pipefail; "$CLI" "$@" | head -c 1',
        *(a.format(file=root_cer) for a in argv),
    )
    assert done.returncode == 0, done.stderr
    assert len(done.stdout) == 1
    assert done.stderr == b""


def test_a_full_disk_on_stdout_is_one_line(root_cer: Path) -> None:
    done = shell('"$CLI" inspect "$1" > /dev/full', root_cer)
    assert done.returncode == 2
    assert done.stderr.decode().count("\n") == 1, done.stderr
    assert b"No space left on device" in done.stderr
    assert b"Traceback" not in done.stderr


# --------------------------------------------------------------------------- Ctrl-C

#: The console script's own lines (``appgw-certs`` is generated from them), after a
#: "ready" byte once the command line's first module has run: what comes before it
#: (Python's start-up, the ``appgw_certs`` package) is not the command line's to handle.
#: Ctrl-C is Python's default first, as for a job in the foreground (a shell starts a
#: background job ignoring it, and so would the CLI then).
CONSOLE_SCRIPT = """
import os, signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a foreground job, always
import appgw_certs._cli
os.write(int(sys.argv[1]), b"r")
sys.argv = ["appgw-certs", *sys.argv[2:]]
from appgw_certs._cli.main import main
sys.exit(main())
"""


def started(*argv: str | Path, new_session: bool = False) -> subprocess.Popen[str]:
    """The CLI as the console script runs it, once its first module has run."""
    ready, ready_w = os.pipe()
    process = subprocess.Popen(
        [sys.executable, "-c", CONSOLE_SCRIPT, str(ready_w), *map(str, argv)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, pass_fds=(ready_w,),
        start_new_session=new_session,
    )  # fmt: skip
    os.close(ready_w)
    try:
        assert os.read(ready, 1) == b"r"
    finally:
        os.close(ready)
    return process


def interrupted_at(delay: float, *argv: str | Path) -> subprocess.CompletedProcess[str]:
    """Start the CLI, send SIGINT ``delay`` seconds after its code starts, and wait."""
    process = started(*argv)
    try:
        time.sleep(delay)
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


# 0 to 20 ms: while the command line's modules load and main() parses; later: in the verb
# (its deferred imports, key generation, writing the files, checking them).
@pytest.mark.parametrize("delay", [0, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.3])
def test_ctrl_c_at_any_moment_is_exit_130_in_one_line(delay: float, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = interrupted_at(delay, "quickstart", out, "--key-type", "ec-p256")
    assert "Traceback" not in done.stderr
    if done.returncode == 0:  # it finished first
        assert (out / "README.md").exists()
        return
    assert (done.returncode, done.stderr) == (130, INTERRUPTED)
    if out.exists():  # interrupted while checking the files: all of them are there
        assert sorted(os.listdir(out)) == sorted(FILE_NAMES)


@pytest.mark.parametrize("delay", [0, 0.005, 0.02, 0.1])
def test_ctrl_c_to_python_dash_m_once_the_library_loads(delay: float, tmp_path: Path) -> None:
    """``appgw_certs/__main__.py`` run as ``python -m`` runs it, interrupted once the verb
    has loaded the library (cryptography's native module is mapped): Python's own
    start-up is behind it, whatever the machine's load."""
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-c", FOREGROUND_MODULE, "quickstart", str(out), "--key-type", "ec-p256"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        _wait_for_mapping(process.pid, "_rust.abi3.so")
        time.sleep(delay)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert "Traceback" not in stderr
    assert (process.returncode, stderr) in ((130, INTERRUPTED), (0, ""))


#: ``python -m appgw_certs`` with Ctrl-C as in a foreground job.
FOREGROUND_MODULE = """
import runpy, signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)
sys.argv = ["appgw-certs", *sys.argv[1:]]
runpy.run_module("appgw_certs", run_name="__main__", alter_sys=True)
"""


def _wait_for_mapping(pid: int, library: str) -> None:
    maps = Path(f"/proc/{pid}/maps")
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if library in maps.read_text():
            return
        time.sleep(0.001)
    raise AssertionError(f"{library} was never loaded")


def test_ctrl_c_to_the_whole_group_while_workers_audit(tmp_path: Path) -> None:
    """A terminal's Ctrl-C reaches every process of the group, the audit's workers too:
    they leave it to the CLI, which prints one line; none prints a traceback."""
    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core: the audit runs without worker processes")
    chain = build_test_chain(["www.contoso.com"], key_type=KeyType.EC_P256)
    gateway = GatewayBuilder()
    gateway.listener_cert("web", [chain.server.certificate], chain.listener_pfx("Pw1x"), "Pw1x")
    listing = tmp_path / "list.json"
    listing.write_text(json.dumps([gateway.cli()] * 400))
    process = started("audit", listing, new_session=True)
    try:
        _wait_for_workers(process.pid)
        os.killpg(process.pid, signal.SIGINT)
        _, stderr = process.communicate(timeout=TIMEOUT)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert "Traceback" not in stderr
    assert (process.returncode, stderr) == (130, INTERRUPTED)


def _wait_for_workers(pid: int) -> None:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if children.exists() and children.read_text().split():
            return
        time.sleep(0.005)
    raise AssertionError("the audit never started its workers")


#: Stage 300 files, say "r", commit them; report how far it got when Ctrl-C came.
COMMIT_SCRIPT = """
import os, signal, sys
from pathlib import Path
from appgw_certs._cli.terminal import OutputFiles
signal.signal(signal.SIGINT, signal.default_int_handler)
where = Path(sys.argv[1])
out = OutputFiles()
try:
    with out:
        for i in range(300):
            out.add(where / f"f{i:03}", b"x")
        os.write(1, b"r")
        out.commit()
    print(" committed")
    while True:
        pass  # until the Ctrl-C arrives
except KeyboardInterrupt:
    print(" interrupted", flush=True)
"""


@pytest.mark.parametrize("delay", [0, 0.0005, 0.001, 0.002, 0.004])
def test_ctrl_c_while_files_are_renamed_into_place_waits_for_all_of_them(
    delay: float, tmp_path: Path
) -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", COMMIT_SCRIPT, str(tmp_path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None
    assert process.stdout.read(1) == b"r"
    time.sleep(delay)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=TIMEOUT)
    assert stderr == b""
    assert stdout in (b" interrupted\n", b" committed\n interrupted\n")
    # none (interrupted before the renames began) or all: never some
    assert sorted(os.listdir(tmp_path)) in ([], [f"f{i:03}" for i in range(300)])

"""The command line reads no input past its limit: stdin, password SPECs and FIFOs are read
in chunks up to the cap, then refused (exit 2, one line), using no more memory than the cap.

Endless inputs are real: /dev/zero, and pipes and FIFOs that a thread keeps feeding until
the CLI stops reading. Peak memory is the child's own high-water mark (VmHWM).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from appgw_certs import MAX_INPUT_BYTES, KeyType, build_test_chain
from appgw_certs._cli.passwords import MAX_PASSWORD_BYTES
from appgw_certs._gateway.document import MAX_JSON_BYTES

MiB = 1024 * 1024
TIMEOUT = 120
#: What the interpreter, cryptography and the CLI take before reading anything, and more.
BASELINE = 100 * MiB
#: The child's address space: room for the largest cap and the libraries, far below the
#: machine's memory, so that a regression fails with MemoryError instead of filling it.
ADDRESS_SPACE = 2048 * MiB
#: ``python -m appgw_certs`` with its address space limited first, which writes its peak
#: resident memory (kB) to a descriptor as it exits. The peak is the kernel's VmHWM of
#: this program: getrusage's ru_maxrss would also count the test process, of which the
#: child was a copy until it started Python.
LIMITED = """
import atexit, os, resource, runpy, sys
limit, report = int(sys.argv[1]), int(sys.argv[2])

def peak():
    with open("/proc/self/status") as status:
        kb = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    os.write(report, kb.encode())

atexit.register(peak)
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
sys.argv = ["appgw-certs", *sys.argv[3:]]
runpy.run_module("appgw_certs", run_name="__main__", alter_sys=True)
"""
CHUNK = b" " * MiB  # leading whitespace: valid JSON so far, never a newline


@dataclass(frozen=True)
class Outcome:
    returncode: int
    stderr: str
    peak_rss: int  # bytes


def run_measured(
    argv: list[str], *, stdin: int | None = None, hand_over: int | None = None
) -> Outcome:
    """Run the CLI; its exit status, stderr and peak resident memory.

    ``hand_over`` is a descriptor the child inherits (as itself) and this process then
    closes: a pipe's read end, so that the feeder sees the pipe break when the child ends.
    """
    report, report_w = os.pipe()
    inherited = [report_w] if hand_over is None or hand_over == stdin else [report_w, hand_over]
    process = subprocess.Popen(
        [sys.executable, "-c", LIMITED, str(ADDRESS_SPACE), str(report_w), *argv],
        stdin=stdin if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, pass_fds=inherited,
    )  # fmt: skip
    os.close(report_w)
    if hand_over is not None:
        os.close(hand_over)
    with os.fdopen(report, "rb") as peak_kb:
        _, stderr = process.communicate(timeout=TIMEOUT)
        peak = int(peak_kb.read() or 0) * 1024
    assert peak, "the child did not report its peak memory"
    return Outcome(process.returncode, stderr.decode(), peak)


@contextlib.contextmanager
def fed_forever(path_or_fd: Path | int) -> Iterator[None]:
    """A thread writes to a pipe (its write end) or a FIFO until the reader goes away."""

    def feed() -> None:
        with contextlib.suppress(OSError), open(path_or_fd, "wb") as sink:
            while True:
                sink.write(CHUNK)

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    try:
        yield
    finally:
        if isinstance(path_or_fd, Path):  # a writer still waiting for a reader: give it one
            with contextlib.suppress(OSError):
                os.close(os.open(path_or_fd, os.O_RDONLY | os.O_NONBLOCK))
        feeder.join(timeout=60)
        assert not feeder.is_alive()


def assert_refused(outcome: Outcome, *words: str, cap: int) -> None:
    assert outcome.returncode == 2, outcome.stderr
    assert len(outcome.stderr.splitlines()) == 1, outcome.stderr
    for word in words:
        assert word in outcome.stderr
    assert outcome.peak_rss < cap + BASELINE, f"{outcome.peak_rss / MiB:.0f} MiB"


@pytest.fixture(scope="module")
def pfx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("limits") / "listener.pfx"
    chain = build_test_chain(["www.contoso.com"], key_type=KeyType.EC_P256)
    path.write_bytes(chain.listener_pfx("Limit1Pw"))
    return path


def test_audit_of_endless_stdin_stops_at_the_json_limit() -> None:
    read_end, write_end = os.pipe()
    with fed_forever(write_end):
        outcome = run_measured(["audit", "-"], stdin=read_end, hand_over=read_end)
    assert_refused(outcome, f"more than {MAX_JSON_BYTES:,} bytes", cap=MAX_JSON_BYTES)


def test_audit_of_stdin_from_dev_zero_stops_at_the_json_limit() -> None:
    with open("/dev/zero", "rb") as zero:
        outcome = run_measured(["audit", "-"], stdin=zero.fileno())
    assert_refused(outcome, "standard input", cap=MAX_JSON_BYTES)


def test_audit_of_an_endless_fifo_stops_at_the_json_limit(tmp_path: Path) -> None:
    fifo = tmp_path / "gateway.json"
    os.mkfifo(fifo)
    with fed_forever(fifo):
        outcome = run_measured(["audit", str(fifo)])
    assert_refused(outcome, "limit", cap=MAX_JSON_BYTES)


def test_inspect_of_an_endless_fifo_stops_at_the_input_limit(tmp_path: Path) -> None:
    fifo = tmp_path / "chain.pem"
    os.mkfifo(fifo)
    with fed_forever(fifo):
        outcome = run_measured(["inspect", str(fifo)])
    assert_refused(outcome, f"{MAX_INPUT_BYTES:,}-byte limit", cap=MAX_INPUT_BYTES)


def test_password_from_dev_zero_is_refused_past_its_limit(pfx: Path) -> None:
    with open("/dev/zero", "rb") as zero:
        for spec, source in (("file:/dev/zero", "file '/dev/zero'"), ("stdin", "standard input")):
            outcome = run_measured(["inspect", str(pfx), "--password", spec], stdin=zero.fileno())
            assert_refused(outcome, source, f"longer than {MAX_PASSWORD_BYTES:,} bytes", cap=MiB)


def test_password_from_an_endless_pipe_or_fifo_is_refused_past_its_limit(
    pfx: Path, tmp_path: Path
) -> None:
    read_end, write_end = os.pipe()
    with fed_forever(write_end):
        argv = ["inspect", str(pfx), "--password", f"fd:{read_end}"]
        outcome = run_measured(argv, hand_over=read_end)
    assert_refused(outcome, f"descriptor {read_end}", "longer than", cap=MiB)
    fifo = tmp_path / "password"
    os.mkfifo(fifo)
    with fed_forever(fifo):
        outcome = run_measured(["inspect", str(pfx), "--password", f"file:{fifo}"])
    assert_refused(outcome, "first line of file", "longer than", cap=MiB)

"""Files under real failures mid-write: the CLI runs with a file-size limit
(RLIMIT_FSIZE, so the kernel refuses the write: no mocks) and with a target that
cannot be replaced. Existing files stay whole, nothing half-written appears, no
temp file is left behind, and the error is one line.

Modes, --force and races without failures are in test_cli_io.py / test_cli_verbs.py.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from helpers.hostile import PASSWORD, seeds

CHAIN_FILES = (
    "client-ca.cer",
    "root.cer",
    "server-chain.pem",
    "server.cer",
    "server.key",
    "server.pfx",
)


def limit_file_size(size: int) -> Callable[[], None]:
    """For the child: writes past ``size`` bytes fail with EFBIG (not a signal)."""

    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    return apply


def appgw_certs(
    *argv: str | Path, cwd: Path, preexec: Callable[[], None] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "appgw_certs", *map(str, argv)],
        capture_output=True, text=True, cwd=cwd, timeout=120, check=False,
        preexec_fn=preexec,
    )  # fmt: skip


def snapshot(directory: Path) -> dict[str, tuple[bytes, int]]:
    """Every entry (hidden ones too): its bytes and mode."""
    return {
        p.name: (p.read_bytes(), p.stat().st_mode & 0o777)
        for p in sorted(directory.iterdir())
        if p.is_file()
    }


@pytest.fixture
def pfx_file(tmp_path: Path) -> Path:
    path = tmp_path / "listener.pfx"
    path.write_bytes(seeds().files["pfx-compatible"])
    return path


def test_a_write_that_fails_midway_leaves_the_old_file_whole(
    pfx_file: Path, tmp_path: Path
) -> None:
    target = tmp_path / "out.cer"
    target.write_bytes(b"old content that must survive\n")
    before = snapshot(tmp_path)
    result = appgw_certs(
        "convert", pfx_file, target, "--to", "cer", "--password", f"pass:{PASSWORD}",
        "--force", cwd=tmp_path, preexec=limit_file_size(300),
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert "cannot write" in result.stderr
    assert "File too large" in result.stderr
    assert snapshot(tmp_path) == before  # old file whole, no temp file, nothing new


def test_the_same_run_without_the_limit_replaces_it(pfx_file: Path, tmp_path: Path) -> None:
    """The control: the limit, not something else, made the run above fail."""
    target = tmp_path / "out.cer"
    target.write_bytes(b"old content\n")
    result = appgw_certs(
        "convert", pfx_file, target, "--to", "cer", "--password", f"pass:{PASSWORD}",
        "--force", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert target.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["listener.pfx", "out.cer"]


def test_a_set_of_files_is_written_all_or_none(tmp_path: Path) -> None:
    """chain writes six files; the largest (the PFX) cannot be written: none replaces the old."""
    outdir = tmp_path / "pki"
    outdir.mkdir()
    for name in CHAIN_FILES:
        (outdir / name).write_bytes(f"old {name}\n".encode())
    (outdir / "server.key").chmod(0o600)
    before = snapshot(outdir)
    result = appgw_certs(
        "chain", outdir, "--hostname", "app.contoso.com", "--key-type", "ec-p256",
        "--password", f"pass:{PASSWORD}", "--force", cwd=tmp_path,
        preexec=limit_file_size(1600),  # certificates fit, the PFX (about 2 KB) does not
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(outdir) == before


def test_a_target_that_cannot_be_replaced_leaves_no_half_files(tmp_path: Path) -> None:
    """A directory where a file goes: the rename fails at commit; every file is old or new,
    whole, with the right mode, and no temp file remains."""
    outdir = tmp_path / "pki"
    outdir.mkdir()
    (outdir / "server.pfx").mkdir()  # the rename of the PFX onto it must fail
    (outdir / "server.pfx" / "keep").write_bytes(b"x")
    for name in CHAIN_FILES:
        if name != "server.pfx":
            (outdir / name).write_bytes(f"old {name}\n".encode())
    result = appgw_certs(
        "chain", outdir, "--hostname", "app.contoso.com", "--key-type", "ec-p256",
        "--password", f"pass:{PASSWORD}", "--force", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    left = sorted(p.name for p in outdir.iterdir())
    assert left == sorted(CHAIN_FILES), left  # no temp files
    for name in CHAIN_FILES:
        path = outdir / name
        if name == "server.pfx":
            assert path.is_dir()
            continue
        data = path.read_bytes()
        assert data == f"old {name}\n".encode() or data.startswith(b"-----BEGIN "), name
        if name == "server.key" and data.startswith(b"-----BEGIN "):
            assert path.stat().st_mode & 0o777 == 0o600


def test_rlimit_is_really_enforced(tmp_path: Path) -> None:
    """The oracle for the tests above: past the limit, writes are cut short, then fail."""
    code = (
        "import os; fd = os.open('big', os.O_WRONLY | os.O_CREAT); "
        "print(os.write(fd, b'x' * 4096)); os.write(fd, b'y')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
        preexec_fn=limit_file_size(1000), timeout=60, check=False,
    )  # fmt: skip
    assert result.stdout.strip() == "1000"  # a short write
    assert "File too large" in result.stderr  # then EFBIG
    assert os.path.getsize(tmp_path / "big") == 1000

"""Outputs are regular files or nothing: a device, FIFO, socket or directory in the way is
refused (exit 2, one line), with or without ``--force``, and left exactly as it was."""

from __future__ import annotations

import os
import socket
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from appgw_certs import KeyType, build_test_chain
from helpers.cli import assert_usage_error, run

PASSWORD = "Out1Files"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("inputs")
    chain = build_test_chain(["www.contoso.com"], key_type=KeyType.EC_P256)
    files = {"chain.pem": chain.backend_chain_pem(), "server.key": chain.server.key_pem()}
    files["server.pfx"] = chain.listener_pfx(PASSWORD)
    for name, data in files.items():
        (directory / name).write_bytes(data)
    return {name: directory / name for name in files}


def _device(where: Path) -> Path:
    """A character device like /dev/null: a copy made in ``where`` when we are root (so
    that a failure could never replace the machine's own), else /dev/null itself (which
    only root could replace)."""
    if os.geteuid() != 0:
        return Path("/dev/null")
    node = where / "null-device"
    os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    return node


def _fifo(where: Path) -> Path:
    os.mkfifo(where / "a-fifo")
    return where / "a-fifo"


def _directory(where: Path) -> Path:
    (where / "a-directory").mkdir()
    return where / "a-directory"


@pytest.fixture(params=["character device", "FIFO (named pipe)", "socket", "directory"])
def node(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    kind: str = request.param
    if kind == "socket":
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as unix:
            unix.bind(str(tmp_path / "a-socket"))
            yield kind, tmp_path / "a-socket"
        return
    makers: dict[str, Callable[[Path], Path]] = {
        "character device": _device, "FIFO (named pipe)": _fifo, "directory": _directory,
    }  # fmt: skip
    yield kind, makers[kind](tmp_path)


def fingerprint(path: Path) -> tuple[int, int, int, int]:
    info = os.lstat(path)
    return info.st_mode, info.st_rdev, info.st_ino, info.st_size


def writes_to(target: Path, inputs: dict[str, Path], force: bool) -> list[list[str | Path]]:
    """Every verb that writes one file, aimed at ``target``."""
    flag = ["--force"] if force else []
    pw = f"pass:{PASSWORD}"
    return [
        ["convert", inputs["server.pfx"], target, "--password", pw, *flag],
        ["convert", inputs["chain.pem"], target, "--to", "der", *flag],
        ["convert", inputs["chain.pem"], target, "--to", "pfx", "--key", inputs["server.key"],
         "--password", pw, *flag],
        ["extract", "root", inputs["server.pfx"], "-o", target, "--password", pw, *flag],
        ["extract", "auth", inputs["chain.pem"], "-o", target, "--der", *flag],
        ["extract", "pubkey", inputs["chain.pem"], "-o", target, *flag],
    ]  # fmt: skip


@pytest.mark.parametrize("force", [False, True], ids=["plain", "force"])
def test_a_special_node_as_the_output_is_refused_and_left_alone(
    node: tuple[str, Path], inputs: dict[str, Path], force: bool
) -> None:
    kind, target = node
    before = fingerprint(target)
    listing = sorted(os.listdir(target.parent))
    for argv in writes_to(target, inputs, force):
        result = run(*argv)
        assert_usage_error(result, f"cannot write {target}: it is a {kind}")
        assert fingerprint(target) == before, argv
        assert sorted(os.listdir(target.parent)) == listing  # no temp file left either


def test_a_directory_as_output_says_to_name_a_file_in_it(
    inputs: dict[str, Path], tmp_path: Path
) -> None:
    result = run("extract", "auth", inputs["chain.pem"], "-o", tmp_path)
    assert_usage_error(result, "is a directory", "name a file inside it")


@pytest.mark.parametrize("verb", ["quickstart", "chain"])
def test_a_file_or_node_as_the_output_directory_is_refused(
    verb: str, node: tuple[str, Path], tmp_path: Path
) -> None:
    kind, target = node
    regular = tmp_path / "a-file"
    regular.write_bytes(b"mine")
    cases = [(regular, regular, "regular file"), (regular / "sub", regular, "regular file")]
    if kind != "directory":  # an existing directory is where the files go
        cases.append((target, target, kind))
    before = fingerprint(target)
    hostname = ["--hostname", "www.contoso.com"] if verb == "chain" else []
    for outdir, blocked, what in cases:
        for force in ([], ["--force"]):
            result = run(verb, outdir, "--key-type", "ec-p256", *hostname, *force)
            assert_usage_error(result, f"cannot write into {blocked}: it is a {what}, not a dir")
    assert regular.read_bytes() == b"mine"
    assert fingerprint(target) == before


def test_force_still_replaces_a_regular_file_and_a_link_s_own_path(
    inputs: dict[str, Path], tmp_path: Path
) -> None:
    regular, elsewhere, link = tmp_path / "out.cer", tmp_path / "elsewhere", tmp_path / "link.cer"
    regular.write_bytes(b"old")
    elsewhere.write_bytes(b"not ours")
    link.symlink_to(elsewhere)
    for target in (regular, link):
        assert run("extract", "auth", inputs["chain.pem"], "-o", target).returncode == 2
        assert run("extract", "auth", inputs["chain.pem"], "-o", target, "--force").returncode == 0
        assert target.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
        assert not target.is_symlink()
    assert elsewhere.read_bytes() == b"not ours"  # the link was replaced, not followed

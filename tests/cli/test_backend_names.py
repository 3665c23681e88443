"""``appgw-certs backend``: the names the gateway is configured with, and the SNI ``--probe``
sends (the installed entry point, against a loopback backend choosing its certificate
by SNI, as a multi-site backend does)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers.cli import run
from helpers.pki import Issued, Pki, make_leaf, make_pki, pem
from helpers.tls_servers import PythonTLSServer, choosing_by_server_name, server_context

PROBE, SETTING, POOL = "probe.contoso.com", "setting.contoso.com", "pool.contoso.com"


@dataclass(frozen=True)
class Backend:
    """A live multi-site backend, its certificates by name (None: the default one), the
    SNIs it received, and files: the trusted root and each leaf as an authentication cert."""

    server: PythonTLSServer
    leaves: dict[str | None, Issued]
    seen: list[str | None]
    directory: Path

    @property
    def address(self) -> str:
        return f"{self.server.host}:{self.server.port}"

    def auth_cert(self, name: str | None) -> Path:
        path = self.directory / f"{name or 'default'}.cer"
        path.write_bytes(pem(self.leaves[name].cert))
        return path


def _leaf(pki: Pki, name: str, *ips: str) -> Issued:
    return make_leaf(pki.issuer, common_name=name, dns_names=(name,), ip_addresses=ips)


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    pki = make_pki(1, name="CLI Names")
    directory = tmp_path_factory.mktemp("names")
    (directory / "root.cer").write_bytes(pem(pki.root.cert))
    leaves: dict[str | None, Issued] = {name: _leaf(pki, name) for name in (PROBE, SETTING, POOL)}
    leaves[None] = _leaf(pki, "default.contoso.com", "127.0.0.1")
    chain = pki.chain_above_leaf()
    (directory / "default-chain.pem").write_bytes(pem(leaves[None].cert, *chain))
    by_name = {name: server_context(leaf, chain) for name, leaf in leaves.items() if name}
    seen: list[str | None] = []
    context = choosing_by_server_name(server_context(leaves[None], chain), by_name, seen)
    with PythonTLSServer(context) as server:
        yield Backend(server, leaves, seen, directory)


def _probe(backend: Backend, *options: str | Path) -> tuple[int, dict[str, object]]:
    """Exit status and JSON report of ``backend --probe`` with ``options``."""
    backend.seen.clear()
    result = run("backend", "--probe", backend.address, "--json", *options)
    assert result.returncode in (0, 1), result.output
    return result.returncode, json.loads(result.stdout)


def _details(report: dict[str, object]) -> dict[str, str]:
    details = report["details"]
    assert isinstance(details, dict)
    return details


V2 = ("--sku", "v2")


@pytest.mark.parametrize(
    ("options", "sni", "source"),
    [
        # custom probe > backend setting > backend pool (ssl-overview, probe traffic, v2)
        (("--probe-host-name", PROBE, "--host-name", SETTING, "--backend-address", POOL),
         PROBE, "the custom probe's host name"),
        (("--host-name", SETTING, "--backend-address", POOL), SETTING,
         "the backend setting's host name"),
        (("--host-name", SETTING, "--pick-host-name-from-backend-address", "--backend-address",
          POOL), POOL, "the backend address (pick host name from backend address)"),
        (("--backend-address", POOL), POOL, "the backend pool member"),
    ],
)  # fmt: skip
def test_probe_sends_the_name_the_gateway_resolves(
    backend: Backend, options: tuple[str, ...], sni: str, source: str
) -> None:
    status, report = _probe(backend, *V2, "--trusted-root", backend.directory / "root.cer",
                            *options)  # fmt: skip
    assert backend.seen == [sni]
    assert status == 0, report
    assert report["findings"] == []
    assert _details(report)["SNI"] == f"{sni} ({source})"


def test_a_probed_ip_is_the_pool_member_and_sends_no_sni(backend: Backend) -> None:
    """ "If the backend pool address is an IP address ... SNI won't be set"."""
    status, report = _probe(backend, *V2, "--trusted-root", backend.directory / "root.cer")
    assert backend.seen == [None]
    assert status == 0
    assert [f["code"] for f in report["findings"]] == ["BE009"]  # type: ignore[attr-defined,index]
    assert _details(report)["SNI"].startswith("none: '127.0.0.1' (the backend pool member)")


def test_v1_sends_the_pool_fqdn_whatever_the_host_names(backend: Backend) -> None:
    """ "In the V1 SKU, the probe Host value serves only as the host header. SNI comes from
    the backend pool FQDN." A v1 host override with a matching pool FQDN is healthy."""
    status, report = _probe(
        backend, "--sku", "Standard", "--auth-cert", backend.auth_cert(POOL),
        "--probe-host-name", PROBE, "--host-name", SETTING, "--backend-address", POOL,
    )  # fmt: skip
    assert backend.seen == [POOL]
    assert status == 0, report
    assert report["findings"] == []
    assert _details(report)["probe Host header"] == PROBE


def test_a_file_with_a_v1_host_override_is_judged_against_the_pool(backend: Backend) -> None:
    chain = backend.directory / "pool-chain.pem"
    chain.write_bytes(pem(backend.leaves[POOL].cert))
    auth = ("--sku", "WAF", "--auth-cert", backend.auth_cert(POOL), "--json")
    healthy = run("backend", chain, *auth, "--host-name", SETTING, "--backend-address", POOL)
    assert healthy.returncode == 0, healthy.output
    assert json.loads(healthy.stdout)["findings"] == []
    mismatch = run("backend", chain, *auth, "--host-name", POOL, "--backend-address", SETTING)
    assert mismatch.returncode == 1
    assert [f["code"] for f in json.loads(mismatch.stdout)["findings"]] == ["BE007"]


def test_no_name_at_all_says_the_names_went_unchecked(backend: Backend) -> None:
    chain = backend.directory / "default-chain.pem"
    result = run("backend", chain, "--sku", "Standard_v2", "--trusted-root",
                 backend.directory / "root.cer")  # fmt: skip
    assert result.returncode == 0, result.output  # a warning
    assert "BE009" in result.stdout
    assert "names went unchecked" in result.stdout


def test_help_names_the_options() -> None:
    result = run("backend", "--help")
    assert result.returncode == 0
    for option in ("--backend-address", "--host-name", "--probe-host-name",
                   "--pick-host-name-from-backend-address"):  # fmt: skip
        assert option in result.stdout

"""pytest fixtures for tests of code that handles Application Gateway certificates.

Registered with the ``pytest11`` entry point ``appgw_certs``, so pytest loads it
in any environment where ``appgw-certs`` and pytest are installed (the
``testing`` extra brings pytest); ``-p no:appgw_certs`` turns it off. Importing
it costs pytest and the standard library only: certificates, keys and sockets
are made the first time a fixture is used.

- ``appgw_chain``: a fresh :class:`~appgw_certs.TestChain` (EC P-256 by default),
  shaped by ``@pytest.mark.appgw_chain(...)`` or indirect parametrisation.
- ``appgw_backend``: an HTTPS server on loopback presenting that chain (or others
  by SNI), shaped by ``@pytest.mark.appgw_backend(...)``; an :class:`AppGwBackend`.
- ``appgw_gateway_json``: ``appgw_gateway_json(chain)`` is a v2 gateway's REST GET
  body whose listener serves ``chain`` and whose backend trusts its root.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ._testpki.build import TestChain

__all__ = ["AppGwBackend", "appgw_backend", "appgw_chain", "appgw_gateway_json"]

CHAIN_MARKER = "appgw_chain"
BACKEND_MARKER = "appgw_backend"
#: What ``appgw_chain`` builds when nothing says otherwise.
CHAIN_DEFAULTS: Mapping[str, object] = {
    "host_names": ("www.contoso.com",),
    "key_type": "ec-p256",
    "intermediates": 1,
}
_CHAIN_OPTIONS = (
    "host_names",
    "key_type",
    "intermediates",
    "valid_days",
    "not_before",
    "organization",
)
_BACKEND_OPTIONS = ("chain", "server_names", "require_client_cert", "client_ca", "host")


def pytest_configure(config: pytest.Config) -> None:
    """Register the markers, so that ``--strict-markers`` suites may use them."""
    config.addinivalue_line(
        "markers",
        f"{CHAIN_MARKER}(host_names=('www.contoso.com',), key_type='ec-p256', intermediates=1, "
        "valid_days=365, not_before=None, organization='appgw-certs test'): "
        "the TestChain the appgw_chain fixture builds (appgw-certs)",
    )
    config.addinivalue_line(
        "markers",
        f"{BACKEND_MARKER}(chain=None, server_names=(), require_client_cert=False, "
        "client_ca=None, host='127.0.0.1'): how the appgw_backend fixture serves (appgw-certs)",
    )


@dataclasses.dataclass(frozen=True)
class AppGwBackend:
    """A running loopback HTTPS backend, as the ``appgw_backend`` fixture yields it.

    Connect to ``(host, port)`` sending ``server_name`` as SNI (and checking it as
    the host name) to get :attr:`chain`; another name of :attr:`chains` gets that
    chain. Each connection is answered ``HTTP/1.1 200 OK`` to one request.

    .. versionadded:: 0.2.0
    """

    host: str
    port: int
    #: The name :attr:`chain`'s server certificate covers: send it as SNI.
    server_name: str
    #: The chain presented to clients sending ``server_name``, another name, or no SNI.
    chain: TestChain
    #: Every chain presented by SNI: ``server_name`` and each of ``server_names``.
    chains: Mapping[str, TestChain]
    #: Whose client certificates are required (None: none asked for).
    client_ca: TestChain | None
    #: Each SNI the server received, in order (``None``: a client sent none).
    seen_server_names: list[str | None] = dataclasses.field(repr=False)

    @property
    def address(self) -> str:
        """``host:port`` (``[::1]:port`` for IPv6), as ``appgw-certs backend --probe`` takes it."""
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def _options(request: pytest.FixtureRequest, marker: str, known: tuple[str, ...]) -> dict[str, Any]:
    """The marker's keyword options, farthest first so the closest wins, then the
    fixture's indirect parameter (a mapping of the same options) over them."""
    options: dict[str, Any] = {}
    for mark in reversed(list(request.node.iter_markers(marker))):
        if mark.args:
            pytest.fail(f"@pytest.mark.{marker} takes keyword options only", pytrace=False)
        options.update(mark.kwargs)
    param = getattr(request, "param", None)
    if isinstance(param, Mapping):
        options.update(param)
    elif param is not None and marker == CHAIN_MARKER:
        options["key_type"] = param  # parametrize("appgw_chain", ["ec-p256", "rsa2048"])
    elif param is not None:
        pytest.fail(f"{marker}: an indirect parameter must be a mapping of options", pytrace=False)
    unknown = sorted(set(options) - set(known))
    if unknown:
        pytest.fail(
            f"{marker}: unknown option(s) {', '.join(unknown)}; known: {', '.join(known)}",
            pytrace=False,
        )
    return options


def build_chain(options: Mapping[str, Any]) -> TestChain:
    """The chain ``appgw_chain`` builds from its options (see :data:`CHAIN_DEFAULTS`)."""
    # deferred: cryptography loads when a chain is first built, not with the plugin
    from ._testpki.build import build_test_chain

    settings = {**CHAIN_DEFAULTS, **options}
    hostnames = settings.pop("host_names")
    return build_test_chain(hostnames, **settings)


@pytest.fixture
def appgw_chain(request: pytest.FixtureRequest) -> TestChain:
    """A fresh test chain: root, intermediates and a server leaf (EC P-256 by default).

    >>> @pytest.mark.appgw_chain(key_type="rsa2048", intermediates=2, host_names=["api.test"])
    ... def test_it(appgw_chain): ...
    """
    return build_chain(_options(request, CHAIN_MARKER, _CHAIN_OPTIONS))


@pytest.fixture
def appgw_backend(request: pytest.FixtureRequest, appgw_chain: TestChain) -> Iterator[AppGwBackend]:
    """An HTTPS server on loopback presenting ``appgw_chain``; stopped after the test.

    >>> @pytest.mark.appgw_backend(server_names=["api.contoso.com"], require_client_cert=True)
    ... def test_it(appgw_backend): ...
    """
    options = _options(request, BACKEND_MARKER, _BACKEND_OPTIONS)
    # deferred: ssl servers and certificates load when a backend is first started
    from ._testpki.build import TestChain
    from ._testpki.gateway_json import server_name_of
    from ._testpki.server import LOOPBACK_V4, chain_server

    for name in ("chain", "client_ca"):
        if options.get(name) is not None and not isinstance(options[name], TestChain):
            pytest.fail(f"{BACKEND_MARKER}: {name} must be a TestChain", pytrace=False)
    if not isinstance(options.get("require_client_cert", False), bool):
        pytest.fail(f"{BACKEND_MARKER}: require_client_cert must be True or False", pytrace=False)
    chain: TestChain = options.get("chain") or appgw_chain
    named = _named_chains(chain, options.get("server_names", ()))
    chains = {**named, server_name_of(chain): chain}
    client_ca: TestChain | None = None
    if options.get("require_client_cert", False):
        client_ca = options.get("client_ca") or chain
    seen: list[str | None] = []
    server = chain_server(
        chain,
        chains,
        client_ca=None if client_ca is None else client_ca.client_ca_cer(),
        host=options.get("host", LOOPBACK_V4),
        seen=seen,
    )
    with server:
        yield AppGwBackend(
            host=server.host,
            port=server.port,
            server_name=server_name_of(chain),
            chain=chain,
            chains=chains,
            client_ca=client_ca,
            seen_server_names=seen,
        )


def _named_chains(chain: TestChain, names: Any) -> dict[str, TestChain]:
    """``server_names`` as chains: a listed name (or one mapped to None) gets a leaf of
    its own from ``chain``'s issuer; a name mapped to a TestChain gets that chain."""
    wanted: dict[str, TestChain | None] = (
        {names: None} if isinstance(names, str)
        else dict(names) if isinstance(names, Mapping)
        else dict.fromkeys(names)
    )  # fmt: skip
    return {
        name: given or dataclasses.replace(chain, server=chain.issue_server([name]))
        for name, given in wanted.items()
    }


@pytest.fixture
def appgw_gateway_json(
    request: pytest.FixtureRequest,
) -> Callable[..., dict[str, object]]:
    """A factory: ``appgw_gateway_json(chain)`` is a consistent v2 gateway (REST GET
    body) with an HTTPS listener on ``chain`` and a backend trusting its root; with
    no chain, ``appgw_chain``'s. ``name`` and ``sku`` (``Standard_v2``, ``WAF_v2``)
    are keyword options."""
    # deferred: cryptography loads when a gateway is first made
    from ._testpki.gateway_json import gateway_json

    def make(
        chain: TestChain | None = None, *, name: str = "appgw", sku: str = "Standard_v2"
    ) -> dict[str, object]:
        if chain is None:
            chain = request.getfixturevalue("appgw_chain")
        return gateway_json(chain, name=name, sku=sku)

    return make

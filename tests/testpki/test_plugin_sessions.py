"""The plugin inside whole pytest sessions (pytester, each in a fresh process, as a
user's suite runs): its markers under ``--strict-markers``, its errors, the backend
stopped after each test, and the session-scoped pattern the docs give."""

from __future__ import annotations

import subprocess
import sys

import pytest

# As its entry point would load it, whether or not an installed entry point exists.
PLUGIN = ("-p", "no:appgw_certs", "-p", "appgw_certs.pytest_plugin", "-p", "no:cacheprovider")
STRICT = ("-W", "error")


def test_markers_are_registered_for_strict_markers(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.appgw_chain(intermediates=0)
        @pytest.mark.appgw_backend(server_names=["api.contoso.com"])
        def test_marked(appgw_backend):
            assert appgw_backend.chain.intermediates == ()
        """
    )
    result = pytester.runpytest_subprocess("--strict-markers", *STRICT, *PLUGIN)
    result.assert_outcomes(passed=1)
    listed = pytester.runpytest_subprocess("--markers", *PLUGIN)
    listed.stdout.fnmatch_lines(["@pytest.mark.appgw_chain(*", "@pytest.mark.appgw_backend(*"])


def test_bad_options_fail_the_setup_with_a_message(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.appgw_chain(key_size=2048)
        def test_unknown(appgw_chain): ...

        @pytest.mark.appgw_chain("rsa2048")
        def test_positional(appgw_chain): ...

        @pytest.mark.parametrize("appgw_backend", [True], indirect=True)
        def test_not_a_mapping(appgw_backend): ...

        @pytest.mark.appgw_chain(intermediates=9)
        def test_library_refusal(appgw_chain): ...

        @pytest.mark.appgw_backend(chain="www.contoso.com")
        def test_not_a_chain(appgw_backend): ...

        @pytest.mark.appgw_backend(require_client_cert="yes")
        def test_not_a_bool(appgw_backend): ...
        """
    )
    result = pytester.runpytest_subprocess(*PLUGIN)
    result.assert_outcomes(errors=6)
    result.stdout.fnmatch_lines(
        [
            "*appgw_chain: unknown option(s) key_size; known: host_names, key_type*",
            "*@pytest.mark.appgw_chain takes keyword options only*",
            "*appgw_backend: an indirect parameter must be a mapping of options*",
            "*intermediates: must be between 0 and 5, not 9*",
            "*appgw_backend: chain must be a TestChain*",
            "*appgw_backend: require_client_cert must be True or False*",
        ]
    )


def test_backend_is_stopped_after_its_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import socket
        import threading

        import pytest

        PORTS = []

        def test_serving(appgw_backend):
            PORTS.append(appgw_backend.port)
            socket.create_connection((appgw_backend.host, appgw_backend.port), timeout=5).close()
            assert f"appgw-tls-{appgw_backend.port}" in {t.name for t in threading.enumerate()}

        def test_then_stopped():
            (port,) = PORTS
            assert f"appgw-tls-{port}" not in {t.name for t in threading.enumerate()}
            with pytest.raises(ConnectionRefusedError):
                socket.create_connection(("127.0.0.1", port), timeout=5).close()
        """
    )
    result = pytester.runpytest_subprocess(*STRICT, *PLUGIN)
    result.assert_outcomes(passed=2)


def test_a_session_scoped_chain_by_overriding_appgw_chain(pytester: pytest.Pytester) -> None:
    # The pattern of docs/test-chains.md: one chain for the session, a backend per test.
    pytester.makeconftest(
        """
        import pytest
        from appgw_certs import build_test_chain

        @pytest.fixture(scope="session")
        def appgw_chain():
            return build_test_chain(["www.contoso.com"], key_type="rsa2048")
        """
    )
    pytester.makepyfile(
        """
        import pathlib

        def record(chain):
            with pathlib.Path(__file__).with_name("serials.txt").open("a") as out:
                out.write(f"{chain.root.certificate.serial_number}\\n")

        def test_one(appgw_backend):
            record(appgw_backend.chain)

        def test_two(appgw_backend, appgw_chain):
            assert appgw_backend.chain is appgw_chain
            record(appgw_chain)
        """
    )
    result = pytester.runpytest_subprocess(*STRICT, *PLUGIN)
    result.assert_outcomes(passed=2)
    serials = (pytester.path / "serials.txt").read_text().split()
    assert len(serials) == 2
    assert len(set(serials)) == 1


def test_importing_the_plugin_costs_only_pytest() -> None:
    # Every pytest session of every user with appgw-certs installed imports it.
    code = (
        "import sys, appgw_certs.pytest_plugin\n"
        "heavy = ('cryptography', 'OpenSSL', 'hypothesis', 'ssl', 'appgw_certs._testpki')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert loaded.stdout.strip() == "[]"

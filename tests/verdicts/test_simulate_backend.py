"""check_backend: each backend-health verdict, in the gateway's words.

Chains are made here with plain cryptography; a live backend is read with
fetch_presented_chain from ``openssl s_server``; real-world certificates come
from cryptography_vectors and the well-known store from certifi.
"""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import cryptography_vectors
import pytest
from cryptography import x509

from appgw_certs import Report, TrustStore, check_backend, fetch_presented_chain
from appgw_certs._verdicts.backend import (
    MSG_CN_MISMATCH_V1,
    MSG_CN_MISMATCH_V2,
    MSG_EXPIRED,
    MSG_INTERMEDIATE_MISSING,
    MSG_INTERMEDIATE_NOT_SIGNED,
    MSG_INTERMEDIATE_NOT_WELL_KNOWN,
    MSG_LEAF_MISSING,
    MSG_LEAF_NOT_TOPMOST,
    MSG_NOT_WELL_KNOWN,
    MSG_NOT_WHITELISTED,
    MSG_ROOT_MISMATCH,
)
from helpers.pki import (
    EXPIRED,
    NOT_YET_VALID,
    Issued,
    Pki,
    Validity,
    make_ca,
    make_leaf,
    make_pki,
    pem,
)
from helpers.tls_servers import LOOPBACK_V4, OpenSSLServer

HOST = "www.contoso.com"


@pytest.fixture(scope="module")
def pki() -> Pki:
    return make_pki(2)


@pytest.fixture(scope="module")
def leaf(pki: Pki) -> Issued:
    return make_leaf(pki.issuer, dns_names=(HOST, "*.apps.contoso.com"))


def _v2(presented: object, roots: object = None, **kwargs: object) -> Report:
    options: dict[str, object] = {"sku": "Standard_v2", "host_name": HOST}
    if roots is not None:
        options["trusted_roots"] = roots
    options.update(kwargs)
    return check_backend(presented, **options)  # type: ignore[arg-type]


def _only(report: Report, code: str) -> str:
    """The message of the one error, which must have ``code``."""
    assert [f.code for f in report.errors] == [code], str(report)
    return report.errors[0].message


# -- chain order and completeness --------------------------------------------------


@pytest.mark.parametrize("send_root", [False, True])
def test_complete_chain_passes(pki: Pki, leaf: Issued, send_root: bool) -> None:
    presented = [leaf.cert, *pki.chain_above_leaf()] + ([pki.root.cert] if send_root else [])
    report = _v2(presented, [pki.root.cert])
    assert report.ok, str(report)
    assert report.findings == ()


def test_inputs_as_pem_bytes_and_files(pki: Pki, leaf: Issued, tmp_path: Path) -> None:
    chain_file = tmp_path / "fullchain.pem"
    chain_file.write_bytes(pem(leaf.cert, *pki.chain_above_leaf()))
    root_file = tmp_path / "root.cer"
    root_file.write_bytes(pem(pki.root.cert))
    assert _v2(chain_file, [root_file]).ok
    # One source instead of an iterable of sources is one upload, not its bytes.
    assert _v2(chain_file.read_bytes(), root_file.read_bytes()).ok
    assert _v2(chain_file.read_text(), pki.root.cert).ok


def test_leaf_only_misses_the_intermediate(pki: Pki, leaf: Issued) -> None:
    report = _v2([leaf.cert], [pki.root.cert])
    assert _only(report, "BE003") == MSG_INTERMEDIATE_MISSING
    assert report.errors[0].certificate == leaf.cert.subject.rfc4514_string()


def test_leaf_not_topmost(pki: Pki, leaf: Issued) -> None:
    presented = [pki.chain_above_leaf()[0], leaf.cert, pki.chain_above_leaf()[1]]
    before = list(presented)
    message = _only(_v2(presented, [pki.root.cert]), "BE002")
    assert message.startswith(MSG_LEAF_NOT_TOPMOST)
    assert "#2" in message
    assert presented == before  # never reordered


def test_only_cas_presented_means_the_leaf_is_missing(pki: Pki) -> None:
    report = _v2([*pki.chain_above_leaf(), pki.root.cert], [pki.root.cert])
    assert _only(report, "BE001") == MSG_LEAF_MISSING


def test_nothing_presented_means_the_leaf_is_missing(pki: Pki) -> None:
    nothing: object
    for nothing in ([], b"", "  \n"):
        assert _only(_v2(nothing, [pki.root.cert]), "BE001") == MSG_LEAF_MISSING


def test_intermediates_out_of_order_are_reported_not_fixed(pki: Pki, leaf: Issued) -> None:
    int2, int1 = pki.chain_above_leaf()
    message = _only(_v2([leaf.cert, int1, int2], [pki.root.cert]), "BE003")
    assert message.startswith(MSG_INTERMEDIATE_MISSING)
    assert "not right after" in message


def test_unreadable_chain_is_a_finding_not_an_exception(pki: Pki) -> None:
    report = _v2(b"-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
    assert report.codes == {"GEN001"}
    roots_report = _v2([make_leaf(pki.issuer).cert], [b"garbage"])
    assert "GEN001" in roots_report.codes


# -- trust anchors -----------------------------------------------------------------------


def test_root_sent_but_another_root_uploaded(pki: Pki, leaf: Issued) -> None:
    presented = [leaf.cert, *pki.chain_above_leaf(), pki.root.cert]
    renewed = make_ca("Test Root")  # same name, new key: a root renewed
    assert _only(_v2(presented, [renewed.cert]), "BE004") == MSG_ROOT_MISMATCH


def test_intermediate_not_signed_by_an_uploaded_root(pki: Pki, leaf: Issued) -> None:
    presented = [leaf.cert, *pki.chain_above_leaf()]
    report = _v2(presented, [make_ca("Another Root").cert])
    assert _only(report, "BE005") == MSG_INTERMEDIATE_NOT_SIGNED
    assert report.errors[0].certificate == pki.intermediates[0].cert.subject.rfc4514_string()


def test_no_trusted_root_at_all_says_so(pki: Pki, leaf: Issued) -> None:
    report = _v2([leaf.cert, *pki.chain_above_leaf()])
    _only(report, "BE005")
    assert "No trusted root" in report.errors[0].hint


def test_well_known_store_that_holds_the_root(pki: Pki, leaf: Issued) -> None:
    store = TrustStore([pki.root.cert])
    presented = [leaf.cert, *pki.chain_above_leaf()]
    assert _v2(presented, use_well_known=True, store=store).ok
    report = _v2(presented, use_well_known=True, store=store)
    assert "approximation" in dict(report.details)["trust anchors"]


def test_well_known_store_without_the_root(pki: Pki, leaf: Issued) -> None:
    store = TrustStore([make_ca("Public Root").cert])
    presented = [leaf.cert, *pki.chain_above_leaf()]
    intermediate = _only(_v2(presented, use_well_known=True, store=store), "BE006")
    assert intermediate == MSG_INTERMEDIATE_NOT_WELL_KNOWN
    with_root = _v2([*presented, pki.root.cert], use_well_known=True, store=store)
    assert _only(with_root, "BE006") == MSG_NOT_WELL_KNOWN


def test_real_world_chain_whose_root_left_mozillas_store() -> None:
    """www.cryptography.io (2014): RapidSSL under GeoTrust Global CA, no longer in certifi."""
    with cryptography_vectors.open_vector_file("x509/cryptography.io.chain.pem", "rb") as f:
        chain = x509.load_pem_x509_certificates(f.read())
    when = datetime(2016, 1, 1, tzinfo=UTC)
    report = check_backend(
        chain, sku="WAF_v2", host_name="www.cryptography.io", use_well_known=True, now=when
    )
    assert _only(report, "BE006") == MSG_INTERMEDIATE_NOT_WELL_KNOWN
    # Uploading the chain's own intermediate's issuer is what the hint asks for; with
    # the intermediate itself as anchor OpenSSL (no partial chains) would refuse too.
    report = check_backend(chain, sku="v2", host_name="www.cryptography.io", now=when)
    assert "BE005" in report.codes


def test_self_signed_ca_served_directly_passes_when_uploaded() -> None:
    root = make_ca("Backend Self-Signed CA")
    assert _v2([root.cert], [root.cert], host_name=None).ok


# -- host names ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "covered"),
    [
        (HOST, True),
        ("WWW.CONTOSO.COM.", True),
        ("a.apps.contoso.com", True),
        ("apps.contoso.com", False),
        ("x.a.apps.contoso.com", False),
        ("contoso.com", False),
    ],
)
def test_host_against_san_with_rfc6125_wildcards(
    pki: Pki, leaf: Issued, host: str, covered: bool
) -> None:
    report = _v2([leaf.cert, *pki.chain_above_leaf()], [pki.root.cert], host_name=host)
    if covered:
        assert report.ok, str(report)
    else:
        assert _only(report, "BE007").startswith(MSG_CN_MISMATCH_V2)
        assert host in report.errors[0].message


def test_cn_counts_only_without_san(pki: Pki) -> None:
    chain = pki.chain_above_leaf()
    cn_only = make_leaf(pki.issuer, common_name=HOST, san=False)
    assert _v2([cn_only.cert, *chain], [pki.root.cert]).ok
    cn_and_san = make_leaf(pki.issuer, common_name=HOST, dns_names=("other.contoso.com",))
    _only(_v2([cn_and_san.cert, *chain], [pki.root.cert]), "BE007")


@pytest.mark.parametrize("host", [None, "", " "])
def test_no_name_means_no_sni_and_says_the_names_went_unchecked(pki: Pki, host: str | None) -> None:
    backend = make_leaf(pki.issuer, dns_names=("elsewhere.contoso.com",))
    report = _v2([backend.cert, *pki.chain_above_leaf()], [pki.root.cert], host_name=host)
    assert report.ok, str(report)  # a warning, not an error
    assert [f.code for f in report.warnings] == ["BE009"]
    assert "names went unchecked" in report.warnings[0].message
    assert dict(report.details)["SNI"] == "none: no name is set"


@pytest.mark.parametrize("host", ["10.0.0.4", "[::1]"])
def test_an_ip_means_no_sni(pki: Pki, host: str) -> None:
    backend = make_leaf(pki.issuer, ip_addresses=("10.0.0.4", "::1"))
    report = _v2([backend.cert, *pki.chain_above_leaf()], [pki.root.cert], host_name=host)
    assert report.ok, str(report)  # a warning, not an error
    assert [f.code for f in report.warnings] == ["BE009"]
    assert dict(report.details)["SNI"].startswith(f"none: {host!r} (the backend setting's")


def test_ip_host_not_in_the_certificate(pki: Pki, leaf: Issued) -> None:
    report = _v2([leaf.cert, *pki.chain_above_leaf()], [pki.root.cert], host_name="10.0.0.4")
    assert report.codes == {"BE007", "BE009"}


# -- expiry ----------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["leaf", "intermediate", "root-sent", "root-uploaded"])
@pytest.mark.parametrize("dates", [EXPIRED, NOT_YET_VALID], ids=["expired", "not-yet"])
def test_every_certificate_of_the_chain_is_dated(which: str, dates: Validity) -> None:
    def when(role: str) -> Validity:
        return dates if which.startswith(role) else Validity()

    root = make_ca("Dated Root", validity=when("root"))
    intermediate = make_ca("Dated CA", root, validity=when("intermediate"))
    backend = make_leaf(intermediate, validity=when("leaf"))
    presented = [backend.cert, intermediate.cert] + ([root.cert] if which == "root-sent" else [])
    report = _v2(presented, [root.cert])
    message = _only(report, "GEN002")
    assert message.startswith(MSG_EXPIRED)
    dated = {"leaf": backend, "intermediate": intermediate}.get(which, root)
    assert report.errors[0].certificate == dated.cert.subject.rfc4514_string()


def test_now_is_injectable(pki: Pki, leaf: Issued) -> None:
    presented = [leaf.cert, *pki.chain_above_leaf()]
    later = leaf.cert.not_valid_after_utc.replace(year=leaf.cert.not_valid_after_utc.year + 1)
    assert _v2(presented, [pki.root.cert], now=later).codes == {"GEN002"}
    with pytest.raises(ValueError, match="timezone"):
        _v2(presented, [pki.root.cert], now=datetime(2026, 1, 1))  # noqa: DTZ001


# -- v1 -----------------------------------------------------------------------------------


def _v1(presented: object, allowed: object, pool: str | None = "leaf") -> Report:
    """v1: ``pool`` is the backend pool member, whose FQDN the CN must match."""
    return check_backend(
        presented,  # type: ignore[arg-type]
        sku="Standard",
        backend_address=pool,
        authentication_certs=allowed,  # type: ignore[arg-type]
    )


def test_v1_allow_listed_leaf_passes_without_any_chain(pki: Pki, leaf: Issued) -> None:
    # v1 ignores signatures: the leaf alone, its CAs nowhere, still passes.
    assert _v1([leaf.cert], [leaf.cert]).ok


def test_v1_needs_the_exact_leaf(pki: Pki, leaf: Issued) -> None:
    sibling = make_leaf(pki.issuer, dns_names=(HOST,))
    assert _only(_v1([sibling.cert], [leaf.cert]), "BE008") == MSG_NOT_WHITELISTED
    # The root or the intermediate uploaded instead of the leaf: not the leaf either.
    _only(_v1([leaf.cert, *pki.chain_above_leaf()], [pki.root.cert]), "BE008")


def test_v1_compares_the_cn_only(pki: Pki) -> None:
    backend = make_leaf(pki.issuer, common_name="*.contoso.com", dns_names=("backend.internal",))
    assert _v1([backend.cert], [backend.cert], pool=HOST).ok
    assert _only(_v1([backend.cert], [backend.cert], pool="backend.internal"), "BE007") \
        .startswith(MSG_CN_MISMATCH_V1)  # fmt: skip


def test_v1_checks_the_leafs_dates_only() -> None:
    root = make_ca("Old Root", validity=EXPIRED)
    backend = make_leaf(root)
    assert _v1([backend.cert, root.cert], [backend.cert]).ok
    expired = make_leaf(root, validity=EXPIRED)
    assert _only(_v1([expired.cert], [expired.cert]), "GEN002").startswith(MSG_EXPIRED)


def test_slots_that_the_sku_does_not_have(pki: Pki, leaf: Issued) -> None:
    presented = [leaf.cert, *pki.chain_above_leaf()]
    v2 = _v2(presented, [pki.root.cert], authentication_certs=[leaf.cert])
    assert _only(v2, "GEN006")
    v1 = check_backend(
        presented, sku="WAF", host_name="leaf", authentication_certs=[leaf.cert],
        trusted_roots=[pki.root.cert],
    )  # fmt: skip
    assert _only(v1, "GEN006")


def test_unknown_sku_is_a_value_error(leaf: Issued) -> None:
    with pytest.raises(ValueError, match="Standard_v2"):
        check_backend([leaf.cert], sku="Premium")


# -- a live backend ------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["full", "leaf-only"])
def test_live_backend_read_and_judged(openssl: str, pki: Pki, leaf: Issued, case: str) -> None:
    chain = pki.chain_above_leaf() if case == "full" else []
    with OpenSSLServer(openssl, leaf, chain) as server:
        presented = fetch_presented_chain(LOOPBACK_V4, server.port, server_name=HOST)
    report = check_backend(presented, sku="v2", host_name=HOST, trusted_roots=[pki.root.cert])
    assert report.ok is (case == "full"), str(report)
    assert report.codes == (set() if case == "full" else {"BE003"})


# -- openssl's own client as the oracle --------------------------------------------------

S_CLIENT_CASES = ["full", "leaf-only", "wrong-root", "wrong-host", "expired-leaf", "root-sent"]


@pytest.mark.parametrize("case", S_CLIENT_CASES)
def test_verdict_equals_openssl_s_client(openssl: str, pki: Pki, tmp_path: Path, case: str) -> None:
    """``openssl s_server`` presents, ``openssl s_client -verify_return_error`` judges."""
    validity = EXPIRED if case == "expired-leaf" else Validity()
    backend = make_leaf(pki.issuer, dns_names=(HOST,), validity=validity)
    chain = [] if case == "leaf-only" else pki.chain_above_leaf()
    chain += [pki.root.cert] if case == "root-sent" else []
    root = make_ca("Test Root") if case == "wrong-root" else pki.root
    host = "other.contoso.com" if case == "wrong-host" else HOST
    (tmp_path / "root.pem").write_bytes(pem(root.cert))
    with OpenSSLServer(openssl, backend, chain) as server:
        result = subprocess.run(
            [openssl, "s_client", "-connect", f"{LOOPBACK_V4}:{server.port}",
             "-servername", host, "-verify_hostname", host, "-verify_return_error",
             "-CAfile", str(tmp_path / "root.pem"), "-no-CApath", "-no-CAstore"],
            input=b"", capture_output=True, timeout=10, check=False,
        )  # fmt: skip
        presented = fetch_presented_chain(LOOPBACK_V4, server.port, server_name=host)
    openssl_ok = result.returncode == 0 and b"Verify return code: 0 (ok)" in result.stdout
    report = check_backend(presented, sku="v2", host_name=host, trusted_roots=[root.cert])
    assert report.ok is openssl_ok, (case, result.stdout[-400:], str(report))
    assert openssl_ok is (case in ("full", "root-sent"))

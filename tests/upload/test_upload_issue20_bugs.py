"""Regressions from the issue about the command line and reports: the upload checks."""

from __future__ import annotations

import pytest

from appgw_certs import Report, check_upload
from appgw_certs._findings.sku import Sku, Slot
from appgw_certs._upload.check import inspect_upload
from helpers.check import NOW, PASSWORD, OpenSSL, Pki


@pytest.mark.parametrize("bare", ["www.contoso.com", b"www.contoso.com"])
def test_a_bare_host_name_raises_type_error_not_one_finding_per_character(
    ossl: OpenSSL, pki: Pki, bare: object
) -> None:
    data = ossl.pkcs12(key=pki.server.key, cert=pki.server.cert, chain=[pki.root.cert])
    with pytest.raises(TypeError, match=r"bare (str|bytes).*\['www\.contoso\.com'\]"):
        check_upload(
            "listener",
            data,
            sku="Standard_v2",
            password=PASSWORD,
            hostnames=bare,
            now=NOW,  # type: ignore[arg-type]
        )
    with pytest.raises(TypeError, match="hostnames"):
        inspect_upload(Slot.LISTENER, data, sku=Sku.STANDARD_V2, hostnames=bare)  # type: ignore[arg-type]
    # even when the file itself cannot be read, the argument error comes first
    with pytest.raises(TypeError, match="hostnames"):
        check_upload("listener", b"junk", sku="Standard_v2", hostnames=bare)  # type: ignore[arg-type]


def test_the_same_name_in_a_list_is_checked_as_one_name(ossl: OpenSSL, pki: Pki) -> None:
    data = ossl.pkcs12(key=pki.server.key, cert=pki.server.cert, chain=[pki.root.cert])

    def listener(hostnames: list[str] | tuple[str, ...]) -> Report:
        return check_upload(
            "listener", data, sku="Standard_v2", password=PASSWORD, hostnames=hostnames, now=NOW
        )

    covered = listener(["www.contoso.com"])
    assert "LST009" not in covered.codes
    other = listener(("other.example",))
    assert [f.code for f in other.findings].count("LST009") == 1

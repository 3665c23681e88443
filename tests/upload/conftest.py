"""Fixtures of the upload-check tests: one test PKI per module, openssl in a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.check import OpenSSL, Pki, make_pki


@pytest.fixture(scope="module")
def pki() -> Pki:
    return make_pki()


@pytest.fixture
def ossl(openssl: str, tmp_path: Path) -> OpenSSL:
    return OpenSSL(openssl, tmp_path)

"""Coverage-guided fuzzing of every loader and check, for long runs outside CI.

    pip install atheris
    python fuzz/fuzz_appgw_certs.py -max_total_time=600 fuzz/corpus

The contract under test: loaders raise only ``AppGwCertError`` subclasses;
checks and audits never raise; nothing takes longer than a second.
"""

from __future__ import annotations

import contextlib
import importlib
import pkgutil
import sys
import time

import atheris

with atheris.instrument_imports():
    import appgw_certs as ag

    # The package imports its modules lazily (PEP 562): import every one now,
    # inside this block, or coverage would see only __init__.
    for _module in pkgutil.walk_packages(ag.__path__, prefix="appgw_certs."):
        importlib.import_module(_module.name)

SLOTS = ("listener", "authentication", "trusted-root", "trusted-client-ca")
SKUS = ("Standard", "WAF", "Standard_v2", "WAF_v2", "Basic")


def _loaders(data: bytes) -> None:
    for load in (ag.load_certificates, ag.find_root, ag.extract_trusted_root):
        with contextlib.suppress(ag.AppGwCertError):
            load(data)
    with contextlib.suppress(ag.AppGwCertError):
        str(ag.describe(data))  # CertInfo reads its fields when looked at: look at all
    with contextlib.suppress(ag.AppGwCertError):
        ag.load_pfx(data, b"password")


def _checks(fdp: atheris.FuzzedDataProvider, data: bytes) -> None:
    slot = SLOTS[fdp.ConsumeIntInRange(0, len(SLOTS) - 1)]
    sku = SKUS[fdp.ConsumeIntInRange(0, len(SKUS) - 1)]
    ag.check_upload(slot, data, sku=sku, password="Secret123")
    ag.check_backend(data, sku=sku, host_name="www.contoso.com")
    with contextlib.suppress(ag.CertificateFormatError):
        ag.audit_gateway(data).to_json()  # to_json reads every description


def test_one_input(data: bytes) -> None:
    start = time.perf_counter()
    fdp = atheris.FuzzedDataProvider(data)
    _loaders(data)
    _checks(fdp, data)
    elapsed = time.perf_counter() - start
    if elapsed > 1.0:
        raise AssertionError(f"one input took {elapsed:.2f} s")


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()

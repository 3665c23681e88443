"""``check``, ``backend`` and ``client`` write the same kind of page as ``audit``:
each loads clean in Chromium and shows every finding, with scripts on and off."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from page_watch import serving, visible_codes, watch_page
from playwright.sync_api import Browser

from appgw_certs import build_test_chain
from helpers.cli import run

PASSWORD = "Secret123"
VERBS = {
    "check": (
        "check",
        "listener",
        "listener.pfx",
        "--sku",
        "Standard_v2",
        "--password",
        f"pass:{PASSWORD}",
    ),
    "backend": (
        "backend",
        "backend.pem",
        "--sku",
        "v2",
        "--host-name",
        "api.fabrikam.com",
        "--trusted-root",
        "root.cer",
    ),
    "client": ("client", "client.pem", "--client-ca", "ca.pem"),
}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A quickstart-like chain with something to report for each verb: a server leaf inside
    the warning window, a backend asked for a name it does not hold, an expired client."""
    folder = tmp_path_factory.mktemp("verbs")
    chain = build_test_chain(["www.contoso.com"], key_type="ec-p256", valid_days=20)
    (folder / "listener.pfx").write_bytes(chain.listener_pfx(PASSWORD))
    (folder / "backend.pem").write_bytes(chain.backend_chain_pem())
    (folder / "root.cer").write_bytes(chain.trusted_root_cer())
    (folder / "ca.pem").write_bytes(chain.client_ca_cer())
    long_ago = datetime.now(UTC) - timedelta(days=400)
    alice = chain.issue_client("alice@contoso.com", valid_days=30, not_before=long_ago)
    (folder / "client.pem").write_bytes(alice.cer())
    return folder


@pytest.mark.parametrize("verb", VERBS)
def test_each_verb_page_loads_clean_and_shows_its_findings(
    browser: Browser, inputs: Path, verb: str
) -> None:
    args = VERBS[verb]
    page_file = inputs / f"{verb}.html"
    html = run(*args, "--format", "html", "-o", page_file.name, cwd=inputs)
    as_json = run(*args, "--format", "json", cwd=inputs)
    assert html.returncode == as_json.returncode, html.output
    codes = Counter(f["code"] for f in json.loads(as_json.stdout)["findings"])
    assert codes
    with serving(page_file.read_bytes()) as served:
        for javascript in (True, False):
            watch = watch_page(browser, served.url, javascript=javascript)
            watch.assert_clean()
            assert watch.blocked == []
            assert Counter(visible_codes(watch.page)) == codes
            assert args[1] in watch.page.locator("h1").inner_text()
            watch.page.context.close()
        assert served.asked == ["/report.html", "/report.html"]

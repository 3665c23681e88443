"""The watchers are not blind: a page that lets injected markup through is caught.

Controls for the report test, on hand-written pages: an unescaped
``<img src=x onerror=alert(1)>`` without a policy opens a dialog and asks for
a resource; under ``default-src 'none'`` the browser refuses both and reports
the violations. If any watcher stopped working, the report test could pass on
a broken page; these would fail.
"""

from __future__ import annotations

import base64
import hashlib

import pytest
from page_watch import serving, watch_page
from playwright.sync_api import Browser
from realistic_gateway import IMG_NAME

STRICT = "default-src 'none'"


def _page(body: str, policy: str | None = None, script: str = "") -> bytes:
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy}">' if policy else ""
    tail = f"<script>{script}</script>" if script else ""
    head = f"<head>{meta}<title>t</title></head>"
    return f"<!DOCTYPE html><html>{head}<body>{body}{tail}</body></html>".encode()


def test_an_unescaped_name_runs_and_loads_without_a_policy(browser: Browser) -> None:
    with serving(_page(f"<p>{IMG_NAME}</p>")) as served:
        watch = watch_page(browser, served.url)  # the load event waits for the image's error
        assert watch.blocked == [served.url.replace("report.html", "x")]
        assert watch.dialogs == ["alert: 1"]
        assert served.asked == ["/report.html"]  # aborted before it left the browser
        watch.page.context.close()


def test_a_strict_policy_stops_it_and_the_violations_are_seen(browser: Browser) -> None:
    with serving(_page(f"<p>{IMG_NAME}</p><p><script>alert(1)</script></p>", STRICT)) as served:
        watch = watch_page(browser, served.url)
        violations = watch.csp_violations()
        assert any(v.startswith("img-src blocked") for v in violations), violations
        assert any(v.startswith("script-src-elem blocked inline") for v in violations), violations
        assert watch.dialogs == []
        assert watch.blocked == []  # refused by the policy before any request
        assert watch.console_errors  # Chromium logs each refusal
        with pytest.raises(AssertionError, match="CSP violations"):
            watch.assert_clean()
        watch.page.context.close()


def test_a_hash_allowed_script_runs_and_an_error_in_it_is_caught(browser: Browser) -> None:
    script = "document.title = 'ran'; undefinedFunction();"
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    policy = f"{STRICT}; script-src 'sha256-{digest}'"
    with serving(_page("<p>ok</p>", policy, script)) as served:
        watch = watch_page(browser, served.url)
        assert watch.page.title() == "ran"
        assert watch.csp_violations() == []
        assert len(watch.page_errors) == 1
        assert "undefinedFunction" in watch.page_errors[0]
        watch.page.context.close()

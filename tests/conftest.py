"""Shared test configuration: hypothesis profiles and oracle helpers."""

from __future__ import annotations

import os
import shutil

import pytest
from hypothesis import HealthCheck, settings

import appgw_certs.pytest_plugin

# A user's project of its own, run in its own virtual environment by its run.sh.
collect_ignore = ["plugin_example"]
# Whole pytest sessions for the plugin's tests (tests/testpki/test_plugin_sessions.py).
pytest_plugins = ["pytester"]

# CI machines have two cores and run tests in parallel: wall-clock deadlines
# would only measure the neighbours. Speed is measured in benchmarks/.
settings.register_profile(
    "default",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "ci",
    parent=settings.get_profile("default"),
    derandomize=True,
    print_blob=True,
)
settings.load_profile("ci" if os.environ.get("CI") else "default")

# tests/browser drives a real Chromium: collected only when asked for, so that the
# suite passes where no browser is installed (docs/dev/browser.md).
if not os.environ.get("APPGW_CERTS_BROWSER_TESTS"):
    collect_ignore.append("browser")


@pytest.fixture(scope="session")
def openssl() -> str:
    """Path of the openssl CLI, the oracle for file formats. Required, never skipped."""
    path = shutil.which("openssl")
    assert path, "the openssl CLI is required for the tests (apt-get install openssl)"
    return path


def pytest_configure(config: pytest.Config) -> None:
    """Load the package's pytest plugin under its entry point's name, unless the
    installed entry point (or ``-p``) already did: an install made before the entry
    point existed, or the source on PYTHONPATH, has none."""
    if not config.pluginmanager.is_registered(appgw_certs.pytest_plugin):
        config.pluginmanager.register(appgw_certs.pytest_plugin, "appgw_certs")

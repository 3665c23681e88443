"""The packaging promises: declared floors tested at ci/floors.txt, the changelog in step."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from appgw_certs import __version__

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
FLOORS = ROOT / "ci" / "floors.txt"


def _declared_floors() -> dict[str, Version]:
    """Each runtime dependency's ``>=`` floor, by canonical name."""
    floors: dict[str, Version] = {}
    for line in PYPROJECT["project"]["dependencies"]:
        requirement = Requirement(line)
        lower = [Version(s.version) for s in requirement.specifier if s.operator == ">="]
        assert len(lower) == 1, f"{line}: one '>=' floor, so that it can be tested"
        floors[canonicalize_name(requirement.name)] = lower[0]
    return floors


def _pinned() -> dict[str, Version]:
    pins: dict[str, Version] = {}
    for raw in FLOORS.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            requirement = Requirement(line)
            (spec,) = requirement.specifier
            assert spec.operator == "==", line
            pins[canonicalize_name(requirement.name)] = Version(spec.version)
    return pins


def test_every_runtime_dependency_has_a_floor_pinned_for_the_floor_run() -> None:
    declared, pinned = _declared_floors(), _pinned()
    assert declared, "no runtime dependencies read"
    assert {name: pinned.get(name) for name in declared} == declared


def test_the_test_vectors_are_pinned_with_the_floor_cryptography() -> None:
    # cryptography-vectors gains files with each release; the floor run reads its own.
    pinned = _pinned()
    assert pinned["cryptography-vectors"] == pinned["cryptography"]


def test_no_runtime_dependency_is_capped() -> None:
    # A cap keeps users from a dependency's security releases; the newest are tested.
    capped = [
        line
        for line in PYPROJECT["project"]["dependencies"]
        if any(s.operator in {"<", "<=", "==", "~=", "==="} for s in Requirement(line).specifier)
    ]
    assert capped == []


def test_the_unreleased_changelog_section_names_this_version() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    first = re.search(r"^## (.+)$", text, re.MULTILINE)
    assert first is not None
    assert first.group(1) == f"[{__version__}] - Unreleased"


def test_the_docs_changelog_includes_the_changelog_rather_than_copying_it() -> None:
    page = (ROOT / "docs" / "changelog.md").read_text(encoding="utf-8")
    assert re.fullmatch(r"```\{include\} \.\./CHANGELOG\.md\n```\n", page), page


def test_pyopenssl_is_required_before_python_3_13_only() -> None:
    # From 3.13 the probe reads the presented chain with ssl (docs/versions.md).
    (line,) = [
        line
        for line in PYPROJECT["project"]["dependencies"]
        if canonicalize_name(Requirement(line).name) == "pyopenssl"
    ]
    marker = Requirement(line).marker
    assert marker is not None
    assert marker.evaluate({"python_version": "3.11"})
    assert marker.evaluate({"python_version": "3.12"})
    assert not marker.evaluate({"python_version": "3.13"})
    assert not marker.evaluate({"python_version": "3.14"})

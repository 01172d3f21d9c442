"""The clinical core imports only the standard library and itself (STYLE.md "Layout")."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = (
    "screening/questionnaire.py",
    "screening/criteria.py",
    "screening/flags.py",
    "screening/study.py",
)
OWN = {"screening.questionnaire", "screening.criteria", "screening.study"}


def imported_modules(path: Path) -> list[str]:
    """Every module an `import` or `from ... import` in the file names."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    modules: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            modules.append("." * node.level + (node.module or ""))
    return modules


@pytest.mark.parametrize("name", DOMAIN)
def test_domain_module_imports_only_stdlib_and_own_rules_when_parsed(name: str) -> None:
    modules = imported_modules(ROOT / name)

    foreign = [
        module
        for module in modules
        if module not in OWN and module.split(".")[0] not in sys.stdlib_module_names
    ]
    assert modules
    assert foreign == []


def test_django_is_not_loaded_when_the_domain_is_imported() -> None:
    code = "import screening.questionnaire, screening.criteria, screening.flags, screening.study, sys; "
    code += "assert 'django' not in sys.modules, 'django imported'"

    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )

    assert done.returncode == 0, done.stderr

"""The package's floors (docs/architecture.md), kept by import-linter's
contracts in pyproject.toml and by two checks it has no contract for: no
private name imported from another module, and one home for atomic writes.

The contracts are run as CI runs them (`lint-imports`), on this checkout and
on a copy given one forbidden import each, to show they are not vacuous."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGE = ROOT / "briefgen"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(checkout):
    """lint-imports' exit code and report on a checkout (its pyproject.toml, its briefgen/)."""
    done = subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=checkout, capture_output=True, text=True,
                          timeout=120, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(checkout)})
    return done.returncode, done.stdout + done.stderr


def test_the_checkout_keeps_every_contract():
    code, report = lint_imports(ROOT)
    assert code == 0, report
    assert "Contracts: 4 kept, 0 broken." in report


BREACHES = {  # the module given the import, the import, the contract it breaks, what the report names
    "a writer imports the command line": (
        "writers/pdf.py", "from ..cli import main", "Floors: a module imports",
        "briefgen.writers.pdf -> briefgen.cli"),
    "the content floor imports a block type": (
        "content/charts.py", "from ..blocks import chart", "Floors: a module imports",
        "briefgen.content.charts -> briefgen.blocks.chart"),
    "the web writer imports the PDF writer": (
        "writers/web.py", "from . import pdf", "Output writers know nothing of each other",
        "briefgen.writers.web -> briefgen.writers.pdf"),
    "a block type imports another": (
        "blocks/table.py", "from . import figure", "Block types know nothing of each other",
        "briefgen.blocks.table -> briefgen.blocks.figure"),
    "cross-references import markdown again (the old cycle)": (
        "content/crossref.py", "from . import markdown", "No import cycles between the modules of a folder",
        "No cycles are allowed in briefgen.content"),
}


@pytest.mark.parametrize("breach", BREACHES, ids=list(BREACHES))
def test_a_forbidden_import_breaks_its_contract(tmp_path, breach):
    module, line, contract, named = BREACHES[breach]
    shutil.copytree(PACKAGE, tmp_path / "briefgen", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    target = tmp_path / "briefgen" / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}  # the breach\n", encoding="utf-8")
    code, report = lint_imports(tmp_path)
    assert code == 1, report
    broken = [text for text in report.splitlines() if text.endswith(" BROKEN")]
    # An upward import usually closes a cycle too (the floor above imports the one below).
    assert any(text.startswith(contract) for text in broken), report
    assert named in report, report


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path


def imported_module(node, module, path):
    """The absolute name an ImportFrom node imports from."""
    if not node.level:
        return node.module or ""
    package = module.split(".")
    package = package if path.name == "__init__.py" else package[:-1]
    base = package[:len(package) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def private_uses(module, path):
    """`from X import _name` and `X._name` (X another of our modules), in one module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found, our_modules = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source = imported_module(node, module, path)
            if not source.startswith("briefgen"):
                continue
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"{module}:{node.lineno}: from {source} import {alias.name}")
                our_modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            our_modules |= {alias.asname for alias in node.names if alias.name.startswith("briefgen") and alias.asname}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in our_modules \
                and node.attr.startswith("_") and not node.attr.startswith("__"):
            found.append(f"{module}:{node.lineno}: {node.value.id}.{node.attr}")
    return found


def test_no_module_uses_another_modules_private_names():
    found = [use for module, path in modules() for use in private_uses(module, path)]
    assert found == []


def test_the_private_name_check_finds_one(tmp_path):
    path = tmp_path / "serve.py"
    path.write_text("from .watch import _relevant\nfrom . import document\ndocument._resolve_theme()\n")
    assert private_uses("briefgen.build.serve", path) == [
        "briefgen.build.serve:1: from briefgen.build.watch import _relevant",
        "briefgen.build.serve:3: document._resolve_theme"]


def test_atomic_writes_have_one_home():
    """Write-then-rename of a file (os.replace) is written once, in util/atomic.py;
    every output, manifest, chart and cache entry goes through it."""
    callers = [f"{module}:{node.lineno}" for module, path in modules()
               for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
               if isinstance(node, ast.Attribute) and node.attr == "replace" and isinstance(node.value, ast.Name)
               and node.value.id == "os"]
    assert [caller.split(":")[0] for caller in callers] == ["briefgen.util.atomic"], callers

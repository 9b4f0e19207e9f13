"""Imports point down, and every module stands on its own.

1. `python -c "import caseflow.<module>"` works for every module: one subprocess forks a child per
   module from the state every such command starts in (only caseflow/__init__.py imported), so no
   module relies on another having been imported first.
2. No cycle between caseflow's packages in module-level imports (parsed with `ast`, nothing run). A
   package here is a top-level module (`caseflow.jobs`) or a subpackage (`caseflow.concerns`). The
   views and commands (routes, cli, the admin and API blueprints) are the top of the graph: only the
   app factory and the CLI registry may import them, and their own imports are not edges of the
   package graph (a view may import anything below it).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "caseflow"
# The views and commands: imported only by the app factory and the CLI registry.
ENTRY_POINTS = {"routes", "cli", "following", "admin", "health"}
FACTORIES = {"caseflow", "caseflow.cli", "caseflow.api"}

# `python -c "import caseflow.x"` always runs caseflow/__init__.py first, so the parent imports that
# (and the third-party libraries the app uses, found by a throwaway child) and forks a child per
# module: each child starts exactly where a fresh interpreter would, without paying for Flask again.
FORK_EACH = r"""
import importlib, os, sys, traceback
read, write = os.pipe()
if os.fork() == 0:
    for name in sys.argv[1:]:
        __import__(name)
    os.write(write, " ".join(m for m in list(sys.modules) if m.split(".")[0] != "caseflow").encode())
    os._exit(0)
os.close(write)
third_party = b"".join(iter(lambda: os.read(read, 65536), b"")).decode().split()
os.wait()
for name in third_party:
    try:
        importlib.import_module(name)
    except Exception:
        pass
import caseflow
failed = []
for name in sys.argv[1:]:
    pid = os.fork()
    if pid == 0:
        try:
            __import__(name)
        except BaseException:
            traceback.print_exc()
            os._exit(1)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    if status:
        failed.append(name)
print(" ".join(failed))
"""


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _is_entry_point(module: str) -> bool:
    return module.rsplit(".", 1)[-1] in ENTRY_POINTS or module.startswith("caseflow.api.")


def _package(module: str) -> str:
    return ".".join(module.split(".")[:2])


def module_imports(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Each module's imports of other caseflow modules made at import time (not inside functions).
    `from caseflow import dates` is an import of caseflow.dates, not of the app factory."""
    graph: dict[str, set[str]] = defaultdict(set)
    for module, path in modules.items():
        tree = ast.parse(path.read_text(), str(path))
        is_package = path.name == "__init__.py"
        statements = [s for s in ast.walk(tree) if isinstance(s, ast.Import | ast.ImportFrom)]
        nested = {
            id(s)
            for f in ast.walk(tree)
            if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
            for s in ast.walk(f)
            if isinstance(s, ast.Import | ast.ImportFrom)
        }
        for node in statements:
            if id(node) in nested:
                continue
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                base = node.module or ""
                if node.level:
                    anchor = module.split(".")[: len(module.split(".")) - node.level + (1 if is_package else 0)]
                    base = ".".join(anchor + ([node.module] if node.module else []))
                submodules = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in modules]
                targets = submodules if len(submodules) == len(node.names) else [base, *submodules]
            graph[module] |= {t for t in targets if t in modules and t != module}
    return graph


def package_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected sets of packages (Tarjan), each a cycle of package imports."""
    edges: dict[str, set[str]] = defaultdict(set)
    for source, targets in graph.items():
        if _is_entry_point(source) or source in FACTORIES:
            continue
        for target in targets:
            if _package(source) != _package(target):
                edges[_package(source)].add(_package(target))
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(edges[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(list(edges)):
        if node not in index:
            visit(node)
    return cycles


def test_every_module_imports_on_its_own():
    names = sorted(_modules())
    result = subprocess.run(
        [sys.executable, "-c", FORK_EACH, *names], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    failed = result.stdout.split()
    assert not failed, f"these modules fail to import on their own: {failed}\n{result.stderr[-3000:]}"


def test_no_cycle_between_packages():
    cycles = package_cycles(module_imports(_modules()))
    assert not cycles, f"package import cycles (a lower part must not import a higher one): {cycles}"


def test_only_the_app_factory_and_the_cli_import_views_and_commands():
    modules = _modules()
    graph = module_imports(modules)
    # Inside functions too: a service reaching for a view's helper is the cycle this prevents.
    wrong = sorted(
        (source, target)
        for source, path in modules.items()
        if source not in FACTORIES and not _is_entry_point(source)
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom) and node.module
        for target in [node.module]
        if target in modules and _is_entry_point(target)
    )
    assert not wrong, f"imports of views or commands outside the app factory and CLI: {wrong}"
    assert graph  # the parser found the imports at all


def test_the_cycle_check_finds_a_cycle():
    graph = {"caseflow.concerns.services": {"caseflow.notifications.services"}}
    assert package_cycles(graph) == []
    graph["caseflow.notifications.services"] = {"caseflow.concerns.services"}
    assert package_cycles(graph) == [["caseflow.concerns", "caseflow.notifications"]]
    # A view importing downward is no cycle; the view layer is the top.
    assert package_cycles({"caseflow.concerns.routes": {"caseflow.notifications.services"}, **graph}) != []
    assert package_cycles({"caseflow.concerns.routes": {"caseflow.notifications.services"}}) == []

"""The house keeps its layers (docs/ARCHITECTURE.md): imports point down, never in a circle.

Every import counts, a function-local one too: an import moved into a function to dodge a
circle is still a circle. A new module of ``ledger/`` or ``workflows/`` must be given a
layer below, so that its place is decided when it is written.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("ledger", "workflows", "app", "bench")

#: Which packages each package may import (besides itself): app → workflows → ledger.
MAY_IMPORT = {
    "ledger": set(),
    "workflows": {"ledger"},
    "app": {"workflows", "ledger", "config"},
    "bench": {"app", "workflows", "ledger", "config"},
}

#: The layers inside each core, lowest first; a module imports its own layer or those below.
LAYERS = {
    "ledger": [
        ("values", {"ledger", "ledger.base", "ledger.errors", "ledger.db", "ledger.retry", "ledger.scoring"}),
        ("tables", {"ledger.organisations", "ledger.users", "ledger.dimensions", "ledger.accounts", "ledger.books",
                    "ledger.projects", "ledger.vouchers", "ledger.totals", "ledger.triggers"}),
        ("rules", {"ledger.locks", "ledger.figures", "ledger.rules", "ledger.budget", "ledger.chain",
                   "ledger.purpose_lists"}),
        ("operations", {"ledger.posting", "ledger.allocations", "ledger.expenditures", "ledger.project_budgets",
                        "ledger.periods", "ledger.chart", "ledger.batches", "ledger.clerks", "ledger.yearend", "ledger.overrides",
                        "ledger.verify", "ledger.targets", "ledger.imports", "ledger.imports.batch",
                        "ledger.imports.cells", "ledger.imports.files", "ledger.imports.kinds"}),
        ("reports", {"ledger.reports", "ledger.reports.common", "ledger.reports.execution", "ledger.reports.export",
                     "ledger.reports.ledgers", "ledger.reports.timeline", "ledger.reports.trial_balance",
                     "ledger.beancount_export"}),
        ("registry", {"ledger.schema"}),
    ],
    "workflows": [
        ("values", {"workflows", "workflows.errors", "workflows.process", "workflows.household_codes",
                    "workflows.once"}),
        ("records", {"workflows.definitions", "workflows.events", "workflows.needs", "workflows.publicity",
                     "workflows.satisfaction", "workflows.evidence", "workflows.meetings", "workflows.plans",
                     "workflows.projects"}),
        ("rules", {"workflows.rules", "workflows.effects"}),
        ("operations", {"workflows.machine", "workflows.estimates", "workflows.emergency", "workflows.variants",
                        "workflows.timers"}),
        ("reports", {"workflows.figures", "workflows.evaluation", "workflows.diagram"}),
        ("registry", {"workflows.schema"}),
    ],
}


def _modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def import_graph() -> dict[str, set[str]]:
    """Each module of the packages and the project modules it imports, anywhere in its code."""
    modules = _modules()
    known = set(modules) | {"config"}

    def resolve(name: str) -> str | None:
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets |= {resolve(alias.name) for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join(parent + ([base] if base else []))
                targets |= {resolve(f"{base}.{alias.name}") for alias in node.names}
        graph[module] = {t for t in targets if t and t != module}
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other, directly or around (Tarjan's algorithm)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def layer_violations(graph: dict[str, set[str]], layers: dict[str, list]) -> list[str]:
    """Imports from a lower layer up to a higher one, and modules given no layer."""
    rank = {module: n for package in layers.values() for n, (_, members) in enumerate(package) for module in members}
    name = {module: layer for package in layers.values() for layer, members in package for module in members}
    problems = []
    for module in sorted(graph):
        package = module.split(".")[0]
        if package not in layers:
            continue
        if module not in rank:
            problems.append(f"{module} has no layer in tests/test_layers.py")
            continue
        for target in sorted(graph[module]):
            if target.split(".")[0] == package and target in rank and rank[target] > rank[module]:
                problems.append(f"{module} ({name[module]}) imports {target} ({name[target]})")
    return problems


def test_no_module_imports_itself_around_a_circle():
    assert circles(import_graph()) == []


def test_packages_import_downwards_only():
    wrong = [
        f"{module} imports {target}"
        for module, targets in import_graph().items()
        for target in targets
        if (p := module.split(".")[0]) != (q := target.split(".")[0]) and q not in MAY_IMPORT[p]
    ]
    assert wrong == []


def test_each_core_module_imports_only_its_layer_and_those_below():
    assert layer_violations(import_graph(), LAYERS) == []


def test_the_check_finds_a_circle_and_an_upward_import():
    graph = {"ledger.books": {"ledger.posting"}, "ledger.posting": {"ledger.books"}, "ledger.base": set()}
    assert circles(graph) == [["ledger.books", "ledger.posting"]]
    assert layer_violations(graph, LAYERS) == ["ledger.books (tables) imports ledger.posting (operations)"]

"""The package's layering, read from the source: who may import whom, and no import cycles.

Imports inside functions count as much as module-level ones: a lazy import hides a cycle, it does not remove it.
"""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "playground"
MODULES = {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): p
           for p in sorted(PACKAGE.rglob("*.py"))}

# What each part of the package may import from the rest of it (its own part always). Dependencies point one
# way: app -> viz, teaching, server -> engine -> config -> data. Config checks names against the registries of
# data.catalog and engine.models (as TensorFlow Playground's state.ts reads nn.ts's activations); models
# imports nothing of ours, so no cycle comes of it.
ALLOWED = {
    "data": set(),
    "config": {"data", "engine"},
    "engine": {"data", "config"},
    "server": set(),
    "viz": set(),
    "teaching": {"data", "config", "engine"},
    "app": {"data", "config", "engine", "server", "viz", "teaching"},
}


def _part(module: str) -> str:
    return module.split(".")[1] if module.count(".") else "playground"


def _external(path: Path) -> set[str]:
    """Top-level package names a module imports from outside playground (anywhere in the file)."""
    tree = ast.parse(path.read_text())
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module and not n.level}
    return {name.split(".")[0] for name in names}


def _internal(path: Path) -> set[str]:
    """The playground modules a module imports (from playground.x import y counts y when y is a module)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("playground.")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("playground"):
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                out.add(sub if sub in MODULES else node.module)
    return {m for m in out if m in MODULES and not MODULES[m].name == "__init__.py"}


GRAPH = {name: _internal(path) for name, path in MODULES.items()}


@pytest.mark.parametrize("name", [n for n in MODULES if _part(n) != "app"])
def test_only_the_app_part_talks_to_streamlit(name):
    assert "streamlit" not in _external(MODULES[name])


@pytest.mark.parametrize("name", list(MODULES))
def test_no_module_draws_with_plotly(name):
    assert "plotly" not in _external(MODULES[name])  # every chart is an ECharts option built as plain dicts (viz/)


@pytest.mark.parametrize("name", [n for n in MODULES if _part(n) in ALLOWED])
def test_dependencies_point_one_way(name):
    part = _part(name)
    wrong = {m for m in GRAPH[name] if _part(m) not in ALLOWED[part] | {part}}
    assert not wrong, f"{name} ({part}) may not import {sorted(wrong)}"


def _cycle() -> list[str] | None:
    """One import cycle among playground's modules, or None (depth-first search, white/grey/black)."""
    state, stack = {}, []

    def visit(node):
        state[node] = "grey"
        stack.append(node)
        for nxt in sorted(GRAPH[node]):
            if state.get(nxt) == "grey":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = "black"
        return None

    for node in sorted(GRAPH):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_cycle():
    assert _cycle() is None, " -> ".join(_cycle())


def test_the_checks_see_what_they_check():
    """The tests above would fail on a breach: the walk sees function-level imports and finds a planted cycle."""
    assert len(MODULES) > 30 and all(part in {_part(n) for n in MODULES} for part in ALLOWED)
    assert "streamlit" in _external(MODULES["playground.app.session"])
    assert "torch" in _external(MODULES["playground.engine.training"])
    planted = {"a": {"b"}, "b": {"c"}, "c": {"a"}}
    GRAPH.update(planted)
    try:
        assert _cycle() == ["a", "b", "c", "a"]
    finally:
        for key in planted:
            del GRAPH[key]


def test_the_settings_need_no_dataset_library():
    """Importing config (the settings table) loads neither torchvision nor scikit-learn: the catalog names its loaders."""
    import subprocess
    import sys

    code = "import sys, playground.config; print(sorted(m for m in ('torchvision', 'sklearn') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "[]", out.stdout + out.stderr

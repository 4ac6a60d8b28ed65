"""The package's layering, read from the source: only the ui*.py modules talk to Streamlit, and nothing draws with plotly."""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "playground"
MODULES = sorted(PACKAGE.glob("*.py"))


def _imports(path: Path) -> set[str]:
    """Top-level package names a module imports anywhere (module level or inside functions)."""
    tree = ast.parse(path.read_text())
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module and not n.level}
    return {name.split(".")[0] for name in names}


@pytest.mark.parametrize("path", [p for p in MODULES if not p.name.startswith("ui")], ids=lambda p: p.name)
def test_engine_and_chart_modules_never_import_streamlit(path):
    assert "streamlit" not in _imports(path)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_module_draws_with_plotly(path):
    assert "plotly" not in _imports(path)  # every chart is an ECharts option built as plain dicts (live_*.py)


def test_the_checks_see_what_they_check():
    assert len(MODULES) > 20 and "streamlit" in _imports(PACKAGE / "ui.py") and "torch" in _imports(PACKAGE / "training.py")

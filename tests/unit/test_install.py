"""The locked install: one lock both README commands install, the Cloud lock kept in step, its entry point."""
import importlib.metadata
import re
import sys
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy"))
import cloud_requirements  # noqa: E402

APP_LOCK, TEST_LOCK, CLOUD_LOCK = ROOT / "requirements.txt", ROOT / "tests" / "requirements.txt", ROOT / "deploy" / "requirements.txt"


def _pins(path: Path) -> dict[str, str]:
    return cloud_requirements.pins(path.read_text())


def _direct(path: Path) -> set[str]:
    """Names of the hand-edited top-level list's requirements (no options, no comments)."""
    lines = [line.split("#")[0].strip() for line in path.read_text().splitlines()]
    return {re.split(r"[=<>!~\[ ]", line)[0].lower() for line in lines if line and not line.startswith("-")}


def test_lock_pins_every_package_exactly_with_hashes():
    text = APP_LOCK.read_text()
    pins = _pins(APP_LOCK)
    assert _direct(ROOT / "requirements.in") <= set(pins)
    assert {"torch", "numpy", "pandas", "scikit-learn", "streamlit", "scipy", "pillow"} <= set(pins)
    entries = [b for b in re.split(r"\n(?=[A-Za-z0-9])", text) if re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*==", b)]
    assert len(entries) == len(pins) and all("--hash=sha256:" in b for b in entries)
    assert not re.search(r"^[A-Za-z0-9][^\n=]*(>=|<=|~=|>|<)", text, flags=re.MULTILINE)  # no ranges left


def test_test_lock_has_the_app_lock_plus_the_test_tools():
    app, tests = _pins(APP_LOCK), _pins(TEST_LOCK)
    assert {name: tests.get(name) for name in app} == app  # the same versions of every app package
    assert {"pytest", "playwright"} <= set(tests) - set(app)
    assert _direct(ROOT / "tests" / "requirements.in") <= set(tests)


def test_this_environment_is_the_lock():
    """What CI runs in is what the README's test command installed: every locked version, exactly."""
    wrong = {}
    for name, version in _pins(TEST_LOCK).items():
        try:
            installed = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            installed = None
        if (installed or "").split("+")[0] != version:  # a local build tag (torch 2.14.1+cpu) is the same release
            wrong[name] = (version, installed)
    assert not wrong


def test_readme_commands_install_the_locks():
    readme = (ROOT / "README.md").read_text()
    app_cmd = next(line for line in readme.splitlines() if "streamlit run streamlit_app.py" in line and "pip install" in line)
    test_cmd = next(line for line in readme.splitlines() if re.match(r"^python3 -m venv \.venv && .* -m pytest", line))
    assert "-r requirements.txt" in app_cmd and "-r tests/requirements.txt" in test_cmd
    assert ".in" not in app_cmd + test_cmd


def test_cloud_lock_is_the_main_lock_with_cpu_torch():
    assert CLOUD_LOCK.read_text() == cloud_requirements.render(APP_LOCK.read_text()), "run python deploy/cloud_requirements.py"
    app, cloud = _pins(APP_LOCK), _pins(CLOUD_LOCK)
    assert cloud["torch"] == app["torch"] + "+cpu" and cloud["torchvision"] == app["torchvision"] + "+cpu"
    dropped = set(app) - set(cloud)
    assert dropped and all(re.match(r"nvidia-|cuda-|triton", name) for name in dropped)
    assert {n: v for n, v in cloud.items() if n not in ("torch", "torchvision")} == {n: app[n] for n in cloud if n not in ("torch", "torchvision")}
    assert f"--extra-index-url {cloud_requirements.CPU_INDEX}" in CLOUD_LOCK.read_text().splitlines()
    assert not (ROOT / "deploy" / "pyproject.toml").exists() and not (ROOT / "deploy" / "uv.lock").exists()  # Cloud would read those first


def test_cloud_entry_point_runs_the_app():
    at = AppTest.from_file(str(ROOT / "deploy" / "streamlit_app.py"), default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "2-D playground"
    assert [b.label for b in at.button if b.key in ("train", "stop", "reset")] == ["Train", "Stop", "Reset"]

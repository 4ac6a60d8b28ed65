"""Entry point for Streamlit Community Cloud: the same app, installed from deploy/requirements.txt.

Cloud reads the dependency file from the entry point's folder first, so an app deployed with this
file gets the CPU build of PyTorch (about 1 GB installed, 218 MB resident after `import torch`)
instead of the CUDA build the repository root's lock installs (6.4 GB, 508 MB resident).
"""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # Streamlit puts this file's folder on the path, not the repository root
    sys.path.insert(0, str(ROOT))

from playground.app import navigation as ui_navigation  # noqa: E402

ui_navigation.run()

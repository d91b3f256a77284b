"""The repository's tools (tools/*.py) importable by these tests, as the tools run them."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

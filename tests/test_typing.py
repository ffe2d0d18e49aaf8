"""The package ships ``py.typed``: its type hints must check (``mypy tftrain_compat``, config in setup.cfg)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def test_mypy_is_clean_on_the_package() -> None:
    pytest.importorskip("mypy")
    result = subprocess.run([sys.executable, "-m", "mypy", "--no-incremental", "tftrain_compat"],
                            cwd=str(REPO), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-5000:]
    assert result.stdout.strip().splitlines()[-1].startswith("Success: no issues found")

"""The quality gate runs inside the test suite, so the README's one test command covers it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )


def test_ruff_check() -> None:
    result = _run("ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_on_the_engine() -> None:
    result = _run("mypy", "geo")
    assert result.returncode == 0, result.stdout + result.stderr


def test_engine_never_imports_streamlit() -> None:
    offenders = [p.name for p in (ROOT / "geo").glob("*.py") if "import streamlit" in p.read_text()]
    assert offenders == []

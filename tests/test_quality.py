"""The quality gate runs inside the test suite, so the README's one test command covers it."""

from __future__ import annotations

import ast
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


def test_mypy_on_the_engine_the_glue_and_the_pages() -> None:
    result = _run("mypy", "geo", "ui", "pages", "app.py")
    assert result.returncode == 0, result.stdout + result.stderr


def _imported_modules(path: Path) -> set[str]:
    """Every module a Python file imports, read from its syntax tree (nested imports too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_engine_never_imports_streamlit() -> None:
    files = sorted((ROOT / "geo").rglob("*.py"))
    assert len(files) > 20  # every module of every package under geo/
    offenders = [
        str(p.relative_to(ROOT))
        for p in files
        if any(m == "streamlit" or m.startswith("streamlit.") for m in _imported_modules(p))
    ]
    assert offenders == []


def test_the_import_guard_sees_every_form_of_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def f():\n    import streamlit.components.v1 as c\n"
        "from streamlit import session_state\nimport os, streamlit\n"
        "text = 'import streamlit'  # a string is not an import\n"
    )
    assert _imported_modules(sample) == {"streamlit.components.v1", "streamlit", "os"}


def _prints(path: Path) -> list[int]:
    """The lines of a Python file that call print()."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "print"
    ]


def test_only_the_command_line_module_prints() -> None:
    offenders = [
        f"{p.relative_to(ROOT)}:{line}"
        for p in sorted((ROOT / "geo").rglob("*.py"))
        if p != ROOT / "geo" / "cli.py"
        for line in _prints(p)
    ]
    assert offenders == []
    sample = ROOT / "geo" / "cli.py"
    assert _prints(sample)  # the guard sees the prints that are allowed


def test_every_command_line_parser_names_a_command_that_runs() -> None:
    import argparse

    from geo.cli import _RUN
    from geo.cli_arguments import build_parser

    named = set()

    def walk(parser: argparse.ArgumentParser) -> None:
        if parser.get_default("run"):
            named.add(parser.get_default("run"))
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub in action.choices.values():
                    walk(sub)

    walk(build_parser())
    assert len(named) == 15 and named == set(_RUN)


def _session_state_uses(path: Path) -> list[int]:
    """The lines of ``path`` that name ``session_state``: an attribute, a name, an import, or
    text holding the word (``getattr(st, "session_state")``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return sorted(
        node.lineno
        for node in ast.walk(tree)
        if (isinstance(node, ast.Attribute) and node.attr == "session_state")
        or (isinstance(node, ast.Name) and node.id == "session_state")
        or (isinstance(node, ast.ImportFrom) and any(a.name == "session_state" for a in node.names))
        or (isinstance(node, ast.Constant) and "session_state" in str(node.value))
    )


def test_the_session_state_guard_sees_every_form_of_use(tmp_path: Path) -> None:
    forms = [
        "import streamlit as st\nst.session_state['x'] = 1\n",
        "from streamlit import session_state as ss\nss['x'] = 1\n",
        "import streamlit as st\ngetattr(st, 'session_state')\n",
    ]
    for i, text in enumerate(forms):
        path = tmp_path / f"page_{i}.py"
        path.write_text(text, encoding="utf-8")
        assert _session_state_uses(path), text
    clean = tmp_path / "clean.py"
    clean.write_text("import streamlit as st\nst.title('x')\n", encoding="utf-8")
    assert _session_state_uses(clean) == []


def test_session_state_is_named_and_typed_in_one_module() -> None:
    home = ROOT / "ui" / "session.py"
    files = [ROOT / "app.py", *(ROOT / "ui").rglob("*.py"), *(ROOT / "pages").rglob("*.py")]
    offenders = [
        f"{p.relative_to(ROOT)}:{line}"
        for p in sorted(files)
        if p != home
        for line in _session_state_uses(p)
    ]
    assert offenders == []
    assert _session_state_uses(home)  # the guard sees the uses that are allowed

"""One store interface: ``open_store`` picks the back end, both back ends behave alike under the
same edits, and neither imports the other."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from geo.store import EditConflict, Store, open_store, postgis
from geo.store.edits import FileStore
from geo.store.postgis import PostgisStore
from geo.tables import load_dataset
from tests.pg import pg_server, pg_url  # noqa: F401 - fixtures
from tests.tables import FROZEN_CSV, copy_fixture

ROOT = Path(__file__).resolve().parent.parent
STORE = ROOT / "geo" / "store"
ALMATY = "2016-07-18-almaty-shooting"
COPY = "2026-12-04-almaty-copy"
NOTE = 'said "ten",\tthen\nmore \\ and \\N in \u0410\u043b\u043c\u0430\u0442\u044b \U0001f4f0'
SHIPPED_SUMMARY = (  # tests/fixtures/incidents.csv, row 34
    "A gunman attacked a police station and a KNB office in central Almaty, killing police "
    "officers and passers-by; the city went to a red terror alert. Sources disagree on "
    "whether he was killed or captured."
)
SHIPPED_SOURCES = ["000_b01b73891350e37e", "003_2f11906d63638778", "004_5f5978043113cffd"]


@pytest.mark.parametrize(
    "data",
    [
        "postgresql://atlas@localhost/x",
        "postgres://atlas@db.example:5433/atlas",
        "host=db.example dbname=atlas",
        "  service=atlas",
    ],
)
def test_open_store_gives_the_team_store_for_a_database(data: str) -> None:
    store = open_store(data)  # nothing is reached until it is asked: no server here
    assert isinstance(store, PostgisStore) and store.url == data


@pytest.mark.parametrize(
    "data",
    ["data/incidents.csv", Path("data/incidents.csv"), "exports/postgresql-dump.csv", "hostname=x"],
)
def test_open_store_gives_the_file_store_for_anything_else(data: str | Path) -> None:
    store = open_store(data)
    assert isinstance(store, FileStore) and store.path == Path(data)


def test_both_back_ends_are_a_store(tmp_path: Path) -> None:
    assert isinstance(open_store(tmp_path / "x.csv"), Store)
    assert isinstance(open_store("postgresql://atlas@localhost/x"), Store)
    assert not isinstance(object(), Store)


def _edits(store: Store) -> list[str]:
    """One sequence of edits on ``store``: an update of a shipped incident with fewer claims, a
    new incident with a claim, its deletion and the undo of both; then a new source. The
    actions recorded (change numbers left out)."""
    shipped = store.open(ALMATY)
    edit = store.save(
        {**shipped.values, "summary": "Edited by hand.", "killed_best": 4},
        version=shipped.version,
        who="a",
        claims=shipped.claims[:2],  # killed 3 and 5: 4 lies between
    )
    copy = {**shipped.values, "incident_id": COPY, "summary": "A copy.", "sources": ""}
    copy.update(killed_low=3, killed_best=3, killed_high=3)
    claim = {"source": SHIPPED_SOURCES[0], "paragraph": "1", "killed": "3", "note": NOTE}
    store.save(copy, version=None, who="b", claims=[claim])
    gone = store.delete(COPY, version=store.open(COPY).version, who="c")
    store.undo(gone.change_id, who="d")
    store.undo(edit.change_id, who="e")
    store.add_source({"source_id": "2026-12-04-wire", "title": "Wire", "kind": "news"}, who="f")
    return [c.action.split()[0] for c in store.history() if not c.action.startswith("import")]


def _team_store(url: str) -> Store:
    postgis.init_schema(url)
    postgis.import_dataset(url, load_dataset(FROZEN_CSV))
    return open_store(url)


def test_the_same_edits_give_the_same_records_in_files_and_in_the_team_store(
    tmp_path: Path,
    pg_url: str,  # noqa: F811
) -> None:
    files, team = open_store(copy_fixture(tmp_path)), _team_store(pg_url)
    for store in (files, team):
        assert _edits(store) == ["update", "add", "delete", "undo", "undo", "add-source"]
        back = store.open(ALMATY)  # the update undone: summary, best figure and claims
        assert (back.values["summary"], back.values["killed_best"]) == (SHIPPED_SUMMARY, 5)
        assert [c["source"] for c in back.claims] == SHIPPED_SOURCES
        assert back.version == 3  # shipped, updated, undone
        copy = store.open(COPY)  # added, deleted, brought back with its claim
        assert (copy.values["summary"], copy.values["killed_high"]) == ("A copy.", 3)
        expected = {"source": SHIPPED_SOURCES[0], "paragraph": "1", "killed": "3"}
        assert copy.claims == [{**expected, "wounded": "", "note": NOTE}]
        assert "2026-12-04-wire" in store.source_ids()
    assert files.open(ALMATY) == team.open(ALMATY)
    assert files.open(COPY).values == team.open(COPY).values
    assert files.open(COPY).claims == team.open(COPY).claims
    assert files.source_ids() == team.source_ids()


def test_an_incident_deleted_and_brought_back_never_takes_an_old_version_again(
    tmp_path: Path,
    pg_url: str,  # noqa: F811
) -> None:
    """Bob opens an incident; Alice edits it; Carol deletes it and Dan undoes the deletion.
    Bob's save, made on what he opened before Alice's edit, is refused in both stores."""
    for store in (open_store(copy_fixture(tmp_path)), _team_store(pg_url)):
        shipped = store.open(ALMATY)
        store.save({**shipped.values, "incident_id": COPY}, version=None, who="a")
        bob = store.open(COPY)
        alice = store.save({**bob.values, "target": "Alice's"}, version=bob.version, who="a")
        assert alice.new is not None and alice.new["target"] == "Alice's"
        gone = store.delete(COPY, version=store.open(COPY).version, who="c")
        store.undo(gone.change_id, who="d")
        with pytest.raises(EditConflict):
            store.save({**bob.values, "summary": "Bob's."}, version=bob.version, who="b")
        assert store.open(COPY).values["target"] == "Alice's"


def _imports(path: Path, package: str) -> set[str]:
    """Every module ``path`` (a module of ``package``) imports, nested and relative imports
    too (``from geo.store import postgis`` counts as ``geo.store.postgis``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(p for p in (base, node.module or "") if p)
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def _package(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).parts[:-1])


def _modules(path: Path) -> list[Path]:
    return [path] if path.is_file() else sorted(path.rglob("*.py"))


@pytest.mark.parametrize(
    ("importer", "imported"),
    [("edits.py", "geo.store.postgis"), ("postgis", "geo.store.edits")],
)
def test_neither_back_end_imports_the_other(importer: str, imported: str) -> None:
    files = _modules(STORE / importer)
    assert files
    found = {m for f in files for m in _imports(f, _package(f))}
    assert not {m for m in found if m == imported or m.startswith(imported + ".")}
    # Nor through anything they import: each loads without the other.
    module = "geo.store.edits" if importer == "edits.py" else "geo.store.postgis"
    code = f"import sys, {module}; print({imported!r} in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr


def test_the_import_guard_sees_relative_and_from_imports(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from .. import edits\nfrom geo.store import base\n")
    found = _imports(sample, "geo.store.postgis")
    assert {"geo.store.edits", "geo.store.base"} <= found
    assert _package(STORE / "postgis" / "read.py") == "geo.store.postgis"


def test_the_store_modules_and_functions_stay_small() -> None:
    long_modules, long_functions = [], []
    for path in _modules(STORE):
        text = path.read_text(encoding="utf-8")
        if text.count("\n") >= 600:
            long_modules.append(path.name)
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                assert node.end_lineno is not None
                if node.end_lineno - node.lineno + 1 > 60:
                    long_functions.append(f"{path.name}:{node.name}")
    assert (long_modules, long_functions) == ([], [])

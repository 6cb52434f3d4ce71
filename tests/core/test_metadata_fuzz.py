"""Fuzzing the metadata files: one field of practice.json or events.json at a time is
replaced by a value of another type, an edge date, or removed. Whatever the field, no
reader and no command ends in a traceback; the practice is at worst shown as damaged."""

from __future__ import annotations

import copy
import io
import json
from contextlib import redirect_stderr, redirect_stdout

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import NOW
from vecozo_tui.certificates import load_pkcs12
from vecozo_tui.cli.main import main
from vecozo_tui.clock import FixedClock
from vecozo_tui.config import load_config
from vecozo_tui.errors import VecozoError
from vecozo_tui.overview import build_overview
from vecozo_tui.repository import Actor, BackupRecord, Repository, TestCallRecord
from vecozo_tui.status import Level

PASSWORD = "fuzz-pass-1"
PRACTICE = "hap-zuid"
EDGE_DATES = [
    "0001-01-01T00:00:00+00:00", "0001-01-01T00:00:00+14:00", "0001-01-01T00:00:00-12:00",
    "9999-12-31T23:59:59+00:00", "9999-12-31T23:59:59-14:00", "9999-12-31T23:59:59+14:00",
    "2027-01-01T00:00:00", "2027-01-01", "2027-13-01T00:00:00+00:00", "", "yesterday",
    "2026-11-22T09:30:00+00:00",
]
VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=4), st.integers(),
                                                         max_size=2),
    st.sampled_from(EDGE_DATES),
)
DELETE = object()


def leaf_paths(value, prefix=()) -> list[tuple]:
    """Every key path in a JSON value, containers included."""
    paths = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            paths += leaf_paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            paths += leaf_paths(item, prefix + (index,))
    return paths


def replaced(document: dict, path: tuple, value) -> dict:
    result = copy.deepcopy(document)
    parent = result
    for part in path[:-1]:
        parent = parent[part]
    if value is DELETE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return result


@pytest.fixture(scope="module")
def world(tmp_path_factory, session_pki):
    directory = tmp_path_factory.mktemp("fuzz")
    clock = FixedClock(NOW)
    root = directory / "repository"
    repository = Repository.init(root, clock=clock, actor=Actor("t"))
    issued = session_pki.system()
    loaded = load_pkcs12(session_pki.pfx(issued, PASSWORD, name="fuzz.pfx").read_bytes(),
                         PASSWORD)
    repository.import_certificate(PRACTICE, loaded, PASSWORD, actor=Actor("t"))
    sha256 = loaded.info.sha256
    repository.record_backup(PRACTICE, BackupRecord(at=NOW, sha256=sha256, target="/media/usb",
                                                    verified=True), actor=Actor("t"))
    repository.record_test_call(PRACTICE, TestCallRecord(
        at=NOW, sha256=sha256, environment="test", ok=True, summary="COV answered"),
        actor=Actor("t"))
    repository.activate(PRACTICE, sha256, actor=Actor("t"))  # writes last_import_at
    config = directory / "config.toml"
    config.write_text(f'[repository]\npath = "{root}"\n\n[[practices]]\nid = "{PRACTICE}"\n'
                      'name = "Huisartsen Zuid"\nagb = "01234567"\nenvironment = "test"\n'
                      '\n[[practices]]\nid = "fysio-oost"\nname = "Fysio Oost"\n'
                      'agb = "04011111"\nenvironment = "test"\n', encoding="utf-8")
    practice_dir = root / "practices" / PRACTICE
    documents = {name: json.loads((practice_dir / name).read_text(encoding="utf-8"))
                 for name in ("practice.json", "events.json")}
    paths = [(name, path) for name, document in documents.items()
             for path in leaf_paths(document)]
    return World(repository=Repository(root, clock=clock), clock=clock,
                 config=load_config(config, {}), config_path=config,
                 practice_dir=practice_dir, documents=documents, paths=paths)


class World:
    def __init__(self, **parts) -> None:
        self.__dict__.update(parts)

    def __repr__(self) -> str:  # keeps Hypothesis' report of a failing case short
        return "World()"


# every way the fields are shown (JSON, text, plugin, metrics); argparse is the slow part
COMMANDS = [["list"], ["status", "--json"], ["show", PRACTICE], ["check"], ["metrics"]]


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_field_value_of_the_metadata_ends_in_a_traceback(world, data):
    name, path = data.draw(st.sampled_from(world.paths), label="field")
    value = data.draw(st.one_of(st.just(DELETE), VALUES), label="value")
    try:
        for document_name, document in world.documents.items():
            text = json.dumps(replaced(document, path, value) if document_name == name
                              else document)
            (world.practice_dir / document_name).write_text(text, encoding="utf-8")

        repository = world.repository
        for read in (repository.active, repository.history, repository.events):
            try:
                read(PRACTICE)
            except VecozoError:
                pass  # a clear message: what the field should be is not guessed
        rows = build_overview(world.config, repository, world.clock.now())
        by_id = {row.practice.id: row for row in rows}
        assert by_id["fysio-oost"].level is Level.NO_CERTIFICATE  # the other one: untouched
        json.dumps([row.to_dict() for row in rows])
        for argv in COMMANDS:
            with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
                code = main([argv[0], "--config", str(world.config_path), *argv[1:]],
                            clock=world.clock, env={})
            assert code in (0, 1, 2, 3), argv
    finally:
        for document_name, document in world.documents.items():
            (world.practice_dir / document_name).write_text(json.dumps(document),
                                                            encoding="utf-8")


TABLE = [DELETE, None, True, 0, -1, 2**64, 1e308, float("nan"), "", "x" * 300, [], {},
         [1, 2], {"a": 1}, *EDGE_DATES]


def test_every_field_with_every_odd_value_is_read_or_refused_clearly(world):
    """The table: each field of the metadata, one at a time, with each value of TABLE;
    the readers, the overview, the plugin output and the metrics (no argparse: fast)."""
    from vecozo_tui.monitoring import check_report, metrics_text, read_snapshot

    repository, now = world.repository, world.clock.now()
    seen = 0
    try:
        for name, path in world.paths:
            for value in TABLE:
                (world.practice_dir / name).write_text(
                    json.dumps(replaced(world.documents[name], path, value)), encoding="utf-8")
                for read in (repository.active, repository.history, repository.events):
                    try:
                        read(PRACTICE)
                    except VecozoError:
                        pass
                rows = build_overview(world.config, repository, now)
                json.dumps([row.to_dict() for row in rows])
                snapshot = read_snapshot(world.config, repository, now)
                check_report(snapshot, world.config.thresholds)
                metrics_text(snapshot, now)
                seen += 1
            (world.practice_dir / name).write_text(json.dumps(world.documents[name]),
                                                   encoding="utf-8")
    finally:
        for document_name, document in world.documents.items():
            (world.practice_dir / document_name).write_text(json.dumps(document),
                                                            encoding="utf-8")
    assert seen == len(world.paths) * len(TABLE)

"""SQLite writers queue on the writer lock file: one at a time, in order, and never stuck."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from sqlalchemy import create_engine, text

from caseflow.database import WriterLockedConnection, engine_options


@pytest.fixture
def engine(tmp_path):
    url = f"sqlite:///{tmp_path / 'w.db'}"
    engine = create_engine(url, **engine_options(url, {}))
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE log (who TEXT)"))
    yield engine
    engine.dispose()


def test_a_second_writer_waits_for_the_first_to_commit(engine):
    events = []
    first_in = threading.Event()

    def first():
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO log VALUES ('first')"))
            first_in.set()
            threading.Event().wait(0.2)
            events.append("first commits")

    def second():
        first_in.wait()
        with engine.begin() as conn:
            events.append("second begins")
            conn.execute(text("INSERT INTO log VALUES ('second')"))

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert events == ["first commits", "second begins"]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT who FROM log ORDER BY rowid")).scalars().all() == ["first", "second"]


def test_the_lock_is_released_on_rollback_and_a_held_lock_times_out(engine, tmp_path, monkeypatch):
    monkeypatch.setattr("caseflow.database.LOCK_TIMEOUT", 0.3)
    with engine.connect() as conn:
        conn.begin()
        conn.execute(text("INSERT INTO log VALUES ('gone')"))
        conn.rollback()
    other = sqlite3.connect(tmp_path / "w.db", factory=WriterLockedConnection)
    other.acquire_writer(timeout=1)  # free after the rollback
    try:
        with pytest.raises(sqlite3.OperationalError, match="database is locked"), engine.begin():
            pass
    finally:
        other.release_writer()
        other.close()


def test_memory_databases_take_no_lock_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    connection = sqlite3.connect(":memory:", factory=WriterLockedConnection)
    connection.acquire_writer()
    assert connection._writer_fd is None
    connection.release_writer()
    connection.close()
    assert list(tmp_path.iterdir()) == []  # no ":memory:-writer.lock" beside it


def test_a_background_writer_lets_a_waiting_writer_go_first(tmp_path, engine):
    """Between two chunks an import takes the lock as a background writer: a caseworker's write
    already waiting for the lock goes first, instead of racing the import for it."""
    importer = sqlite3.connect(tmp_path / "w.db", factory=WriterLockedConnection)
    caseworker = sqlite3.connect(tmp_path / "w.db", factory=WriterLockedConnection, check_same_thread=False)
    order = []
    importer.acquire_writer()  # a chunk is being written

    def save_a_concern():
        caseworker.acquire_writer()
        order.append("caseworker")
        caseworker.release_writer()

    thread = threading.Thread(target=save_a_concern)
    thread.start()
    for _ in range(10_000):  # until the caseworker is seen waiting
        if importer._others_waiting():
            break
        threading.Event().wait(0.001)
    importer.release_writer()  # the chunk commits
    importer.acquire_writer(background=True)  # the next chunk
    order.append("import")
    importer.release_writer()
    thread.join()
    assert order == ["caseworker", "import"]
    assert not importer._others_waiting()
    importer.close()
    caseworker.close()

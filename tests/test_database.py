"""SQLite writers queue on the writer lock file: one at a time, in order, and never stuck."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

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
            events.append("second reads")
            conn.execute(text("SELECT count(*) FROM log")).scalar()
            conn.execute(text("INSERT INTO log VALUES ('second')"))
            events.append("second wrote")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # The second transaction reads at once (a reader waits for nobody); its write waits its turn.
    assert events == ["second reads", "first commits", "second wrote"]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT who FROM log ORDER BY rowid")).scalars().all() == ["first", "second"]


def test_a_reader_never_waits_for_a_writer(engine, tmp_path, monkeypatch):
    """While an import's chunk holds the write lock, a page that only reads is served at once."""
    monkeypatch.setattr("caseflow.database.LOCK_TIMEOUT", 0.3)
    importer = sqlite3.connect(tmp_path / "w.db", factory=WriterLockedConnection)
    importer.acquire_writer()
    importer.execute("BEGIN IMMEDIATE")
    importer.execute("INSERT INTO log VALUES ('chunk')")
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM log")).scalar() == 0  # not yet committed
            conn.rollback()
        with pytest.raises(OperationalError, match="database is locked"), engine.begin() as conn:
            conn.execute(text("INSERT INTO log VALUES ('waits')"))
    finally:
        importer.commit()
        importer.close()


def test_a_write_after_reads_lands_though_another_writer_committed_between(engine):
    """SQLite refuses to turn a read into a write once another writer has committed since the
    read began (SQLITE_BUSY_SNAPSHOT): the first write begins a fresh write transaction instead,
    and sees what the other writer committed."""
    with engine.connect() as conn:
        conn.begin()
        assert conn.execute(text("SELECT count(*) FROM log")).scalar() == 0
        with engine.begin() as other:
            other.execute(text("INSERT INTO log VALUES ('other')"))
        conn.execute(text("INSERT INTO log VALUES ('mine')"))
        assert conn.execute(text("SELECT count(*) FROM log")).scalar() == 2
        conn.commit()


def test_a_savepoint_after_reads_rolls_back_only_its_part(engine):
    with engine.connect() as conn:
        conn.begin()
        conn.execute(text("SELECT count(*) FROM log")).scalar()
        conn.execute(text("INSERT INTO log VALUES ('kept')"))
        nested = conn.begin_nested()
        conn.execute(text("INSERT INTO log VALUES ('undone')"))
        nested.rollback()
        conn.commit()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT who FROM log")).scalars().all() == ["kept"]


def test_the_lock_is_released_on_rollback_and_a_held_lock_times_out(engine, tmp_path, monkeypatch):
    monkeypatch.setattr("caseflow.database.LOCK_TIMEOUT", 0.3)
    with engine.connect() as conn:
        conn.begin()
        conn.execute(text("INSERT INTO log VALUES ('gone')"))
        conn.rollback()
    other = sqlite3.connect(tmp_path / "w.db", factory=WriterLockedConnection)
    other.acquire_writer(timeout=1)  # free after the rollback
    try:
        with pytest.raises(OperationalError, match="database is locked"), engine.begin() as conn:
            conn.execute(text("INSERT INTO log VALUES ('waits')"))
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


def test_writers_copy_the_wal_back_into_the_database_file(engine, tmp_path, monkeypatch):
    """SQLite's automatic checkpoint is off on our connections (it ran inside a commit, under the
    writer lock); a writer checkpoints after releasing the lock instead, so the database file
    itself catches up and the WAL does not grow without end."""
    import shutil

    monkeypatch.setattr("caseflow.database.CHECKPOINT_EVERY", 0.0)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO log VALUES ('kept in the file')"))
    copy = tmp_path / "file-only.db"
    shutil.copyfile(tmp_path / "w.db", copy)  # the database file without its -wal
    plain = sqlite3.connect(copy)
    try:
        assert plain.execute("SELECT who FROM log").fetchall() == [("kept in the file",)]
    finally:
        plain.close()
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0

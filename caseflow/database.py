"""Engine behaviour per database.

SQLite: WAL, a 10 s busy timeout, synchronous=NORMAL, foreign keys, and BEGIN IMMEDIATE so that
concurrent writers queue on the lock instead of failing with "database is locked" on upgrade
from a read to a write lock (the SQLAlchemy pysqlite recipe).

Writers also take an advisory lock file (`<database>-writer.lock`) before BEGIN IMMEDIATE.
SQLite's own busy handler waits by sleeping in growing steps (up to 100 ms) and polling, so a
worker kept waiting behind a 10 ms transaction could sleep ten times that; a writer blocked on the
lock file is instead woken in about a millisecond after the other commits. SQLite's locking stays
the authority (other programs do not use the file); the file only orders our own writers. Writers
kept waiting also hold a shared lock on `<database>-writer.waiting`, so a background writer (an
import between two chunks, `begin_background`) lets them go first.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import time

from sqlalchemy import event
from sqlalchemy.engine import Engine

LOCK_TIMEOUT = 10.0
BACKGROUND_PATIENCE = 2.0  # seconds a background writer lets waiting writers go first, at most


class WriterLockedConnection(sqlite3.Connection):
    """A pysqlite connection that holds `<database>-writer.lock` from BEGIN to COMMIT/ROLLBACK."""

    def __init__(self, database, *args, **kwargs):
        path = os.fspath(database)
        file_backed = path not in ("", ":memory:") and not path.startswith("file:")  # URIs: SQLite's lock only
        if file_backed and not os.path.exists(path):
            # Owner-only from the start; SQLite gives the -wal and -shm files the database's mode.
            os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
        super().__init__(database, *args, **kwargs)
        self._writer_fd = os.open(path + "-writer.lock", os.O_RDWR | os.O_CREAT, 0o600) if file_backed else None
        # Writers kept waiting hold a shared lock on this file while they wait, so a background
        # writer (an import between its chunks) can see them and let them go first.
        self._waiting_fd = os.open(path + "-writer.waiting", os.O_RDWR | os.O_CREAT, 0o600) if file_backed else None
        self._writer_held = False

    def _others_waiting(self) -> bool:
        try:
            fcntl.flock(self._waiting_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(self._waiting_fd, fcntl.LOCK_UN)
        return False

    def acquire_writer(self, timeout: float | None = None, *, background: bool = False) -> None:
        """Take the writer lock. `background`: first let every writer already waiting go (for at
        most BACKGROUND_PATIENCE seconds), as a bulk import does between its chunks."""
        if self._writer_fd is None or self._writer_held:
            return
        if background:
            patient_until = time.monotonic() + BACKGROUND_PATIENCE
            while self._others_waiting() and time.monotonic() < patient_until:
                time.sleep(0.001)
        deadline = time.monotonic() + (LOCK_TIMEOUT if timeout is None else timeout)
        waiting = False
        try:
            while True:
                try:
                    fcntl.flock(self._writer_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    self._writer_held = True
                    return
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise sqlite3.OperationalError("database is locked") from None
                    if not waiting and not background:
                        fcntl.flock(self._waiting_fd, fcntl.LOCK_SH)
                        waiting = True
                    time.sleep(0.0005)
        finally:
            if waiting:
                fcntl.flock(self._waiting_fd, fcntl.LOCK_UN)

    def release_writer(self) -> None:
        if self._writer_held:
            self._writer_held = False
            fcntl.flock(self._writer_fd, fcntl.LOCK_UN)

    def commit(self):
        try:
            super().commit()
        finally:
            self.release_writer()

    def rollback(self):
        try:
            super().rollback()
        finally:
            self.release_writer()

    def close(self):
        try:
            super().close()
        finally:
            self.release_writer()
            if self._writer_fd is not None:
                os.close(self._writer_fd)
                self._writer_fd = None
            if self._waiting_fd is not None:
                os.close(self._waiting_fd)
                self._waiting_fd = None


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, connection_record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy, not the driver, decide when a transaction begins.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


READ_ONLY = "caseflow_read_only"  # an execution option: this transaction only reads
BACKGROUND = "caseflow_background"  # an execution option: a bulk writer that lets others go first


def begin_read_only(session) -> None:
    """Start `session`'s next transaction as a reader: on SQLite a deferred BEGIN without the writer
    lock, so writers go on meanwhile (WAL); on PostgreSQL an ordinary transaction. Call it before
    the transaction's first statement, and end the transaction (rollback) before writing."""
    session.connection(execution_options={READ_ONLY: True})


@event.listens_for(Engine, "begin")
def _sqlite_begin_immediate(conn):
    if conn.dialect.name == "sqlite" and conn.get_execution_options().get(READ_ONLY):
        conn.exec_driver_sql("BEGIN")
        return
    if conn.dialect.name == "sqlite":
        dbapi_connection = conn.connection.dbapi_connection
        if isinstance(dbapi_connection, WriterLockedConnection):
            dbapi_connection.acquire_writer(background=bool(conn.get_execution_options().get(BACKGROUND)))
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except Exception:
            if isinstance(dbapi_connection, WriterLockedConnection):
                dbapi_connection.release_writer()
            raise


def begin_background(session) -> None:
    """Start `session`'s next transaction as a background writer: on SQLite it waits, before taking
    the write lock, until the writers already waiting have had their turn (a bulk import between
    chunks, so a caseworker saving a concern goes first); on PostgreSQL an ordinary transaction."""
    session.connection(execution_options={BACKGROUND: True})


def engine_options(uri: str, base: dict) -> dict:
    options = dict(base)
    if uri.startswith("sqlite"):
        options.pop("pool_pre_ping", None)
        connect_args = options.setdefault("connect_args", {})
        connect_args["timeout"] = 10
        connect_args.setdefault("factory", WriterLockedConnection)
    return options

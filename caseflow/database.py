"""Engine behaviour per database.

SQLite: WAL, a 10 s busy timeout, synchronous=NORMAL, foreign keys. A transaction starts as a
reader (a deferred BEGIN: it waits for nobody, and writers go on meanwhile), so authenticating,
validating and every page that only reads never hold the write lock. Its first write (a flush, an
INSERT/UPDATE/DELETE, DDL or a SAVEPOINT) ends the read and begins the write transaction with BEGIN
IMMEDIATE: concurrent writers queue on the lock instead of failing with "database is locked" on
an upgrade from a read to a write lock (SQLite refuses that upgrade once another writer has
committed since the read began). What was read before the first write may have been changed by a
writer since — as with PostgreSQL's READ COMMITTED, each statement after it sees the latest
commits; concerns are saved with their version checked in the UPDATE, and unique keys settle
races between inserts.

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
from sqlalchemy.orm import Session

LOCK_TIMEOUT = 10.0
CHECKPOINT_EVERY = 1.0  # seconds between WAL checkpoints by one process, at most (see commit)
_last_checkpoint: dict[str, float] = {}
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
        self._path = path if file_backed else None
        if file_backed:
            self.execute("PRAGMA wal_autocheckpoint=0").close()  # see _checkpoint_now_and_then

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
        wrote = self._writer_held
        try:
            super().commit()
        finally:
            self.release_writer()
        if wrote:
            self._checkpoint_now_and_then()

    def _checkpoint_now_and_then(self) -> None:
        """Copy the WAL back into the database at most once per CHECKPOINT_EVERY seconds, after
        the writer lock is released. SQLite's own automatic checkpoint runs inside the commit of
        whichever writer crosses 1,000 pages — while it still holds our writer lock, so the next
        writer (a caseworker behind an import's chunk) waited for it too — and it copies a page
        rewritten by ten commits ten times over. PASSIVE: it waits for no reader or writer."""
        if self._path is None:
            return
        now = time.monotonic()
        if now - _last_checkpoint.get(self._path, 0.0) < CHECKPOINT_EVERY:
            return
        _last_checkpoint[self._path] = now
        try:
            self.execute("PRAGMA wal_checkpoint(PASSIVE)").close()
        except sqlite3.OperationalError:
            pass  # busy: the next commit tries again

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
    """Start `session`'s next transaction as a reader (every transaction does on SQLite now; this
    names the intent where a long read must not write): on PostgreSQL an ordinary transaction.
    Call it before the transaction's first statement."""
    session.connection(execution_options={READ_ONLY: True})


WRITE = "caseflow_write"  # connection info: this transaction has begun writing (SQLite)


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    """SQLite: a deferred BEGIN; a background writer (an import's chunk) begins writing at once."""
    if conn.dialect.name != "sqlite":
        return
    conn.info[WRITE] = False
    if conn.get_execution_options().get(BACKGROUND):
        _begin_writing(conn, background=True)
    else:
        conn.exec_driver_sql("BEGIN")


def _begin_writing(conn, *, background: bool = False) -> None:
    """End the read (nothing was written) and begin the write transaction: the writer lock file,
    then BEGIN IMMEDIATE. Statements still being read from keep their rows (SQLite lets a COMMIT
    of a read transaction through them)."""
    dbapi_connection = conn.connection.dbapi_connection
    if conn.info.get(WRITE) is None:  # the "begin" event has not run: a plain transaction
        conn.info[WRITE] = False
    if not background:
        dbapi_connection.execute("COMMIT")
    conn.info[WRITE] = True
    if isinstance(dbapi_connection, WriterLockedConnection):
        dbapi_connection.acquire_writer(background=background)
    try:
        dbapi_connection.execute("BEGIN IMMEDIATE")
    except Exception:
        conn.info[WRITE] = None
        if isinstance(dbapi_connection, WriterLockedConnection):
            dbapi_connection.release_writer()
        raise


_READS = ("SELECT", "PRAGMA", "EXPLAIN", "BEGIN", "RELEASE", "ROLLBACK")


def is_write(statement: str) -> bool:
    """Whether SQL text may write: anything but a plain read (a WITH … may end in an INSERT)."""
    return not statement.lstrip(" \n\t(").upper().startswith(_READS)


@event.listens_for(Engine, "before_cursor_execute")
def _sqlite_write_begins(conn, cursor, statement, parameters, context, executemany):
    if (
        conn.dialect.name == "sqlite"
        and conn.info.get(WRITE) is False
        and conn.in_transaction()
        and is_write(statement)
    ):
        _begin_writing(conn)


def begin_writing(session) -> None:
    """Make `session`'s transaction a writer now, before reads whose answer the write depends on
    (the rollup hook reads the rows it moves inside the write transaction, so no other writer's
    change falls between). PostgreSQL: nothing to do."""
    conn = session.connection()
    if conn.dialect.name == "sqlite" and conn.info.get(WRITE) is False:
        _begin_writing(conn)


@event.listens_for(Session, "before_flush")
def _flush_writes(session, flush_context, instances):
    if session.new or session.dirty or session.deleted:
        begin_writing(session)


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

"""Engine behaviour per database.

SQLite: WAL, a 10 s busy timeout, synchronous=NORMAL, foreign keys, and BEGIN IMMEDIATE so that
concurrent writers queue on the lock instead of failing with "database is locked" on upgrade
from a read to a write lock (the SQLAlchemy pysqlite recipe).
"""

from __future__ import annotations

import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine


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


@event.listens_for(Engine, "begin")
def _sqlite_begin_immediate(conn):
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def engine_options(uri: str, base: dict) -> dict:
    options = dict(base)
    if uri.startswith("sqlite"):
        options.pop("pool_pre_ping", None)
        options.setdefault("connect_args", {})["timeout"] = 10
    return options

"""The floor for concern logging: a bare Flask app whose one endpoint inserts one row with SQLAlchemy Core.

Served exactly like Caseflow (gunicorn, same workers, same database, same SQLite pragmas and
BEGIN IMMEDIATE, since `caseflow.database` registers them on every engine), so the ratio between
the two measures what Caseflow adds per request: authentication, validation, tag and program
look-ups, the ORM, the audit row and the evidence hook.

    DATABASE_URL=... gunicorn --workers 2 bench.floor_app:app
"""

from __future__ import annotations

import os

from flask import Flask, jsonify, request
from sqlalchemy import Column, Date, DateTime, Integer, MetaData, String, Table, create_engine, insert

import caseflow.database  # noqa: F401  (the same SQLite pragmas and BEGIN IMMEDIATE as the app)
from caseflow import dates
from caseflow.database import engine_options

metadata = MetaData()
floor_rows = Table(
    "bench_floor",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("program", String(60), nullable=False),
    Column("summary", String(500), nullable=False),
    Column("occurred_on", Date, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


def make_engine(url: str):
    return create_engine(url, **engine_options(url, {"pool_pre_ping": True}))


def prepare(url: str) -> None:
    """Create the floor's table (empty) before the workers start."""
    engine = make_engine(url)
    metadata.drop_all(engine, checkfirst=True)
    metadata.create_all(engine)
    engine.dispose()


def drop(url: str) -> None:
    engine = make_engine(url)
    metadata.drop_all(engine, checkfirst=True)
    engine.dispose()


app = Flask(__name__)
_engine = None


def _get_engine():
    global _engine
    if _engine is None:
        _engine = make_engine(os.environ["DATABASE_URL"])
    return _engine


@app.post("/api/v1/concerns")
def insert_one():
    body = request.get_json(silent=True) or {}
    with _get_engine().begin() as conn:
        new_id = conn.execute(
            insert(floor_rows).values(
                program=str(body.get("program", ""))[:60],
                summary=str(body.get("summary", ""))[:500],
                occurred_on=dates.today(),
                created_at=dates.now(),
            )
        ).inserted_primary_key[0]
    return jsonify(id=new_id), 201

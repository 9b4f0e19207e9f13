"""Programs and tags as each process keeps them between requests.

Logging a concern looks its program and tags up by slug or name (in any language). Reading them
from the database on every write cost two ORM queries; instead each process keeps one snapshot of
the taxonomy, checked per use against the database's change token (`cache_versions`, renewed by
triggers on every change to programs, tags and their names — see migration 0022). No token (a
database emptied by hand) means no caching.

Entries are plain values, not ORM objects: what validation and a concern's write need (id, slug,
name, category, active). Code that needs the ORM object loads it by id.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy import select

from caseflow.extensions import db
from caseflow.models import CacheVersion, Program, ProgramName, Tag, TagName


@dataclass(frozen=True, slots=True)
class Entry:
    """A program or a tag as validation and the write path read it."""

    id: int
    slug: str
    name: str
    active: bool
    category: str | None = None  # tags only

    @property
    def display_name(self) -> str:
        return _orm(self).display_name


def _orm(entry: Entry):
    return db.session.get(Tag if entry.category is not None else Program, entry.id)


@dataclass(frozen=True)
class Snapshot:
    token: str | None
    by_key: dict[type, dict[str, Entry]]  # lowered slug, name and names in other languages → entry

    def find(self, model, values: list[str]) -> tuple[dict[str, Entry], list[str]]:
        table = self.by_key[model]
        found = {v: table[v.lower()] for v in values if v.lower() in table}
        return found, [v for v in values if v.lower() not in table]


def _load(token: str | None) -> Snapshot:
    by_key: dict[type, dict[str, Entry]] = {}
    for model, names, key in ((Program, ProgramName, ProgramName.program_id), (Tag, TagName, TagName.tag_id)):
        entries: dict[int, Entry] = {}
        table: dict[str, Entry] = {}
        category = Tag.category if model is Tag else None
        columns = [model.id, model.slug, model.name, model.active] + ([category] if category is not None else [])
        for row in db.session.execute(select(*columns)):
            entry = Entry(*row)
            entries[entry.id] = entry
            table.setdefault(entry.slug.lower(), entry)
            table.setdefault(entry.name.lower(), entry)
        for owner_id, name in db.session.execute(select(key, names.name).order_by(key, names.locale)):
            table.setdefault(name.lower(), entries[owner_id])
        by_key[model] = table
    return Snapshot(token, by_key)


_lock = threading.Lock()
_snapshots: dict[str, Snapshot] = {}  # database URL → the latest snapshot read


def current_token() -> str | None:
    return db.session.scalar(select(CacheVersion.token).where(CacheVersion.name == "taxonomy"))


def snapshot() -> Snapshot:
    """The taxonomy as of the session's transaction: the cached snapshot if its token is current."""
    url = str(db.engine.url)
    token = current_token()
    cached = _snapshots.get(url)
    if token is not None and cached is not None and cached.token == token:
        return cached
    fresh = _load(token)
    if token is not None:
        with _lock:
            _snapshots[url] = fresh
    return fresh

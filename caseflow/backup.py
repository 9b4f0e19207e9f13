"""`flask --app caseflow backup create PATH` and `backup restore PATH [--force]`.

SQLite: the online backup API (a consistent copy while the app keeps running), and the same API in
reverse to restore. PostgreSQL: `pg_dump --format=custom` and `pg_restore --clean --if-exists
--no-owner` in one transaction, with the connection parameters of DATABASE_URL. A restore refuses
to overwrite a database that already holds users unless --force is given.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import inspect, text
from sqlalchemy.engine import URL

from caseflow.audit.services import record
from caseflow.extensions import db

backup_cli = AppGroup("backup", help="Back up and restore the database.")


class BackupError(click.ClickException):
    """Printed as `Error: …` with exit status 1."""


def _url() -> URL:
    return db.engine.url


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("This SQLite database lives in memory; there is no file to back up.")
    return Path(url.database)


def _pg_env_and_args(url: URL) -> tuple[dict, list[str]]:
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    args = []
    if url.host:
        args += ["--host", url.host]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    return env, args


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return path


def _user_count() -> int | None:
    """Users in the current database, or None when it has no schema yet."""
    if not inspect(db.engine).has_table("users"):
        return None
    return db.session.scalar(text("SELECT count(*) FROM users"))


@backup_cli.command("create")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def backup_create(path: Path, force: bool):
    """Write a consistent copy of the whole database to PATH."""
    if path.exists() and not force:
        raise BackupError(f"{path} exists; choose a new name or pass --force.")
    url = _url()
    # The backup records its own making, so the copy says when and from where it was taken.
    record("backup.create", actor_label="cli", object_type="database", backend=url.get_backend_name())
    db.session.commit()
    db.session.remove()
    path.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        partial = path.with_name(path.name + ".partial")
        partial.unlink(missing_ok=True)
        source = sqlite3.connect(_sqlite_path(url))
        target = sqlite3.connect(partial)
        try:
            source.backup(target)  # online: pages are copied under a read lock, writers may continue
        finally:
            target.close()
            source.close()
        partial.replace(path)
    elif url.get_backend_name() == "postgresql":
        env, args = _pg_env_and_args(url)
        done = subprocess.run(  # noqa: S603 (fixed program, our own arguments)
            [_tool("pg_dump"), "--format=custom", "--file", str(path), *args, url.database],
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            path.unlink(missing_ok=True)
            raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
    else:
        raise BackupError(f"Backups of {url.get_backend_name()} databases are not supported.")
    click.echo(f"Backup written to {path} ({path.stat().st_size:,} bytes).")


@backup_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
def backup_restore(path: Path, force: bool):
    """Replace the database with the backup in PATH (refused when it holds users, unless --force)."""
    url = _url()
    users = _user_count()
    db.session.remove()
    if users and not force:
        raise BackupError(
            f"The database already holds {users} user(s); restoring would replace everything in it. "
            "Restore into an empty database, or pass --force."
        )
    db.engine.dispose()
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(path)
        try:
            if source.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{path} is damaged (integrity_check failed); nothing was restored.")
            if not source.execute("SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'").fetchone():
                raise BackupError(f"{path} is not a Caseflow backup; nothing was restored.")
            target = sqlite3.connect(_sqlite_path(url), timeout=30)
            try:
                source.backup(target)  # one step: the target changes all at once or not at all
            finally:
                target.close()
        except sqlite3.DatabaseError as e:
            raise BackupError(f"{path} cannot be read as a SQLite backup ({e}); nothing was restored.") from None
        finally:
            source.close()
    elif url.get_backend_name() == "postgresql":
        env, args = _pg_env_and_args(url)
        done = subprocess.run(  # noqa: S603 (fixed program, our own arguments)
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                *args,
                "--dbname",
                url.database,
                str(path),
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise BackupError(f"pg_restore failed; nothing was restored: {done.stderr.strip()}")
    else:
        raise BackupError(f"Restoring {url.get_backend_name()} databases is not supported.")
    record("backup.restore", actor_label="cli", object_type="database", source=path.name)
    db.session.commit()
    click.echo(f"Restored {path}.")

"""Caseflow: a case-to-cause workflow tracker. `create_app` wires the parts; it starts nothing."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from flask import Flask
from werkzeug.routing import IntegerConverter

import caseflow.database  # noqa: F401  (engine event listeners)
from caseflow.web import MAX_DATABASE_ID
from config import Config, config_for

ROOT = Path(__file__).resolve().parent.parent


class DatabaseId(IntegerConverter):
    """`<int:…>` ids beyond a 32-bit key cannot exist: 404 at routing, never an overflow in the database."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_DATABASE_ID)
        super().__init__(map, *args, **kwargs)


def create_app(config=None) -> Flask:
    """`config` may be a config class, an environment name, or a mapping of overrides."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("CASEFLOW_INSTANCE_PATH") or str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
    )
    if isinstance(config, type) and issubclass(config, Config):
        app.config.from_object(config)
    elif isinstance(config, str):
        app.config.from_object(config_for(config))
    else:
        app.config.from_object(config_for())
        if isinstance(config, Mapping):
            app.config.update(config)
    app.url_map.converters["int"] = DatabaseId
    if app.config.get("TRUSTED_PROXIES"):
        # Only the given number of proxies' X-Forwarded-For / -Proto hops are believed; with none
        # (the default) a client cannot choose the address that login throttling counts.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    _configure_secrets(app)
    _configure_database(app)
    register_extensions(app)
    register_blueprints(app)
    register_hooks(app)
    register_commands(app)
    return app


def private_instance_folder(app: Flask) -> None:
    """The instance folder holds the secret key and the SQLite database: owner-only (0700)."""
    os.makedirs(app.instance_path, mode=0o700, exist_ok=True)
    os.chmod(app.instance_path, 0o700)


def _configure_secrets(app: Flask) -> None:
    if not app.config.get("SECRET_KEY"):
        if app.config["ENV_NAME"] == "production":
            raise RuntimeError("SECRET_KEY must be set in production; refusing to start.")
        private_instance_folder(app)
        key_file = Path(app.instance_path) / "secret_key"
        if not key_file.exists():
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
        app.config["SECRET_KEY"] = key_file.read_text().strip()
    if not app.config.get("CASEFLOW_CLIENT_KEY"):
        app.config["CASEFLOW_CLIENT_KEY"] = hmac.new(
            app.config["SECRET_KEY"].encode(), b"caseflow-client-key", hashlib.sha256
        ).hexdigest()


def _configure_database(app: Flask) -> None:
    from caseflow.database import engine_options

    uri = app.config.get("SQLALCHEMY_DATABASE_URI")
    if not uri:
        private_instance_folder(app)
        uri = "sqlite:///" + str(Path(app.instance_path) / "caseflow.db")
    if uri.startswith("postgresql://") or uri.startswith("postgres://"):
        uri = "postgresql+psycopg://" + uri.split("://", 1)[1]
    app.config["SQLALCHEMY_DATABASE_URI"] = uri
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(uri, app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))


def register_extensions(app: Flask) -> None:
    from caseflow import crypto, dates, i18n
    from caseflow.extensions import csrf, db, login_manager, migrate
    from caseflow.patterns import rollup

    dates.init_app(app)
    crypto.init_app(app)
    i18n.init_app(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please log in to continue."
    login_manager.session_protection = "basic"
    rollup.init_app(app)


def register_blueprints(app: Flask) -> None:
    from caseflow.accounts.routes import bp as accounts_bp
    from caseflow.admin import bp as admin_bp
    from caseflow.api import bp as api_bp
    from caseflow.audit.routes import bp as audit_bp
    from caseflow.campaigns.following import bp as following_bp
    from caseflow.campaigns.routes import bp as campaigns_bp
    from caseflow.committee.routes import bp as committee_bp
    from caseflow.concerns.routes import bp as concerns_bp
    from caseflow.convenings.routes import bp as convenings_bp
    from caseflow.health import bp as health_bp
    from caseflow.language.routes import bp as i18n_bp
    from caseflow.measures.routes import bp as measures_bp
    from caseflow.notifications.routes import bp as notifications_bp
    from caseflow.patterns.routes import bp as patterns_bp
    from caseflow.people.routes import bp as people_bp
    from caseflow.reflection.routes import bp as reflection_bp
    from caseflow.selfreport.routes import bp as selfreport_bp
    from caseflow.suggestions.routes import bp as suggestions_bp
    from caseflow.taxonomy.routes import bp as taxonomy_bp
    from caseflow.teams.routes import bp as teams_bp

    for bp in (
        accounts_bp,
        audit_bp,
        admin_bp,
        health_bp,
        taxonomy_bp,
        concerns_bp,
        patterns_bp,
        campaigns_bp,
        following_bp,
        measures_bp,
        people_bp,
        convenings_bp,
        teams_bp,
        committee_bp,
        reflection_bp,
        notifications_bp,
        suggestions_bp,
        api_bp,
        i18n_bp,
        selfreport_bp,
    ):
        app.register_blueprint(bp)


def register_hooks(app: Flask) -> None:
    from caseflow import security, suggestions
    from caseflow.campaigns.news import close_the_loop
    from caseflow.patterns.services import attach_evidence_to_many, attach_new_evidence

    security.init_app(app)
    suggestions.init_app(app)
    # Concerns logged or edited later join the campaigns whose patterns they match.
    app.extensions["caseflow.concern_hooks"] = [attach_new_evidence]
    app.extensions["caseflow.bulk_concern_hooks"] = [attach_evidence_to_many]
    # When a campaign is created, moves step or changes status, the caseworkers whose concerns are
    # its evidence hear about it.
    app.extensions.setdefault("caseflow.campaign_hooks", []).append(close_the_loop)


def register_commands(app: Flask) -> None:
    from caseflow.cli import register

    register(app)

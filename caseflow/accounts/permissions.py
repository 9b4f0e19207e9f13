"""One table from roles to permissions, and the one decorator every view declares.

Deny by default: a view without `require(...)` or `public` fails the url_map test, and a user
holds a permission only when one of their roles lists it here.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, current_app, g, jsonify, redirect, request, url_for
from flask_login import current_user

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "caseworker": frozenset(
        {
            "account.self",
            "taxonomy.read",
            "concern.log",
            "concern.read_own",
            "concern.export",
            "pattern.read",
            "self_assessment.take",
            "campaign.follow",
            "follow_up.own",
            "notification.read",
            "measure.read",
            "person.consent",
        }
    ),
    "organizer": frozenset(
        {
            "account.self",
            "taxonomy.read",
            "concern.log",
            "concern.read_all",
            "concern.read_narrative",
            "concern.edit_any",
            "concern.export",
            "concern.import",
            "pattern.read",
            "pattern.manage",
            "campaign.read",
            "campaign.edit",
            "measure.read",
            "measure.manage",
            "measure.record",
            "self_assessment.take",
            "campaign.follow",
            "follow_up.own",
            "notification.read",
            "person.consent",
            "person.read",
            "person.manage",
            "person.api",
            "person.contact_api",
            "convening.read",
            "convening.manage",
            "committee.read",
            "committee.manage",
        }
    ),
    "director": frozenset(
        {
            "account.self",
            "taxonomy.read",
            "taxonomy.manage",
            "concern.read_all",
            "concern.read_narrative",
            "concern.delete",
            "concern.export",
            "pattern.read",
            "campaign.read",
            "campaign.follow",
            "follow_up.own",
            "summary.read",
            "summary.sign_off",
            "measure.read",
            "measure.manage",
            "measure.record",
            "self_assessment.take",
            "notification.read",
            "person.read",
            "convening.read",
            "committee.read",
            "committee.govern",
        }
    ),
    "admin": frozenset(
        {
            "account.self",
            "taxonomy.read",
            "taxonomy.manage",
            "concern.delete",
            "concern.import",
            "admin.users",
            "admin.tokens",
            "admin.audit",
            "admin.jobs",
            "self_assessment.take",
            "notification.read",
        }
    ),
}

ALL_PERMISSIONS = frozenset().union(*ROLE_PERMISSIONS.values())


def permissions_for(roles) -> frozenset[str]:
    return frozenset().union(*(ROLE_PERMISSIONS.get(r, frozenset()) for r in roles))


def current_actor():
    """The user making this request: the API token's owner under /api, else the session's user."""
    if request.blueprint == "api":
        return g.get("api_user")
    return current_user if current_user.is_authenticated else None


def can(permission: str, user=None) -> bool:
    user = user if user is not None else current_actor()
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    return permission in permissions_for(user.roles)


def _deny_unauthenticated():
    if request.blueprint == "api":
        return jsonify(errors={"auth": ["A valid Bearer token is required."]}), 401
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


def require(*permissions: str) -> Callable:
    """Require any one of the permissions. Unauthenticated → login (401 for the API); else 403."""
    if not permissions or not set(permissions) <= ALL_PERMISSIONS:
        raise ValueError(f"unknown permission in {permissions}")

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if current_actor() is None:
                return _deny_unauthenticated()
            if not any(can(p) for p in permissions):
                current_app.logger.info("denied %s for %s", request.endpoint, permissions)
                abort(403)
            return view(*args, **kwargs)

        wrapper.required_permissions = permissions
        return wrapper

    return decorator


def public(view):
    """Mark a view as reachable without logging in (login, health, the OpenAPI document)."""
    view.is_public = True
    return view

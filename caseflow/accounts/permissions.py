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
            "self_report.triage",
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
            "self_report.triage",
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

# API token scopes. A call needs both: the token's scope for the permission the route requires, and
# the permission in its owner's roles (a scope never adds to what the role may do).
PERMISSION_SCOPES: dict[str, str] = {
    "taxonomy.read": "taxonomy:read",
    "taxonomy.manage": "taxonomy:write",
    "concern.log": "concerns:write",
    "concern.read_own": "concerns:read",
    "concern.read_all": "concerns:read",
    "concern.read_narrative": "concerns:read",
    "pattern.read": "patterns:read",
    "pattern.manage": "campaigns:write",
    "campaign.read": "campaigns:read",
    "campaign.edit": "campaigns:write",
    "summary.read": "summaries:read",
    # People (organizer scope): reading them, recording them and their attendance, and their contact
    # details, which an answer carries only when the token holds this dedicated scope too.
    "person.read": "people:read",
    "person.api": "people:read",
    "person.manage": "people:write",
    "person.contact_api": "people:contact",
}
# Permissions a view checks inside (not in its @require): their scopes are offered on tokens too.
IN_VIEW_PERMISSIONS = ("person.contact_api",)


def scope_for(permission: str) -> str:
    """The token scope a permission needs under /api: from the table, else `<noun>s:read|write`."""
    if permission in PERMISSION_SCOPES:
        return PERMISSION_SCOPES[permission]
    noun, _, verb = permission.partition(".")
    return f"{noun}s:{'read' if 'read' in verb else 'write'}"


def api_scopes(roles=None) -> set[str]:
    """The scopes of the API's routes (all, or those the given roles can use)."""
    allowed = permissions_for(roles) if roles is not None else ALL_PERMISSIONS
    out = set()
    for endpoint, view in current_app.view_functions.items():
        if endpoint.startswith("api."):
            out |= {scope_for(p) for p in getattr(view, "required_permissions", ()) if p in allowed}
    return out | {scope_for(p) for p in IN_VIEW_PERMISSIONS if p in allowed}


def allowed_here(permission: str) -> bool:
    """The role holds the permission and, under /api, the token holds its scope."""
    return can(permission) and (request.blueprint != "api" or _token_allows(permission))


def _token_allows(permission: str) -> bool:
    token = g.get("api_token")
    return token is not None and scope_for(permission) in token.scope_set


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
            if request.blueprint == "api" and not any(can(p) and _token_allows(p) for p in permissions):
                needed = " or ".join(sorted({scope_for(p) for p in permissions if can(p)}))
                return jsonify(errors={"scope": [f"This token lacks the scope {needed}."]}), 403
            return view(*args, **kwargs)

        wrapper.required_permissions = permissions
        return wrapper

    return decorator


def public(view):
    """Mark a view as reachable without logging in (login, health, the OpenAPI document)."""
    view.is_public = True
    return view

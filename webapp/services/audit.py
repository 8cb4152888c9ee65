"""Write audit rows (append-only). Called by services inside their own transaction."""
from __future__ import annotations

from flask import g, has_request_context

from webapp.extensions import db
from webapp.models.audit import AuditLog


def _jsonable(value):
    if value is None or isinstance(value, (str, int, bool, float)):
        return value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    return str(value)  # Decimal, date, datetime → exact text


def record(action: str, obj_type: str, obj_id: object = None, *, org_id: int | None, actor_id: int | None = None,
           before: dict | None = None, after: dict | None = None) -> AuditLog:
    """Add an audit row to the current transaction (the caller commits)."""
    request_id = g.get("request_id") if has_request_context() else None
    if actor_id is None and has_request_context():
        from flask_login import current_user
        actor_id = current_user.id if current_user and current_user.is_authenticated else None
    row = AuditLog(organisation_id=org_id, actor_id=actor_id, action=action, object_type=obj_type,
                   object_id=None if obj_id is None else str(obj_id),
                   before=_jsonable(before), after=_jsonable(after), request_id=request_id)
    db.session.add(row)
    return row


def diff(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the keys that changed, for compact audit rows."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}

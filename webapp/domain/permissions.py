"""Role → permission table. Pure: no Flask."""
from __future__ import annotations

PERMISSIONS: dict[str, set[str]] = {
    "owner": {"view", "edit", "review", "manage_users", "manage_settings", "waive", "launch", "settle"},
    "manager": {"view", "edit", "review", "launch", "settle"},
    "reviewer": {"view", "review"},
    "viewer": {"view"},
}


def allowed(role: str, permission: str) -> bool:
    return permission in PERMISSIONS.get(role, set())

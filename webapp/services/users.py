"""Accounts: creation, sign-in checks, password change, roles, and ending sessions."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.errors import ServiceError
from webapp.extensions import db
from webapp.models import ROLES, Organisation, Shop, User
from webapp.models.base import utcnow
from webapp.services import audit

MIN_PASSWORD = 8
MAX_PASSWORD = 128
_DUMMY_HASH = generate_password_hash("timing-equaliser")


def check_password_policy(password: str) -> None:
    from webapp.domain.passwords import problem
    code = problem(password, MIN_PASSWORD, MAX_PASSWORD)
    messages = {
        "short": _l("Use at least %(n)d characters.", n=MIN_PASSWORD),
        "long": _l("Use at most %(n)d characters.", n=MAX_PASSWORD),
        "common": _l("This password is too common. Choose another."),
    }
    if code:
        raise ServiceError(messages[code], field="password", code=code)


def get_or_create_org(name: str) -> Organisation:
    org = db.session.execute(select(Organisation).where(Organisation.name == name)).scalar_one_or_none()
    if org is None:
        org = Organisation(name=name)
        db.session.add(org)
        db.session.flush()
    return org


def create_user(email: str, org_name: str, role: str = "owner", password: str | None = None, name: str = "",
                actor_id: int | None = None) -> tuple[User, str]:
    """Create a user (and the organisation if new); returns the user and the password used."""
    import secrets
    password = password or secrets.token_urlsafe(12)
    _check_new_user(email, role, password)
    org = get_or_create_org(org_name)
    user = _add(org.id, email, name, role, password, actor_id)
    db.session.commit()
    return user, password


def add_user(org_id: int, email: str, name: str, role: str, password: str, actor_id: int | None) -> User:
    """An owner adds a colleague to their organisation with an initial password."""
    _check_new_user(email, role, password)
    user = _add(org_id, email, name, role, password, actor_id)
    db.session.commit()
    return user


def _check_new_user(email: str, role: str, password: str) -> None:
    email = (email or "").strip().lower()
    if role not in ROLES:
        raise ServiceError(_l("Unknown role."), field="role")
    if db.session.execute(select(User).where(func.lower(User.email) == email)).first():
        raise ServiceError(_l("A user with this email already exists."), field="email")
    check_password_policy(password)


def _add(org_id: int, email: str, name: str, role: str, password: str, actor_id: int | None) -> User:
    email = email.strip().lower()
    user = User(email=email, name=(name or "").strip(), organisation_id=org_id, role=role,
                password_hash=generate_password_hash(password))
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", "user", user.id, org_id=org_id, actor_id=actor_id,
                 after={"email": email, "role": role})
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None (same work either way: no user enumeration)."""
    user = db.session.execute(select(User).where(func.lower(User.email) == (email or "").strip().lower())).scalar_one_or_none()
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user.password_hash, password or "") or not user.active:
        audit.record("auth.failed", "user", user.id, org_id=user.organisation_id, actor_id=None)
        db.session.commit()
        return None
    user.last_login_at = utcnow()
    audit.record("auth.login", "user", user.id, org_id=user.organisation_id, actor_id=user.id)
    db.session.commit()
    return user


def end_sessions(user: User, reason: str) -> None:
    """Void every cookie this user holds (logout, password change, disable)."""
    user.session_version = (user.session_version or 0) + 1
    audit.record(f"auth.{reason}", "user", user.id, org_id=user.organisation_id, actor_id=user.id)
    db.session.commit()


def change_password(user: User, current: str, new: str) -> None:
    if not check_password_hash(user.password_hash, current or ""):
        raise ServiceError(_l("The current password is not correct."), field="current_password")
    check_password_policy(new)
    user.password_hash = generate_password_hash(new)
    user.session_version += 1
    audit.record("user.password_change", "user", user.id, org_id=user.organisation_id, actor_id=user.id)
    db.session.commit()


def set_active(user: User, active: bool, actor_id: int | None) -> None:
    """Disable or enable a user; disabling ends every session they hold (cookies answer 401)."""
    if user.active == active:
        return
    if not active:
        if user.id == actor_id:
            raise ServiceError(_l("You cannot disable your own account."), field="active")
        _keep_an_owner(user, "owner")
        user.session_version += 1
    user.active = active
    audit.record("user.disable" if not active else "user.enable", "user", user.id, org_id=user.organisation_id,
                 actor_id=actor_id, before={"active": not active}, after={"active": active})
    db.session.commit()


def set_role(user: User, role: str, actor_id: int | None) -> None:
    """Change a user's role; an organisation always keeps at least one active owner."""
    if role not in ROLES:
        raise ServiceError(_l("Unknown role."), field="role")
    if role == user.role:
        return
    _keep_an_owner(user, role)
    before = user.role
    user.role = role
    audit.record("user.role", "user", user.id, org_id=user.organisation_id, actor_id=actor_id,
                 before={"role": before}, after={"role": role})
    db.session.commit()


def _keep_an_owner(user: User, new_role: str) -> None:
    """Refuse a change that would leave the organisation without an active owner."""
    if user.role != "owner" or (new_role == "owner" and user.active):
        return
    others = db.session.scalar(select(func.count()).select_from(User).where(
        User.organisation_id == user.organisation_id, User.role == "owner", User.active.is_(True), User.id != user.id))
    if not others:
        raise ServiceError(_l("The organisation needs at least one active owner."), field="role")


def change_role(org_id: int, user_id: int, role: str, actor_id: int | None) -> User:
    """set_role for a user of this organisation (another tenant's id answers 404)."""
    from webapp.services.tenancy import get_scoped
    user = get_scoped(User, user_id, org_id)
    set_role(user, role, actor_id)
    return user


def set_user_active(org_id: int, user_id: int, active: bool, actor_id: int | None) -> User:
    """set_active for a user of this organisation (another tenant's id answers 404)."""
    from webapp.services.tenancy import get_scoped
    user = get_scoped(User, user_id, org_id)
    set_active(user, active, actor_id)
    return user


def org_users(org_id: int) -> list[User]:
    from webapp.services.tenancy import scoped
    return list(db.session.execute(scoped(User, org_id).order_by(User.active.desc(), User.email)).scalars())


def set_locale(user: User, locale: str) -> None:
    user.locale = locale
    db.session.commit()


def set_current_shop(user: User, shop_id: int) -> Shop:
    from webapp.services.tenancy import get_scoped
    shop = get_scoped(Shop, shop_id, user.organisation_id)
    user.current_shop_id = shop.id
    db.session.commit()
    return shop


def current_shop(user: User) -> Shop | None:
    """The user's chosen shop, else the organisation's first (pages are scoped to one shop)."""
    if user.current_shop_id:
        shop = db.session.get(Shop, user.current_shop_id)
        if shop is not None and shop.organisation_id == user.organisation_id:
            return shop
    return db.session.execute(select(Shop).where(Shop.organisation_id == user.organisation_id)
                              .order_by(Shop.id)).scalars().first()


def load_user(user_id: str) -> User | None:
    """Flask-Login loader: '<id>:<session_version>'; a stale version means the session was ended."""
    try:
        uid, version = (int(p) for p in str(user_id).split(":", 1))
    except ValueError:
        return None
    user = db.session.get(User, uid)
    if user is None or user.session_version != version or not user.active:
        return None
    return user

"""Configuration read from the environment (contract §1)."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("LINKDESK_INSTANCE", ROOT / "instance"))


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept under instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    INSTANCE.mkdir(parents=True, exist_ok=True)
    path = INSTANCE / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def csv_env(name: str) -> list[str] | None:
    """'a.example.com, .b.example.com' → ['a.example.com', '.b.example.com']; unset or empty → None."""
    items = [x.strip() for x in os.environ.get(name, "").split(",") if x.strip()]
    return items or None


def int_env(name: str, default: int = 0) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        raise ValueError(f"{name} must be a whole number (the count of proxies in front of the app), got {raw!r}")
    return int(raw)


def database_url(url: str | None) -> str:
    """Normalise DATABASE_URL so that postgres URLs use the psycopg 3 driver."""
    if not url:
        INSTANCE.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{INSTANCE / 'linkdesk.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    ENV_NAME = "production"
    SECRET_KEY = None  # filled in by load()
    SQLALCHEMY_DATABASE_URI = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL") or None

    # Sessions: idle timeout via a permanent session refreshed on each request,
    # absolute timeout checked against the login time.
    PERMANENT_SESSION_LIFETIME = timedelta(hours=2)
    SESSION_ABSOLUTE_LIFETIME = timedelta(hours=12)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("LINKDESK_INSECURE_COOKIES") != "1"
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE

    WTF_CSRF_TIME_LIMIT = 8 * 3600
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    IMPORT_MAX_BYTES = 512 * 1024 * 1024
    DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
    UPLOAD_FOLDER = str(INSTANCE / "uploads")
    EXPORT_FOLDER = str(INSTANCE / "exports")

    LANGUAGES = {"en": "English", "zh": "中文"}
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"

    RATELIMIT_STORAGE_URI = REDIS_URL or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per minute;50 per hour"

    # Creator search keeps column arrays per organisation in each worker process (~80 bytes per
    # creator; services/creator_columns.py); beyond this many MB the least recently used go.
    CREATOR_COLUMNS_MAX_MB = 512
    # Where full loads of those arrays are saved for the other worker processes (None: not saved).
    CREATOR_COLUMNS_FOLDER = str(INSTANCE / "cache" / "creator-columns")
    CREATOR_COLUMNS_SAVE_ASYNC = True

    # "thread" runs background jobs in-process; "rq" uses Redis (set automatically with REDIS_URL).
    # Behind a reverse proxy: how many proxies set X-Forwarded-For/-Proto/-Host (0: trust none), and
    # which Host headers the app answers to (None: any; e.g. "linkdesk.example.com,.internal").
    TRUSTED_PROXIES = int_env("TRUSTED_PROXIES")
    TRUSTED_HOSTS = csv_env("TRUSTED_HOSTS")

    JOB_BACKEND = os.environ.get("LINKDESK_JOBS") or ("rq" if REDIS_URL else "thread")
    RQ_QUEUE = os.environ.get("LINKDESK_QUEUE", "linkdesk")
    HSTS = True

    @classmethod
    def load(cls) -> dict:
        cfg = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
        cfg["SECRET_KEY"] = cfg.get("SECRET_KEY") or _secret_key()
        cfg["SQLALCHEMY_DATABASE_URI"] = cfg.get("SQLALCHEMY_DATABASE_URI") or database_url(
            os.environ.get("DATABASE_URL"))
        return cfg


class DevConfig(Config):
    """Used by `make run`: plain HTTP on 127.0.0.1, so cookies cannot be Secure-only."""
    ENV_NAME = "development"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    HSTS = False


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    TRUSTED_PROXIES = 0
    TRUSTED_HOSTS = None
    SECRET_KEY = "test-secret"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    RATELIMIT_STORAGE_URI = "memory://"
    JOB_BACKEND = "sync"
    HSTS = False
    RAISE_ERRORS = True  # a test sees the traceback instead of a 500 page
    CREATOR_COLUMNS_SAVE_ASYNC = False  # tests look for the file right after the search

"""Layering rules (house style) and migrations that match the models."""
import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent / "webapp"
FORBIDDEN_IN_DOMAIN = ("flask", "flask_sqlalchemy", "sqlalchemy", "webapp.models", "webapp.services", "webapp.extensions")


def _imports(path: pathlib.Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


@pytest.mark.parametrize("path", sorted((ROOT / "domain").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_domain_is_pure(path):
    bad = [m for m in _imports(path) if m.startswith(FORBIDDEN_IN_DOMAIN)]
    assert not bad, f"{path} imports {bad}"


@pytest.mark.parametrize("path", sorted((ROOT / "blueprints").rglob("routes.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_views_never_touch_the_session(path):
    src = path.read_text(encoding="utf-8")
    assert "db.session" not in src, f"{path}: views call services; services own transactions"


def test_one_migration_head():
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT.parent / "migrations"))
    assert len(ScriptDirectory.from_config(cfg).get_heads()) == 1


def _scratch_database(tmp_path) -> str:
    """An empty database of the suite's engine: a SQLite file, or a new PostgreSQL database."""
    import os
    pg = os.environ.get("TEST_DATABASE_URL")
    if not pg:
        return f"sqlite:///{tmp_path / 'mig.db'}"
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from webapp.config import database_url
    base = make_url(database_url(pg))
    name = f"{base.database}_mig_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _search_structure(d) -> bool:
    """Full-text structures the models create with DDL events, not as mapped tables or indexes:
    SQLite's FTS5 shadow tables and PostgreSQL's GIN expression index."""
    if not isinstance(d, tuple):
        return False
    name = getattr(d[1], "name", "") or ""
    if d[0] in ("add_table", "remove_table"):
        return name.endswith(("_fts", "_fts_data", "_fts_idx", "_fts_docsize", "_fts_config", "_fts_content"))
    return d[0] == "remove_index" and name == "ix_creators_fts"


def test_upgrade_from_empty_matches_models(tmp_path):
    """`flask db upgrade` on an empty database yields exactly the models' schema (on the suite's engine)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from flask_migrate import upgrade
    from webapp import create_app
    from webapp.config import TestConfig
    from webapp.extensions import db
    cfg = TestConfig.load()
    cfg["SQLALCHEMY_DATABASE_URI"] = _scratch_database(tmp_path)
    app = create_app(cfg)
    with app.app_context():
        upgrade(directory=str(ROOT.parent / "migrations"))
        with db.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
            diff = [d for d in compare_metadata(ctx, db.metadata) if not _search_structure(d)]
        assert diff == [], diff
        db.engine.dispose()


def test_fts_migration_keeps_the_indexed_creators(tmp_path):
    """0011 rebuilds SQLite's creators_fts without column sizes and keeps what it held; the result
    is the table the models create, and the downgrade brings the column sizes back."""
    import os
    if os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("SQLite's FTS5 table; PostgreSQL's GIN index is unchanged")
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text
    from webapp import create_app
    from webapp.config import TestConfig
    from webapp.extensions import db
    from webapp.models.creator import FTS_SQLITE
    cfg = TestConfig.load()
    cfg["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'fts.db'}"
    app = create_app(cfg)
    migrations = str(ROOT.parent / "migrations")

    def tables(conn):
        return {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE name LIKE 'creators_fts%'"))}

    def found(conn, word):
        return [r[0] for r in conn.execute(text("SELECT rowid FROM creators_fts WHERE creators_fts MATCH :w"), {"w": word})]
    with app.app_context():
        upgrade(directory=migrations, revision="0010")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO creators_fts (rowid, handle, display_name, bio) VALUES "
                              "(7, 'mia.glow', 'Mia', 'K-beauty skincare'), (9, 'pet.pal', 'Sam', 'Dog toys')"))
            assert "creators_fts_docsize" in tables(conn)
        upgrade(directory=migrations)
        with db.engine.connect() as conn:
            assert found(conn, "skincare") == [7] and found(conn, "dog") == [9]
            assert "creators_fts_docsize" not in tables(conn) and "creators_fts_old" not in tables(conn)
            sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'creators_fts'")).scalar()
            assert sql.replace("CREATE VIRTUAL TABLE creators_fts", "") == \
                FTS_SQLITE.replace("CREATE VIRTUAL TABLE IF NOT EXISTS creators_fts", "")
        downgrade(directory=migrations, revision="0010")
        with db.engine.connect() as conn:
            assert found(conn, "skincare") == [7] and "creators_fts_docsize" in tables(conn)
        db.engine.dispose()

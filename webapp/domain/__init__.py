"""Pure domain rules: no Flask, no SQLAlchemy, no webapp.models (tests/test_architecture.py)."""

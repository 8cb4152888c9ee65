"""Health check for load balancers: can we reach the database?"""
import logging

from sqlalchemy import text

from webapp.extensions import db


def database_ok() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except Exception:
        logging.getLogger(__name__).exception("health check failed")
        db.session.rollback()
        return False

from webapp.blueprints import protected_blueprint

bp = protected_blueprint("analytics", __name__, url_prefix="/analytics")

from webapp.blueprints.analytics import routes  # noqa: E402,F401

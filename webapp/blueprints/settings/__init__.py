from webapp.blueprints import protected_blueprint

bp = protected_blueprint("settings", __name__, url_prefix="/settings")

from webapp.blueprints.settings import routes  # noqa: E402,F401

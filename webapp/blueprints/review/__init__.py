from webapp.blueprints import protected_blueprint

bp = protected_blueprint("review", __name__, url_prefix="/review")

from webapp.blueprints.review import routes  # noqa: E402,F401

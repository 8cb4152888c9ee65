from webapp.blueprints import protected_blueprint

bp = protected_blueprint("campaigns", __name__, url_prefix="/campaigns")

from webapp.blueprints.campaigns import routes  # noqa: E402,F401
from webapp.blueprints.campaigns import pipeline  # noqa: E402,F401

from webapp.blueprints import protected_blueprint

bp = protected_blueprint("onboarding", __name__, url_prefix="/onboarding")


@bp.record_once
def _template_helpers(state):
    from webapp.blueprints.onboarding.helpers import GLOBALS
    state.app.jinja_env.globals.update(GLOBALS)


from webapp.blueprints.onboarding import routes  # noqa: E402,F401
from webapp.blueprints.onboarding import documents, catalogue  # noqa: E402,F401

from webapp import htmx
from webapp.blueprints.analytics import bp


@bp.get("")
def index():
    return htmx.render("analytics/index.html", block="content")

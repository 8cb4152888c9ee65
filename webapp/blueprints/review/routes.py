from webapp import htmx
from webapp.blueprints.review import bp


@bp.get("")
def index():
    return htmx.render("review/index.html", block="content")

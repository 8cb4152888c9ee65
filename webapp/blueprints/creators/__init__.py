from webapp.blueprints import protected_blueprint
from webapp.domain import creator_format

bp = protected_blueprint("creators", __name__, url_prefix="/creators")

# Fast formatters for the results table (same output as |compact, |usd, |pct); lang = current_lang.
bp.add_app_template_filter(creator_format.compact, "cr_compact")
bp.add_app_template_filter(creator_format.usd, "cr_usd")
bp.add_app_template_filter(lambda bp_, _lang=None: creator_format.pct(bp_), "cr_pct")

from webapp.blueprints.creators import routes  # noqa: E402,F401
from webapp.blueprints.creators import imports  # noqa: E402,F401

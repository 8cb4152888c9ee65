from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField
from wtforms.validators import DataRequired

from webapp.forms import choices


class LanguageForm(FlaskForm):
    lang = SelectField(_l("Language"), choices=choices([("en", "English"), ("zh", "中文")]))


class ShopForm(FlaskForm):
    shop_id = IntegerField(_l("Shop"), validators=[DataRequired()])

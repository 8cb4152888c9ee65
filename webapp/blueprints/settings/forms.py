from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from webapp.forms import choices
from webapp.models import REGIONS, ROLES

REGION_LABELS = {"US": _l("United States"), "GB": _l("United Kingdom"), "ID": _l("Indonesia"), "TH": _l("Thailand"),
                 "VN": _l("Vietnam"), "MY": _l("Malaysia"), "PH": _l("Philippines"), "SG": _l("Singapore")}
ROLE_LABELS = {"owner": _l("Owner"), "manager": _l("Manager"), "reviewer": _l("Reviewer"), "viewer": _l("Viewer")}


def role_choices():
    return choices([(r, ROLE_LABELS[r]) for r in ROLES])


class PolicyForm(FlaskForm):
    value = StringField(_l("Value"), validators=[Length(max=500)])
    source_url = StringField(_l("Source (web address)"), validators=[Optional(), Length(max=500)])
    verified_on = DateField(_l("Last verified"), validators=[Optional()])


class PolicyBoolForm(PolicyForm):
    value = SelectField(_l("Value"), choices=choices([("true", _l("Yes")), ("false", _l("No"))]))


class UserForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=120)])
    role = SelectField(_l("Role"), choices=role_choices())
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(min=8, max=128)])


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=role_choices())


class FxForm(FlaskForm):
    rate = StringField(_l("1 USD in CNY"), validators=[DataRequired(), Length(max=20)])
    source = StringField(_l("Source"), validators=[DataRequired(), Length(max=200)])
    as_of = DateField(_l("Rate date"), validators=[Optional()])


class ShopForm(FlaskForm):
    name = StringField(_l("Shop name"), validators=[DataRequired(), Length(max=120)])
    code = StringField(_l("Short code"), validators=[DataRequired(), Length(min=2, max=32)])
    region = SelectField(_l("Region"), choices=choices([(r, REGION_LABELS.get(r, r)) for r in REGIONS]))
    currency = SelectField(_l("Currency"), choices=choices(
        [("", _l("Region's currency"))] + [(c, c) for c in sorted(set(REGIONS.values()))]), validators=[Optional()])

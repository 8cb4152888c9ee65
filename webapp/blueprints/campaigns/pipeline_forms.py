"""Forms of the invitation pipeline (shape only; business rules live in services/invitations.py)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, Field, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from webapp.domain import pipeline as pl
from webapp.forms import MoneyField, choices

VIEWS = ("board", "table")


class IdListField(Field):
    """Every submitted value of a repeated field (checkboxes `creator_ids`), as ints."""

    def process_formdata(self, valuelist):
        self.raw = list(valuelist)
        self.data = []

    def pre_validate(self, form):
        raw = getattr(self, "raw", [])
        if any(not (v.isascii() and v.isdigit()) or len(v) > 12 for v in raw):
            raise ValidationError(_l("Choose creators from the list."))
        self.data = [int(v) for v in raw]


class InviteForm(FlaskForm):
    """One form for single and bulk invites: a handle, chosen creators, all suggestions or a shortlist."""
    handle = StringField(_l("Creator handle"), validators=[Optional(), Length(max=80)])
    creator_ids = IdListField(_l("Creators"))
    source = HiddenField(default="ids")
    shortlist_id = SelectField(_l("Shortlist"), validate_choice=False, validators=[Optional()])
    next = HiddenField()


class TransitionForm(FlaskForm):
    to = HiddenField()
    from_stage = HiddenField()
    view = HiddenField(default="board")
    next = HiddenField()
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=pl.MAX_REASON)])
    carrier = StringField(_l("Carrier"), validators=[Optional(), Length(max=40)])
    tracking_number = StringField(_l("Tracking number"), validators=[Optional(), Length(max=64)])
    unit_cost = MoneyField(_l("Sample unit cost (USD)"))
    shipping_cost = MoneyField(_l("Shipping cost (USD)"))
    on = DateField(_l("Date"), validators=[Optional()], render_kw={"type": "date"})
    product_id = SelectField(_l("Product"), validate_choice=False, validators=[Optional()])

    def validate_to(self, field):
        if field.data not in pl.STAGES:
            raise ValidationError(_l("Unknown stage."))


def rules_form(rows) -> FlaskForm:
    """A form with one field per pipeline policy; blank means 'use the organisation's value'."""
    class RulesForm(FlaskForm):
        pass
    for r in rows:
        name = r.key.replace(".", "__")
        if r.kind == "bool":
            fld = SelectField(_l(r.label), choices=choices([("", _l("Organisation default")), ("yes", _l("Yes")),
                                                            ("no", _l("No"))]), validators=[Optional()])
        else:
            fld = StringField(_l(r.label), validators=[Optional(), Length(max=300)])
        setattr(RulesForm, name, fld)
    return RulesForm()

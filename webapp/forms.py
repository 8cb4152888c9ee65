"""Form pieces shared by every area: strict money and percentage fields, error mapping."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, StringField
from wtforms.validators import ValidationError

from webapp.domain import money

MONEY_MESSAGES = {
    "empty": _l("Enter an amount."),
    "digits": _l("Use plain digits 0-9 and a dot."),
    "separator": _l("Do not use thousands separators (write 1234.56)."),
    "format": _l("Write the amount as digits with at most two decimals, like 1234.56."),
    "negative": _l("The amount cannot be negative."),
    "too_large": _l("That amount is too large."),
    "range": _l("This percentage is out of the allowed range."),
}


class MoneyField(StringField):
    """Text input parsed strictly into integer cents (`field.cents`)."""

    def __init__(self, label=None, validators=None, allow_negative=False, max_cents=None, **kw):
        super().__init__(label, validators, **kw)
        self.allow_negative = allow_negative
        self.max_cents = max_cents
        self.cents: int | None = None

    def pre_validate(self, form):
        self.cents = None
        if self.data in (None, ""):
            return
        try:
            self.cents = money.parse_cents(self.data, allow_negative=self.allow_negative)
        except money.MoneyError as e:
            raise ValidationError(MONEY_MESSAGES.get(e.code, MONEY_MESSAGES["format"])) from e
        if self.max_cents is not None and self.cents > self.max_cents:
            raise ValidationError(MONEY_MESSAGES["too_large"])


class PercentField(StringField):
    """Text input like '15' or '15%' parsed into basis points (`field.bp`) within [min_bp, max_bp]."""

    def __init__(self, label=None, validators=None, min_bp=0, max_bp=10_000, **kw):
        super().__init__(label, validators, **kw)
        self.min_bp, self.max_bp = min_bp, max_bp
        self.bp: int | None = None

    def pre_validate(self, form):
        self.bp = None
        if self.data in (None, ""):
            return
        try:
            self.bp = money.parse_bp(self.data, min_bp=self.min_bp, max_bp=self.max_bp)
        except money.MoneyError as e:
            if e.code == "range":
                raise ValidationError(_l("Enter a percentage between %(lo)s and %(hi)s.",
                                         lo=money.fmt_bp(self.min_bp), hi=money.fmt_bp(self.max_bp))) from e
            raise ValidationError(_l("Write the percentage as a number like 4.5 (at most two decimals).")) from e


def apply_error(form: FlaskForm, err) -> None:
    """Put a ServiceError's message on its field (or on the form as a whole)."""
    field: Field | None = getattr(form, err.field, None) if getattr(err, "field", None) else None
    if field is not None:
        field.errors = list(field.errors or []) + [err.message]
    else:
        form.form_errors.append(err.message)


def choices(pairs) -> list:
    """(value, label) pairs → WTForms 3.3 SelectChoice objects (tuples are deprecated there)."""
    from wtforms.fields.choices import SelectChoice
    return [SelectChoice(str(v), label) for v, label in pairs]

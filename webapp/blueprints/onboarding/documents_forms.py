"""Forms of the documents and catalogue pages: shape only; content checks live in the services."""
from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, StringField
from wtforms.validators import ValidationError

from webapp.domain.documents import SPEC_BY_KIND
from webapp.forms import choices

_ISO = re.compile(r"\A\d{4}-\d{2}-\d{2}\Z")


class DateText(StringField):
    """An <input type=date> value (YYYY-MM-DD) parsed into `field.date`; bad input is not echoed back."""

    def __init__(self, label=None, validators=None, **kw):
        kw.setdefault("render_kw", {"type": "date", "autocomplete": "off"})
        super().__init__(label, validators, **kw)
        self.date: date | None = None

    def pre_validate(self, form):
        self.date = None
        raw = (self.data or "").strip()
        if not raw:
            self.data = ""
            return
        if not _ISO.match(raw):
            self.data = ""
            raise ValidationError(_l("Enter the date as YYYY-MM-DD (for example 2026-03-31)."))
        try:
            self.date = date.fromisoformat(raw)
        except ValueError:
            self.data = ""
            raise ValidationError(_l("This date does not exist; check the day and month.")) from None


class KindField(SelectField):
    """A document kind from the fixed list; anything else gets one clear message."""

    def __init__(self, label=None, **kw):
        super().__init__(label, validate_choice=False, **kw)

    def pre_validate(self, form):
        if self.data not in SPEC_BY_KIND:
            self.data = ""
            raise ValidationError(_l("Choose a document type from the list."))


class DocumentUploadForm(FlaskForm):
    kind = KindField(_l("Document type"))
    file = FileField(_l("File (PDF, JPG or PNG)"), render_kw={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"})
    issued_on = DateText(_l("Issued on"))
    expires_on = DateText(_l("Expires on"))

    def set_kinds(self, pairs) -> "DocumentUploadForm":
        self.kind.choices = choices([("", _l("Choose…"))] + list(pairs))
        return self


class ProductImportForm(FlaskForm):
    file = FileField(_l("Products CSV file"), render_kw={"accept": ".csv,text/csv"})

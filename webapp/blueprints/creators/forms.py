from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from webapp.domain.creator_lists import CONTACT_STATUSES
from webapp.forms import choices


class ShortlistForm(FlaskForm):
    name = StringField(_l("Shortlist name"), validators=[Length(max=80)])


class SelectionForm(FlaskForm):
    """The action bar under the results: add the chosen creators to a shortlist or tag them."""
    shortlist_id = SelectField(_l("Shortlist"), validators=[Optional()], validate_choice=False)
    new_name = StringField(_l("or a new shortlist"), validators=[Length(max=80)])
    tag = StringField(_l("Tag"), validators=[Length(max=40)])
    select_page = BooleanField(_l("Select this page"))
    all_matches = BooleanField(_l("Select all matches"))
    query = HiddenField()

    def set_shortlists(self, shortlists) -> None:
        from flask_babel import gettext as _
        self.shortlist_id.choices = choices([("", _("— new shortlist —"))] + [(s.id, s.name) for s, _n in shortlists])


class TagForm(FlaskForm):
    tag = StringField(_l("Add a tag"), validators=[Length(max=40)])


class NotesForm(FlaskForm):
    contact_status = SelectField(_l("Contact status"), validate_choice=False)
    notes = TextAreaField(_l("Notes"), validators=[Length(max=5000)])

    def set_choices(self) -> None:
        from flask_babel import gettext as _
        self.contact_status.choices = choices([(k, _(v)) for k, v in CONTACT_STATUSES.items()])


class SaveSearchForm(FlaskForm):
    name = StringField(_l("Name this search"), validators=[Length(max=80)])
    query = HiddenField()

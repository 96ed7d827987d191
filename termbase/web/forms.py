"""Form parsing and validation (Flask-WTF): every form carries a CSRF token.

Forms check shape (required, lengths, choices); the services check meaning and raise
``Invalid``/``Conflict``, which the views attach to the field they name.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, Optional

from termbase.records import (
    MAX_COMMENT_LENGTH,
    MAX_DEFINITION_LENGTH,
    MAX_NOTE_LENGTH,
    MAX_PINYIN_LENGTH,
    MAX_SUBJECT_FIELD_LENGTH,
    MAX_TERM_LENGTH,
    Role,
    TermReview,
    UsageStatus,
)
from termbase.services.users import MIN_PASSWORD_LENGTH


def _choices(pairs: list[tuple[str, str]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


LANGUAGE_CHOICES = [
    ("zh-Hans", "Chinese (Simplified) 简体"),
    ("zh-Hant", "Chinese (Traditional) 繁體"),
    ("en", "English"),
]
LANGUAGE_LABELS = dict(LANGUAGE_CHOICES)
USAGE_CHOICES = [
    (UsageStatus.PREFERRED.value, "preferred"),
    (UsageStatus.ADMITTED.value, "admitted"),
    (UsageStatus.DEPRECATED.value, "deprecated (do not use)"),
    (UsageStatus.SUPERSEDED.value, "superseded"),
]
REVIEW_CHOICES = [
    (TermReview.ACCEPTED.value, "accepted"),
    (TermReview.CANDIDATE.value, "proposed (awaiting review)"),
    (TermReview.REJECTED.value, "rejected"),
]
# TBX-Basic picklists, so what editors choose survives an export.
PART_OF_SPEECH_CHOICES = [
    ("", "—"),
    ("noun", "noun"),
    ("verb", "verb"),
    ("adjective", "adjective"),
    ("adverb", "adverb"),
    ("properNoun", "proper noun"),
    ("other", "other"),
]
TERM_TYPE_CHOICES = [
    ("", "—"),
    ("fullForm", "full form"),
    ("acronym", "acronym"),
    ("abbreviation", "abbreviation"),
    ("shortForm", "short form"),
    ("variant", "variant"),
    ("phrase", "phrase"),
]
ROLE_CHOICES = [
    (Role.TRANSLATOR.value, "translator: reads everything, comments"),
    (Role.EDITOR.value, "editor: also edits, approves, imports, uploads"),
    (Role.ADMIN.value, "admin: also manages users"),
]


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=80)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=500)])
    next = HiddenField()


class _TermFields(FlaskForm):
    text = StringField("Term", validators=[DataRequired(), Length(max=MAX_TERM_LENGTH)])
    usage_status = SelectField("Usage", choices=_choices(USAGE_CHOICES), default=UsageStatus.ADMITTED.value)
    pinyin = StringField(
        "Pinyin",
        validators=[Optional(), Length(max=MAX_PINYIN_LENGTH)],
        description="Chinese terms only. Leave empty to derive it; correct it where the reading differs.",
    )
    part_of_speech = SelectField("Part of speech", choices=_choices(PART_OF_SPEECH_CHOICES), default="")
    term_type = SelectField("Term type", choices=_choices(TERM_TYPE_CHOICES), default="")
    note = TextAreaField("Note", validators=[Optional(), Length(max=MAX_NOTE_LENGTH)])
    version = HiddenField(validators=[InputRequired()])


class NewTermForm(_TermFields):
    language = SelectField("Language", choices=_choices(LANGUAGE_CHOICES), default="en")


class EditTermForm(_TermFields):
    review = SelectField("Review", choices=_choices(REVIEW_CHOICES), default=TermReview.ACCEPTED.value)


class _ConceptFields(FlaskForm):
    """What a new entry and an entry's edit form both take besides its terms."""

    subject_field = StringField(
        "Subject field", validators=[Optional(), Length(max=MAX_SUBJECT_FIELD_LENGTH)]
    )
    definition_zh = TextAreaField(
        "Definition (Chinese)", validators=[Optional(), Length(max=MAX_DEFINITION_LENGTH)]
    )
    definition_en = TextAreaField(
        "Definition (English)", validators=[Optional(), Length(max=MAX_DEFINITION_LENGTH)]
    )
    note = TextAreaField("Note", validators=[Optional(), Length(max=MAX_NOTE_LENGTH)])


class ConceptForm(_ConceptFields):
    version = HiddenField(validators=[InputRequired()])


class NewConceptForm(_ConceptFields):
    zh = StringField("Chinese term", validators=[Optional(), Length(max=MAX_TERM_LENGTH)])
    zh_pinyin = StringField("Pinyin", validators=[Optional(), Length(max=MAX_PINYIN_LENGTH)])
    en = StringField("English term", validators=[Optional(), Length(max=MAX_TERM_LENGTH)])
    approve = BooleanField("Approve now", default=False)


class CommentForm(FlaskForm):
    body = TextAreaField("Comment", validators=[DataRequired(), Length(max=MAX_COMMENT_LENGTH)])


class MergeForm(FlaskForm):
    target_id = IntegerField(validators=[InputRequired()])
    source_id = IntegerField(validators=[InputRequired()])
    target_version = IntegerField(validators=[InputRequired()])
    source_version = IntegerField(validators=[InputRequired()])


class TokenForm(FlaskForm):
    name = StringField(
        "Token name",
        validators=[DataRequired(), Length(max=100)],
        description="Say where it is used, e.g. “memoQ plug-in on my laptop”.",
    )


class PasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired()])
    new = PasswordField(
        "New password",
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=500)],
        description=f"At least {MIN_PASSWORD_LENGTH} characters.",
    )
    confirm = PasswordField(
        "Repeat the new password", validators=[EqualTo("new", message="The passwords differ.")]
    )


class NewUserForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=80)])
    password = PasswordField(
        "Initial password",
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=500)],
        description=f"At least {MIN_PASSWORD_LENGTH} characters; give it to the user over a safe channel.",
    )
    role = SelectField("Role", choices=_choices(ROLE_CHOICES), default=Role.TRANSLATOR.value)


class UserForm(FlaskForm):
    role = SelectField("Role", choices=_choices(ROLE_CHOICES))
    active = BooleanField("Account active")
    password = PasswordField(
        "New password",
        validators=[Optional(), Length(min=MIN_PASSWORD_LENGTH, max=500)],
        description="Leave empty to keep the current password.",
    )

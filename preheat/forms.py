"""The instance dialog as a form; its rules come from `validation`."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (BooleanField, PasswordField, SelectChoice, SelectField, StringField,
                     TextAreaField)
from wtforms.validators import ValidationError

from .providers import AUTH_MODE_LABELS, DEFAULT_PROVIDER, PROVIDERS
from .validation import FieldError, check_description, check_name, normalize_endpoint


class Rule:
    """A WTForms validator that applies one of the shared validation rules."""

    def __init__(self, check):
        self.check = check

    def __call__(self, form, field):
        try:
            self.check(field.data)
        except FieldError as error:
            raise ValidationError(error.message)


class InstanceForm(FlaskForm):
    # The CSRF token is checked for every unsafe request in access.py, and a
    # dialog re-rendered after expiry should not fail a second time here.
    class Meta:
        csrf = False

    vendor = SelectField("Provider", default=DEFAULT_PROVIDER,
                         choices=[SelectChoice(p.id, p.name) for p in PROVIDERS.values()])
    name = StringField("Name", validators=[Rule(check_name)])
    description = TextAreaField("Description", validators=[Rule(check_description)])
    endpoint = StringField("Endpoint", validators=[Rule(normalize_endpoint)])
    auth_mode = SelectField("Auth Mode", default="NONE",
                            choices=[SelectChoice(*pair) for pair in AUTH_MODE_LABELS.items()])
    username = StringField("Username")
    password = PasswordField("Password")
    token = PasswordField("Token")
    enabled = BooleanField("Enable", default=True)
    insecure = BooleanField("Skip certificate verification")

    def service_data(self) -> dict:
        """The submitted values in the shape the service layer takes."""
        mode = self.auth_mode.data
        auth_info = {"BASIC": {"username": self.username.data, "password": self.password.data},
                     "OAUTH": {"token": self.token.data}}.get(mode, {})
        return {
            "vendor": self.vendor.data,
            "name": self.name.data,
            "description": self.description.data,
            "endpoint": self.endpoint.data,
            "auth_mode": mode,
            "auth_info": auth_info,
            "enabled": self.enabled.data,
            "insecure": self.insecure.data,
        }

    def add_error(self, field: str, message: str) -> None:
        """Attach a service-layer error to the field it concerns."""
        target = getattr(self, field, None)
        if target is None or not hasattr(target, "errors"):
            target = self.name
        if isinstance(target.errors, tuple):
            target.errors = list(target.errors)
        target.errors.append(message)

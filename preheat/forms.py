"""The dialogs as forms: instance, registry and project; their rules come from `validation` and the
services."""
from __future__ import annotations

from functools import partial

from flask_wtf import FlaskForm
from wtforms import (BooleanField, IntegerField, PasswordField, SelectChoice, SelectField,
                     StringField, TextAreaField)
from wtforms.validators import NumberRange, Optional, ValidationError
from wtforms.widgets import HiddenInput

from .providers import AUTH_MODE_LABELS, DEFAULT_PROVIDER, PROVIDERS
from .services import registries
from .services.projects import check_project_name
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


def _id_or_none(value):
    """A select's id, or None for nothing chosen (the service says what to choose)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _optional(check):
    """A rule that lets an empty field through."""
    return lambda value: check(value) if (value or "").strip() else None


class RegistryForm(FlaskForm):
    """The registry dialog; the URLs' rules are the service's own."""

    class Meta:
        csrf = False

    name = StringField("Name", validators=[Rule(check_name)])
    description = TextAreaField("Description", validators=[Rule(check_description)])
    url = StringField("URL", validators=[Rule(partial(registries.check_url, "url"))])
    public_url = StringField("URL as providers reach it", validators=[
        Rule(_optional(partial(registries.check_url, "public_url")))])
    auth_mode = SelectField("Credentials", default="NONE",
                            choices=[SelectChoice("NONE", "None"),
                                     SelectChoice("BASIC", "Username and password")])
    username = StringField("Username")
    password = PasswordField("Password")
    insecure = BooleanField("Skip certificate verification")

    def service_data(self) -> dict:
        """The submitted values in the shape services.registries takes."""
        basic = self.auth_mode.data == "BASIC"
        return {
            "name": self.name.data,
            "description": self.description.data,
            "url": self.url.data,
            "public_url": (self.public_url.data or "").strip() or None,
            "auth_mode": self.auth_mode.data,
            "auth_info": {"username": self.username.data, "password": self.password.data}
            if basic else {},
            "insecure": self.insecure.data,
        }

    add_error = InstanceForm.add_error


class ProjectForm(FlaskForm):
    """The New project dialog: a registry, and a namespace of it as the name."""

    class Meta:
        csrf = False

    registry = SelectField("Registry", coerce=int, validate_choice=True)
    name = StringField("Project name", validators=[Rule(check_project_name)])
    # How many repositories the picked namespace holds, as its catalog listed them.
    repo_count = IntegerField(widget=HiddenInput(), validators=[Optional(),
                                                               NumberRange(min=0)])

    def service_data(self) -> dict:
        """The submitted values: the registry's id, the name and the repository count."""
        return {"registry": self.registry.data, "name": self.name.data,
                "repo_count": self.repo_count.data}

    add_error = InstanceForm.add_error


class PolicyForm(FlaskForm):
    """The policy dialog; the provider's own fields come from its driver, as `options`."""

    class Meta:
        csrf = False

    instance_id = SelectField("Provider", coerce=_id_or_none, validate_choice=False)
    name = StringField("Name", validators=[Rule(check_name)])
    description = TextAreaField("Description", validators=[Rule(check_description)])
    repositories = StringField("Repositories", default="**")
    tags = StringField("Tags", default="**")
    trigger = SelectField("Trigger", default="manual",
                          choices=[SelectChoice("manual", "Manual"),
                                   SelectChoice("scheduled", "Scheduled"),
                                   SelectChoice("event_based", "Event based")])
    schedule = StringField("Cron expression")
    timezone = StringField("Time zone", default="UTC")
    enabled = BooleanField("Enable", default=True)

    def __init__(self, *args, options: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.options = dict(options or {})
        self.option_errors: dict[str, str] = {}

    def service_data(self) -> dict:
        """The submitted values in the shape services.policies takes."""
        return {"instance_id": self.instance_id.data, "name": self.name.data,
                "description": self.description.data, "repositories": self.repositories.data,
                "tags": self.tags.data, "trigger": self.trigger.data,
                "schedule": self.schedule.data, "timezone": self.timezone.data,
                "enabled": self.enabled.data, "options": self.options}

    def add_error(self, field: str, message: str) -> None:
        """Attach a service-layer error to its field, a provider option's included."""
        if field in self.options or not hasattr(self, field):
            self.option_errors[field] = message
            return
        InstanceForm.add_error(self, field, message)

"""The URL parameters of the API, declared for the document from the parsers' own rules.

`query` parses them (its messages name the parameter); the patterns, bounds
and enums here are the constants it parses with.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, create_model

from ..models import PROJECT_NAME_MAX
from ..services.audit import ACTIONS, OUTCOMES
from ..services.errors import NotFound
from ..services.query import (EXECUTIONS, INSTANCES, POLICIES, PROJECTS, REGISTRIES, TASKS,
                              Listing)
from ..validation import NAME_MAX, NAME_PATTERN
from . import query
from .invalid import label

NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"


class Paging(BaseModel):
    """The page of a list to show."""

    page: int = Field(1, ge=1, le=query.MAX_PAGE,
                      description="Page number; a page past the end is empty.")
    page_size: int = Field(query.DEFAULT_PAGE_SIZE, ge=1, le=query.MAX_PAGE_SIZE,
                           description="Entries per page.")


def list_query(name: str, listing: Listing, doc: str, examples: tuple[str, str], *,
               harbor_name: bool = False) -> type[Paging]:
    """The query parameters of a list: Harbor's `q` and `sort` on `listing`'s fields."""
    fields = {
        "q": (str, Field(None, pattern=query.q_pattern(listing), examples=[examples[0]],
                         description=_q_description(listing))),
        "sort": (str, Field(None, pattern=query.sort_pattern(listing), examples=[examples[1]],
                            description="Comma-separated sort keys, - for descending: "
                                        + ", ".join(listing.sorts)
                                        + f". Default: {listing.default_sort}.")),
    }
    if harbor_name:
        fields["name"] = (str, Field(None, max_length=query.TEXT_FILTER_MAX, pattern=NO_CONTROL,
                                     description="Names containing this text, without regard"
                                                 " to case (Harbor's older filter)."))
    return create_model(name, __base__=Paging, __doc__=doc, **fields)


def _q_description(listing: Listing) -> str:
    flags = (" Flag keys (" + ", ".join(listing.flags) + "): key=true or key=false."
             if listing.flags else "")
    return ("Comma-separated terms. Text keys (" + ", ".join(listing.text) + "): key=value"
            " exact, key=~value contains, key={a b} any of; all without regard to case."
            + flags + f" At most {query.MAX_TERMS} terms.")


InstanceQuery = list_query("InstanceQuery", INSTANCES,
                           "Harbor's filter and order of the instance list.",
                           ("name=~df,enabled=true", "-setup_timestamp,name"))
RegistryQuery = list_query("RegistryQuery", REGISTRIES,
                           "Harbor's filter and order of the registry list.",
                           ("name=~hub,insecure=false", "-creation_time,name"), harbor_name=True)
ProjectQuery = list_query("ProjectQuery", PROJECTS,
                          "Harbor's filter and order of the project list.",
                          ("name=~lib", "-creation_time,name"), harbor_name=True)

PolicyQuery = list_query("PolicyQuery", POLICIES,
                         "Harbor's filter and order of a project's policy list.",
                         ("name=~warm,enabled=true", "-creation_time"))
ExecutionQuery = list_query("ExecutionQuery", EXECUTIONS,
                            "Harbor's filter and order of a policy's executions.",
                            ("status=Error", "-start_time"))
TaskQuery = list_query("TaskQuery", TASKS, "Harbor's filter and order of an execution's tasks.",
                       ("status=Error", "-end_time"))


class AuditQuery(Paging):
    """The audit log's filters."""

    instance: str = Field(None, max_length=query.TEXT_FILTER_MAX, pattern=NO_CONTROL,
                          description="Entries whose object name contains this text, without"
                                      " regard to case.")
    user: str = Field(None, max_length=query.TEXT_FILTER_MAX, pattern=NO_CONTROL,
                      description="Entries whose user name contains this text, without regard"
                                  " to case.")
    action: Literal[("", *ACTIONS)] = Field(None, description="Only entries of this action"
                                                              " (empty: all).")
    outcome: Literal[("", *OUTCOMES)] = Field(None, description="Only successes or only"
                                                                " failures (empty: both).")


class HealthQuery(BaseModel):
    """A GET of an instance's health only reads it."""

    refresh: Literal[False] = Field(False, description="Only false is accepted: a GET never"
                                    " checks (a link could trigger it). refresh=true answers"
                                    " 400 saying to POST instead.")


class InstancePath(BaseModel):
    """The instance a URL names."""

    name: str = Field(max_length=NAME_MAX, pattern=f"^{NAME_PATTERN.pattern}$",
                      description="The instance's name (matched without regard to case).")


MAX_ID = 2**31 - 1  # the database's ids are 32-bit integers
PROJECT_PATTERN = r"^[a-z0-9]+(?:[._-][a-z0-9]+)*$"


class ProjectExists(BaseModel):
    """The name HEAD /projects asks about."""

    project_name: str = Field(max_length=PROJECT_NAME_MAX, pattern=NO_CONTROL,
                              description="The project name to look for (exact).")


class ApiPath(InstancePath):
    """Every parameter a URL of the API names."""

    id: int = Field(ge=1, le=MAX_ID, description="The registry's id.")
    project_name_or_id: str = Field(
        max_length=PROJECT_NAME_MAX, pattern=PROJECT_PATTERN,
        description="The project's name, or its id when all digits (send X-Is-Resource-Name:"
                    " true to mean a name made of digits).")


def whole_id(value, noun: str) -> int:
    """The row id `value` names (an int, or a URL's digits), or NotFound if no row can have it."""
    text = str(value)
    # The length first: int() of a flood of digits is slow, and refused past 4300.
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)) \
            or not 1 <= int(text) <= MAX_ID:
        raise NotFound(f"{noun} {label(text)} does not exist.")
    return int(text)

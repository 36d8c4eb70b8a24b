"""The URL parameters of the API, declared for the document from the parsers' own rules.

`query` parses them (its messages name the parameter); the patterns, bounds
and enums here are the constants it parses with.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from ..services.audit import ACTIONS, OUTCOMES
from ..validation import NAME_MAX, NAME_PATTERN
from . import query

NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"


class Paging(BaseModel):
    """The page of a list to show."""

    page: int = Field(1, ge=1, le=query.MAX_PAGE,
                      description="Page number; a page past the end is empty.")
    page_size: int = Field(query.DEFAULT_PAGE_SIZE, ge=1, le=query.MAX_PAGE_SIZE,
                           description="Entries per page.")


class InstanceQuery(Paging):
    """Harbor's filter and order of the instance list."""

    q: str = Field(None, pattern=query.Q_PATTERN, examples=["name=~df,enabled=true"],
                   description="Comma-separated terms. Text keys ("
                               + ", ".join(query.TEXT_KEYS) + "): key=value exact, key=~value"
                               " contains, key={a b} any of; all without regard to case. Flag"
                               " keys (" + ", ".join(query.FLAG_KEYS) + "): key=true or"
                               f" key=false. At most {query.MAX_TERMS} terms.")
    sort: str = Field(None, pattern=query.SORT_PATTERN, examples=["-setup_timestamp,name"],
                      description="Comma-separated sort keys, - for descending: "
                                  + ", ".join(query.SORT_KEYS) + ". Default: name.")


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

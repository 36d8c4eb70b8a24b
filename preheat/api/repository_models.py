"""The repository and artifact answers and parameters, in Harbor's shapes, declared once."""
from __future__ import annotations

import re
from typing import Literal, Optional

from pydantic import BaseModel, Field, RootModel

from ..models import PROJECT_NAME_MAX
from ..registry.names import MANIFEST_TYPES
from .errors import ApiError
from .parameters import Paging
from .responses import Answer

MAX_TERMS = 20
_VALUE = r"[^,{}\x00-\x1f\x7f]"


def q_pattern(key: str) -> str:
    """The `q` of a list filtering on one key: key=exact, key=~part or key={a b}."""
    term = rf"{key}=(?:~{_VALUE}+|\{{{_VALUE}*\}}|[^~,{{}}\x00-\x1f\x7f]{_VALUE}*)"
    return rf"^(?:{term}(?:,{term}){{0,{MAX_TERMS - 1}}})?$"


REPOSITORY_Q = q_pattern("name")
ARTIFACT_Q = q_pattern("tags")
SORT = r"^-?name$"


class RepositoryPath(BaseModel):
    """The project and repository a URL names."""

    project_name: str = Field(max_length=PROJECT_NAME_MAX, description="The project's name.")
    repository_name: str = Field(max_length=255, description=(
        "The repository's name without the project prefix; a / inside it is sent as %2F,"
        " or %252F as Harbor's clients encode it (both are accepted)."))


class RepositoryQuery(Paging):
    """Harbor's filter and order of a project's repositories."""

    q: str = Field(None, pattern=REPOSITORY_Q, examples=["name=~nginx"],
                   description="name=~part (contains), name=exact or name={a b} (any of),"
                               " without regard to case, on the name with the project prefix.")
    sort: str = Field(None, pattern=SORT, description="name (the default) or -name.")


class ArtifactQuery(Paging):
    """Harbor's filter and paging of a repository's artifacts."""

    q: str = Field(None, pattern=ARTIFACT_Q, examples=["tags=~v1"],
                   description="tags=~part, tags=exact or tags={a b}, on tag names.")
    sort: str = Field(None, pattern=SORT, description="name (tag order, the default) or -name.")


class Repository(Answer):
    """A repository of the project, as Harbor lists it."""

    id: int = Field(ge=0, description="A number derived from the repository's path (the"
                                      " registry gives repositories no ids).")
    name: str = Field(description="With the project prefix: library/nginx (also for a"
                                  " repository the registry holds without a namespace).")
    project_id: int
    artifact_count: Optional[int] = Field(description="Its tags (counted from the registry's"
                                                      " tag list); null when it could not be"
                                                      " read.")


class TagName(Answer):
    """A tag pointing at the artifact."""

    name: str


class Platform(Answer):
    """The platform of one manifest of an index."""

    os: str
    architecture: str
    variant: str = Field(None, description="Absent when the index names none.")


class Reference(Answer):
    """One manifest of an index, as Harbor's references list it."""

    platform: Platform


class Artifact(Answer):
    """One digest of the repository and every tag on the page pointing at it."""

    id: int = Field(ge=0, description="A number derived from the digest.")
    type: Literal["IMAGE"]
    digest: str = Field(pattern=r"^sha256:[0-9a-f]{64}$")
    media_type: str = Field(description="The manifest's media type (as manifest_media_type).")
    manifest_media_type: Literal[MANIFEST_TYPES]
    project_id: int
    repository_name: str = Field(description="With the project prefix.")
    tags: list[TagName]
    references: list[Reference] = Field(description="An index's platforms; empty for an image.")
    extra_attrs: dict = Field(description='{"platforms": ["linux/amd64", ...]} for an index.')


class Repositories(RootModel[list[Repository]]):
    """One page of a project's repositories."""


class Artifacts(RootModel[list[Artifact]]):
    """The artifacts of one page of tags."""


def platform_of(name: str) -> Platform:
    """`os/arch[/variant]` as Harbor's platform object."""
    os_name, arch, *variant = name.split("/", 2)
    return Platform(os=os_name, architecture=arch, **({"variant": variant[0]} if variant else {}))


def terms(text: str, key: str) -> list[tuple[str, tuple[str, ...]]]:
    """The (operator, values) of each term of a `q` on `key`; raise a 400 naming q."""
    if not text:
        return []
    if not re.fullmatch(q_pattern(key), text):
        raise ApiError(400, f"q must be {key}=~part, {key}=exact or {key}={{a b}}"
                           f" (comma-separated, at most {MAX_TERMS} terms).", "q")
    found = []
    for term in text.split(","):
        value = term.split("=", 1)[1]
        if value.startswith("{"):
            found.append(("any", tuple(value[1:-1].lower().split())))
        elif value.startswith("~"):
            found.append(("contains", (value[1:].lower(),)))
        else:
            found.append(("equals", (value.lower(),)))
    return found

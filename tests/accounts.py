"""The users every test app starts with."""
ADMIN = ("admin", "admin-password")
USER = ("alice", "alice-password")
MAINTAINER = ("bob", "bob-password")
# The projects MAINTAINER may manage (PREHEAT_CAN_MANAGE_PROJECT = "tests.accounts.maintains").
MAINTAINED = {"df-one", "library"}


def maintains(user, project_name: str) -> bool:
    """The standalone app's test predicate: bob maintains the projects in MAINTAINED."""
    return getattr(user, "username", None) == MAINTAINER[0] and project_name in MAINTAINED

"""What Preheat keeps per application, and how a request or command finds it."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from flask import current_app

from .layout import check_base_template

if TYPE_CHECKING:
    from .crypto import SecretBox
    from .engine import Engine
    from .executions.dispatcher import Dispatcher
    from .health.background import HealthChecks
    from .registry import RegistryClient
    from .services.on_demand import OnDemandLimit
    from .sources import ArtifactSource
    from .transport import HttpClient


@dataclass
class PreheatState:
    """What Preheat keeps per application, in `app.extensions["preheat"]`."""

    db: Any
    login_manager: Any
    is_sysadmin: Callable[[Any], bool]
    # (user, project name) -> whether that user may manage the project's policies.
    can_manage_project: Callable[[Any, str], bool]
    base_template: str
    secret_box: SecretBox
    http: HttpClient
    engine: Engine
    health: HealthChecks
    on_demand: OnDemandLimit | None = None
    # One registry client per process: it keeps the registries' challenges and tokens.
    registries: RegistryClient | None = None
    registry_health: HealthChecks | None = None
    # Where executions read a project's images: the host's, or the stored registries.
    artifacts: ArtifactSource | None = None
    # The host's own image source (`init_app(artifact_source=...)`), which names the projects.
    host_source: ArtifactSource | None = None
    executions: Dispatcher | None = None
    # Rendered HTML kept by the values it shows (views/kept.py), per template name.
    kept_html: dict = field(default_factory=dict)
    layout_checked: bool = False

    def shutdown(self) -> None:
        """Take no more background work: the dispatcher stops, then the engine's checks."""
        for part in (self.executions, self.registry_health, self.health):
            if part is not None:
                part.shutdown()

    @property
    def session(self):
        """The database session of the current request or command."""
        return self.db.session

    def layout(self, env) -> str:
        """The base template's name, once it has been checked to carry our pages."""
        if not self.layout_checked:
            check_base_template(env, self.base_template)
            self.layout_checked = True
        return self.base_template


def current_state() -> PreheatState:
    """Preheat's state in the application handling the current request or command."""
    return current_app.extensions["preheat"]

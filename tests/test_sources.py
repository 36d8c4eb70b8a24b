"""init_app's artifact_source: checked at setup, and the stored registries without one."""
import pytest

from app import create_app
from preheat.extension import SetupError
from preheat.services import projects, registries
from preheat.sources import METHODS, ArtifactSource, RegistrySource, SourceError
from tests.helpers import release
from tests.registry.fixtures import pusher_for


def test_the_interface_lists_every_method_setup_checks():
    assert set(METHODS) == {name for name in vars(ArtifactSource) if not name.startswith("_")}


def test_the_stored_registries_answer_as_the_interface_says(app, session, own_registry):
    pusher = pusher_for(own_registry)
    pushed = pusher.image("library/app", "1.0", kind="docker")
    pusher.image("team/tool", "2.0")
    box = app.extensions["preheat"].secret_box
    hub = registries.create(session, box, {"name": "hub", "url": own_registry.url})
    projects.create(session, "library", hub)
    dead = registries.create(session, box, {"name": "gone", "url": "http://127.0.0.1:9"})
    projects.create(session, "team", dead)
    source = app.extensions["preheat"].artifacts
    assert isinstance(source, RegistrySource)
    with app.app_context():
        assert source.projects() == ["library", "team"]
        assert source.repositories("library") == ["library/app"]
        assert source.tags("library", "library/app") == ["1.0"]
        artifact = source.artifact("library", "library/app", "1.0")
        assert (artifact.digest, artifact.media_type) == (pushed.digest, pushed.media_type)
        assert source.manifest_url("library", "library/app", pushed.digest) == \
            f"{own_registry.url}/v2/library/app/manifests/{pushed.digest}"
        assert source.pull_credential("library", "library/app").header is None
        source.check("library")
        with pytest.raises(SourceError) as refused:
            source.repositories("team")
    assert refused.value.origin == "registry gone"


def test_an_artifact_source_without_the_interface_is_refused_at_setup(app_config, tmp_path):
    class Partial:
        def projects(self):
            return []

    with pytest.raises(SetupError, match="lacks check, repositories, tags"):
        create_app({**app_config, "PREHEAT_ARTIFACT_SOURCE": Partial()},
                   instance_path=str(tmp_path / "other"))


def test_an_artifact_source_that_cannot_be_imported_is_refused_at_setup(app_config, tmp_path):
    with pytest.raises(SetupError, match="cannot import 'tests.test_sources:NOWHERE'"):
        create_app({**app_config, "PREHEAT_ARTIFACT_SOURCE": "tests.test_sources:NOWHERE"},
                   instance_path=str(tmp_path / "other"))


def test_without_a_host_source_executions_read_the_stored_registries(app_config, tmp_path):
    built = create_app(app_config, instance_path=str(tmp_path / "plain"))
    try:
        assert isinstance(built.extensions["preheat"].artifacts, RegistrySource)
    finally:
        release(built)

"""python -m preheat.registry.fill, run as someone trying Preheat runs it."""
import subprocess
import sys
import uuid
from pathlib import Path

from preheat.registry import namespaces
from tests.registry.conftest import PASSWORD, USER, target_of

ROOT = Path(__file__).resolve().parents[2]


def fill(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "preheat.registry.fill", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_fill_pushes_repositories_with_tags_and_an_index(client, open_registry):
    namespace = f"fill{uuid.uuid4().hex[:8]}"
    done = fill(open_registry.url, "--repositories", "2", "--tags", "3",
                "--namespace", namespace)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split()[0] for line in lines[:-1]] == [
        f"{namespace}/app-1:1.0.0", f"{namespace}/app-1:1.1.0", f"{namespace}/app-1:1.2.0",
        f"{namespace}/app-1:multi", f"{namespace}/app-2:1.0.0", f"{namespace}/app-2:1.1.0",
        f"{namespace}/app-2:1.2.0"]
    assert lines[3].endswith("(linux/amd64, linux/arm64)")
    assert lines[-1].startswith(f"Pushed 7 tags in 2 repositories to {open_registry.url} in ")
    target = target_of(open_registry)
    [ours] = [n for n in namespaces(client.catalog(target)) if n.name == namespace]
    assert ours.count == 2
    assert client.tags(target, f"{namespace}/app-1") == ["1.0.0", "1.1.0", "1.2.0", "multi"]
    digest = lines[1].split()[1]
    assert client.artifact(target, f"{namespace}/app-1", "1.1.0").digest == digest


def test_fill_says_why_it_could_not_push(basic_registry):
    done = fill(basic_registry.url, "--user", USER, "--password", "wrong-" + PASSWORD)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith("fill: HTTP 401 Unauthorized from HEAD /v2/demo/app-1/blobs/")
    assert done.stderr.endswith(": the registry refused these credentials.\n")
    assert PASSWORD not in done.stderr

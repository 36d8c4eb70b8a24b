"""One way in for the network: only preheat/transport speaks HTTP, and it knows no provider."""
import ast
from pathlib import Path

import preheat

PACKAGE = Path(preheat.__file__).parent
NETWORK = ("requests", "urllib3", "http.client", "socket")


def imports(path: Path) -> set[str]:
    """The modules `path` imports, relative ones made absolute within preheat."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    package = ".".join(parts[:-1])  # a module's package, or the package of an __init__.py
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            found.add(".".join(part for part in (base, node.module or "") if part))
    return found


def modules(where: Path):
    return sorted(path for path in where.rglob("*.py") if "migrations" not in path.parts)


def test_only_the_transport_touches_the_network():
    allowed = {"transport"}
    offenders = []
    for path in modules(PACKAGE):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.split("/")[0] in allowed or relative in allowed:
            continue
        offenders += [f"{relative}: {name}" for name in imports(path)
                      if name.split(".")[0] in NETWORK or name in NETWORK]
    assert offenders == []


def test_the_transport_knows_no_provider_service_or_flask():
    for path in modules(PACKAGE / "transport"):
        for name in imports(path):
            assert not name.startswith(("preheat.providers", "preheat.services", "flask")), \
                f"{path.name} imports {name}"

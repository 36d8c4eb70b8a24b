"""The bench and screenshot scripts still import what they use (none of them runs in CI)."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Each of these runs only under `if __name__ == "__main__"`; list_floor.py builds
# an app from the environment when imported, and bare_app.py has nothing to import.
SCRIPTS = sorted(path for path in (ROOT / "scripts").glob("*.py")
                 if path.name not in ("list_floor.py", "bare_app.py"))
LOAD_EACH = "import runpy, sys\nfor path in sys.argv[1:]:\n    runpy.run_path(path, run_name='loaded')"


def test_every_script_loads():
    assert len(SCRIPTS) >= 8
    result = subprocess.run([sys.executable, "-c", LOAD_EACH, *map(str, SCRIPTS)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]

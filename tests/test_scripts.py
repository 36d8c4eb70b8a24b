"""The bench and screenshot scripts still import what they use (none of them runs in CI)."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The scripts that do their work only when run; the app modules gunicorn serves
# (bare_app.py, list_floor.py) build an app on import instead.
SCRIPTS = sorted(path for path in (ROOT / "scripts").glob("*.py")
                 if 'if __name__ == "__main__":' in path.read_text())
LOAD_EACH = "import runpy, sys\nfor path in sys.argv[1:]:\n    runpy.run_path(path, run_name='loaded')"


def test_every_script_loads():
    assert len(SCRIPTS) >= 8
    result = subprocess.run([sys.executable, "-c", LOAD_EACH, *map(str, SCRIPTS)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]

"""The Celery worker's app: `celery -A preheat.worker worker`.

It builds the Flask app the web processes run (the standalone `app:create_app`
by default; a host portal's with PREHEAT_FLASK_APP=module:factory_or_app),
from the same environment, PREHEAT_CELERY_BROKER_URL included, and runs each
`preheat.run` task with the engine's `execute`, exactly as the in-process
runner does. The worker also runs the dispatcher and the periodic ticker, so
work proceeds with no web traffic; database claims keep several of them safe.
"""
from __future__ import annotations

import os

from celery import signals
from werkzeug.utils import import_string

from .engine.celery_runner import TASK, make_celery

DEFAULT_APP = "app:create_app"


def load_flask_app(target: str | None = None):
    """The Flask app named by an import string: a factory (called) or an app."""
    found = import_string((target or os.environ.get("PREHEAT_FLASK_APP") or DEFAULT_APP)
                          .replace(":", "."))
    flask_app = found if hasattr(found, "extensions") else found()
    if "preheat" not in flask_app.extensions:
        raise RuntimeError(f"{target or DEFAULT_APP} is not an app with Preheat in it.")
    return flask_app


flask_app = load_flask_app()
_state = flask_app.extensions["preheat"]
_runner = _state.engine.runner
if not hasattr(_runner, "celery"):
    raise RuntimeError("The worker needs PREHEAT_CELERY_BROKER_URL in its environment.")
app = celery = _runner.celery


@celery.task(name=TASK, bind=True, acks_late=True, reject_on_worker_lost=True,
             ignore_result=True)
def run(task, name: str, args: list):
    """One engine call: the same `Engine.execute` as in the web processes."""
    _state.engine.execute(name, args)


@signals.worker_ready.connect
def _start_background(**_):
    _state.engine.start()
    _state.executions.start()


@signals.worker_shutdown.connect
def _stop_background(**_):
    _state.executions.shutdown()

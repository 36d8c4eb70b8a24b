"""The engine: one way to run background work, whatever the work is.

- Work items are database rows with a status and a claim deadline
  (`lease.Lease`): the database decides who works on which item, so several
  processes never do the same item at once, and a claim whose process died
  simply runs out.
- A job is a named function that works on items (`Engine.register`); the
  engine hands "run this job with these arguments" calls to a runner. The
  arguments are plain JSON values, so a runner may send them elsewhere.
- The default runner (`runner.ThreadRunner`) is a bounded pool of threads in
  the app process; `celery_runner.CeleryRunner` sends the same calls to
  Celery workers (PREHEAT_CELERY_BROKER_URL), which run `Engine.execute` too.
- Periodic work (`periodic.Periodic`) fires once per due time across all
  processes, from the engine's ticker.
"""
from .core import Engine, Job
from .lease import Lease
from .periodic import Periodic
from .runner import RunnerUnavailable, ThreadRunner

__all__ = ["Engine", "Job", "Lease", "Periodic", "RunnerUnavailable", "ThreadRunner"]

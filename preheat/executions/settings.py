"""The settings executions read from the app's config, with their defaults."""
from __future__ import annotations

from dataclasses import dataclass

DEFAULTS = {
    "PREHEAT_POLL_INTERVAL": 10,
    "PREHEAT_POLL_MAX_INTERVAL": 120,
    "PREHEAT_JOB_DEADLINE": 3600,
    "PREHEAT_SUBMIT_RATE": 10,
    "PREHEAT_EXECUTION_RETENTION": 50,
    "PREHEAT_DISPATCH_SECONDS": 1.0,
    # How long a process holds a task it submits or polls; a process that dies
    # leaves its claims to run out after this. It must outlast the longest
    # provider call, or a slow submission could be claimed a second time.
    "PREHEAT_WORK_LEASE": 120,
    # How often scheduled policies are looked at: a run starts at most this late.
    "PREHEAT_SCHEDULE_TICK_SECONDS": 15,
    "PREHEAT_EVENT_BATCH_SECONDS": 5.0,
    "PREHEAT_EVENT_RETENTION_DAYS": 7,
}


@dataclass(frozen=True)
class Settings:
    poll_interval: float
    poll_max_interval: float
    job_deadline: float
    submit_rate: float
    retention: int
    dispatch_seconds: float
    work_lease: float
    event_batch_seconds: float = DEFAULTS["PREHEAT_EVENT_BATCH_SECONDS"]

    @classmethod
    def from_config(cls, config) -> Settings:
        def value(key):
            return float(config.get(key, DEFAULTS[key]))
        return cls(value("PREHEAT_POLL_INTERVAL"), value("PREHEAT_POLL_MAX_INTERVAL"),
                   value("PREHEAT_JOB_DEADLINE"), value("PREHEAT_SUBMIT_RATE"),
                   int(value("PREHEAT_EXECUTION_RETENTION")), value("PREHEAT_DISPATCH_SECONDS"),
                   value("PREHEAT_WORK_LEASE"), value("PREHEAT_EVENT_BATCH_SECONDS"))

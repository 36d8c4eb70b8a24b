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
    event_batch_seconds: float = DEFAULTS["PREHEAT_EVENT_BATCH_SECONDS"]

    @classmethod
    def from_config(cls, config) -> Settings:
        def value(key):
            return float(config.get(key, DEFAULTS[key]))
        return cls(value("PREHEAT_POLL_INTERVAL"), value("PREHEAT_POLL_MAX_INTERVAL"),
                   value("PREHEAT_JOB_DEADLINE"), value("PREHEAT_SUBMIT_RATE"),
                   int(value("PREHEAT_EXECUTION_RETENTION")), value("PREHEAT_DISPATCH_SECONDS"),
                   value("PREHEAT_EVENT_BATCH_SECONDS"))

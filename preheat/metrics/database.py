"""The metrics the database holds, read at scrape time: nothing is kept in a process."""
from __future__ import annotations

from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from ..models import HEALTH_STATES, STATUSES, Execution, Instance, RegistryEvent, Task
from ..providers import PROVIDERS

DEACTIVATED = "deactivated"


class DatabaseCollector:
    """Instances by provider and health, executions and tasks by status, the queues."""

    def __init__(self, session):
        self.session = session

    def collect(self):
        session = self.session
        try:
            yield self._instances()
            yield _by_status("preheat_executions", "Executions by status.",
                             session.execute(select(Execution.status, func.count())
                                             .group_by(Execution.status)))
            yield _by_status("preheat_tasks", "Tasks by status.",
                             session.execute(select(Task.status, func.count())
                                             .group_by(Task.status)))
            yield GaugeMetricFamily(
                "preheat_tasks_pending",
                "Pending tasks of running executions: the work queued for the providers.",
                value=session.scalar(select(func.count()).select_from(Task)
                                     .join(Execution, Task.execution_id == Execution.id)
                                     .where(Task.status == "Pending",
                                            Execution.status == "Running")))
            yield GaugeMetricFamily(
                "preheat_webhook_events_pending",
                "Recorded registry pushes not yet turned into executions.",
                value=session.scalar(select(func.count()).select_from(RegistryEvent)
                                     .where(RegistryEvent.status == "pending")))
        finally:
            session.commit()  # no connection held between scrapes

    def _instances(self) -> GaugeMetricFamily:
        counted = {(provider, state): 0 for provider in PROVIDERS
                   for state in (*HEALTH_STATES, DEACTIVATED)}
        columns = (Instance.vendor, Instance.enabled, Instance.health_status)
        for vendor, enabled, state, number in self.session.execute(
                select(*columns, func.count()).group_by(*columns)):
            key = (vendor, state if enabled else DEACTIVATED)
            counted[key] = counted.get(key, 0) + number
        family = GaugeMetricFamily(
            "preheat_instances", "Provider instances by provider and latest health status"
            " (deactivated ones apart).", labels=["provider", "status"])
        for (provider, state), number in sorted(counted.items()):
            family.add_metric([provider, state], number)
        return family


def _by_status(name: str, documentation: str, rows) -> GaugeMetricFamily:
    counted = {status: 0 for status in STATUSES} | {status: number for status, number in rows}
    family = GaugeMetricFamily(name, documentation, labels=["status"])
    for status in STATUSES:
        family.add_metric([status], counted[status])
    return family

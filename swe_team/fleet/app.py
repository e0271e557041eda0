"""The Celery app of a fleet: Redis broker, late acknowledgement, redelivery of a dead worker's message.

Delivery: a message is acknowledged only when its job has ended or released its worker at a gate
(`task_acks_late`); a pool thread lost mid-task rejects the message back to the queue
(`task_reject_on_worker_lost`); a message taken by a worker that died is handed out again after
`fleet.visibility_timeout_s` (a worker killed while it held the restore lock blocks redelivery for as long again,
not kombu's default five minutes). Duplicate deliveries are harmless: the job's lease lets one worker run it, and a
finished job is never run again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.settings import Settings

TASK_NAME = "swe_team.fleet.run_job"


def broker_url(settings: Settings) -> str:
    return settings.fleet.broker_url.get_secret_value() or settings.redis_url.get_secret_value()


def celery_priority(priority: int) -> int:
    """Our priorities run 0 (lowest) to 9 (highest); Celery's Redis transport serves 0 first."""
    return 9 - max(0, min(9, priority))


def make_app(settings: Settings) -> Any:
    """A Celery app for these settings, with the job task registered."""
    from celery import Celery

    fleet = settings.fleet
    restore_interval = max(1, int(min(fleet.visibility_timeout_s, fleet.lease_seconds) / 3))
    app = Celery("swe_team", broker=broker_url(settings))
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_acks_on_failure_or_timeout=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_default_queue=fleet.default_queue,
        task_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        broker_transport_options={
            "visibility_timeout": fleet.visibility_timeout_s,
            "unacked_restore_interval": restore_interval,
            "unacked_restore_throttle": 1,
            "unacked_mutex_expire": max(5, int(fleet.visibility_timeout_s)),
            "priority_steps": list(range(10)),
            "queue_order_strategy": "priority",
            "global_keyprefix": f"{fleet.namespace}:broker:",
        },
    )

    @app.task(name=TASK_NAME, bind=True, acks_late=True, reject_on_worker_lost=True)  # type: ignore[untyped-decorator]
    def run_job(task: Any, job_id: str) -> str:
        from swe_team.fleet.execute import run_delivered_job

        return run_delivered_job(job_id, delivery=str(task.request.id or ""))

    return app

"""`open_job_store(settings)`: the job folders, mirrored to Redis job records when a fleet is configured."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.jobs import JobStore

if TYPE_CHECKING:
    from core.settings import Settings


def open_job_store(settings: Settings) -> JobStore:
    """The job store for these settings: file records, mirrored in Redis when `fleet.enabled`."""
    if not settings.fleet.enabled:
        return JobStore(settings.jobs_dir)
    from swe_team.fleet.records import RedisJobRecords

    return JobStore(settings.jobs_dir, RedisJobRecords.from_settings(settings))

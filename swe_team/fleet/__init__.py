"""Run jobs on many machines: Celery workers on a Redis broker, per-job leases, queue and worker tracking."""

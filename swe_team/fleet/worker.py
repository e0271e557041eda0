"""`swe-team worker`: a Celery worker (thread pool) plus the fleet's heartbeat — leases, presence, orphan sweep."""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING

from core.jobs import FINISHED
from swe_team.fleet.app import make_app
from swe_team.fleet.board import worker_identity
from swe_team.fleet.control import enqueue
from swe_team.fleet.keys import with_fleet
from swe_team.fleet.runtime import WorkerRuntime, install
from swe_team.job_store import open_job_store

if TYPE_CHECKING:
    from core.settings import Settings

log = logging.getLogger("swe_team.fleet")
WARM_MODULES = ("graphs.team", "swe_team.checkpoints", "core.model.llm", "workspaces.registry", "workspaces.local")


def warm_imports() -> None:
    """Import what every job needs once, at start, so the first job does not pay seconds of imports."""
    for module in WARM_MODULES:
        importlib.import_module(module)
    importlib.import_module("core.model.llm")._import_litellm()


def requeue_orphan(settings: Settings, job_id: str) -> None:
    """A job whose worker died mid-job goes back on its queue, to be continued from its last checkpoint."""
    store = open_job_store(settings)
    job = store.load(job_id)
    if job.status in FINISHED:
        return
    job.status, job.pid = ("waiting" if job.status == "waiting" else "queued"), 0
    store.save(job)
    enqueue(settings, job)
    log.warning("job %s lost its worker %s: requeued", job_id, job.worker)


def run_worker(
    settings: Settings, concurrency: int, queues: list[str], name: str = "", loglevel: str = "WARNING"
) -> None:
    """Serve `queues` with `concurrency` jobs at once until interrupted (Ctrl-C twice stops at once)."""
    settings = with_fleet(settings)
    queues = queues or [settings.fleet.default_queue]
    runtime = WorkerRuntime.open(settings, worker_identity(name), queues, concurrency)
    install(runtime)
    warm_imports()
    app = make_app(settings)
    runtime.keeper.on_tick.append(runtime.report)
    runtime.keeper.on_tick.append(lambda: runtime.board.sweep(lambda job_id: requeue_orphan(settings, job_id)))
    runtime.report()
    runtime.keeper.start()
    argv = [
        "worker",
        "--pool=threads",
        f"--concurrency={concurrency}",
        f"--queues={','.join(queues)}",
        f"--hostname={runtime.worker_id}@%h",
        f"--loglevel={loglevel}",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    try:
        app.worker_main(argv)
    finally:
        runtime.keeper.stop()
        runtime.board.forget_worker(runtime.worker_id)

"""Labels that tie containers, volumes and test-service networks to a job, its `SWE_TEAM_HOME`, its owner process
and an expiry; listing and reaping by them.

Labels cannot change after creation, so a new owner (a resumed job) gets a new container, and a kept
workspace is marked by renaming its container to `swe-team-kept-<job>` (reaped only at expiry). Reaping
touches only the workspaces of one home: jobs of another home on the same engine are not ours to judge.
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.processes import pid_alive

LABEL_KIND = "swe-team.kind"
LABEL_JOB = "swe-team.job"
LABEL_OWNER_PID = "swe-team.owner-pid"
LABEL_OWNER_HOST = "swe-team.owner-host"
LABEL_EXPIRES = "swe-team.expires"
LABEL_HOME = "swe-team.home"
KIND_WORKSPACE = "workspace"
CONTAINER_PREFIX = "swe-team-"
KEPT_PREFIX = "swe-team-kept-"
NO_OWNER = "0"


def home_label(home: Path) -> str:
    return str(home.expanduser().absolute())


def workspace_labels(job_id: str, expiry_hours: float, *, home: Path, owned: bool = True) -> dict[str, str]:
    """Labels for a job's container and volume; `owned=False` leaves only the expiry to reap them."""
    return {
        LABEL_KIND: KIND_WORKSPACE,
        LABEL_JOB: job_id,
        LABEL_HOME: home_label(home),
        LABEL_OWNER_PID: str(os.getpid()) if owned else NO_OWNER,
        LABEL_OWNER_HOST: socket.gethostname(),
        LABEL_EXPIRES: str(int(time.time() + expiry_hours * 3600)),
    }


def owner_alive(labels: dict[str, str]) -> bool:
    """True when the owner process runs (or cannot be checked from this host: another host's owner)."""
    pid_text = labels.get(LABEL_OWNER_PID, NO_OWNER)
    if pid_text == NO_OWNER:
        return True
    if labels.get(LABEL_OWNER_HOST) != socket.gethostname():
        return True
    try:
        return pid_alive(int(pid_text))
    except ValueError:
        return True


def expired(labels: dict[str, str], now: float | None = None) -> bool:
    try:
        return float(labels.get(LABEL_EXPIRES, "inf")) < (time.time() if now is None else now)
    except ValueError:
        return False


@dataclass(frozen=True)
class WorkspaceObject:
    """One labelled container or volume, as `swe-team workspace ls` shows it."""

    kind: str
    name: str
    job_id: str
    status: str
    owner: str
    expires_at: float
    kept: bool
    home: str

    @property
    def reapable(self) -> bool:
        return self.status in ("owner dead", "expired")


def _describe(
    kind: str, name: str, labels: dict[str, str], state: str, kept: bool, now: float
) -> WorkspaceObject:
    if expired(labels, now):
        status = "expired"
    elif not kept and not owner_alive(labels):
        status = "owner dead"
    else:
        status = state
    owner = f"{labels.get(LABEL_OWNER_PID, '?')}@{labels.get(LABEL_OWNER_HOST, '?')}"
    try:
        expires_at = float(labels.get(LABEL_EXPIRES, "0"))
    except ValueError:
        expires_at = 0.0
    home = labels.get(LABEL_HOME, "")
    return WorkspaceObject(kind, name, labels.get(LABEL_JOB, "?"), status, owner, expires_at, kept, home)


def list_objects(client: Any, now: float | None = None, home: Path | None = None) -> list[WorkspaceObject]:
    """The swe-team containers and volumes of `home` (None: of every home) on the engine, with their
    reapability."""
    moment = time.time() if now is None else now
    selector = {"label": [f"{LABEL_KIND}={KIND_WORKSPACE}"] + ([f"{LABEL_HOME}={home_label(home)}"] if home else [])}
    objects = []
    live_jobs: set[str] = set()
    for container in client.containers.list(all=True, filters=selector):
        labels = dict(container.labels)
        kept = container.name.startswith(KEPT_PREFIX)
        described = _describe("container", container.name, labels, container.status, kept, moment)
        if not described.reapable:
            live_jobs.add(described.job_id)
        objects.append(described)
    for kind, collection in (("volume", client.volumes), ("network", client.networks)):
        for item in collection.list(filters=selector):
            labels = dict(item.attrs.get("Labels") or {})
            described = _describe(kind, item.name, labels, "ready", False, moment)
            if described.job_id in live_jobs and described.status == "owner dead":
                described = _describe(kind, item.name, labels, "in use", True, moment)
            objects.append(described)
    return objects


def reap(
    client: Any,
    *,
    home: Path | None,
    exclude_jobs: frozenset[str] = frozenset(),
    now: float | None = None,
    everything: bool = False,
) -> list[str]:
    """Remove the containers and volumes of `home` (None: of every home) whose owner died or whose expiry
    passed (`everything`: all of them); return their names."""
    objects = list_objects(client, now, home)
    chosen = [o for o in objects if (o.reapable or everything) and o.job_id not in exclude_jobs]
    return _remove(client, chosen)


def remove_job(client: Any, job_id: str, home: Path) -> list[str]:
    """Remove every container and volume of one job of `home`, live or not (what a killed start of it left)."""
    return _remove(client, [o for o in list_objects(client, home=home) if o.job_id == job_id])


def _remove(client: Any, objects: list[WorkspaceObject]) -> list[str]:
    import docker.errors

    removed = []
    for obj in sorted(objects, key=lambda o: o.kind):
        try:
            if obj.kind == "container":
                client.containers.get(obj.name).remove(force=True, v=False)
            elif obj.kind == "network":
                client.networks.get(obj.name).remove()
            else:
                client.volumes.get(obj.name).remove(force=True)
        except docker.errors.APIError:  # already gone (NotFound) or still in use
            continue
        removed.append(f"{obj.kind} {obj.name}")
    return removed

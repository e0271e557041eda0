"""A Docker workspace's test network: when its tests need one, a per-job Docker network made `--internal` (no
route out), with the servers they reach over HTTP (httpbin) each in its own container on it, by name.

On that network a connect to any address but the services' is dropped, so it times out as on a firewalled
network, where `network: none` fails at once with "network unreachable"; names other than the services' do not
resolve. Unlike `none`, the host's bridge addresses route (a server on the host listening on every interface is
reachable at 172.17.0.1): the network is only made for the repositories whose tests need it.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import WorkspaceError
from core.settings import DockerSettings
from workspaces.docker_image import Progress, build_image, to_stderr
from workspaces.docker_test_services import SERVICES, TRUST_ENVIRONMENT, TRUST_IN_SERVICE, TRUST_IN_WORKSPACE
from workspaces.environment.test_network import FIREWALLED, HTTPBIN

SERVICE_PYTHON = "3.11"
"""The Debian suite (bookworm) whose packaged servers run the services."""
SERVICE_USER = "0:0"
"""Root without any capability (as a workspace's keeper): it owns the fresh trust volume, and nothing else."""
SERVICE_MEMORY = "256m"
SERVICE_PIDS = 64
READY_WITHIN_S = 60.0


@dataclass
class JoinedNetwork:
    """The Docker network a workspace joins and what its commands are told of the services on it."""

    network: str
    environment: dict[str, str] = field(default_factory=dict)
    volumes: dict[str, dict[str, str]] = field(default_factory=dict)
    """Mounted in the workspace: the trust volume holding the services' CA certificate."""


def service_name(workspace_name: str, service: str) -> str:
    return f"{workspace_name}-{service}"


def trust_volume(workspace_name: str) -> str:
    return f"{workspace_name}-trust"


def make_network(
    client: Any,
    mode: str,
    services: list[str],
    *,
    name: str,
    labels: dict[str, str],
    settings: DockerSettings,
    lock_dir: Path,
    progress: Progress = to_stderr,
    default: str = "none",
    stand_ins: tuple[str, ...] = (),
) -> JoinedNetwork:
    """For a `firewalled` mode, an internal network named `name` with each service running on it under its own name
    (httpbin also under the `stand_ins`, public sites the tests name; removed again if one fails to start); else
    the `default` network mode and no services."""
    if mode != FIREWALLED:
        return JoinedNetwork(default)
    unknown = [service for service in services if service not in SERVICES]
    if unknown:
        raise WorkspaceError(f"no test service is called {', '.join(unknown)}", hint=f"known: {HTTPBIN}")
    remove_network(client, name)
    client.networks.create(name, driver="bridge", internal=True, labels=labels)
    environment: dict[str, str] = {}
    try:
        if services:
            client.volumes.create(name=trust_volume(name), labels=labels)
        for service in services:
            image, _ = build_image(
                client,
                settings,
                lock_dir=lock_dir,
                progress=progress,
                python=SERVICE_PYTHON,
                extra_packages=SERVICES[service].packages,
            )
            answers_for = list(stand_ins) if service == HTTPBIN else []
            container = _run_service(client, image, service, name=name, labels=labels, stand_ins=answers_for)
            _wait_until_listening(container, service)
            environment.update(SERVICES[service].environment)
    except BaseException:
        remove_network(client, name)
        raise
    if not services:
        return JoinedNetwork(name)
    mounts = {trust_volume(name): {"bind": TRUST_IN_WORKSPACE, "mode": "ro"}}
    return JoinedNetwork(name, {**environment, **TRUST_ENVIRONMENT}, mounts)


def _run_service(
    client: Any, image: str, service: str, *, name: str, labels: dict[str, str], stand_ins: list[str]
) -> Any:
    import docker.errors
    import docker.types

    spec = SERVICES[service]
    endpoint = docker.types.EndpointConfig(client.api._version, aliases=spec.aliases(stand_ins))
    try:
        return client.containers.run(
            image,
            spec.command(stand_ins),
            detach=True,
            name=service_name(name, service),
            labels=labels,
            network=name,
            networking_config={name: endpoint},
            user=SERVICE_USER,
            cap_drop=["ALL"],
            security_opt=["no-new-privileges"],
            read_only=True,
            mem_limit=SERVICE_MEMORY,
            pids_limit=SERVICE_PIDS,
            init=True,
            tmpfs={"/tmp": "rw,nosuid,nodev,size=64m"},
            volumes={trust_volume(name): {"bind": TRUST_IN_SERVICE, "mode": "rw"}},
        )
    except docker.errors.APIError as exc:
        raise WorkspaceError(f"the test service {service} could not start: {exc.explanation or exc}") from exc


def _wait_until_listening(container: Any, service: str) -> None:
    ports = SERVICES[service].ports
    probe = f"import socket\nfor port in {ports!r}:\n    socket.create_connection(('127.0.0.1', port), 1)"
    deadline = time.monotonic() + READY_WITHIN_S
    while time.monotonic() < deadline:
        container.reload()
        if container.status != "running":
            break
        if container.exec_run(["/usr/bin/python3", "-c", probe]).exit_code == 0:
            return
        time.sleep(0.5)
    logs = container.logs(tail=20).decode(errors="replace").strip()
    raise WorkspaceError(f"the test service {service} did not start listening: {logs or container.status}")


def remove_network(client: Any, name: str) -> None:
    """Remove the service containers and the test network of the workspace `name` (whatever of them exists)."""
    import docker.errors

    for container in client.containers.list(all=True, filters={"network": name}):
        if container.name != name:
            container.remove(force=True)
    with contextlib.suppress(docker.errors.NotFound):
        client.networks.get(name).remove()
    with contextlib.suppress(docker.errors.NotFound):
        client.volumes.get(trust_volume(name)).remove(force=True)

"""A project whose tests call httpbin, in real Docker: its test passes against the local httpbin its workspace
gets (also a client verifying against a CA bundle of its own, and a public site the test names), the workspace
still reaches nothing else (no other name resolves, a connect out is dropped), and the network and its server go
with the workspace."""

from __future__ import annotations

import json
import subprocess
import uuid
from pathlib import Path

import pytest

from core.settings import DockerSettings
from tests.docker_fixtures import docker_client
from tests.environment_fixtures import dated_repo, era_index, offline_settings
from workspaces.docker import DockerWorkspace
from workspaces.docker_gc import LABEL_OWNER_PID, reap, workspace_labels
from workspaces.docker_network import make_network

pytestmark = [pytest.mark.docker, pytest.mark.slow]

CLIENT_TEST = """import http.client
import json
import os
import socket
import ssl
import urllib.parse
import urllib.request

HTTPBIN = os.environ.get("HTTPBIN_URL", "http://httpbin.org/")


def test_httpbin_echoes_the_query():
    with urllib.request.urlopen(HTTPBIN + "get?probe=1", timeout=10) as response:
        assert json.load(response)["args"] == {"probe": "1"}


def test_httpbin_answers_over_https_with_a_certificate_python_trusts():
    with urllib.request.urlopen("https://httpbin.org/get?probe=2", timeout=10) as response:
        assert json.load(response)["args"] == {"probe": "2"}


def test_httpbin_takes_a_chunked_body_on_a_connection_it_keeps_alive():
    connection = http.client.HTTPConnection(urllib.parse.urlsplit(HTTPBIN).netloc, timeout=10)
    connection.request("POST", "/post", body=iter([b"abc", b"def"]))
    response = connection.getresponse()
    assert response.status == 200 and json.load(response)["data"] == "abcdef"
    assert response.getheader("Connection", "").lower() == "keep-alive"


def test_a_client_verifying_against_a_bundle_of_its_own_trusts_httpbin_too():
    own_bundle = os.path.join(os.path.dirname(__file__), "vendored-cacert.pem")
    context = ssl.create_default_context(cafile=own_bundle)
    with urllib.request.urlopen("https://httpbin.org/get?probe=3", timeout=10, context=context) as response:
        assert json.load(response)["args"] == {"probe": "3"}


def test_a_public_site_the_tests_name_answers_and_a_name_made_to_fail_does_not_resolve():
    with urllib.request.urlopen("https://www.google.co.uk/", timeout=10) as response:
        assert response.status == 200
    try:
        socket.getaddrinfo("doesnotexist.google.com", 80)
    except socket.gaierror:
        return
    raise AssertionError("doesnotexist.google.com resolved")


if __name__ == "__main__":
    test_httpbin_echoes_the_query()
    test_httpbin_answers_over_https_with_a_certificate_python_trusts()
    test_httpbin_takes_a_chunked_body_on_a_connection_it_keeps_alive()
    test_a_client_verifying_against_a_bundle_of_its_own_trusts_httpbin_too()
    test_a_public_site_the_tests_name_answers_and_a_name_made_to_fail_does_not_resolve()
    print("httpbin answered")
"""
OUTSIDE_PROBE = """import socket
try:
    socket.getaddrinfo("pypi.org", 443)
    print("pypi.org resolved")
except socket.gaierror:
    print("no name resolves")
try:
    socket.create_connection(("1.1.1.1", 443), timeout=3)
    print("connected out")
except socket.timeout:
    print("connect out dropped")
except OSError as exc:
    print("connect out failed:", exc)
"""


def _unrelated_ca(folder: Path) -> str:
    """A CA certificate of no server: the bundle a client vendors (as requests did until 2.16)."""
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj", "/CN=vendored CA",
         "-keyout", str(folder / "ca.key"), "-out", str(folder / "ca.pem")],
        check=True, capture_output=True,
    )
    return (folder / "ca.pem").read_text()


def test_a_test_calling_httpbin_passes_and_the_workspace_still_reaches_nothing_else(tmp_path: Path) -> None:
    client = docker_client()
    files = {"app.py": "", "tests/test_client.py": CLIENT_TEST, "tests/vendored-cacert.pem": _unrelated_ca(tmp_path)}
    repo = dated_repo(tmp_path, files, "2024-06-01T12:00:00+00:00")
    job_dir = tmp_path / "job"
    with era_index(tmp_path) as index:
        settings = offline_settings(tmp_path / "home", index.url)
        workspace = DockerWorkspace.create(
            job_id=f"nettest-{uuid.uuid4().hex[:8]}",
            repo_path=repo,
            base_commit="HEAD",
            job_dir=job_dir,
            settings=settings,
        )
    network = str(workspace.info.details["container"])
    try:
        passed = workspace.exec("python tests/test_client.py", timeout=120)
        assert passed.ok, passed.observation()
        assert passed.stdout.strip() == "httpbin answered"
        outside = workspace.exec(f"python -c '{OUTSIDE_PROBE}'", timeout=60)
        assert outside.stdout.splitlines() == ["no name resolves", "connect out dropped"], outside.observation()
        recorded = json.loads((job_dir / "environment.json").read_text())
        assert (recorded["network"], recorded["services"]) == ("firewalled", ["httpbin"])
        assert recorded["stand_ins"] == ["www.google.co.uk"]
        assert client.networks.get(network).attrs["Internal"] is True
    finally:
        workspace.close()
    assert not client.networks.list(names=[network])
    assert not client.containers.list(all=True, filters={"name": f"{network}-httpbin"})
    assert not client.volumes.list(filters={"name": f"{network}-trust"})


def test_a_dead_owners_network_and_its_server_are_reaped(tmp_path: Path) -> None:
    client = docker_client()
    dead = subprocess.Popen(["true"])
    dead.wait()
    home = tmp_path / "home"
    name = f"swe-team-reaptest-{uuid.uuid4().hex[:8]}"
    labels = {**workspace_labels(name, 1.0, home=home), LABEL_OWNER_PID: str(dead.pid)}
    joined = make_network(
        client, "firewalled", ["httpbin"], name=name, labels=labels, settings=DockerSettings(), lock_dir=tmp_path
    )
    assert joined.network == name and joined.environment["HTTPBIN_URL"] == "http://httpbin.org/"
    removed = reap(client, home=home)
    assert sorted(removed) == [f"container {name}-httpbin", f"network {name}", f"volume {name}-trust"]
    assert not client.networks.list(names=[name])

"""The job's code graph shared through a real Redis: a job on another machine (another process with its own
$SWE_TEAM_HOME) loads it and parses only the files whose content differs; without Redis the job builds its own."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from core.settings import Settings
from graphs.codegraph import JobGraph, build_job_graph
from memory.codegraph import CodeGraph
from memory.codegraph.redis_store import latest_key, load_records
from tests.codegraph_fixtures import copy_fixture
from tests.workspace_fixtures import git
from workspaces.local import LocalWorkspace

PROJECT = Path(__file__).resolve().parents[1]
JOB_GRAPH = """
import json, subprocess, sys
from pathlib import Path
from core.settings import Settings
from graphs.codegraph import build_job_graph
from workspaces.local import LocalWorkspace

repo, job_dir = Path(sys.argv[1]), Path(sys.argv[2])
head = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
settings = Settings()
workspace = LocalWorkspace.create(job_id=job_dir.name, repo_path=repo, base_commit=head, job_dir=job_dir,
                                  settings=settings)
built = build_job_graph(workspace, job_dir, settings, lambda role, message: None)
edges = sorted(built.graph.graph.edges(keys=True))
print(json.dumps({**built.summary, "notes": built.notes, "edges": edges}))
"""


def _shop_repository(where: Path, remote: str) -> Path:
    repo = copy_fixture("python", where)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "remote", "add", "origin", remote)
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=Dev", "-c", "user.email=dev@example.com", "commit", "-q", "-m", "shop")
    return repo


def _job_graph_elsewhere(repo: Path, machine: Path, redis_url: str) -> dict[str, Any]:
    """The job graph built by another process with its own home (so its own disk cache), sharing through Redis."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SWE_TEAM_")}
    env.update(SWE_TEAM_HOME=str(machine / "home"), SWE_TEAM_REDIS_URL=redis_url, SWE_TEAM_CODEGRAPH_SHARE="on")
    done = subprocess.run(
        [sys.executable, "-c", JOB_GRAPH, str(repo), str(machine / "job")],
        cwd=PROJECT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    result["edges"] = [tuple(edge) for edge in result["edges"]]
    return result


@pytest.fixture
def remote() -> str:
    """The origin of this test's repository: an identity of its own, so runs sharing one Redis never meet."""
    return f"https://example.com/acme/shop-{uuid.uuid4().hex[:12]}.git"


@pytest.fixture
def redis_client(redis_url: str, remote: str) -> Iterator[redis.Redis]:
    """A client on the test Redis; the graphs published under this test's repository are deleted afterwards."""
    client = redis.Redis.from_url(redis_url)
    yield client
    for key in client.keys(f"swe-team:codegraph:*:{_repo_id(remote)}:*"):
        client.delete(key)
    client.close()


def _repo_id(remote: str) -> str:
    return remote.removeprefix("https://").removesuffix(".git")


def _local_job_graph(repo: Path, tmp_path: Path, **settings: Any) -> JobGraph:
    """The job graph of a new local workspace on `repo`, built in this process with these settings."""
    home = tmp_path / "home"
    workspace = LocalWorkspace.create(
        job_id="job", repo_path=repo, base_commit=git(repo, "rev-parse", "HEAD").strip(), job_dir=tmp_path / "job",
        settings=None,
    )
    return build_job_graph(workspace, tmp_path / "job", Settings(home=home, **settings), lambda role, message: None)


def test_another_machine_loads_the_shared_graph_and_parses_only_changed_files(
    tmp_path: Path, redis_url: str, redis_client: redis.Redis, remote: str
) -> None:
    first_copy = _shop_repository(tmp_path / "a", remote)
    second_copy = shutil.copytree(first_copy, tmp_path / "b" / "python")
    newer_copy = shutil.copytree(first_copy, tmp_path / "c" / "python")
    pricing = newer_copy / "shop" / "pricing.py"
    pricing.write_text(pricing.read_text() + "\n\ndef surcharge(amount):\n    return round_price(amount * 1.1)\n")
    git(newer_copy, "-c", "user.name=Dev", "-c", "user.email=dev@example.com", "commit", "-qam", "surcharge")

    first = _job_graph_elsewhere(first_copy, tmp_path / "machine-1", redis_url)
    assert (first["files"], first["parsed"], first["from_redis"]) == (7, 7, 0)
    assert first["share"]["published_bytes"] > 0 and first["notes"] == []

    same_commit = _job_graph_elsewhere(second_copy, tmp_path / "machine-2", redis_url)
    assert (same_commit["files"], same_commit["parsed"], same_commit["from_redis"]) == (7, 0, 7)
    assert same_commit["share"]["key"] == first["share"]["key"]
    assert same_commit["share"]["published_bytes"] == 0
    assert same_commit["edges"] == first["edges"]

    next_commit = _job_graph_elsewhere(newer_copy, tmp_path / "machine-3", redis_url)
    assert (next_commit["files"], next_commit["parsed"], next_commit["from_redis"]) == (7, 1, 6)
    assert next_commit["share"]["loaded_tree"] == first["share"]["key"].rsplit(":", 1)[1]
    assert next_commit["share"]["published_bytes"] > 0
    fresh = CodeGraph.build(newer_copy, cache_dir=None)
    assert next_commit["edges"] == sorted(fresh.graph.edges(keys=True))
    assert ("shop/pricing.py:surcharge", "shop/pricing.py:round_price", "calls") in next_commit["edges"]


def test_a_resumed_workspace_publishes_only_its_base_commit_files(
    tmp_path: Path, redis_url: str, redis_client: redis.Redis, remote: str
) -> None:
    repo = _shop_repository(tmp_path, remote)
    head = git(repo, "rev-parse", "HEAD").strip()
    workspace = LocalWorkspace.create(job_id="job", repo_path=repo, base_commit=head, job_dir=tmp_path / "job",
                                      settings=None)
    workspace.write_file("shop/pricing.py", "def edited():\n    return 1\n")
    workspace.write_file("shop/new_module.py", "def added():\n    return 2\n")
    settings = Settings(home=tmp_path / "home", redis_url=redis_url, codegraph_share="on")

    built = build_job_graph(workspace, tmp_path / "job", settings, lambda role, message: None)

    assert built.graph.definition("edited") and built.graph.stats.files == 8
    published = load_records(redis_client, _repo_id(remote), git(repo, "rev-parse", "HEAD^{tree}").strip())
    assert published is not None
    assert sorted(published.records) == sorted(set(git(repo, "ls-files").split()) - {"shop/pricing.py"})


def test_an_unreachable_redis_leaves_the_job_graph_built_here(tmp_path: Path, remote: str) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    repo = _shop_repository(tmp_path, remote)

    built = _local_job_graph(repo, tmp_path, redis_url=f"redis://127.0.0.1:{closed_port}/0", codegraph_share="on")

    assert (built.summary["files"], built.summary["parsed"], built.summary["from_redis"]) == (7, 7, 0)
    assert built.summary["share"]["published_bytes"] == 0
    assert len(built.notes) == 1 and "Redis is unreachable" in built.notes[0]
    assert [info.id for info in built.graph.definition("round_price")] == ["shop/pricing.py:round_price"]


def test_sharing_is_off_by_default_until_redis_is_in_use(
    tmp_path: Path, redis_url: str, redis_client: redis.Redis, remote: str
) -> None:
    repo = _shop_repository(tmp_path / "alone", remote)
    alone = _local_job_graph(repo, tmp_path / "alone", redis_url=redis_url)
    assert "share" not in alone.summary
    assert redis_client.keys(f"swe-team:codegraph:*:{_repo_id(remote)}:*") == []

    in_fleet = _local_job_graph(repo, tmp_path / "fleet", redis_url=redis_url, fleet={"enabled": True})
    assert in_fleet.summary["share"]["published_bytes"] > 0
    assert sorted(redis_client.keys(f"swe-team:codegraph:*:{_repo_id(remote)}:*")) == sorted(
        [in_fleet.summary["share"]["key"].encode(), latest_key(_repo_id(remote)).encode()]
    )


def test_the_job_graph_follows_every_file_one_tool_call_changed(tmp_path: Path, redis_url: str, remote: str) -> None:
    built = _local_job_graph(_shop_repository(tmp_path, remote), tmp_path, redis_url=redis_url)
    root = Path(built.graph.root)
    for path in ("shop/pricing.py", "shop/checkout.py"):
        (root / path).write_text((root / path).read_text().replace("round_price", "rounded"))
    extra = "from shop.pricing import rounded\n\n\ndef twice(x):\n    return rounded(x)\n"
    (root / "shop" / "extra.py").write_text(extra)
    built.files_changed(["shop/pricing.py", "shop/checkout.py", "shop/extra.py"])
    assert built.graph.definition("round_price") == []
    callers = {ref.source.id for ref in built.graph.references("shop/pricing.py:rounded") if ref.kind == "calls"}
    assert callers == {"shop/checkout.py:checkout", "shop/extra.py:twice"}

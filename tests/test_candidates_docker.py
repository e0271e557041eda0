"""Candidates made at once in Docker, each in a container of its own: none sees another's files."""

from __future__ import annotations

import json
from pathlib import Path

from core.model.scripted_server import ScriptedModelServer
from core.search_settings import SearchSettings
from graphs.candidate_runs import make_candidates
from harness.candidates import COUNT_FILE, SEEN, marking_step, search_context
from tests.docker_fixtures import docker_client
from tests.docker_fixtures import test_settings as docker_settings
from tests.job_fixtures import assert_script_done

CANDIDATES = 3


def test_parallel_candidates_in_docker_do_not_see_each_others_files(tmp_path: Path) -> None:
    client = docker_client()
    search = SearchSettings(candidates=CANDIDATES, parallel=CANDIDATES, stop_early=False)
    with ScriptedModelServer({"steps": [marking_step(hold_s=3)] * CANDIDATES}) as server:
        context, state = search_context(tmp_path, server.base_url, "docker", search, docker_settings(tmp_path))
        try:
            runs, stopped = make_candidates(context, state, start_diff="")
        finally:
            context.workspace.close()
        assert_script_done(server)

    assert stopped == "" and [run.id for run in runs] == ["c1", "c2", "c3"]
    machines = set()
    for run in runs:
        assert run.error == "", run.error
        marks = [line[len(f"+++ b/{SEEN}/") :] for line in run.diff.splitlines() if line.startswith(f"+++ b/{SEEN}/")]
        assert len(marks) == 1, run.diff  # only its own mark: no other candidate's file in its workspace
        assert f"+++ b/{COUNT_FILE}\n@@ -0,0 +1 @@\n+1\n" in run.diff
        machines.add(marks[0])
    assert len(machines) == CANDIDATES  # a container each
    spans = []
    for run in runs:
        events = [json.loads(line) for line in (Path(run.folder) / "trajectory.jsonl").read_text().splitlines()]
        spans.append((events[0]["ts"], events[-1]["ts"]))
    assert max(start for start, _ in spans) < min(end for _, end in spans)  # they ran at the same time
    leftovers = client.containers.list(all=True, filters={"label": f"swe-team.job={context.job.id}-c1"})
    assert leftovers == []

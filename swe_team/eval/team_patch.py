"""--run: the team's patch for an instance, from a job run in this process or on the fleet's workers.

Each job works on its own checkout of the repository at the base commit (the branch it writes lands there, never
in a user's repository; the checkout goes once the job has finished). The job id is kept in the instance's log
folder, so a resumed eval continues the job instead of starting another.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from core.errors import SweTeamError
from core.jobs import FINISHED, Job
from swe_team.eval.dataset import Instance
from swe_team.eval.repos import RepositorySource
from swe_team.eval.results import write_atomic

if TYPE_CHECKING:
    from core.settings import Settings
    from swe_team.runner import JobRequest, JobRunner

JOB_FILE = "job.json"


class NoTeamPatch(SweTeamError):
    """The team's job on an instance produced no patch to grade."""

    def __init__(self, message: str, hint: str = "", job_id: str = "") -> None:
        super().__init__(message, hint)
        self.job_id = job_id
POLL_S = 2.0


class TeamPatches:
    def __init__(self, settings: Settings, source: RepositorySource, logs_root: Path, fleet: bool) -> None:
        self.settings = settings
        self.source = source
        self.logs_root = logs_root
        self.fleet = fleet

    def _request(self, instance: Instance) -> JobRequest:
        from swe_team.runner import JobRequest

        checkout = self.source.checkout(
            instance.repo, instance.base_commit, self.logs_root / instance.instance_id / "checkout"
        )
        return JobRequest(
            repo=checkout, task=instance.problem_statement or instance.instance_id, approve="auto",
            instance_id=instance.instance_id, yes_destructive=True, flags=self._search_flags(),
        )

    def _search_flags(self) -> dict[str, object]:
        """The candidate search travels with the job, so a fleet worker makes as many candidates."""
        search = self.settings.search
        return {"search.candidates": search.candidates, "search.parallel": search.parallel}

    def _known_job(self, instance: Instance) -> str:
        path = self.logs_root / instance.instance_id / JOB_FILE
        return str(json.loads(path.read_text(encoding="utf-8"))["job_id"]) if path.is_file() else ""

    def _remember(self, instance: Instance, job: Job) -> None:
        write_atomic(self.logs_root / instance.instance_id / JOB_FILE, json.dumps({"job_id": job.id}))

    def submit_all(self, instances: list[Instance]) -> None:
        """--fleet: queue a job for every instance that has none yet; the workers start at once."""
        from swe_team.fleet.control import submit_job

        for instance in instances:
            if not self._known_job(instance):
                self._remember(instance, submit_job(self.settings, self._request(instance)))

    def produce(self, instance: Instance) -> tuple[str, str, dict[str, int]]:
        """(patch, job id, tokens) of the team's job on `instance`; `NoTeamPatch` when it produced none."""
        job = self._wait_in_fleet(instance) if self.fleet else self._run_here(instance)
        patch_file = self.settings.jobs_dir / job.id / "patch.diff"
        if job.status not in FINISHED or job.status == "failed":
            raise NoTeamPatch(f"the team's job ended {job.status}", f"see `swe-team show {job.id}`", job.id)
        if not patch_file.is_file():
            raise NoTeamPatch(
                f"the team's job left no patch.diff in {patch_file.parent}",
                "a fleet's workers and the eval must share SWE_TEAM_HOME to hand patches over", job.id,
            )
        shutil.rmtree(self.logs_root / instance.instance_id / "checkout", ignore_errors=True)
        return patch_file.read_text(encoding="utf-8"), job.id, self._tokens(job)

    def _runner(self, console: Console) -> JobRunner:
        from swe_team.approval import AutoApprover
        from swe_team.runner import JobRunner

        return JobRunner(self.settings, AutoApprover(), console)

    def _run_here(self, instance: Instance) -> Job:
        log_dir = self.logs_root / instance.instance_id
        log_dir.mkdir(parents=True, exist_ok=True)
        with (log_dir / "team.log").open("a", encoding="utf-8") as handle:
            runner = self._runner(Console(file=handle, force_terminal=False, width=120))
            known = self._known_job(instance)
            if known:
                job = runner.store.load(known)
                return job if job.status in FINISHED else runner.resume(known)
            from swe_team.runner import check_model_endpoints

            check_model_endpoints(self.settings)
            job = runner.create(self._request(instance))
            self._remember(instance, job)
            return runner.begin(job)

    def _wait_in_fleet(self, instance: Instance) -> Job:
        from swe_team.fleet.keys import with_fleet
        from swe_team.job_store import open_job_store

        job_id = self._known_job(instance)
        if not job_id:
            raise SweTeamError(f"no fleet job was submitted for {instance.instance_id}")
        store = open_job_store(with_fleet(self.settings))
        while True:
            job = store.load(job_id)
            if job.status in FINISHED or job.status == "waiting":
                return job
            time.sleep(POLL_S)

    def _tokens(self, job: Job) -> dict[str, int]:
        state = self._runner(Console(quiet=True)).saved_state(job)
        usage = state.usage if state is not None else {}
        return {
            kind: sum(int(values.get(f"{kind}_tokens", 0)) for values in usage.values())
            for kind in ("prompt", "completion")
        }

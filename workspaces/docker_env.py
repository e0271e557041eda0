"""The environment of a Docker workspace: the repository's interpreter, its dependencies as of its commit, and
the project importable from /workspace, as two cached image layers.

`swe-team-env:deps-<hash>` holds the locked dependencies; its hash covers every input of the resolution (the
plan's inputs, the interpreter images, the resolver and its arguments), so it is reused by every commit that
declares the same. `swe-team-env:<hash>` adds the project installed from its source tree (keyed by the tree).
Only the resolution reaches the network, on the host; everything else runs in network-less containers. The
record of every choice travels as a label of the image.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.errors import WorkspaceError
from core.file_lock import exclusive
from core.git import git_archive
from workspaces.docker_container import archive_of_commit
from workspaces.docker_image import (
    Progress,
    _user_ids,
    build_image,
    image_exists,
    recipe_for,
    require_image,
    to_stderr,
)
from workspaces.environment import image_build
from workspaces.environment.commit_files import CommitFiles
from workspaces.environment.plan import EnvironmentPlan, plan_environment
from workspaces.environment.record import LABEL, EnvironmentRecord
from workspaces.environment.resolution import Resolution, fetch, resolve, uv_version

if TYPE_CHECKING:
    from core.settings import Settings

ENV_REPOSITORY = "swe-team-env"


def _digest(payload: Any) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


def interpreter_images(plan: EnvironmentPlan, settings: Settings) -> tuple[str, str]:
    """(plain, with build layer) image tags for the plan's Python; a configured `docker.image` stands for both."""
    if settings.docker.image:
        return settings.docker.image, settings.docker.image
    return (recipe_for(settings.docker, plan.python).tag,
            recipe_for(settings.docker, plan.python, build_layer=True).tag)


def dependency_tag(plan: EnvironmentPlan, settings: Settings) -> str:
    inputs = {
        **plan.cache_inputs(),
        "images": interpreter_images(plan, settings),
        "resolver": uv_version(),
        "index": settings.docker.pip_download_args,
        "partial": settings.docker.allow_partial_env,
    }
    if not settings.docker.leave_out_unknown_packages:
        # Only refusing changes the key: images built before the setting existed had nothing to leave out.
        inputs["leave_out_unknown"] = False
    return f"{ENV_REPOSITORY}:deps-{_digest(inputs)}"


def project_tag(plan: EnvironmentPlan, deps_tag: str, files: CommitFiles) -> str:
    project = plan.project
    inputs = [deps_tag, files.tree, project.mode, project.scm_version, plan.pre_install]
    return f"{ENV_REPOSITORY}:{_digest(inputs)}"


def recorded(client: Any, tag: str) -> EnvironmentRecord | None:
    """The record an environment image carries, or None when there is no such image."""
    if not image_exists(client, tag):
        return None
    label = client.images.get(tag).labels.get(LABEL)
    return EnvironmentRecord.from_dict(json.loads(label)) if label else None


def built_record(client: Any, repo: Path, commit: str, settings: Settings) -> EnvironmentRecord | None:
    """The record of `repo`'s environment at `commit` when its image is built, else None."""
    files = CommitFiles(repo, commit)
    plan = plan_environment(files, settings)
    record = recorded(client, project_tag(plan, dependency_tag(plan, settings), files))
    return _with_network(record, plan) if record is not None else None


def ensure_environment(
    client: Any, repo: Path, commit: str, settings: Settings, progress: Progress = to_stderr
) -> EnvironmentRecord:
    """The environment image a job on `repo` at `commit` starts from, built when missing, and its record."""
    files = CommitFiles(repo, commit)
    plan = plan_environment(files, settings)
    deps_tag = dependency_tag(plan, settings)
    final_tag = project_tag(plan, deps_tag, files)
    done = recorded(client, final_tag)
    if done is None:
        with _building(settings, final_tag, progress):
            done = recorded(client, final_tag) or _build(
                client, repo, files, plan, settings, deps_tag, final_tag, progress
            )
    return _with_network(done, plan)


def _with_network(record: EnvironmentRecord, plan: EnvironmentPlan) -> EnvironmentRecord:
    """The record with the plan's test network: it is made when the workspace opens, so an image built before
    the network was chosen gets it too."""
    chosen = plan.network
    record.network, record.services, record.network_reasons = chosen.mode, list(chosen.services), list(chosen.reasons)
    record.stand_ins = list(chosen.stand_ins)
    return record


@contextmanager
def _building(settings: Settings, tag: str, progress: Progress) -> Iterator[None]:
    """Held while `tag` is built: another job or eval instance needing the same image waits, then reuses it."""
    lock = settings.home / "cache" / "locks" / f"{tag.replace(':', '-')}.lock"
    with exclusive(lock, lambda: progress(f"waiting for another build of {tag}")):
        yield


def _build(
    client: Any, repo: Path, files: CommitFiles, plan: EnvironmentPlan, settings: Settings, deps_tag: str,
    final_tag: str, progress: Progress,
) -> EnvironmentRecord:
    if settings.docker.image:
        require_image(client, settings.docker)
    progress(f"environment of {repo.name} at {files.commit[:10]}: Python {plan.python}, dependencies as of "
             f"{plan.as_of or 'today'}")
    with _building(settings, deps_tag, progress):
        record = recorded(client, deps_tag) or _build_dependencies(client, plan, files, settings, deps_tag, progress)
    fresh = EnvironmentRecord.planned(plan, settings.environment.test_command)
    record.project, record.project_reason, record.scm_version = fresh.project, fresh.project_reason, fresh.scm_version
    record.local_packages = fresh.local_packages
    progress(f"[5/5] installing the project ({plan.project.mode}) into {final_tag}")
    uid, gid = _user_ids(settings.docker.user)
    with image_build.BuildContainer(client, deps_tag, settings, None) as build:
        image_build.populate_source(build, archive_of_commit(repo, files.commit, uid, gid))
        try:
            for command in plan.pre_install:
                build.step(f"pre-install `{command}`", command)
            record.notes += image_build.install_project(build, plan.project.mode, plan.project.scm_version)
            if plan.project.mode != "none" and plan.project.name:
                image_build.check_import(build, plan.project.name)
            record.notes += image_build.install_local_packages(build, [p.folder for p in plan.local_packages])
        except image_build.StepFailed as exc:
            if not settings.docker.allow_partial_env:
                raise
            record.failures.append(exc.brief())
        kept = image_build.keep_overlay_and_empty(build)
        if kept:
            record.notes.append(f"{kept} file(s) the install generated in the tree are laid over the base commit")
        record.image, record.status = final_tag, "partial" if record.failures else "complete"
        env = {"SETUPTOOLS_SCM_PRETEND_VERSION": plan.project.scm_version} if plan.project.scm_version else {}
        build.commit(final_tag, {LABEL: record.to_label()}, env)
    return record


def _build_dependencies(
    client: Any, plan: EnvironmentPlan, files: CommitFiles, settings: Settings, tag: str, progress: Progress
) -> EnvironmentRecord:
    record = EnvironmentRecord.planned(plan, settings.environment.test_command)
    cache = settings.home / "cache"
    wheelhouse = cache / "wheelhouse" / tag.partition(":")[2]
    progress(f"[1/5] resolving {len(plan.requirements)} requirements together for Python {plan.python}")
    with tempfile.TemporaryDirectory(prefix="swe-team-resolve-") as scratch:
        source = None
        if plan.project.resolve_from_source:
            source = Path(scratch) / "src"
            _export(files, source)
        resolution = resolve(
            plan, Path(scratch), settings.docker.pip_download_args, source,
            leave_out_unknown=settings.docker.leave_out_unknown_packages,
        )
    record.pins = [f"{pin.name}=={pin.version}" for pin in resolution.pins]
    record.notes += resolution.notes
    record.failures += [f"{name}: no package index knows this name, left out (docker.leave_out_unknown_packages)"
                        for name in resolution.left_out]
    if plan.runner.requirement:
        record.runner = f"pytest {resolution.version_of('pytest')}"
    progress(f"[2/5] fetching {len(resolution.pins)} locked packages and {len(resolution.build)} build tools")
    fetch(resolution.pins + resolution.build, wheelhouse, cache / "downloads", progress)
    record.build_layer = _build_layer(plan, resolution)
    progress(f"[3/5] interpreter image for Python {plan.python}" + (" with the build layer" if record.build_layer
                                                                     else ""))
    base, _ = build_image(client, settings.docker, lock_dir=cache, progress=progress, python=plan.python,
                          build_layer=bool(record.build_layer))
    record.interpreter_image = base
    progress(f"[4/5] installing {len(resolution.pins)} packages without network into {tag}")
    image_build.write_install_list(wheelhouse, resolution.pins)
    with image_build.BuildContainer(client, base, settings, wheelhouse) as build:
        record.failures += image_build.install_dependencies(
            build, resolution.pins, resolution.build, partial=settings.docker.allow_partial_env
        )
        build.commit(tag, {LABEL: record.to_label()}, {})
    return record


def _build_layer(plan: EnvironmentPlan, resolution: Resolution) -> list[str]:
    if plan.build_tools == "never":
        return []
    reasons = list(plan.compiles)
    sdists = [pin.name for pin in resolution.pins if pin.is_sdist]
    if sdists:
        reasons.append(f"no wheel for Python {plan.python}: {', '.join(sdists)} build from source")
    if plan.build_tools == "always":
        reasons.append("[environment] build_tools = \"always\"")
    return reasons


def _export(files: CommitFiles, target: Path) -> None:
    target.mkdir(parents=True)
    archive = git_archive(files.repo, files.commit, error=WorkspaceError)
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)


def describe_environment(repo: Path, commit: str, settings: Settings) -> EnvironmentRecord:
    """The record a build of `repo` at `commit` would start from: the plan's choices (no network, no Docker)."""
    plan = plan_environment(CommitFiles(repo, commit), settings)
    return EnvironmentRecord.planned(plan, settings.environment.test_command)

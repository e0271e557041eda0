"""Workspace benchmarks, local and docker in the same run: create + first exec, exec round-trip (docker
against a plain `docker exec` CLI call), snapshot and rollback on a 5,000-file repository, 8 concurrent
workspaces.

    .venv/bin/python -m benchmarks.bench_workspace [--quick]

Builds the Docker image first if it is missing. Without a Docker engine only the local backend is measured, except
under CI=true, where that is an error.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.settings import Settings
from harness.services import ServiceUnavailable, in_ci, run_unless_unavailable
from workspaces.registry import backend_class


@dataclass(frozen=True)
class Sizes:
    rounds: int = 20
    files: int = 5_000
    concurrent: int = 8


QUICK = Sizes(rounds=3, files=200, concurrent=2)


def make_repo(root: Path, files: int) -> Path:
    for index in range(files):
        path = root / f"pkg{index % 50}" / f"module_{index}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"VALUE_{index} = {index}\n" * 5)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(
        ["git", "-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "base"], cwd=root, check=True
    )
    return root


def timed(action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def bench_backend(
    kind: str, scratch: Path, small: Path, large: Path, settings: Settings, sizes: Sizes
) -> dict[str, float]:
    cls = backend_class(kind)
    results: dict[str, float] = {}

    def open_ws(job: str, repo: Path) -> Any:
        return cls.create(
            job_id=job, repo_path=repo, base_commit="HEAD", job_dir=scratch / job, settings=settings
        )

    started = time.perf_counter()
    workspace = open_ws(f"bench-{kind}-first", small)
    workspace.exec("true")
    results["create + first exec (s)"] = time.perf_counter() - started
    samples = [timed(lambda: workspace.exec("true")) for _ in range(sizes.rounds)]
    results["exec round-trip (ms)"] = statistics.median(samples) * 1000
    if kind == "docker":
        name = workspace.info.details["container"]
        cli = [
            timed(lambda: subprocess.run(["docker", "exec", name, "true"], check=True)) for _ in range(sizes.rounds)
        ]
        results["plain `docker exec` CLI (ms)"] = statistics.median(cli) * 1000
        results["round-trip / CLI ratio"] = (
            results["exec round-trip (ms)"] / results["plain `docker exec` CLI (ms)"]
        )
    workspace.close()

    big = open_ws(f"bench-{kind}-big", large)
    base = big.snapshot("base")
    big.exec("rm pkg1/module_1.py && echo changed >> pkg2/module_2.py && echo new > pkg3/new.py")
    results[f"snapshot, {sizes.files} files (s)"] = min(timed(lambda: big.snapshot("edit")) for _ in range(3))
    results[f"rollback, {sizes.files} files (s)"] = timed(lambda: big.rollback(base))
    big.close()

    def one_job(index: int) -> bool:
        ws = open_ws(f"bench-{kind}-par{index}", small)
        try:
            ok = bool(ws.exec("python3 -c 'print(sum(range(10**6)))'").ok)
            ws.snapshot("x")
            return ok
        finally:
            ws.close()

    started = time.perf_counter()
    with ThreadPoolExecutor(sizes.concurrent) as pool:
        outcomes = list(pool.map(lambda i: _safe(one_job, i), range(sizes.concurrent)))
    results[f"{sizes.concurrent} concurrent workspaces (s)"] = time.perf_counter() - started
    results[f"{sizes.concurrent} concurrent failures"] = float(outcomes.count(False))
    return results


def _safe(job: Callable[[int], bool], index: int) -> bool:
    try:
        return job(index)
    except Exception as exc:
        print(f"  concurrent job {index} failed: {exc}", file=sys.stderr)
        return False


def main() -> None:
    from workspaces.docker import connect, engine_available
    from workspaces.docker_image import build_image

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK.files} files, {QUICK.rounds} rounds")
    sizes = QUICK if parser.parse_args().quick else Sizes()
    with tempfile.TemporaryDirectory(prefix="bench-workspace-") as scratch_text:
        scratch = Path(scratch_text)
        settings = Settings(home=scratch / "home")
        small = make_repo(scratch / "small", 20)
        large = make_repo(scratch / "large", sizes.files)
        kinds = ["local"]
        if engine_available():
            build_image(connect(), settings.docker, lock_dir=settings.home / "cache")
            kinds.append("docker")
        elif in_ci():
            raise ServiceUnavailable("no Docker engine answered (start Docker or set DOCKER_HOST)")
        else:
            print("no Docker engine answered: benchmarking the local backend only")
        table = {kind: bench_backend(kind, scratch, small, large, settings, sizes) for kind in kinds}
    metrics = list(dict.fromkeys(metric for rows in table.values() for metric in rows))
    print(f"\n{'metric':<36}" + "".join(f"{kind:>12}" for kind in kinds))
    for metric in metrics:
        cells = "".join(f"{table[k][metric]:>12.3f}" if metric in table[k] else f"{'-':>12}" for k in kinds)
        print(f"{metric:<36}{cells}")


if __name__ == "__main__":
    run_unless_unavailable(main)

"""CI diagnosis as localization: real failing test logs of SWE-bench instances, read by `ci diagnose --no-model`.

    .venv/bin/python -m benchmarks.bench_ci_diagnose [--instances ID ...] [--limit N] [--quick]

For each instance of ../shared/data/swebench-lite-dev.jsonl: a Docker workspace of its environment (the one
`swe-team eval` builds and caches), the test patch applied and not the fix, its FAIL_TO_PASS tests run as the eval
runs them; the whole log of that run goes to the model-free diagnosis with the repository (base commit + test
patch) and its code graph. A hit is a file of the reference fix (`patch`) among the top 1 / top 3 ranked files.
Goal: top 3 ≥ 80%. An instance whose FAIL_TO_PASS tests do not fail without the fix (the environment does not
validate) is left out and counted. Logs and per-instance results are cached in bench-out/ci-diagnose/: a rerun
runs no test again (`--fresh-logs` does) and diagnoses again only when swe_team/ci changed.

`--quick`: `ci regress` over the committed sample logs of tests/fixtures/ci_logs (no Docker, no data set).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.settings import Settings
    from swe_team.eval.dataset import Instance
    from swe_team.eval.repos import RepositorySource

REPO_ROOT = Path(__file__).resolve().parents[1]
DATASET = REPO_ROOT.parent / "shared" / "data" / "swebench-lite-dev.jsonl"
OUT = REPO_ROOT / "bench-out" / "ci-diagnose"
SAMPLES = REPO_ROOT / "tests" / "fixtures" / "ci_logs"
GOAL_TOP3 = 0.80
TEST_TIMEOUT_S = 900.0


def quick() -> int:
    from core.settings import load_settings
    from swe_team.ci.pipeline import RepositoryView, diagnose
    from swe_team.ci.regress import accuracy, load_cases, score

    settings, _ = load_settings()
    views: dict[Path | None, RepositoryView] = {}
    print(f"{'case':<16} {'kind':<7} {'step':<5} {'top1':<5} {'top3':<5} seconds")
    results = []
    for case in load_cases(SAMPLES):
        started = time.perf_counter()
        views.setdefault(case.repo, RepositoryView(case.repo, settings))
        result = score(case, diagnose(case.log.read_text(), views[case.repo], settings, use_model=False))
        results.append(result)
        marks = [("yes" if result.checks.get(m) else "no") for m in ("kind", "failing_step", "top1", "top3")]
        seconds = time.perf_counter() - started
        print(f"{case.name:<16} {marks[0]:<7} {marks[1]:<5} {marks[2]:<5} {marks[3]:<5} {seconds:.2f}")
    totals = accuracy(results)
    print("accuracy: " + ", ".join(f"{m} {r}/{n}" for m, (r, n) in totals.items()))
    return 0 if all(r == n for r, n in totals.values()) else 1


def _log_path(instance_id: str) -> Path:
    return OUT / "logs" / f"{instance_id}.log"


def produce_log(instance: Instance, settings: Settings, source: RepositorySource) -> tuple[str, str]:
    """(log, why not) of the instance's FAIL_TO_PASS tests with the test patch and without the fix; cached."""
    cached = _log_path(instance.instance_id)
    if cached.is_file():
        return cached.read_text(encoding="utf-8"), ""
    from swe_team.eval.instance_run import apply_patch
    from tools.test_results import detect_test_command
    from tools.testing.resolve import runner_for
    from tools.testing.runner import combined_output
    from workspaces.registry import create_workspace

    repo_path = source.prepared(instance.repo, instance.base_commit)
    job_dir = OUT / "workspaces" / instance.instance_id
    workspace = create_workspace(
        settings.workspace,
        job_id=f"ci-bench-{instance.instance_id}-{uuid.uuid4().hex[:6]}",
        repo_path=repo_path,
        base_commit=instance.base_commit,
        job_dir=job_dir,
        settings=settings,
    )
    try:
        apply_patch(workspace, instance.test_patch, "test_patch")
        command = settings.test_command or detect_test_command(workspace, settings)
        runner = runner_for(workspace, command).runner
        invocation = runner.invocation(workspace, list(instance.fail_to_pass))
        result = workspace.exec(invocation.command, timeout=TEST_TIMEOUT_S)
        again = runner.retry(workspace, result, invocation)
        if again is not None:
            invocation, result = again, workspace.exec(again.command, timeout=TEST_TIMEOUT_S)
    finally:
        workspace.close()
    if result.exit_code == 0:
        return "", "FAIL_TO_PASS tests pass without the fix"
    log = f"$ {invocation.shown}\n{combined_output(result)}"
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_text(log, encoding="utf-8")
    return log, ""


def checkout_with_test_patch(instance: Instance, source: RepositorySource) -> Path:
    """The repository at the base commit with the test patch, in one reused folder per repository."""
    from core.git import git

    target = OUT / "checkouts" / instance.repo.replace("/", "__")
    if not (target / ".git").exists():
        source.checkout(instance.repo, instance.base_commit, target)
    git(target, "checkout", "--quiet", "--force", "--detach", instance.base_commit)
    git(target, "clean", "-fdxq")
    git(target, "apply", "--whitespace=nowarn", "-", stdin=instance.test_patch)
    return target


def _diagnosis_code() -> bytes:
    """The diagnosis's own source: a cached result is reused only for the same log and the same code."""
    return b"".join(path.read_bytes() for path in sorted((REPO_ROOT / "swe_team" / "ci").glob("*.py")))


def diagnose_instance(instance: Instance, log: str, settings: Settings, source: RepositorySource) -> dict[str, Any]:
    from swe_team.ci.pipeline import RepositoryView, diagnose
    from swe_team.eval.instance_run import changed_files

    key = hashlib.sha256(log.encode() + _diagnosis_code()).hexdigest()[:16]
    cached = OUT / "results" / f"{instance.instance_id}.json"
    if cached.is_file():
        earlier = json.loads(cached.read_text())
        if earlier.get("log_sha") == key:
            return dict(earlier)
    started = time.perf_counter()
    repo = checkout_with_test_patch(instance, source)
    diagnosis = diagnose(log, RepositoryView(repo, settings), settings, use_model=False)
    gold = {path for path, _ in changed_files(instance.patch)}
    found = [f.path for f in diagnosis.files]
    result = {
        "instance_id": instance.instance_id,
        "repo": instance.repo,
        "log_sha": key,
        "log_lines": diagnosis.total_lines,
        "kind": diagnosis.kind,
        "gold": sorted(gold),
        "top": found[:5],
        "reason": diagnosis.files[0].reason if diagnosis.files else "",
        "top1": bool(gold & set(found[:1])),
        "top3": bool(gold & set(found[:3])),
        "confidence": diagnosis.confidence,
        "seconds": round(time.perf_counter() - started, 2),
    }
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_text(json.dumps(result, indent=1))
    return result


def full(args: argparse.Namespace) -> int:
    from core.settings import load_settings
    from swe_team.eval.dataset import load_instances, select
    from swe_team.eval.repos import RepositorySource

    settings, _ = load_settings()
    instances = load_instances(args.dataset)
    if args.instances:
        instances = select(instances, args.instances)
    instances = instances[: args.limit] if args.limit else instances
    if args.fresh_logs:
        for instance in instances:
            _log_path(instance.instance_id).unlink(missing_ok=True)
    source = RepositorySource(args.repos, settings.home / "cache" / "eval-repos")
    rows: list[dict[str, Any]] = []
    left_out: dict[str, str] = {}
    for instance in instances:
        started = time.monotonic()
        try:
            log, why_not = produce_log(instance, settings, source)
        except Exception as exc:  # one instance's environment failing is a row of the report, not the end
            log, why_not = "", f"{type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''}"
        if not log:
            left_out[instance.instance_id] = why_not
            print(f"{instance.instance_id:<32} left out: {why_not}", flush=True)
            continue
        row = diagnose_instance(instance, log, settings, source)
        rows.append(row)
        print(
            f"{instance.instance_id:<32} top1 {_yes(row['top1'])} top3 {_yes(row['top3'])} {row['top'][:1]}"
            f" gold {row['gold']} ({time.monotonic() - started:.0f} s)",
            flush=True,
        )
    return report(rows, left_out, len(instances))


def _yes(hit: bool) -> str:
    return "yes" if hit else "no "


def report(rows: list[dict[str, Any]], left_out: dict[str, str], total: int) -> int:
    per_repo: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        per_repo[row["repo"]].append(row)
    print(f"\n{'repository':<22} {'diagnosed':>9} {'top1':>6} {'top3':>6}")
    for repo, group in sorted(per_repo.items()):
        top1, top3 = sum(r["top1"] for r in group), sum(r["top3"] for r in group)
        print(f"{repo:<22} {len(group):>9} {top1:>6} {top3:>6}")
    diagnosed = len(rows)
    top1, top3 = sum(r["top1"] for r in rows), sum(r["top3"] for r in rows)
    rate1, rate3 = (top1 / diagnosed, top3 / diagnosed) if diagnosed else (0.0, 0.0)
    print(f"{'all':<22} {diagnosed:>9} {top1:>6} {top3:>6}")
    print(f"\ninstances: {total}; diagnosed: {diagnosed}; left out (environment or tests): {len(left_out)}")
    print(f"top 1: {rate1:.1%}   top 3: {rate3:.1%}   (goal: top 3 >= {GOAL_TOP3:.0%})")
    summary = {"total": total, "diagnosed": diagnosed, "top1": rate1, "top3": rate3, "left_out": left_out}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "summary.json").write_text(json.dumps({**summary, "rows": rows}, indent=1))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the committed sample logs only (no Docker)")
    parser.add_argument("--dataset", type=Path, default=DATASET)
    parser.add_argument("--repos", type=Path, default=Path(os.environ.get("SWE_TEAM_MIRRORS", "/work/.mirror")))
    parser.add_argument("--instances", nargs="*", default=[], help="only these instance ids")
    parser.add_argument("--limit", type=int, default=0, help="at most this many instances")
    parser.add_argument("--fresh-logs", action="store_true", help="run the tests again instead of the cached logs")
    args = parser.parse_args()
    return quick() if args.quick else full(args)


if __name__ == "__main__":
    sys.exit(main())

"""The local workspace on real git repositories and real subprocesses."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import shlex
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from core.errors import ConfigError, RepositoryError, WorkspaceError
from tests.workspace_fixtures import git, make_repo, open_workspace
from workspaces.base import Workspace, WorkspaceInfo
from workspaces.local import LocalWorkspace
from workspaces.paths import confine, normalize_relative
from workspaces.registry import create_workspace, reattach_workspace, resolve_kind


def tree_state(root: Path) -> dict[str, tuple[str, int]]:
    """Every non-ignored file as (sha256, mode bits), as git sees the working tree."""
    names = git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    state = {}
    for name in filter(None, names):
        path = root / name
        if path.is_file():
            state[name] = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mode & 0o777)
    return state


def user_checkout_state(repo: Path) -> tuple[str, ...]:
    return (
        git(repo, "rev-parse", "HEAD"),
        git(repo, "symbolic-ref", "HEAD"),
        git(repo, "status", "--porcelain", "--untracked-files=all"),
        hashlib.sha256((repo / ".git" / "index").read_bytes()).hexdigest(),
        (repo / "shop" / "cart.py").read_text(),
    )


def test_workspace_starts_at_base_commit_and_never_touches_the_users_checkout(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    (repo / "shop" / "cart.py").write_text("# the user's unsaved work\n")
    (repo / "notes.txt").write_text("untracked\n")
    (repo / "README.md").write_text("# staged change\n")
    git(repo, "add", "README.md")
    before = user_checkout_state(repo)

    workspace = open_workspace(tmp_path, repo)
    assert isinstance(workspace, Workspace)
    assert workspace.read_file("shop/cart.py").startswith("def total(items):")
    assert not workspace.exists("notes.txt")
    workspace.write_file("shop/cart.py", "changed\n")
    snapshot = workspace.snapshot("edited")
    workspace.write_file("extra.py", "x = 1\n")
    workspace.rollback(snapshot)
    assert "changed" in workspace.diff()
    assert workspace.exec("git status --short").ok
    assert user_checkout_state(repo) == before

    workspace.close()
    assert user_checkout_state(repo) == before
    assert not Path(workspace.info.root).exists()
    assert git(repo, "worktree", "list", "--porcelain").count("worktree ") == 1
    assert git(repo, "for-each-ref", "refs/swe-team") == ""


def test_paths_outside_the_repository_are_refused(tmp_path: Path) -> None:
    workspace = open_workspace(tmp_path, make_repo(tmp_path))
    root = Path(workspace.info.root)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    os.symlink(outside, root / "link_dir")
    os.symlink(outside / "secret.txt", root / "link_file")
    os.symlink("shop/cart.py", root / "inner_link")

    for bad in ("../../etc/passwd", "shop/../../x", "/etc/passwd", "link_dir/secret.txt", "link_file"):
        with pytest.raises(WorkspaceError, match="refused path"):
            workspace.read_file(bad)
    with pytest.raises(WorkspaceError, match="symlink"):
        workspace.write_file("link_dir/new.txt", "escape")
    assert not (outside / "new.txt").exists()
    with pytest.raises(WorkspaceError, match="refused path"):
        workspace.exec("pwd", cwd="..")
    assert workspace.read_file("inner_link").startswith("def total")
    assert workspace.read_file(str(root / "shop" / "cart.py")).startswith("def total")
    assert confine(root, "shop/./cart.py") == root.resolve() / "shop" / "cart.py"


def test_normalize_relative_is_a_pure_string_check() -> None:
    assert normalize_relative("./shop/../README.md") == "README.md"
    assert normalize_relative("") == "."
    assert normalize_relative("/workspace/src/a.py", root="/workspace") == "src/a.py"
    for bad in ("..", "a/../../b", "/etc/passwd"):
        with pytest.raises(WorkspaceError):
            normalize_relative(bad, root="/workspace")


def _process_gone(pid: int, within_s: float = 5.0) -> bool:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0]
        except (FileNotFoundError, ProcessLookupError):
            return True
        if state == "Z":
            return True
        time.sleep(0.05)
    return False


def test_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    workspace = open_workspace(tmp_path, make_repo(tmp_path))
    started = time.monotonic()
    result = workspace.exec("sleep 300 & echo $! > child.pid; echo started; sleep 300", timeout=1.0)
    assert result.timed_out and not result.ok
    assert result.exit_code == 124
    assert "started" in result.stdout
    assert time.monotonic() - started < 10
    assert "timed out" in result.observation()
    assert _process_gone(int(workspace.read_file("child.pid")))


def test_background_processes_do_not_outlive_their_command(tmp_path: Path) -> None:
    workspace = open_workspace(tmp_path, make_repo(tmp_path))
    started = time.monotonic()
    result = workspace.exec("sleep 300 >/dev/null 2>&1 & echo $! > child.pid; echo done", timeout=60)
    assert result.ok and result.stdout == "done\n"
    assert time.monotonic() - started < 10
    assert _process_gone(int(workspace.read_file("child.pid")))


def test_streams_are_separate_and_environment_is_controlled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOST_ONLY_SECRET", "s3cret")
    workspace = open_workspace(tmp_path, make_repo(tmp_path))
    result = workspace.exec(
        'echo out; echo err >&2; echo "$FOO"; echo "[$HOST_ONLY_SECRET]"; pwd; exit 3',
        cwd="shop",
        env={"FOO": "bar"},
    )
    assert result.exit_code == 3
    assert result.stderr == "err\n"
    lines = result.stdout.splitlines()
    assert lines[:3] == ["out", "bar", "[]"]
    assert Path(lines[3]).resolve() == (Path(workspace.info.root) / "shop").resolve()
    assert workspace.exec("echo $PATH").stdout.strip() == os.environ["PATH"]


def test_huge_output_keeps_head_and_tail_with_a_note(tmp_path: Path) -> None:
    workspace = open_workspace(tmp_path, make_repo(tmp_path))
    result = workspace.exec("seq 1 2000000; seq 1 300000 >&2", output_limit=10_000)
    assert result.ok and result.truncated
    assert result.stdout.startswith("1\n2\n3\n")
    assert result.stdout.endswith("1999999\n2000000\n")
    assert "bytes of output cut" in result.stdout
    assert len(result.stdout) < 10_200
    assert result.stderr.endswith("300000\n") and len(result.stderr) < 10_200


def test_rollback_restores_every_file_byte_for_byte(tmp_path: Path) -> None:
    workspace = open_workspace(tmp_path, make_repo(tmp_path))
    root = Path(workspace.info.root)
    (root / "data.bin").write_bytes(bytes(range(256)) * 4)
    edited = workspace.read_file("shop/cart.py").replace("result = 0", "result = 1")
    workspace.write_file("shop/cart.py", edited)
    (root / "debug.log").write_text("ignored before\n")
    expected = tree_state(root)
    snapshot = workspace.snapshot("before experiment")

    workspace.write_file("shop/cart.py", "broken\n")
    workspace.delete_file("README.md")
    (root / "data.bin").write_bytes(b"\x00")
    (root / "scripts" / "run.sh").chmod(0o644)
    (root / "shop" / "extra").mkdir()
    workspace.write_file("shop/extra/new_module.py", "created later\n")
    (root / "debug.log").write_text("ignored after\n")
    assert tree_state(root) != expected

    workspace.rollback(snapshot)
    assert tree_state(root) == expected
    assert not (root / "shop" / "extra").exists()
    assert (root / "scripts" / "run.sh").stat().st_mode & 0o111
    assert (root / "debug.log").read_text() == "ignored after\n"
    assert git(root, "status", "--porcelain", "--", "README.md") == ""

    workspace.write_file("README.md", "again\n")
    workspace.rollback("1-before-experiment")
    assert tree_state(root) == expected
    with pytest.raises(WorkspaceError, match="unknown snapshot"):
        workspace.rollback("no-such-snapshot")


def test_rollback_removes_the_bytecode_of_the_python_files_it_changes(tmp_path: Path) -> None:
    """Python trusts a cache whose source has the same size and modification second: a version rolled back to
    within the second the other version was cached in would otherwise run the other version's code."""
    workspace = open_workspace(tmp_path, make_repo(tmp_path))
    root = Path(workspace.info.root)
    snapshot = workspace.snapshot("count adds")
    workspace.write_file("shop/cart.py", workspace.read_file("shop/cart.py").replace("result += 1", "result -= 1"))
    counted = "from shop.cart import count; print(count([1, 2]))"
    assert workspace.exec(f"python3 -c {shlex.quote(counted)}").stdout.strip() == "-2"
    caches = root / "shop" / "__pycache__"
    package_cache = next(caches.glob("__init__.*.pyc"))
    package_cached_at = package_cache.stat().st_mtime_ns
    cart_written_at = (root / "shop" / "cart.py").stat().st_mtime_ns

    workspace.rollback(snapshot)
    assert not list(caches.glob("cart.*.pyc"))
    assert package_cache.stat().st_mtime_ns == package_cached_at  # an unchanged file keeps its cache
    os.utime(root / "shop" / "cart.py", ns=(cart_written_at, cart_written_at))
    assert workspace.exec(f"python3 -c {shlex.quote(counted)}").stdout.strip() == "2"


def test_diff_includes_new_files_and_applies_to_the_base_commit(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    workspace = open_workspace(tmp_path, repo)
    assert workspace.diff() == ""
    workspace.write_file("shop/cart.py", workspace.read_file("shop/cart.py").replace("+= 1", "+= 2"))
    workspace.write_file("shop/discounts.py", "RATE = 0.1\n")
    workspace.delete_file("README.md")
    workspace.write_file("trace.log", "ignored\n")
    workspace.exec("mkdir -p shop/__pycache__ && echo junk > shop/__pycache__/cart.cpython-311.pyc")
    diff = workspace.diff()
    assert "diff --git a/shop/discounts.py b/shop/discounts.py\nnew file mode 100644" in diff
    assert "deleted file mode 100644" in diff and "+        result += 2" in diff
    assert "trace.log" not in diff and "__pycache__" not in diff

    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True)
    (clone / "change.diff").write_text(diff)
    git(clone, "apply", "change.diff")
    assert (clone / "shop" / "discounts.py").read_text() == "RATE = 0.1\n"
    assert not (clone / "README.md").exists()


def test_list_files_honours_gitignore(tmp_path: Path) -> None:
    workspace = open_workspace(tmp_path, make_repo(tmp_path))
    workspace.write_file("shop/new.py", "")
    workspace.write_file("build/out.txt", "ignored")
    workspace.delete_file("README.md")
    files = workspace.list_files()
    assert "shop/new.py" in files and "shop/cart.py" in files
    assert "README.md" not in files and "build/out.txt" not in files
    assert files == sorted(files)
    assert workspace.list_files("shop") == ["shop/__init__.py", "shop/cart.py", "shop/new.py"]
    with pytest.raises(WorkspaceError, match="no such"):
        workspace.list_files("missing")


def test_reattach_recreates_a_vanished_worktree_and_keeps_snapshots(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    workspace = open_workspace(tmp_path, repo)
    workspace.write_file("shop/cart.py", "edited before the crash\n")
    snapshot = workspace.snapshot("progress")
    info = WorkspaceInfo.from_dict(workspace.info.to_dict())

    same = LocalWorkspace.reattach(info, None)
    assert not same.recreated and same.read_file("shop/cart.py") == "edited before the crash\n"

    shutil.rmtree(info.root)
    again = reattach_workspace(info, None)
    assert isinstance(again, LocalWorkspace) and again.recreated
    assert again.read_file("shop/cart.py").startswith("def total")
    assert [ref.commit for ref in again.snapshots()] == [snapshot]
    again.rollback(snapshot)
    assert again.read_file("shop/cart.py") == "edited before the crash\n"
    again.close()
    assert git(repo, "worktree", "list", "--porcelain").count("worktree ") == 1


def test_close_with_keep_leaves_the_files(tmp_path: Path) -> None:
    workspace = open_workspace(tmp_path, make_repo(tmp_path))
    workspace.write_file("kept.txt", "inspect me\n")
    workspace.close(keep=True)
    assert (Path(workspace.info.root) / "kept.txt").read_text() == "inspect me\n"
    with pytest.raises(WorkspaceError, match="closed"):
        workspace.read_file("kept.txt")


def test_bad_repository_or_commit_is_reported(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(RepositoryError, match="not inside a git repository"):
        open_workspace(tmp_path, plain)
    repo = make_repo(tmp_path)
    with pytest.raises(RepositoryError, match="not a commit"):
        LocalWorkspace.create(
            job_id="j", repo_path=repo, base_commit="nope", job_dir=tmp_path / "j", settings=None
        )


def test_registry_maps_names_and_dotted_paths(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    by_name = create_workspace(
        "local", job_id="a", repo_path=repo, base_commit="HEAD", job_dir=tmp_path / "a", settings=None
    )
    by_path = create_workspace(
        "workspaces.local.LocalWorkspace",
        job_id="b",
        repo_path=repo,
        base_commit="HEAD",
        job_dir=tmp_path / "b",
        settings=None,
    )
    assert isinstance(by_name, LocalWorkspace) and isinstance(by_path, LocalWorkspace)
    assert resolve_kind("local") == ("local", "")
    kind, note = resolve_kind("auto")
    assert kind in ("docker", "local") and (kind == "docker" or note)
    with pytest.raises(ConfigError, match="unknown workspace kind"):
        create_workspace(
            "nowhere", job_id="c", repo_path=repo, base_commit="HEAD", job_dir=tmp_path, settings=None
        )


def test_snapshot_rollback_and_diff_are_fast_on_5000_files(tmp_path: Path) -> None:
    files = {f"pkg{i % 50}/module_{i}.py": f"VALUE = {i}\n" * 30 for i in range(5000)}
    workspace = open_workspace(tmp_path, make_repo(tmp_path, files))
    for i in range(0, 5000, 500):
        workspace.write_file(f"pkg{i % 50}/module_{i}.py", "edited\n")
    timings = {}
    for name, action in (
        ("snapshot", lambda: workspace.snapshot("bench")),
        ("diff", workspace.diff),
        ("rollback", lambda: workspace.rollback("1-bench")),
    ):
        started = time.perf_counter()
        action()
        timings[name] = time.perf_counter() - started
    print("5000-file timings (s):", {k: round(v, 3) for k, v in timings.items()})
    assert max(timings.values()) < 2.0, timings


def _create_in_process(args: tuple[str, str]) -> str:
    repo, job_dir = args
    try:
        LocalWorkspace.create(
            job_id=Path(job_dir).name, repo_path=repo, base_commit="HEAD", job_dir=job_dir, settings=None
        )
    except WorkspaceError as exc:
        return str(exc)
    return ""


def test_jobs_started_together_on_one_repository_all_get_their_workspace(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {f"pkg/m{i}.py": "x = 1\n" for i in range(20)})
    with multiprocessing.get_context("fork").Pool(8) as pool:
        for round_ in range(4):
            jobs = [(str(repo), str(tmp_path / f"round{round_}" / f"job{i}")) for i in range(8)]
            assert [problem for problem in pool.map(_create_in_process, jobs) if problem] == []
    assert git(repo, "worktree", "list").count("/workspace ") == 32

"""Helpers shared by the command modules: settings from flags, consoles, the one error path, how a job ended."""

from __future__ import annotations

import functools
import json
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from core.errors import SweTeamError
from core.jobs import effective_status

if TYPE_CHECKING:
    from core.jobs import Job
    from core.settings import Settings
    from swe_team.approval import NeedsHuman

ARTEFACTS = ("report.md", "patch.diff", "trajectory.jsonl", "pred.jsonl")


class PipedConsole(Console):
    """A console writing to a pipe or a file: a message (a string or a `Text`) goes out as one line however long,
    where rich would break it at 80 columns (or at a terminal's width it guessed from another stream); the reader's
    window wraps it, and `grep` finds a sentence whole. Tables, panels and Markdown keep their layout."""

    def print(self, *objects: Any, **options: Any) -> None:
        if objects and all(isinstance(item, str | Text) for item in objects):
            options.setdefault("soft_wrap", True)
        super().print(*objects, **options)


def terminal_console(stderr: bool = False) -> Console:
    """The console for stdout or stderr: on a terminal, wrapped at its width; else a `PipedConsole`."""
    stream = sys.stderr if stderr else sys.stdout
    return Console(stderr=stderr) if stream.isatty() else PipedConsole(stderr=stderr)


console = terminal_console(stderr=True)
out = terminal_console()


def settings_for(repo: Path | None = None, **flags: Any) -> Settings:
    from core.settings import load_settings

    settings, _ = load_settings(repo, {k: v for k, v in flags.items() if v is not None})
    return settings


def read_text_file(path: Path, what: str) -> str:
    """The text of a file the user named; a `SweTeamError` saying why when it cannot be read as text."""
    if not path.exists():
        raise SweTeamError(f"{what} {path} does not exist")
    if not path.is_file():
        raise SweTeamError(f"{what} {path} is not a file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SweTeamError(f"{what} {path} is not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except OSError as exc:
        raise SweTeamError(f"cannot read {what} {path}: {exc.strerror or exc}") from exc
    if "\x00" in text:
        raise SweTeamError(f"{what} {path} is not text: it holds NUL bytes (a binary file?)")
    return text


class Terminated(KeyboardInterrupt):
    """SIGTERM (`kill`, a service manager stopping us), taken the way Ctrl-C is: jobs saved, containers stopped."""


def _terminate(signum: int, frame: Any) -> None:
    raise Terminated


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """While a command runs, SIGTERM unwinds it like Ctrl-C instead of ending the process on the spot."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGTERM) != signal.SIG_DFL:
        yield
        return
    signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


@contextmanager
def user_errors() -> Iterator[None]:
    """Print a `SweTeamError` as a one-screen message and exit 1; Ctrl-C exits 130 and SIGTERM 143, with a note."""
    try:
        with _sigterm_as_interrupt():
            yield
    except SweTeamError as exc:
        console.print(f"[red]error:[/] {escape(exc.user_message())}")
        sys.exit(1)
    except Terminated:
        console.print("\n[yellow]terminated[/]")
        sys.exit(143)
    except KeyboardInterrupt:
        console.print("\n[yellow]interrupted[/]")
        sys.exit(130)


def guarded(function: Callable[..., Any]) -> Callable[..., Any]:
    """Every command's error path: a `SweTeamError` is one message and exit 1, Ctrl-C exits 130, SIGTERM 143."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with user_errors():
            return function(*args, **kwargs)

    return wrapper


def print_job(job: Job, as_json: bool) -> None:
    if as_json:
        out.print_json(json.dumps({**asdict(job), "status": effective_status(job)}))
        return
    colour = {"resolved": "green", "unresolved": "yellow", "rejected": "red", "failed": "red"}.get(job.status, "cyan")
    console.print(f"job [bold]{job.id}[/]: [{colour}]{job.status}[/]")


def ending_reasons(job_dir: Path) -> list[str]:
    """Why the job ended as it did, one line each: what finalize wrote first in report.md."""
    from core.trajectory import Trajectory

    ends = [e for e in Trajectory(job_dir / "trajectory.jsonl").events() if e.get("event") == "finalized"]
    reasons = ends[-1].get("reasons", []) if ends else []
    return [" ".join(str(reason).split()) for reason in reasons if str(reason).strip()]


def print_finished(settings: Settings, job: Job, as_json: bool) -> None:
    """A job that ended here: its status and why (on the terminal also with --json), where its artefacts and
    branch are."""
    print_job(job, as_json)
    folder = settings.jobs_dir / job.id
    reasons = "; ".join(ending_reasons(folder))
    if reasons:
        console.print(f"  {'why':17} {escape(reasons)}")
    if as_json:
        return
    for name in ARTEFACTS:
        if (folder / name).exists():
            console.print(f"  {name:17} {escape(str(folder / name))}")
    if job.status == "resolved" and not reasons:
        console.print(f"  branch            {job.branch} in {escape(job.repo)}")


def stop_at_gate(exc: NeedsHuman, as_json: bool) -> None:
    """A job that needs a human: say how to continue, and exit with `EXIT_WAITING`."""
    from swe_team.approval import EXIT_WAITING
    from swe_team.job_store import open_job_store

    if as_json:
        print_job(open_job_store(settings_for()).load(exc.job_id), as_json)
    console.print(f"[yellow]waiting:[/] {escape(exc.user_message())}")
    sys.exit(EXIT_WAITING)


def drive(settings: Settings, go: Callable[[], Job], as_json: bool) -> None:
    """Run or continue a job in this process and say how it ended, or how to answer the gate it stopped at."""
    from swe_team.approval import NeedsHuman

    try:
        job = go()
    except NeedsHuman as exc:
        stop_at_gate(exc, as_json)
        return
    print_finished(settings, job, as_json)

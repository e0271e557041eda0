"""Gate conversations on a real pseudo-terminal (harness.terminal), and model scripts built from the example job."""

from __future__ import annotations

import copy
import json
import stat
import sys
from pathlib import Path
from typing import Any

import pexpect

from core.model.scripted_server import ScriptedModelServer
from harness.terminal import screen_text
from tests.job_fixtures import assert_script_done

PLANNER, LOCALIZER_VIEW, LOCALIZER_SUBMIT = 0, 1, 2


def chat_server(steps: list[dict[str, Any]]) -> ScriptedModelServer:
    """A scripted model server with room for the longer prompts of gate conversations."""
    return ScriptedModelServer({"context_window": 16384, "steps": steps})


def answer(role: str, text: str, *expected: str) -> dict[str, Any]:
    """A plain-text model answer (an `ask` at a gate) whose request must contain `expected`."""
    return {"expect": {"role": role, "prompt_contains": list(expected)}, "response": {"content": text}}


def expecting(step: dict[str, Any], *texts: str) -> dict[str, Any]:
    changed = copy.deepcopy(step)
    changed.setdefault("expect", {}).setdefault("prompt_contains", []).extend(texts)
    return changed


def gate(child: pexpect.spawn, name: str) -> None:
    """Wait for the `name> ` prompt; fail with what the terminal showed when it never comes."""
    try:
        child.expect_exact(f"{name}> ")
    except (pexpect.TIMEOUT, pexpect.EOF) as exc:
        raise AssertionError(f"no {name} gate; the terminal showed:\n{screen_text(child)[-4000:]}") from exc


def finish(child: pexpect.spawn, server: ScriptedModelServer) -> None:
    """Wait for `swe-team` to exit; it must exit 0 having used up the model script."""
    child.expect(pexpect.EOF)
    child.close()
    assert_script_done(server, screen_text(child))
    assert child.exitstatus == 0, screen_text(child)[-3000:]


def editor_script(folder: Path, python_code: str) -> str:
    """An $EDITOR that rewrites the file it is given with `python_code` (which sees `text` and sets it)."""
    path = folder / "scripted-editor"
    body = (
        f"#!{sys.executable}\nimport sys, pathlib\np = pathlib.Path(sys.argv[1])\ntext = p.read_text()\n"
        f"{python_code}\np.write_text(text)\n"
    )
    path.write_text(body, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def decisions(show_json: str) -> list[tuple[str, str]]:
    return [(d["gate"], d["action"]) for d in json.loads(show_json)["decisions"]]

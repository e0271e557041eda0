"""A gate's screen as data: the interrupt payload plus what is read from the workspace (code excerpts, the diff).

Saved as `gate.json` in the job folder whenever a job stops at a gate, so `swe-team chat` draws it at once,
before the graph and the model client are loaded. No rich import here: the runner calls this on every gate.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

GATE_FILE = "gate.json"
"""The last gate screen shown or waiting, so `swe-team chat` can draw it before the graph is loaded."""
MAX_EXCERPTS = 5
EXCERPT_CONTEXT = 2
EXCERPT_MAX_LINES = 16
DIFF_MAX_CHARS = 60_000


def _excerpt(workspace: Any, location: dict[str, Any]) -> dict[str, Any] | None:
    path = str(location.get("path", ""))
    start = int(location.get("start_line") or 0)
    if not path or start <= 0:
        return None
    try:
        lines = workspace.read_file(path).splitlines()
    except Exception:  # a location the model named may not exist; the screen says so instead of failing
        return {"path": path, "start": start, "lines": [], "missing": True}
    end = int(location.get("end_line") or start)
    first = max(1, start - EXCERPT_CONTEXT)
    last = min(len(lines), max(end, start) + EXCERPT_CONTEXT, first + EXCERPT_MAX_LINES - 1)
    return {"path": path, "start": first, "lines": lines[first - 1 : last], "focus": [start, end]}


def collect_screen(payload: dict[str, Any], workspace: Any) -> dict[str, Any]:
    """The payload plus code excerpts for the ranked locations and, from the patch gate on, the diff."""
    evidence = payload.get("evidence", {})
    excerpts = [
        excerpt
        for location in list(evidence.get("locations", []))[:MAX_EXCERPTS]
        if (excerpt := _excerpt(workspace, location)) is not None
    ]
    diff = ""
    if payload.get("gate") in ("patch", "final"):
        diff = workspace.diff()[:DIFF_MAX_CHARS]
    return {**payload, "excerpts": excerpts, "diff": diff}


def save_gate_screen(job_dir: Path, payload: dict[str, Any], workspace: Any) -> dict[str, Any]:
    screen = collect_screen(payload, workspace)
    path = job_dir / GATE_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(screen, default=str), encoding="utf-8")
    os.replace(tmp, path)
    return screen


def load_gate_screen(job_dir: Path) -> dict[str, Any] | None:
    path = job_dir / GATE_FILE
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return None
    return data if isinstance(data, dict) else None

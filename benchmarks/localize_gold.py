"""Gold files and functions of SWE-bench-format rows, read off their reference patch: more localization data sets.

    python -m benchmarks.localize_gold IN.jsonl OUT.jsonl

Each row needs `instance_id`, `repo`, `base_commit`, `problem_statement` and `patch` (the fields of SWE-bench
itself). `gold_files` become the files the patch changes; `gold_functions` the top-level functions and methods of
top-level classes whose lines the patch removes or inserts into, found in the file at `base_commit` (from the
mirror in `$SWE_TEAM_MIRRORS`) with the code graph's parser. That is the rule of locbench-dev.jsonl: on its 72 rows
it gives the same functions for 71 (the other has one more method). The output is a data set for
`python -m benchmarks.localize --data OUT.jsonl`: a check of the localizer on repositories it was never tuned on.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.localize import find_mirror, mirrors_dir
from core.errors import SweTeamError
from memory.codegraph.extract import extract

HUNK = re.compile(r"^@@ -(\d+)")


@dataclass
class Hunk:
    removed: list[int] = field(default_factory=list)
    """Lines of the original file the hunk removes."""
    inserted_after: list[int] = field(default_factory=list)
    """Lines of the original file after which it inserts."""


def patch_hunks(patch: str) -> dict[str, list[Hunk]]:
    """Path → its hunks, for every file the patch changes (not the files it creates)."""
    hunks: dict[str, list[Hunk]] = {}
    path = ""
    line = 0
    for text in patch.splitlines():
        if text.startswith("--- "):
            path = text[6:] if text.startswith("--- a/") else ""
            if path:
                hunks.setdefault(path, [])
        elif path and (start := HUNK.match(text)):
            line = int(start.group(1))
            hunks[path].append(Hunk())
        elif path and hunks[path] and text[:1] in (" ", "-", "+"):
            if text[0] == "+":
                hunks[path][-1].inserted_after.append(line - 1)
                continue
            if text[0] == "-":
                hunks[path][-1].removed.append(line)
            line += 1
    return hunks


def touched_functions(path: str, source: bytes, hunks: list[Hunk]) -> list[str]:
    """`path:function` and `path:Class.method` whose lines the hunks remove or insert into, in file order."""
    entities = [
        symbol
        for symbol in extract(source, "python").symbols
        if (symbol.kind == "function" and "." not in symbol.qualname)
        or (symbol.kind == "method" and symbol.qualname.count(".") == 1)
    ]
    touched = []
    for symbol in entities:
        inside = range(symbol.start_line, symbol.end_line + 1)
        if any(line in inside for hunk in hunks for line in (*hunk.removed, *hunk.inserted_after)):
            touched.append(f"{path}:{symbol.qualname}")
    return touched


def with_gold(row: dict[str, Any], mirror: Path) -> dict[str, Any]:
    hunks = patch_hunks(row["patch"])
    functions: list[str] = []
    for path, file_hunks in hunks.items():
        if not path.endswith(".py"):
            continue
        shown = subprocess.run(
            ["git", f"--git-dir={mirror}", "show", f"{row['base_commit']}:{path}"], capture_output=True, check=False
        )
        if shown.returncode != 0:
            raise SweTeamError(
                f"{row['instance_id']}: {path} is not in {row['repo']} at {row['base_commit'][:12]}",
                hint="fetch the mirror again, or check that the patch belongs to this commit",
            )
        functions += touched_functions(path, shown.stdout, file_hunks)
    return {**row, "gold_files": list(hunks), "gold_functions": list(dict.fromkeys(functions))}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    source, target = Path(args[0]), Path(args[1])
    try:
        rows = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
        gold = [with_gold(row, find_mirror(row["repo"], mirrors_dir())) for row in rows]
    except (OSError, ValueError, KeyError) as exc:
        print(f"cannot read the rows of {source}: {exc!r}", file=sys.stderr)
        return 2
    except SweTeamError as exc:
        print(exc.user_message(), file=sys.stderr)
        return 2
    target.write_text("".join(json.dumps(row) + "\n" for row in gold), encoding="utf-8")
    print(f"{len(gold)} rows with gold files and functions → {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A unified diff read as files and hunks whose lines carry their numbers in the new file.

What the dangerous-code check and `swe-team review` need of a diff: which lines of which file it adds or touches,
and each hunk as numbered lines a model can cite. Binary files and deleted files have no new lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

HUNK_HEADER = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$")


@dataclass(frozen=True)
class DiffLine:
    kind: str
    """`+` added, `-` removed, ` ` context."""
    text: str
    new_line: int | None
    """Its number in the new file; None for a removed line."""
    old_line: int | None


@dataclass
class Hunk:
    new_start: int
    new_count: int
    section: str
    """What git printed after the second `@@` (often the enclosing function)."""
    lines: list[DiffLine] = field(default_factory=list)

    def numbered(self, texts: list[str] | None = None) -> str:
        """The hunk as a model reads it: each line with its new line number (removed lines marked `-`);
        `texts` replaces the lines' texts (the same lines with secrets hidden)."""
        rows = []
        for line, text in zip(self.lines, texts or [line.text for line in self.lines], strict=True):
            number = f"{line.new_line:>5}" if line.new_line is not None else "     "
            rows.append(f"{number} {line.kind} {text}")
        return "\n".join(rows)


@dataclass
class FileDiff:
    path: str
    """The path in the new version (the old one for a deleted file)."""
    old_path: str
    status: str = "modified"
    """modified, added, deleted, renamed or binary."""
    hunks: list[Hunk] = field(default_factory=list)

    @property
    def added_lines(self) -> dict[int, str]:
        """Line number in the new file → text, for every added line."""
        return {
            line.new_line: line.text
            for hunk in self.hunks
            for line in hunk.lines
            if line.kind == "+" and line.new_line is not None
        }

    @property
    def touched_lines(self) -> set[int]:
        """Lines of the new file the change adds, plus the line after a removal (where the removed code was)."""
        touched = set(self.added_lines)
        for hunk in self.hunks:
            for position, line in enumerate(hunk.lines):
                if line.kind == "-":
                    following = next((n.new_line for n in hunk.lines[position:] if n.new_line is not None), None)
                    touched.add(following if following is not None else max(hunk.new_start, 1))
        return touched


def _path_of(header: str) -> str:
    name = header[4:].split("\t", 1)[0].strip()
    if name.startswith('"') and name.endswith('"'):
        name = name[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")
    return name[2:] if name[:2] in ("a/", "b/") else name


def _start_file(line: str) -> FileDiff:
    names = line[len("diff --git ") :]
    old, _, new = names.partition(" b/")
    return FileDiff(path=new, old_path=old.removeprefix("a/"))


def parse_unified_diff(text: str) -> list[FileDiff]:
    """Every file of a unified diff (git's, or plain `diff -u` with `---`/`+++` headers), in order."""
    files: list[FileDiff] = []
    current: FileDiff | None = None
    hunk: Hunk | None = None
    new_number = old_number = old_left = new_left = 0
    for line in text.splitlines():
        if hunk is not None and (old_left > 0 or new_left > 0) and line[:1] in ("+", "-", " ", ""):
            kind, body = line[:1] or " ", line[1:]
            hunk.lines.append(
                DiffLine(kind, body, None if kind == "-" else new_number, None if kind == "+" else old_number)
            )
            new_number, new_left = new_number + (kind != "-"), new_left - (kind != "-")
            old_number, old_left = old_number + (kind != "+"), old_left - (kind != "+")
        elif line.startswith("diff --git "):
            current, hunk = _start_file(line), None
            files.append(current)
        elif line.startswith("--- "):
            if current is None or current.hunks:
                current = FileDiff(path="", old_path="")
                files.append(current)
            current.old_path = _path_of(line)
            hunk = None
        elif line.startswith("+++ ") and current is not None:
            current.path = _path_of(line)
            if current.path == "/dev/null":
                current.path, current.status = current.old_path, "deleted"
            elif current.old_path == "/dev/null":
                current.status = "added"
        elif match := HUNK_HEADER.match(line):
            if current is None:
                continue
            old_number, new_number = int(match[1]), int(match[3])
            old_left = int(match[2]) if match[2] is not None else 1
            new_left = int(match[4]) if match[4] is not None else 1
            hunk = Hunk(new_number, new_left, match[5].strip())
            current.hunks.append(hunk)
        elif current is not None:
            if line.startswith("rename from "):
                current.old_path, current.status = line[len("rename from ") :], "renamed"
            elif line.startswith("new file mode"):
                current.status = "added"
            elif line.startswith("deleted file mode"):
                current.status = "deleted"
            elif line.startswith("Binary files "):
                current.status = "binary"
    return [diff for diff in files if diff.path]

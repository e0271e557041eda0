"""What a patch changes once its form is set aside: the key two candidates share when they make the same change.

A Python file is compared by its syntax tree without docstrings (so whitespace, comments, line breaks, quotes and
parentheses do not count); any other file, or Python that does not parse, by its lines with runs of whitespace
collapsed and blank lines dropped. A file whose content is the same as before by that measure is no change at all.
Diffs are split into the part that changes the code and the part that changes tests, by file.
"""

from __future__ import annotations

import ast
import hashlib
import re

from memory.codegraph.link import is_test_path

_FILE_HEADER = re.compile(r"^diff --git a/(\S+) b/(\S+)$", re.MULTILINE)
_WHITESPACE = re.compile(r"\s+")


def _without_docstrings(tree: ast.AST) -> ast.AST:
    for node in ast.walk(tree):
        if not isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        body = node.body
        first = body[0] if body else None
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
            node.body = body[1:] or [ast.Pass()]
    return tree


def normalised_text(path: str, content: str | None) -> str:
    """The content of `path` as compared between candidates; '' for a file that does not exist."""
    if content is None:
        return ""
    if path.endswith(".py"):
        try:
            return ast.dump(_without_docstrings(ast.parse(content)), annotate_fields=False)
        except (SyntaxError, ValueError):
            pass
    lines = (_WHITESPACE.sub(" ", line).strip() for line in content.splitlines())
    return "\n".join(line for line in lines if line)


def effective_changes(before: dict[str, str | None], after: dict[str, str | None]) -> list[str]:
    """The files whose normalised content differs between `before` and `after` (None: the file does not exist)."""
    return sorted(
        path
        for path in set(before) | set(after)
        if normalised_text(path, before.get(path)) != normalised_text(path, after.get(path))
    )


def change_key(before: dict[str, str | None], after: dict[str, str | None]) -> str:
    """A short hash of what changes, equal for candidates that make the same change; '' when nothing changes."""
    changed = effective_changes(before, after)
    if not changed:
        return ""
    digest = hashlib.sha256()
    for path in changed:
        digest.update(f"{path}\0{normalised_text(path, after.get(path))}\0".encode())
    return digest.hexdigest()[:16]


def file_blocks(diff: str) -> list[tuple[str, str]]:
    """(path, the diff's text for that file) for every file a git diff touches, in order."""
    headers = list(_FILE_HEADER.finditer(diff))
    blocks = []
    for index, header in enumerate(headers):
        end = headers[index + 1].start() if index + 1 < len(headers) else len(diff)
        blocks.append((header.group(2), diff[header.start() : end]))
    return blocks


def changed_paths(diff: str) -> list[str]:
    return [path for path, _ in file_blocks(diff)]


def split_diff(diff: str) -> tuple[str, str]:
    """(the part changing code, the part changing tests) of a git diff, split by file."""
    code: list[str] = []
    tests: list[str] = []
    for path, block in file_blocks(diff):
        (tests if is_test_path(path) else code).append(block if block.endswith("\n") else block + "\n")
    return "".join(code), "".join(tests)


def added_test_files(diff: str) -> list[str]:
    """The Python test files a diff adds or changes (not those it deletes)."""
    found = []
    for path, block in file_blocks(diff):
        if is_test_path(path) and path.endswith(".py") and "\ndeleted file mode" not in block[:300]:
            found.append(path)
    return found

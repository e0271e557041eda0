"""The dangerous-code check: calls a patch ADDS that run strings as code or shell commands, unpickle or load YAML
unsafely, or turn TLS verification off.

Python files are read whole and walked as a syntax tree (a `shell=True` three lines below its `subprocess.run(`
is found, `model.eval()` is not `eval`); only hits on lines the diff adds count. A file that does not parse, or
whose new text is not at hand, is matched line by line. An allowlist (`review.dangerous_code_allow`) lets known
uses pass: `RULE` anywhere, `PATH_GLOB:RULE` in matching files.
"""

from __future__ import annotations

import ast
import bisect
import fnmatch
import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any, TypeGuard

from tools.diff_lines import FileDiff, parse_unified_diff

PYTHON_SUFFIXES = (".py", ".pyw", ".pyi")
SUBPROCESS_CALLS = {"run", "call", "check_call", "check_output", "Popen"}
SAFE_YAML_LOADERS = {"SafeLoader", "CSafeLoader", "BaseLoader"}
WHY = {
    "eval": "eval() runs a string as Python: anyone who controls the string controls the process",
    "exec": "exec() runs a string as Python: anyone who controls the string controls the process",
    "os-system": "os.system() runs a shell command line: quoting mistakes become command injection",
    "subprocess-shell": "a subprocess through the shell: quoting mistakes become command injection",
    "pickle-loads": "unpickling runs code chosen by whoever wrote the bytes",
    "yaml-load": "yaml.load without a safe loader can build arbitrary Python objects",
    "tls-verify-off": "TLS verification turned off: anyone on the network can read and change the traffic",
}
LINE_PATTERNS = {
    "eval": re.compile(r"(?<![\w.])eval\s*\("),
    "exec": re.compile(r"(?<![\w.])exec\s*\("),
    "os-system": re.compile(r"\bos\.system\s*\("),
    "subprocess-shell": re.compile(r"\bshell\s*=\s*True\b|\bsubprocess\.getoutput\s*\("),
    "pickle-loads": re.compile(r"\b(?:c?[Pp]ickle|dill)\.loads?\s*\("),
    "yaml-load": re.compile(r"\byaml\.(?:unsafe_load|load)\s*\((?![^)]*Safe)"),
    "tls-verify-off": re.compile(r"\bverify\s*=\s*False\b|_create_unverified_context|\bCERT_NONE\b"),
}


@dataclass(frozen=True)
class DangerousHit:
    """One dangerous call a change adds."""

    path: str
    line: int
    rule: str
    code: str
    """The added line, stripped."""
    why: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        return f"{self.path}:{self.line} [{self.rule}] {self.code}"


class Allowlist:
    """Entries `RULE`, `*`, `PATH_GLOB:RULE` or `PATH_GLOB:*` (checked when the settings load)."""

    def __init__(self, entries: Iterable[str] = ()) -> None:
        self.entries = [entry.rpartition(":")[::2] for entry in entries]

    def allows(self, path: str, rule: str) -> bool:
        return any(
            (not glob or fnmatch.fnmatchcase(path, glob.strip())) and wanted.strip() in ("*", rule)
            for glob, wanted in self.entries
        )


@functools.lru_cache(maxsize=16)
def parsed_python(source: str) -> ast.Module | None:
    """The module's syntax tree, None when it does not parse; the last few are kept, since a review reads the
    same files' trees in more than one check. Treat the tree as read-only."""
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError):
        return None


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else ""
    return ""


def _imported_names(tree: ast.Module) -> dict[str, str]:
    """Local name → what it stands for (`from os import system as run` → run: os.system)."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name.split(".")[0]] = (
                    alias.name if alias.asname else alias.name.split(".")[0]
                )
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _canonical(call: ast.Call, imports: dict[str, str]) -> str:
    name = _dotted(call.func)
    head, dot, rest = name.partition(".")
    return imports.get(head, head) + dot + rest if head else ""


def _is_false(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def _shell_true(call: ast.Call) -> bool:
    shell = next((kw.value for kw in call.keywords if kw.arg == "shell"), None)
    return shell is not None and not _is_false(shell) and not (isinstance(shell, ast.Constant) and not shell.value)


def _unsafe_yaml(call: ast.Call) -> bool:
    loader = next((kw.value for kw in call.keywords if kw.arg == "Loader"), None)
    if loader is None and len(call.args) > 1:
        loader = call.args[1]
    return loader is None or _dotted(loader).rpartition(".")[2] not in SAFE_YAML_LOADERS


def _call_rule(call: ast.Call, imports: dict[str, str]) -> str:
    name = _canonical(call, imports)
    module, _, function = name.rpartition(".")
    if name in ("eval", "exec", "builtins.eval", "builtins.exec"):
        return function or name
    if name == "os.system":
        return "os-system"
    if module == "subprocess" and (
        function in ("getoutput", "getstatusoutput") or (function in SUBPROCESS_CALLS and _shell_true(call))
    ):
        return "subprocess-shell"
    if module in ("pickle", "cPickle", "_pickle", "dill") and function in ("loads", "load"):
        return "pickle-loads"
    if module in ("yaml", "ruamel.yaml") and (
        function == "unsafe_load" or (function in ("load", "load_all") and _unsafe_yaml(call))
    ):
        return "yaml-load"
    if function == "_create_unverified_context" or any(
        kw.arg == "verify" and _is_false(kw.value) for kw in call.keywords
    ):
        return "tls-verify-off"
    return ""


def _turns_tls_checks_off(node: ast.AST) -> TypeGuard[ast.expr | ast.stmt]:
    """`ssl.CERT_NONE` named, or `context.check_hostname = False`."""
    if isinstance(node, ast.Attribute | ast.Name):
        return _dotted(node).rpartition(".")[2] == "CERT_NONE"
    return (
        isinstance(node, ast.Assign)
        and _is_false(node.value)
        and any(isinstance(target, ast.Attribute) and target.attr == "check_hostname" for target in node.targets)
    )


def _key_lines(call: ast.Call, rule: str) -> tuple[int, ...]:
    """The lines that make a call dangerous: where it is called, and the keyword that turns the danger on."""
    keyword = {"subprocess-shell": "shell", "tls-verify-off": "verify", "yaml-load": "Loader"}.get(rule)
    lines = [call.func.end_lineno or call.lineno]
    lines += [kw.value.lineno for kw in call.keywords if kw.arg == keyword]
    return tuple(lines)


def _spans_added(node: ast.expr | ast.stmt, added: list[int]) -> bool:
    """Whether any of the sorted `added` lines falls within the node's lines."""
    first = bisect.bisect_left(added, node.lineno)
    return first < len(added) and added[first] <= (node.end_lineno or node.lineno)


def _tree_hits(tree: ast.Module, added: list[int]) -> list[tuple[tuple[int, ...], str]]:
    """(the lines that make it dangerous, rule) of every dangerous construct in the module that spans one of the
    sorted `added` lines."""
    imports = _imported_names(tree)
    found: list[tuple[tuple[int, ...], str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _spans_added(node, added) and (rule := _call_rule(node, imports)):
            found.append((_key_lines(node, rule), rule))
        elif _turns_tls_checks_off(node) and node.lineno in added:
            found.append(((node.lineno,), "tls-verify-off"))
    return found


def _python_hits(diff: FileDiff, source: str) -> list[DangerousHit] | None:
    """Hits from the syntax tree, each on the first added line that makes it dangerous; None when the new text
    does not parse."""
    tree = parsed_python(source)
    if tree is None:
        return None
    added = diff.added_lines
    hits: dict[tuple[int, str], DangerousHit] = {}
    for lines, rule in _tree_hits(tree, sorted(added)):
        line = next((number for number in sorted(lines) if number in added), None)
        if line is not None and (line, rule) not in hits:
            hits[(line, rule)] = DangerousHit(diff.path, line, rule, added[line].strip()[:200], WHY[rule])
    return sorted(hits.values(), key=lambda hit: (hit.line, hit.rule))


def _line_hits(diff: FileDiff) -> list[DangerousHit]:
    hits = []
    for number, text in sorted(diff.added_lines.items()):
        code = text.split("#", 1)[0]
        for rule, pattern in LINE_PATTERNS.items():
            if pattern.search(code):
                hits.append(DangerousHit(diff.path, number, rule, text.strip()[:200], WHY[rule]))
    return hits


def scan_file(diff: FileDiff, new_source: str | None) -> list[DangerousHit]:
    """The dangerous code one file's change adds; `new_source` is the file's whole new text, when at hand."""
    if diff.status in ("deleted", "binary") or not diff.path.endswith(PYTHON_SUFFIXES) or not diff.added_lines:
        return []
    from_tree = _python_hits(diff, new_source) if new_source is not None else None
    return from_tree if from_tree is not None else _line_hits(diff)


def scan_diff(diff_text: str, read_new: Callable[[str], str | None], allow: Iterable[str] = ()) -> list[DangerousHit]:
    """Every dangerous call the diff adds that the allowlist does not let pass. `read_new(path)` is the file's new
    text, or None when it cannot be read (the added lines are then matched one by one)."""
    allowlist = Allowlist(allow)
    hits: list[DangerousHit] = []
    for diff in parse_unified_diff(diff_text):
        for hit in scan_file(diff, read_new(diff.path) if diff.path.endswith(PYTHON_SUFFIXES) else None):
            if not allowlist.allows(hit.path, hit.rule):
                hits.append(hit)
    return hits

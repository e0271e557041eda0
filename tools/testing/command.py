"""Reading and rewriting a test command as shell words: where the runner starts, which arguments are its own
test paths (replaced when the caller names tests), and how to put it back together.

Only simple commands are rewritten: one program with arguments, optionally after `VAR=value` assignments.
A command with shell operators (`&&`, pipes, redirections, substitutions) is run as given, with the selectors
appended.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Callable

_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_SHELL_SYNTAX = re.compile(r"&&|\|\||[;|<>`]|\$\(")


def simple_words(command: str) -> list[str] | None:
    """The words of a simple command, or None when it uses shell syntax or does not parse."""
    if _SHELL_SYNTAX.search(command):
        return None
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    return words or None


def quote_word(word: str) -> str:
    """A word for bash; an assignment keeps its name unquoted so that bash still reads it as one."""
    if _ASSIGNMENT.match(word):
        name, _, value = word.partition("=")
        return f"{name}={shlex.quote(value)}" if value else f"{name}="
    return shlex.quote(word)


def join_words(words: list[str]) -> str:
    return " ".join(quote_word(word) for word in words)


def program_index(words: list[str]) -> int:
    """Index of the program word, after any leading `VAR=value` assignments."""
    index = 0
    while index < len(words) and _ASSIGNMENT.match(words[index]):
        index += 1
    return index


def module_index(words: list[str], module: str) -> int | None:
    """Index of the word after `-m <module>` (`python -m pytest`), else None."""
    for index in range(len(words) - 1):
        if words[index] == "-m" and words[index + 1] == module:
            return index + 2
    return None


def script_index(words: list[str], matches: Callable[[str], bool]) -> int | None:
    """Index of the word after the first word `matches` accepts (a script or program), else None."""
    for index, word in enumerate(words):
        if matches(word):
            return index + 1
    return None


def is_program(word: str, *names: str) -> bool:
    return posixpath.basename(word) in names


def own_targets(
    words: list[str], start: int, takes_value: frozenset[str], is_target: Callable[[str], bool]
) -> list[int]:
    """Indexes of the runner's positional arguments from `start` on that `is_target` accepts (test paths or
    labels written into the command), skipping option values."""
    found = []
    expects_value = False
    for index in range(start, len(words)):
        word = words[index]
        if expects_value:
            expects_value = False
            continue
        if word.startswith("-"):
            expects_value = word in takes_value
            continue
        if is_target(word):
            found.append(index)
    return found


def without(words: list[str], indexes: list[int]) -> list[str]:
    dropped = set(indexes)
    return [word for index, word in enumerate(words) if index not in dropped]

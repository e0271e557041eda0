"""What of an issue a developer reads: environment dumps, tool banners, template boilerplate and links left out.

Issues paste `pip list` and `pip freeze` output, a project's report of installed versions, version banners, pytest's
session header, the lines that frame a tool's report and the comments of the issue template; their words (hundreds
of package names, "checklist", "version") match code by accident. So do a report's other rows (`OS: Linux`) and the
headings above it: `#### Output of xr.show_versions()` names the function that prints the report, not one the issue
is about. Links go from the lexical query too, but the paths inside them stay for `find_mentions` (a link to a file
names it).
"""

from __future__ import annotations

import re

TEMPLATE_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
LINK = re.compile(r"https?://\S+")
PACKAGE_ROW = re.compile(r"^\s*[A-Za-z][\w.\-]*\s+v?\d+(?:\.\d+)+[\w.+\-]*,?(?:\s+\S+)?\s*$")
"""`attrs   19.1.0   /path`: a row of `pip list`, or `astroid 2.5.6` of a `--version` banner."""
VERSION_ROW = re.compile(r"^\s*[A-Za-z][\w.\-]*:\s+(?:v?\d+(?:\.\d+)+[\w.+\-]*|None)(?:\s+[|(].*)?\s*$")
"""`numpy: 1.19.4`, `commit: None`: a row of a project's own version report (`xr.show_versions()`)."""
PINNED = re.compile(r"^\s*[A-Za-z][\w.\-\[\],]*\s*(?:==|@)\s*\S+\s*$")
"""`attrs==19.3.0`: a row of `pip freeze`."""
SESSION_HEADER = re.compile(
    r"^\s*(?:platform \w+ -- Python|rootdir:|cachedir:|plugins:|configfile:|collected \d+ items?|"
    r"Package\s+Version|-{3,}\s+-{3,}|Python \d+\.\d+\.\d+\s*[(|])"
)
"""pytest's session banner, the header of `pip list` and Python's version line."""
BANNER = re.compile(r"^\s*(?:[=*_-]{3,}.*[=*_-]{3,}|\*{5,}.*)\s*$")
"""`===== test session starts =====`, `************* Module a`: how tools frame their output, in every issue alike."""


CAPTION = re.compile(r"^\s*(?:#{1,6}\s.*|\*\*[^*]+\*\*:?|(?:<details>\s*)?<summary>.*|[\w.]+\(\)|[A-Z][A-Z ]{3,})\s*$")
"""A heading, a bold line, a `<summary>`, a bare call (`xr.show_versions()`) or `INSTALLED VERSIONS`: what titles
the listing below it."""
LISTING_ROW = re.compile(
    r"^\s*(?:(?![\w.]*(?:Error|Exception|Warning):)[\w.\-]+:\s+(?:\S+(?:\s+\S+)?|\(.*\))|\[.*\])\s*$"
)
"""The other rows of a version report: `OS: Linux`, `machine: x86_64`, `[GCC 7.3.0]`."""
LISTING_FRAME = re.compile(r"^\s*(?:</?details>|`{3,}\w*|-{3,})?\s*$")
"""Blank lines, fences and rules between a listing and its caption."""
LISTING_DENSITY = 3
"""Environment lines among five that make a listing (a lone `numpy: 1.19` may be the issue's own words)."""


def is_environment_line(line: str) -> bool:
    return bool(
        PACKAGE_ROW.match(line)
        or VERSION_ROW.match(line)
        or PINNED.match(line)
        or SESSION_HEADER.match(line)
        or BANNER.match(line)
    )


def _listing_around(lines: list[str], start: int) -> list[int]:
    """A listing's other rows and the captions above it, over nothing but markup between
    (`#### Output of xr.show_versions()`, `<details><summary>…</summary>`, `INSTALLED VERSIONS`)."""
    around = []
    for above in range(start - 1, -1, -1):
        if CAPTION.match(lines[above]) or LISTING_ROW.match(lines[above]) or is_environment_line(lines[above]):
            around.append(above)
        elif not LISTING_FRAME.match(lines[above]):
            break
    for below in range(start + 1, len(lines)):
        if not (is_environment_line(lines[below]) or LISTING_ROW.match(lines[below])):
            break
        around.append(below)
    return around


def readable(text: str) -> str:
    """The issue without template comments, images, and environment listings with their captions."""
    lines = IMAGE.sub(" ", TEMPLATE_COMMENT.sub(" ", text)).splitlines()
    dropped = {number for number, line in enumerate(lines) if is_environment_line(line)}
    for number in sorted(dropped):
        if number - 1 not in dropped and len(dropped.intersection(range(number, number + 5))) >= LISTING_DENSITY:
            dropped.update(_listing_around(lines, number))
    return "\n".join(line for number, line in enumerate(lines) if number not in dropped)


def without_links(text: str) -> str:
    """`readable` text with its links removed: their words (hosts, query strings) are not the issue's."""
    return LINK.sub(" ", text)

"""What of an issue a developer reads: environment dumps, tool banners, template boilerplate and links left out.

Issues paste `pip list` and `pip freeze` output, a project's report of installed versions, version banners, pytest's
session header, the lines that frame a tool's report and the comments of the issue template; their words (hundreds
of package names, "checklist", "version") match code by accident. Links go from the lexical query too, but the paths
inside them stay for `find_mentions` (a link to a file names it).
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


def is_environment_line(line: str) -> bool:
    return bool(
        PACKAGE_ROW.match(line)
        or VERSION_ROW.match(line)
        or PINNED.match(line)
        or SESSION_HEADER.match(line)
        or BANNER.match(line)
    )


def readable(text: str) -> str:
    """The issue without template comments, images and lines of environment listings."""
    text = IMAGE.sub(" ", TEMPLATE_COMMENT.sub(" ", text))
    return "\n".join(line for line in text.splitlines() if not is_environment_line(line))


def without_links(text: str) -> str:
    """`readable` text with its links removed: their words (hosts, query strings) are not the issue's."""
    return LINK.sub(" ", text)

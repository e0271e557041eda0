"""Names of Python's own objects that code of any repository calls, so a name alone never proves a call is ours."""

from __future__ import annotations

import builtins
import io
import pathlib

BUILTIN_NAMES = frozenset(name for name in dir(builtins) if not name.startswith("_"))
"""`any`, `len`, `open`, `ValueError`: a bare name a module neither defines nor imports is Python's own."""

FILE_AND_PATH_METHODS = frozenset(
    name
    for kind in (io.RawIOBase, io.BufferedIOBase, io.TextIOBase, pathlib.Path)
    for name in dir(kind)
    if name[0] != "_"
)
"""Methods of Python's file objects and paths: `x.seek(0)` or `x.rename(y)` on an unknown `x` is a file's or a
path's, not our file-like or path-like class's."""

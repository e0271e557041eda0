"""The commented configuration `swe-team config init` writes, generated from the `Settings` model itself.

Every field appears, commented out, with its default and its docstring, so the file names every setting and
changes nothing until a line is uncommented.
"""

from __future__ import annotations

import ast
import inspect
import json
import textwrap
from pathlib import Path
from typing import Any

from pydantic import BaseModel, SecretStr

HEADER = """\
# swe-team configuration: every setting with its default, commented out. Uncomment a line to change it.
# Layers, lowest priority first: the user config (~/.config/swe-team/config.toml), $SWE_TEAM_HOME/config.toml,
# the repository's swe-team.toml, SWE_TEAM_* variables (nested with __, e.g. SWE_TEAM_MODELS__INSTRUCT__API_BASE),
# then command-line flags. `swe-team config show` prints each effective value and where it came from.
"""
WIDTH = 116


def field_docstrings(model: type[BaseModel]) -> dict[str, str]:
    """The string literal under each annotated field of `model` (and of its model bases), whitespace collapsed."""
    docs: dict[str, str] = {}
    for cls in reversed(model.__mro__):
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)) or cls.__module__.startswith("pydantic"):
            continue
        body = ast.parse(textwrap.dedent(inspect.getsource(cls))).body[0]
        assert isinstance(body, ast.ClassDef)
        for field, after in zip(body.body, body.body[1:], strict=False):
            if isinstance(field, ast.AnnAssign) and isinstance(field.target, ast.Name) and (text := _string(after)):
                docs[field.target.id] = " ".join(text.split())
    return docs


def _string(statement: ast.stmt) -> str:
    """The text of a statement that is a bare string literal (a docstring), else ''."""
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
        return statement.value.value if isinstance(statement.value.value, str) else ""
    return ""


def toml_value(value: Any) -> str:
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    return json.dumps(str(value) if isinstance(value, Path) else value, ensure_ascii=False)


def _comment(text: str) -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent="# ", subsequent_indent="# ") if text else []


def _section(model: type[BaseModel], instance: BaseModel, prefix: str) -> list[str]:
    """`prefix`'s scalar settings, then a table per nested model (TOML wants the scalars before any table)."""
    docs = field_docstrings(model)
    lines: list[str] = []
    tables: list[str] = []
    for name in model.model_fields:
        value = getattr(instance, name)
        if isinstance(value, BaseModel):
            dotted = f"{prefix}{name}"
            tables += ["", *_comment(docs.get(name, "")), f"[{dotted}]"]
            tables += _section(type(value), value, dotted + ".")
            continue
        lines += ["", *_comment(docs.get(name, ""))]
        if value is None:
            lines.append(f"# {name} =    (unset by default)")
        else:
            lines.append(f"# {name} = {toml_value(value)}")
    return lines + tables


def settings_template() -> str:
    """The commented TOML of every setting, from the model's fields, defaults and docstrings."""
    from core.settings import Settings

    defaults = Settings.model_construct()
    for name, field in Settings.model_fields.items():
        setattr(defaults, name, field.get_default(call_default_factory=True))
    return HEADER + "\n".join(_section(Settings, defaults, "")) + "\n"

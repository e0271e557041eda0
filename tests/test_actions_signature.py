"""change_signature on the call shapes rope's refactoring got wrong: keyword-only parameters, calls unpacking
*args / **kwargs, receivers whose type is unknown, nested and multi-line calls; and the calls it must refuse."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import ToolError
from tests.actions_fixtures import action_bench

MAIL = {
    "mail/__init__.py": "",
    "mail/lib.py": (
        "def send(target, payload, *, retries=0, **options):\n"
        "    return target, payload, options\n\n\n"
        "def scale(x, factor=1):\n    return x * factor\n\n\n"
        "def spread(first, *rest):\n    return first, rest\n"
    ),
    "mail/use.py": (
        "from mail.lib import scale, send, spread\n\n\n"
        "def go(target, options, pair):\n"
        "    a = send(target, 'x', retries=2)\n"
        "    b = send(target, payload='y', **options)\n"
        "    c = scale(*pair)\n"
        "    d = scale(scale(2), factor=3)\n"
        "    e = send(\n        target,\n        'z',\n    )\n"
        "    return a, b, c, d, e, spread(*pair)\n"
    ),
}


def _run_go(text: str, lib: str) -> object:
    """Calls `go` of the rewritten mail/use.py against the rewritten mail/lib.py: the arguments still bind."""
    namespace: dict[str, object] = {}
    exec(compile(lib, "lib.py", "exec"), namespace)
    exec(compile(text.replace("from mail.lib import scale, send, spread\n", ""), "use.py", "exec"), namespace)
    return namespace["go"]("t", {"flag": 1}, (2, 5))  # type: ignore[operator]


def test_a_function_with_keyword_only_parameters_and_calls_passing_kwargs(tmp_path: Path) -> None:
    bench = action_bench(tmp_path, MAIL)
    bench.run(
        "change_signature", function="mail/lib.py:send", add=[{"name": "mode", "value": "'fast'", "default": "None"}]
    )
    lib, use = bench.read("mail/lib.py"), bench.read("mail/use.py")
    assert "def send(target, payload, mode=None, *, retries=0, **options):" in lib
    assert "send(target, 'x', 'fast', retries=2)" in use
    assert "send(target, payload='y', mode='fast', **options)" in use
    assert "    e = send(\n        target,\n        'z',\n        'fast',\n    )\n" in use
    assert _run_go(use, lib) is not None
    bench.run("change_signature", function="mail/lib.py:send", order=["payload", "target", "mode"])
    lib, use = bench.read("mail/lib.py"), bench.read("mail/use.py")
    assert "def send(payload, target, mode=None, *, retries=0, **options):" in lib
    assert "send('x', target, 'fast', retries=2)" in use
    assert "send(payload='y', mode='fast', target=target, **options)" in use
    assert "    e = send(\n        'z',\n        target,\n        'fast',\n    )\n" in use
    assert _run_go(use, lib) is not None


def test_a_removed_parameter_that_kwargs_may_carry_is_refused(tmp_path: Path) -> None:
    bench = action_bench(tmp_path, MAIL)
    with pytest.raises(ToolError, match=r"mail/use.py:6: its \*\*kwargs argument may hold retries"):
        bench.run("change_signature", function="mail/lib.py:send", remove=["retries"])
    assert bench.read("mail/use.py") == MAIL["mail/use.py"] and not bench.actions


def test_a_call_unpacking_args_keeps_its_positions_or_is_refused(tmp_path: Path) -> None:
    bench = action_bench(tmp_path, MAIL)
    bench.run("change_signature", function="mail/lib.py:scale", add=[{"name": "offset", "value": "0", "default": "0"}])
    use = bench.read("mail/use.py")
    assert "c = scale(*pair, offset=0)" in use
    assert "d = scale(scale(2, offset=0), factor=3, offset=0)" in use
    assert _run_go(use, bench.read("mail/lib.py")) is not None
    before = bench.read("mail/use.py")
    with pytest.raises(ToolError, match=r"mail/use.py:7: its \*args argument fills x, factor, offset by position"):
        bench.run("change_signature", function="mail/lib.py:scale", order=["x", "offset", "factor"])
    placed = [{"name": "extra", "value": "1", "default": "0", "position": 1}]
    with pytest.raises(ToolError, match=r"its \*args argument may now fill extra"):
        bench.run("change_signature", function="mail/lib.py:spread", add=placed)
    assert bench.read("mail/use.py") == before and len(bench.actions) == 1
    bench.run("change_signature", function="mail/lib.py:spread", add=[{"name": "extra", "value": "1", "default": "0"}])
    assert "def spread(first, *rest, extra=0):" in bench.read("mail/lib.py")
    assert "spread(*pair, extra=1)\n" in bench.read("mail/use.py")
    assert _run_go(bench.read("mail/use.py"), bench.read("mail/lib.py")) is not None


SHIP = {
    "ship/__init__.py": "",
    "ship/mailer.py": "class Mailer:\n    def deliver(self, message):\n        return message\n",
    "ship/office.py": (
        "from ship.mailer import Mailer\n\n\n"
        "class Office:\n    def __init__(self, factory):\n        self.mailer = factory()\n\n"
        "    def post(self, message):\n        return self.mailer.deliver(message)\n\n\n"
        "def direct(factory, message):\n    return factory().deliver(message) + Mailer.deliver(Mailer(), message)\n"
    ),
}


def test_calls_through_receivers_of_unknown_type_are_updated_when_the_method_name_is_unique(tmp_path: Path) -> None:
    bench = action_bench(tmp_path, SHIP)
    bench.run("change_signature", function="ship/mailer.py:Mailer.deliver", add=[{"name": "urgent", "value": "True"}])
    office = bench.read("ship/office.py")
    assert "def deliver(self, message, urgent):" in bench.read("ship/mailer.py")
    assert "self.mailer.deliver(message, True)" in office
    assert "factory().deliver(message, True) + Mailer.deliver(Mailer(), message, True)" in office
    with pytest.raises(ToolError, match="receiver; it cannot be removed"):
        bench.run("change_signature", function="ship/mailer.py:Mailer.deliver", remove=["self"])


def test_a_call_that_does_not_fit_the_signature_is_left_alone_and_said(tmp_path: Path) -> None:
    files = {
        **SHIP,
        "ship/other.py": "def relay(box):\n    return box.deliver(1, 2, 3)\n",
    }
    bench = action_bench(tmp_path, files)
    answer = bench.run(
        "change_signature", function="ship/mailer.py:Mailer.deliver", add=[{"name": "urgent", "value": "True"}]
    )
    assert "ship/other.py:2 (passes 3 positional arguments where 1 fits)" in answer
    assert bench.read("ship/other.py") == files["ship/other.py"]


def test_a_method_taking_its_receiver_through_star_args_is_refused(tmp_path: Path) -> None:
    files = {
        "box.py": "class Box:\n    def pack(*items):\n        return items\n",
        "use.py": "from box import Box\n\nBox().pack(1)\n",
    }
    bench = action_bench(tmp_path, files)
    with pytest.raises(ToolError, match=r"pack takes its receiver through \*items"):
        bench.run("change_signature", function="box.py:Box.pack", add=[{"name": "size", "value": "1", "default": "0"}])
    assert bench.read("box.py") == files["box.py"]


RECORDER = (
    "from typing import Literal, overload\n\n\nclass Recorder:\n"
    "    @overload\n    def failures(self, names: Literal['a']) -> list[int]: ...\n\n"
    "    @overload\n    def failures(self, names: str = 'b') -> list[str]: ...\n\n"
    "    def failures(self, names='b'):\n        return [names]\n"
)


def test_an_overloaded_method_changes_with_its_stubs_and_its_untyped_calls(tmp_path: Path) -> None:
    files = {"rec.py": RECORDER, "use.py": "def check(result):\n    return result.recorder.failures()\n"}
    bench = action_bench(tmp_path, files)
    add = [{"name": "strict", "value": "False", "default": "None"}]
    bench.run("change_signature", function="rec.py:Recorder.failures", add=add)
    assert bench.read("rec.py") == (
        RECORDER.replace("names: Literal['a'])", "names: Literal['a'], strict=None)")
        .replace("names: str = 'b')", "names: str = 'b', strict=None)")
        .replace("failures(self, names='b')", "failures(self, names='b', strict=None)")
    )
    assert bench.read("use.py") == "def check(result):\n    return result.recorder.failures(strict=False)\n"


def test_calls_of_a_file_method_on_unknown_objects_are_not_taken_for_a_file_like_class(tmp_path: Path) -> None:
    files = {
        "streams.py": "class NoInput:\n    def seek(self, offset):\n        raise OSError(offset)\n",
        "use.py": "def rewind(stream):\n    stream.seek(0)\n    return stream\n",
    }
    bench = action_bench(tmp_path, files)
    bench.run(
        "change_signature", function="streams.py:NoInput.seek", add=[{"name": "whence", "value": "0", "default": "0"}]
    )
    assert "def seek(self, offset, whence=0):" in bench.read("streams.py")
    assert bench.read("use.py") == files["use.py"]


def test_super_calls_in_the_methods_own_class_keep_the_base_classes_signature(tmp_path: Path) -> None:
    manager = (
        "import pluggy\n\n\nclass Manager(pluggy.PluginManager):\n    def register(self, plugin, name=None):\n"
        "        return super().register(plugin, name)\n"
    )
    bench = action_bench(tmp_path, {"pm.py": manager, "use.py": "def setup(pm):\n    pm.register(1, 'one')\n"})
    add = [{"name": "early", "value": "False", "default": "False"}]
    bench.run("change_signature", function="pm.py:Manager.register", add=add)
    assert bench.read("pm.py") == manager.replace("name=None)", "name=None, early=False)")
    assert bench.read("use.py") == "def setup(pm):\n    pm.register(1, 'one', False)\n"

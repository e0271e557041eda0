"""Arguments and attributes the issue's code hands to the repository, followed to the functions acting on them."""

from __future__ import annotations

from pathlib import Path

from memory.codegraph import CodeGraph, localize
from memory.codegraph.arguments import argument_callees, keyword_arguments

RESPONSE = '''from transport.decoding import decode_stream, split_chunks


class Response:
    def iter_content(self, chunk_size=1, decode_text=False):
        """Iterate over the body in chunks."""
        chunks = split_chunks(self.body, chunk_size)
        if decode_text:
            chunks = decode_stream(chunks)
        return chunks
'''
DECODING = '''def split_chunks(body, size):
    return [body[i : i + size] for i in range(0, len(body), size)]


def decode_stream(chunks):
    """Turn each piece into text."""
    return [chunk.decode() for chunk in chunks]
'''
SESSION = '''from client.merging import default_headers, merge_setting


class Session:
    def __init__(self):
        self.headers = default_headers()

    def prepare(self, request):
        """Build what is sent."""
        return merge_setting(request.headers, self.headers)

    def close(self):
        return None
'''
MERGING = """def default_headers():
    return {"Accept": "*/*"}


def merge_setting(own, inherited):
    merged = dict(inherited)
    merged.update(own)
    return merged
"""


def _repository(root: Path, files: dict[str, str]) -> CodeGraph:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return CodeGraph.build(root, cache_dir=None)


def test_keyword_arguments_given_a_value_are_read_from_the_issues_calls() -> None:
    code = "next(r.iter_content(16 * 1024, decode_text=True))\nrun(item=item, flag=False)\ndef f(a: str = None): ..."
    assert keyword_arguments(code) == [("iter_content", "decode_text"), ("run", "flag")]


def test_a_keyword_argument_leads_to_the_call_an_if_on_it_guards(tmp_path: Path) -> None:
    graph = _repository(tmp_path, {"transport/response.py": RESPONSE, "transport/decoding.py": DECODING})
    issue = (
        "Chunks stay bytes\n\n```python\nfor piece in r.iter_content(16, decode_text=True):\n    print(piece)\n```\n"
    )
    found = argument_callees(graph, issue)
    assert set(found) == {"transport/decoding.py:decode_stream"}
    assert found["transport/decoding.py:decode_stream"][1] == (
        "acts on decode_text=, which the issue passes to iter_content"
    )
    functions = [function.id for function in localize(graph, issue, top_k=3).functions]
    assert "transport/decoding.py:decode_stream" in functions[:2]


def test_an_attribute_set_on_an_instance_leads_to_the_function_the_class_passes_it_to(tmp_path: Path) -> None:
    graph = _repository(
        tmp_path,
        {"client/__init__.py": "", "client/session.py": SESSION, "client/merging.py": MERGING},
    )
    issue = (
        "A header set to None is still sent\n\n```python\nfrom client.session import Session\n"
        "s = Session()\ns.headers['Accept'] = None\n```\n"
    )
    found = argument_callees(graph, issue)
    assert set(found) == {"client/merging.py:merge_setting"}
    assert "client/merging.py:default_headers" not in found

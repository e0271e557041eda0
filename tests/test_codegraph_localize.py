"""The localizer, the graph tools, the CLI and Redis sharing, on the fixture repositories."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from core.errors import ToolError
from memory.codegraph import CodeGraph, localize
from memory.codegraph.redis_store import latest_key, load, publish
from tests.codegraph_fixtures import FIXTURES, copy_fixture
from tools.base import ToolContext
from tools.graph import TOOLS

ISSUE = """Discount above 100% crashes checkout

Traceback (most recent call last):
  File "/usr/lib/python3/site-packages/shop/checkout.py", line 9, in checkout
  File "/usr/lib/python3/site-packages/shop/cart.py", line 13, in total
  File "/usr/lib/python3/site-packages/shop/pricing.py", line 4, in apply_discount
ValueError: rate above one
"""


@pytest.fixture(scope="module")
def graph() -> CodeGraph:
    return CodeGraph.build(FIXTURES / "python", cache_dir=None)


def test_a_traceback_puts_the_innermost_frame_first(graph: CodeGraph) -> None:
    result = localize(graph, ISSUE, top_k=5)
    assert result.files[0].path == "shop/pricing.py"
    assert result.functions[0].id == "shop/pricing.py:apply_discount"
    assert (result.functions[0].start_line, result.functions[0].end_line) == (1, 5)
    assert all(f.reason for f in result.files) and all(f.reason for f in result.functions)
    prediction = result.to_prediction("shop-1")
    assert prediction["instance_id"] == "shop-1"
    assert prediction["found_entities"][0] == "shop/pricing.py:apply_discount"
    assert "shop/cart.py:Cart" in prediction["found_modules"]


def test_plain_words_find_the_function_lexically(graph: CodeGraph) -> None:
    result = localize(graph, "The cart total ignores the discount rate for empty carts")
    assert "shop/cart.py:Cart.total" in [f.id for f in result.functions[:3]]


def test_graph_tools_answer_and_say_when_there_is_no_graph(graph: CodeGraph) -> None:
    tools = {tool.name: tool for tool in TOOLS}
    context = ToolContext(workspace=None, code_graph=graph)  # type: ignore[arg-type]
    assert "shop/cart.py:11-13" in tools["graph_definition"].invoke(context, {"symbol": "Cart.total"})
    assert "checkout" in tools["graph_callers"].invoke(context, {"symbol": "Cart.total", "hops": 2})
    assert "test_total_applies_discount" in tools["graph_tests"].invoke(context, {"symbol": "Cart.total"})
    assert "Cart.total" in tools["graph_enclosing"].invoke(context, {"path": "shop/cart.py", "line": 12})
    assert "apply_discount" in tools["graph_repo_map"].invoke(context, {"mentions": ["apply_discount"]})
    with pytest.raises(ToolError, match="no code graph"):
        tools["graph_search"].invoke(ToolContext(workspace=None), {"query": "Cart"})  # type: ignore[arg-type]


def test_cli_index_and_locate_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from swe_team.cli import app

    monkeypatch.setenv("SWE_TEAM_HOME", str(tmp_path / "home"))
    repo = copy_fixture("python", tmp_path)
    runner = CliRunner()
    indexed = runner.invoke(app, ["index", str(repo)])
    assert indexed.exit_code == 0, indexed.output
    assert "7 parsed" in indexed.output and "shop/broken.py" in indexed.output
    assert (tmp_path / "home" / "cache" / "codegraph").is_dir()
    located = runner.invoke(app, ["locate", "--repo", str(repo), "--task", ISSUE, "--json"])
    assert located.exit_code == 0, located.output
    data = json.loads(located.output)
    assert data["found_files"][0] == "shop/pricing.py"
    assert data["functions"][0]["reason"]
    shown = runner.invoke(app, ["graph", "show", "Cart.total", "--repo", str(repo)])
    assert shown.exit_code == 0 and "test_total_applies_discount" in shown.output
    missing = runner.invoke(app, ["locate", "--repo", str(repo)])
    assert missing.exit_code == 1 and "--task" in missing.output


def test_a_published_graph_loads_on_another_checkout(tmp_path: Path, redis_url: str) -> None:
    import redis

    repo = copy_fixture("python", tmp_path)
    graph = CodeGraph.build(repo, cache_dir=None)
    repo_id = f"acme/shop-{tmp_path.name}"
    client = redis.Redis.from_url(redis_url)
    try:
        key = publish(graph, client, repo_id)
        assert graph.tree_sha in key
        elsewhere = tmp_path / "worker"
        copy_fixture("python", elsewhere)
        loaded = load(client, repo_id, graph.tree_sha, elsewhere / "python")
        assert loaded is not None and loaded.root == elsewhere / "python"
        assert sorted(loaded.graph.edges(keys=True)) == sorted(graph.graph.edges(keys=True))
        assert load(client, repo_id, "0" * 40, elsewhere) is None
    finally:
        client.delete(key, latest_key(repo_id))
        client.close()


def _graph_of(tmp_path: Path, files: dict[str, str]) -> CodeGraph:
    for relative, text in files.items():
        (tmp_path / "repo" / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "repo" / relative).write_text(text)
    return CodeGraph.build(tmp_path / "repo", cache_dir=None)


def test_an_option_flag_finds_the_option_table_not_the_tests_quoting_it(tmp_path: Path) -> None:
    graph = _graph_of(
        tmp_path,
        {
            "lint/options.py": 'OPTIONS = {"ignore-paths": {"type": "regexp_paths_csv", "default": []}}\n',
            "lint/runner.py": "def run_checks(paths, ignored):\n    return [p for p in paths if p not in ignored]\n",
            "tests/test_options.py": 'def test_ignore_paths():\n    run(["--ignore-paths", "x"])\n',
        },
    )
    files = [f.path for f in localize(graph, "Running with `--ignore-paths` has no effect", top_k=5).files]
    assert files[0] == "lint/options.py"


def test_a_vendored_copy_ranks_below_the_project_own_code(tmp_path: Path) -> None:
    same = "def ignore_paths_regexp(paths, regexp):\n    return paths\n"
    graph = _graph_of(tmp_path, {"lint/filters.py": same, "lint/packages/regexlib/filters.py": same})
    files = [f.path for f in localize(graph, "ignore_paths_regexp drops every path", top_k=5).files]
    assert files == ["lint/filters.py", "lint/packages/regexlib/filters.py"]


def test_code_using_a_named_option_is_found_through_the_attribute_it_is_stored_in(tmp_path: Path) -> None:
    graph = _graph_of(
        tmp_path,
        {
            "lint/options.py": 'OPTIONS = {"ignore-paths": {"type": "regexp_paths_csv", "default": []}}\n',
            "lint/linter.py": (
                "from lint.discovery import expand_modules\n\n\n"
                "class Linter:\n"
                "    def open(self):\n"
                "        self._ignore_paths = self.config.ignore_paths\n\n"
                "    def expand(self, modules):\n"
                "        return expand_modules(\n"
                "            modules,\n"
                "            self._ignore_paths,\n"
                "        )\n\n"
                "    def report(self):\n"
                "        return self.stats.count()\n"
            ),
            "lint/discovery.py": "def expand_modules(modules, patterns):\n    return [m for m in modules if m]\n",
        },
    )
    result = localize(graph, "`--recursive=y` ignores `ignore-paths`\n\nThe setting is not honoured.", top_k=10)
    reasons = {f.id: f.reason for f in result.functions}
    for used in ("lint/linter.py:Linter.open", "lint/linter.py:Linter.expand", "lint/discovery.py:expand_modules"):
        assert reasons.get(used) == "uses the option ignore-paths", (used, reasons)
    assert "lint/linter.py:Linter.report" not in reasons


def test_a_one_word_flag_finds_the_code_its_option_turns_on(tmp_path: Path) -> None:
    linter = (
        "class Linter:\n"
        "    def check(self, modules):\n"
        "        if self.config.recursive:\n"
        "            modules = self._discover(modules)\n"
        "        return self._lint(modules)\n\n"
        "    def _discover(self, modules):\n"
        "        return modules\n\n"
        "    def _lint(self, modules):\n"
        "        return modules\n\n"
        "    def banner(self):\n"
        "        return self.config.version\n"
    )
    graph = _graph_of(tmp_path, {"lint/linter.py": linter})
    issue = "Ignores are lost in one mode\n\n```\n$ lint --version\n$ lint --recursive=y .\n```\n"
    reasons = {f.id: f.reason for f in localize(graph, issue, top_k=10).functions}
    for used in ("lint/linter.py:Linter.check", "lint/linter.py:Linter._discover"):
        assert reasons.get(used) == "uses the option recursive", (used, reasons)
    assert reasons.get("lint/linter.py:Linter._lint") != "uses the option recursive"
    assert reasons.get("lint/linter.py:Linter.banner") != "uses the option version"


def test_tests_matching_the_issue_point_at_the_module_they_test(tmp_path: Path) -> None:
    graph = _graph_of(
        tmp_path,
        {
            "src/runner/skipping.py": "def evaluate_marks(item):\n    return item.marks\n",
            "src/runner/nodes.py": "class Node:\n    def add_child(self, child):\n        self.kids.append(child)\n",
            "testing/test_skipping.py": (
                "def test_dynamic_xfail_marker_ignores_failure(item):\n"
                "    item.add_xfail_marker(strict=False)  # dynamically added xfail marker\n"
                "    assert evaluate_marks(item) == ['xfail']\n"
            ),
        },
    )
    result = localize(graph, "Dynamically adding an xfail marker no longer ignores the failure", top_k=5)
    sources = [f for f in result.files if not f.path.startswith("testing/")]
    assert [f.path for f in sources] == ["src/runner/skipping.py"]
    assert sources[0].reason == "its tests match: testing/test_skipping.py"


def test_a_class_named_in_the_issue_points_at_its_constructor(tmp_path: Path) -> None:
    methods = "".join(
        f"    def step_{n}(self, app):\n        return app.run_blueprint_step({n})\n\n" for n in range(12)
    )
    source = f"class Blueprint:\n    def __init__(self, options):\n        self.options = options\n\n{methods}"
    graph = _graph_of(tmp_path, {"web/blueprints.py": source})
    first = localize(graph, "Creating a `Blueprint` without a name should fail", top_k=5).functions[0]
    assert first.id == "web/blueprints.py:Blueprint.__init__"
    assert first.reason.startswith("constructor of Blueprint: ")


def test_the_title_outweighs_words_repeated_in_a_pasted_log(tmp_path: Path) -> None:
    graph = _graph_of(
        tmp_path,
        {
            "app/cache.py": "def evict_expired(entries, now):\n    return [e for e in entries if e.expires > now]\n",
            "app/handlers.py": "def handle_request(request):\n    return request.respond()\n",
        },
    )
    log = "\n".join(f"INFO served request {n}: request took {n} ms" for n in range(30))
    result = localize(graph, f"Expired cache entries are never evicted\n\n```\n{log}\n```\n", top_k=5)
    assert result.files[0].path == "app/cache.py"


def test_a_class_spelt_out_in_prose_is_found_by_its_name(tmp_path: Path) -> None:
    graph = _graph_of(
        tmp_path,
        {
            "checks/rewrite.py": (
                "class AssertionRewriter:\n    def visit_call(self, node):\n        return self.explain(node)\n"
            ),
            "checks/hooks.py": (
                "def install_rewriter(rewriter, assertion):\n"
                '    """Install the rewriter of an assertion."""\n'
                "    return rewriter.install(assertion)\n"
            ),
        },
    )
    result = localize(graph, "The assertion re-writer does not unroll all() calls", top_k=5)
    assert [f.path for f in result.files] == ["checks/rewrite.py", "checks/hooks.py"]
    assert [f.id for f in result.functions] == [
        "checks/rewrite.py:AssertionRewriter.visit_call",
        "checks/hooks.py:install_rewriter",
    ]

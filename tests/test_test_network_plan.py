"""The network a repository's tests see, read from its own files: a local httpbin when the tests call one, a
firewalled network when a connect must time out, none otherwise; `[environment]` overrides win; every choice and
its reason in `env show`."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.environment_settings import EnvironmentSettings
from core.errors import ConfigError
from core.settings import Settings
from harness.cli import cli_env, swe_team
from tests.environment_fixtures import dated_repo
from workspaces.environment.commit_files import CommitFiles
from workspaces.environment.plan import plan_environment
from workspaces.environment.test_network import TestNetwork

RECENT = "2024-06-01T12:00:00+00:00"
HTTPBIN_TEST = (
    "import os\nimport urllib.request\n\n"
    "HTTPBIN = os.environ.get('HTTPBIN_URL', 'http://httpbin.org/')\n\n\n"
    "def test_get():\n    urllib.request.urlopen(HTTPBIN + 'get')\n"
)
TARPIT_TEST = "TARPIT = 'http://10.255.255.1'\n\n\ndef test_connect_timeout():\n    pass\n"


def _network(tmp_path: Path, files: dict[str, str], **environment: object) -> TestNetwork:
    repo = dated_repo(tmp_path, files, RECENT)
    settings = Settings(home=tmp_path / "home", environment=EnvironmentSettings.model_validate(environment))
    return plan_environment(CommitFiles(repo, "HEAD"), settings).network


def test_tests_calling_httpbin_get_a_local_one_on_a_firewalled_network(tmp_path: Path) -> None:
    chosen = _network(tmp_path, {"app.py": "", "tests/test_client.py": HTTPBIN_TEST})
    assert (chosen.services, chosen.mode) == (["httpbin"], "firewalled")
    assert "tests/test_client.py (HTTPBIN_URL, httpbin.org)" in chosen.reasons[0]


SITES_TEST = (
    "import requests\n\n\n"
    "def test_redirect_off_host():\n"
    "    requests.get('http://httpbin.org/redirect-to', params={'url': 'http://www.google.co.uk'})\n\n\n"
    "def test_unknown_host():\n    requests.get('http://doesnotexist.google.com')\n"
    "    requests.get('http://fooobarbangbazbing.httpbin.org')\n\n\n"
    "def test_others():\n"
    "    for url in ('https://user:pass@Example.COM:8443/x', 'http://site.invalid/', 'http://10.0.0.1/',\n"
    "                'http://localhost:1', 'http://fe80::5054:ff:fe5a:fc0', 'http://api.test/', '%s://%s/',\n"
    "                'http://localhost.localdomain/'):\n"
    "        requests.get(url)\n"
)


def test_public_sites_the_httpbin_tests_name_answer_beside_it_and_names_made_to_fail_do_not(tmp_path: Path) -> None:
    chosen = _network(tmp_path / "a", {"test_requests.py": SITES_TEST, "setup.py": "url='https://github.com/x'\n"})
    assert chosen.services == ["httpbin"]
    assert chosen.stand_ins == ["www.google.co.uk", "example.com"]
    answered = "the public sites the tests name answer with httpbin's pages: www.google.co.uk, example.com"
    assert chosen.reasons[2] == answered
    without_httpbin = SITES_TEST.replace("httpbin.org", "localhost")
    assert _network(tmp_path / "b", {"test_requests.py": without_httpbin}).stand_ins == []


def test_httpbin_named_outside_the_tests_is_no_sign(tmp_path: Path) -> None:
    chosen = _network(tmp_path, {"docs/usage.rst": "Try http://httpbin.org/get\n", "tests/test_app.py": ""})
    assert (chosen.services, chosen.mode) == ([], "none")
    assert chosen.reasons == ["no test names HTTPBIN_URL or httpbin.org", "no test needs a network"]


def test_tests_serving_httpbin_themselves_get_no_server(tmp_path: Path) -> None:
    files = {"tests/test_client.py": HTTPBIN_TEST, "requirements-dev.txt": "pytest-httpbin==2.0\n"}
    chosen = _network(tmp_path, files)
    assert (chosen.services, chosen.mode) == ([], "none")
    assert chosen.reasons[0] == "the tests serve httpbin themselves: requirements-dev.txt (pytest-httpbin)"


def test_a_connect_to_an_unroutable_address_makes_the_network_firewalled(tmp_path: Path) -> None:
    chosen = _network(tmp_path, {"tests/test_timeouts.py": TARPIT_TEST})
    assert (chosen.services, chosen.mode) == ([], "firewalled")
    assert "tests/test_timeouts.py (10.255.255.1)" in chosen.reasons[1]


def test_overrides_win(tmp_path: Path) -> None:
    forced = _network(tmp_path / "a", {"app.py": ""}, test_services="httpbin")
    assert (forced.services, forced.mode, forced.reasons[0]) == (
        ["httpbin"],
        "firewalled",
        "set in [environment] test_services",
    )
    dropped = _network(tmp_path / "b", {"tests/test_client.py": HTTPBIN_TEST}, test_services="none")
    assert (dropped.services, dropped.mode) == ([], "none")
    walled = _network(tmp_path / "c", {"app.py": ""}, test_network="firewalled")
    assert (walled.mode, walled.reasons[1]) == ("firewalled", "set in [environment] test_network")


def test_services_with_no_network_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="leaves the test services unreachable"):
        _network(tmp_path, {"tests/test_client.py": HTTPBIN_TEST}, test_network="none")


def test_env_show_names_the_network_and_why(tmp_path: Path) -> None:
    repo = dated_repo(tmp_path, {"tests/test_client.py": HTTPBIN_TEST}, RECENT)
    shown = swe_team("env", "show", str(repo), env=cli_env(tmp_path / "home", "http://127.0.0.1:9/v1"), timeout=120)
    assert shown.returncode == 0, shown.stderr
    line = next(line for line in shown.stdout.splitlines() if line.startswith("Test network"))
    assert line.startswith(
        "Test network: firewalled (an internal Docker network with no route out), services: httpbin as "
        "httpbin.org over HTTP and HTTPS (its own CA, trusted in the workspace), HTTPBIN_URL=http://httpbin.org/ — "
        "the tests call an httpbin server: tests/test_client.py"
    )

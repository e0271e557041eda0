"""The network a repository's tests see, read from its tests and declarations: the servers they reach over HTTP
(httpbin, whose tests build their URLs from `HTTPBIN_URL`, default http://httpbin.org/), and whether a connect
must time out as on a real network instead of failing at once. Never the internet.

`pytest-httpbin` means the tests serve httpbin themselves, from inside the test process.

Tests that call httpbin often also follow a redirect to, or fetch, some public site they name
(`redirect-to?url=http://www.google.co.uk`): beside httpbin, those sites answer too, with httpbin's pages (a 200
at `/`), over HTTP and HTTPS. Names made not to resolve, or naming the machine itself, are left out: reserved
top-level domains (`.invalid`, `.test`, `.example`, `.localhost`, `.local`, `.localdomain`), names saying so
(`doesnotexist.google.com`) and names under httpbin.org (`fooobarbangbazbing.httpbin.org`), as are addresses.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from core.environment_settings import EnvironmentSettings
from core.errors import ConfigError
from workspaces.environment.commit_files import CommitFiles

HTTPBIN = "httpbin"
SERVICE_ENVIRONMENT = {HTTPBIN: {"HTTPBIN_URL": "http://httpbin.org/"}}
"""What the workspace's commands are told of each service; on the workspace's network httpbin answers as
httpbin.org, the name its tests use, over HTTP and HTTPS."""
SERVICE_DESCRIPTIONS = {
    HTTPBIN: "httpbin as httpbin.org over HTTP and HTTPS (its own CA, trusted in the workspace), "
    "HTTPBIN_URL=http://httpbin.org/",
}
HTTPBIN_SIGNS = ("HTTPBIN_URL", "httpbin.org")
SELF_SERVED_SIGNS = ("pytest-httpbin", "pytest_httpbin")
UNROUTABLE_SIGNS = ("10.255.255.1",)
"""An address no network routes, which tests connect to when they want a connect timeout."""
DECLARATION_NAMES = ("setup.py", "setup.cfg", "pyproject.toml", "tox.ini", "noxfile.py", "Makefile")
SHOWN_FILES = 3
URL_SIGNS = ("http://", "https://")
_URL_HOST = re.compile(r"https?://(?:[^\s/@'\"]*@)?([A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z]{2,})(?![A-Za-z0-9.-])")
NOT_RESOLVING_TLDS = ("invalid", "test", "example", "localhost", "localdomain", "local", "internal")
NOT_RESOLVING_WORDS = ("invalid", "doesnotexist", "does-not-exist", "nonexist", "notexist", "not-exist", "unknown")
MAX_STAND_INS = 50
NONE = "none"
FIREWALLED = "firewalled"
SET = "set in [environment]"


@dataclass
class TestNetwork:
    services: list[str] = field(default_factory=list)
    """The servers the workspace runs beside the tests (`httpbin`), none when empty."""
    mode: str = NONE
    """`none` (no network) or `firewalled` (an internal network: the services, and no route out)."""
    reasons: list[str] = field(default_factory=list)
    stand_ins: list[str] = field(default_factory=list)
    """Public host names the tests name that answer as httpbin does (only beside httpbin)."""

    __test__ = False


def _read_by_tests(path: str) -> bool:
    """A test file, test data, or a declaration of how the tests run."""
    name = posixpath.basename(path)
    parts = path.split("/")
    in_tests = any(part.startswith("test") or part.endswith(("_test.py", "_tests")) for part in parts)
    requirements = name.startswith("requirements") or "requirements" in parts[:-1]
    return in_tests or requirements or name in DECLARATION_NAMES or name == "conftest.py"


def _test_code(path: str) -> bool:
    name = posixpath.basename(path)
    return name.endswith(".py") and (name.startswith("test") or name.endswith("_test.py") or name == "conftest.py")


def _found(hits: dict[str, list[str]], signs: tuple[str, ...]) -> bool:
    return any(sign in signs for found in hits.values() for sign in found)


def _where(hits: dict[str, list[str]], signs: tuple[str, ...]) -> str:
    found = sorted((path, [sign for sign in names if sign in signs]) for path, names in hits.items())
    found = [(path, names) for path, names in found if names]
    shown = ", ".join(f"{path} ({', '.join(names)})" for path, names in found[:SHOWN_FILES])
    return shown + (f" and {len(found) - SHOWN_FILES} more" if len(found) > SHOWN_FILES else "")


def _services(hits: dict[str, list[str]], wanted: str) -> tuple[list[str], str]:
    if wanted != "auto":
        return ([] if wanted == NONE else [wanted]), f"{SET} test_services"
    if not _found(hits, HTTPBIN_SIGNS):
        return [], f"no test names {' or '.join(HTTPBIN_SIGNS)}"
    if _found(hits, SELF_SERVED_SIGNS):
        return [], f"the tests serve httpbin themselves: {_where(hits, SELF_SERVED_SIGNS)}"
    return [HTTPBIN], f"the tests call an httpbin server: {_where(hits, HTTPBIN_SIGNS)}"


def _mode(hits: dict[str, list[str]], wanted: str, services: list[str]) -> tuple[str, str]:
    if wanted != "auto":
        if wanted == NONE and services:
            raise ConfigError(
                '[environment] test_network = "none" leaves the test services unreachable',
                hint='set test_network = "firewalled" (or "auto"), or test_services = "none"',
            )
        return wanted, f"{SET} test_network"
    if services:
        return FIREWALLED, "the tests reach their services by name on an internal network with no route out"
    if _found(hits, UNROUTABLE_SIGNS):
        where = _where(hits, UNROUTABLE_SIGNS)
        return FIREWALLED, f"the tests expect a connect to an unroutable address to time out: {where}"
    return NONE, "no test needs a network"


def resolves_publicly(host: str) -> bool:
    """Whether `host` looks like a public name a test expects to reach, not one made to fail."""
    name = host.lower().rstrip(".")
    if name == HTTPBIN or f".{name}".endswith(".httpbin.org"):
        return False
    return name.rpartition(".")[2] not in NOT_RESOLVING_TLDS and not any(word in name for word in NOT_RESOLVING_WORDS)


def _stand_ins(files: CommitFiles) -> list[str]:
    named: dict[str, None] = {}
    for path in sorted(path for path in files.grep(*URL_SIGNS) if _test_code(path)):
        for host in _URL_HOST.findall(files.read(path) or ""):
            if resolves_publicly(host):
                named.setdefault(host.lower().rstrip("."))
    return list(named)[:MAX_STAND_INS]


def choose_network(files: CommitFiles, settings: EnvironmentSettings) -> TestNetwork:
    """The test network for `files`' commit: `[environment] test_services` / `test_network`, else what the tests
    and their declarations name."""
    found = files.grep(*HTTPBIN_SIGNS, *SELF_SERVED_SIGNS, *UNROUTABLE_SIGNS)
    hits = {path: sign for path, sign in found.items() if _read_by_tests(path)}
    services, services_reason = _services(hits, settings.test_services)
    mode, mode_reason = _mode(hits, settings.test_network, services)
    chosen = TestNetwork(services, mode, [services_reason, mode_reason])
    if HTTPBIN in services and (stand_ins := _stand_ins(files)):
        chosen.stand_ins = stand_ins
        shown = ", ".join(stand_ins[:SHOWN_FILES]) + (f" and {len(stand_ins) - SHOWN_FILES} more"
                                                       if len(stand_ins) > SHOWN_FILES else "")
        chosen.reasons.append(f"the public sites the tests name answer with httpbin's pages: {shown}")
    return chosen

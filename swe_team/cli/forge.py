"""GitHub and GitLab through their REST APIs: which forge a URL belongs to, an issue as a task, a pull request.

Everything a forge answers is untrusted text: it is shortened before it reaches a prompt or the screen.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote, urlparse

from core.errors import SweTeamError

if TYPE_CHECKING:
    from core.settings import ForgeSettings

ForgeKind = Literal["github", "gitlab"]
NAMES: dict[ForgeKind, str] = {"github": "GitHub", "gitlab": "GitLab"}
TOKEN_VARIABLES: dict[ForgeKind, tuple[str, ...]] = {
    "github": ("GITHUB_TOKEN", "GH_TOKEN"),
    "gitlab": ("GITLAB_TOKEN",),
}
MAX_COMMENTS = 30
MAX_TEXT = 8000
OFFLINE_HINT = "check the network, or save the issue's text to a file and pass it with --task-file FILE"


class ForgeError(SweTeamError):
    """A forge could not be reached or refused a request."""


@dataclass(frozen=True)
class ForgeRepo:
    kind: ForgeKind
    web: str
    """scheme://host[:port] of the forge's web pages."""
    path: str
    """owner/name on GitHub; group/…/project on GitLab."""

    @property
    def name(self) -> str:
        return NAMES[self.kind]


@dataclass(frozen=True)
class IssueRef:
    repo: ForgeRepo
    number: int
    url: str


_GITHUB_ISSUE = re.compile(r"/(?P<path>[^/]+/[^/]+)/issues/(?P<number>\d+)/?")
_GITLAB_ISSUE = re.compile(r"/(?P<path>[^-].*?)/-/issues/(?P<number>\d+)/?")


def parse_issue_url(text: str, settings: ForgeSettings) -> IssueRef | None:
    """The issue a GitHub (`https://github.com/o/r/issues/N`) or GitLab (`https://host/g/p/-/issues/N`) URL names."""
    url = urlparse(text.strip())
    if url.scheme not in ("http", "https") or not url.hostname:
        return None
    web = f"{url.scheme}://{url.netloc}"
    if (match := _GITLAB_ISSUE.fullmatch(url.path)) is not None:
        return IssueRef(ForgeRepo("gitlab", web, match["path"]), int(match["number"]), text.strip())
    if url.hostname in settings.github_hosts and (match := _GITHUB_ISSUE.fullmatch(url.path)) is not None:
        return IssueRef(ForgeRepo("github", web, match["path"]), int(match["number"]), text.strip())
    return None


def parse_remote_url(remote: str, settings: ForgeSettings) -> ForgeRepo | None:
    """The forge repository of a git remote URL (https://, ssh:// or scp-like git@host:path), if it is one."""
    scp = re.fullmatch(r"(?:[^@/]+@)?(?P<host>[^:/]+):(?P<path>[^/].*)", remote)
    if scp and "://" not in remote:
        host, path, web = scp["host"], scp["path"], f"https://{scp['host']}"
    else:
        url = urlparse(remote)
        if url.scheme not in ("http", "https", "ssh", "git") or not url.hostname:
            return None
        host, path = url.hostname, url.path
        web = f"{url.scheme}://{url.netloc}" if url.scheme in ("http", "https") else f"https://{url.hostname}"
    path = path.strip("/").removesuffix(".git")
    if path.count("/") < 1:
        return None
    if host in settings.github_hosts:
        return ForgeRepo("github", web, path)
    if host in settings.gitlab_hosts:
        return ForgeRepo("gitlab", web, path)
    return None


def token_for(kind: ForgeKind, settings: ForgeSettings) -> str:
    """The configured token, else the first of the usual environment variables that is set."""
    configured = (settings.github_token if kind == "github" else settings.gitlab_token).get_secret_value()
    return configured or next((os.environ[v] for v in TOKEN_VARIABLES[kind] if os.environ.get(v)), "")


def shortened(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[:limit].rstrip() + " …(shortened)"


def _text(answer: Any, key: str) -> str:
    """`answer[key]` as stripped text; '' when `answer` is no object or has no such text."""
    value = answer.get(key) if isinstance(answer, dict) else None
    return value.strip() if isinstance(value, str) else ""


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")[:200]


class ForgeClient:
    """One repository on one forge, through its REST API."""

    def __init__(self, repo: ForgeRepo, settings: ForgeSettings) -> None:
        self.repo = repo
        self.token = token_for(repo.kind, settings)
        self.timeout = settings.timeout_s
        if repo.kind == "github":
            self.api = settings.github_api_url.rstrip("/")
        else:
            self.api = (settings.gitlab_api_url or f"{repo.web}/api/v4").rstrip("/")

    @property
    def _project(self) -> str:
        if self.repo.kind == "github":
            return f"/repos/{self.repo.path}"
        return f"/projects/{quote(self.repo.path, safe='')}"

    def _headers(self) -> dict[str, str]:
        headers = {"User-Agent": "swe-team", "Accept": "application/json"}
        if self.repo.kind == "github":
            headers["Accept"] = "application/vnd.github+json"
            if self.token:
                headers["Authorization"] = f"Bearer {self.token}"
        elif self.token:
            headers["PRIVATE-TOKEN"] = self.token
        return headers

    def call(self, method: str, path: str, payload: dict[str, Any] | None = None) -> Any:
        """The decoded JSON answer, or a `ForgeError` naming the forge, the HTTP status and its first line."""
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(self.api + path, data=data, method=method, headers=self._headers())
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            raise self._refused(exc) from exc
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", exc)
            raise ForgeError(f"cannot reach {self.repo.name}'s API at {self.api}: {reason}", hint=OFFLINE_HINT) from exc
        except json.JSONDecodeError as exc:
            raise ForgeError(f"{self.repo.name}'s API at {self.api} did not answer JSON ({exc.msg})") from exc

    def _refused(self, exc: urllib.error.HTTPError) -> ForgeError:
        body = exc.read().decode("utf-8", "replace")
        try:
            parsed = json.loads(body)
        except json.JSONDecodeError:
            parsed = None
        detail = body
        if isinstance(parsed, dict):
            errors = [e.get("message", "") for e in parsed.get("errors") or [] if isinstance(e, dict)]
            detail = next((e for e in errors if e), "") or parsed.get("message") or parsed.get("error") or body
        variables = " or ".join(TOKEN_VARIABLES[self.repo.kind])
        if exc.code in (401, 403, 404) and not self.token:
            hint = f"if {self.repo.path} is private, set {variables} (or forge.{self.repo.kind}_token)"
        elif exc.code in (401, 403):
            hint = f"check that the token in {variables} (or forge.{self.repo.kind}_token) may do this"
        else:
            hint = "check the URL and the repository's name"
        summary = _first_line(str(detail)) or exc.reason
        return ForgeError(f"{self.repo.name} answered HTTP {exc.code} for {exc.url}: {summary}", hint=hint)

    def call_object(self, method: str, path: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        answer = self.call(method, path, payload)
        if not isinstance(answer, dict):
            raise ForgeError(
                f"{self.repo.name}'s API answered {method} {path} with {type(answer).__name__}, not an object"
            )
        return answer

    def call_list(self, path: str) -> list[dict[str, Any]]:
        answer = self.call("GET", path)
        if not isinstance(answer, list):
            raise ForgeError(f"{self.repo.name}'s API answered GET {path} with {type(answer).__name__}, not a list")
        return [item for item in answer if isinstance(item, dict)]

    def issue_text(self, number: int) -> str:
        """The issue as a task: its title, its body, then its comments (oldest first), each shortened."""
        issue = self.call_object("GET", f"{self._project}/issues/{number}")
        if self.repo.kind == "github":
            comments = self.call_list(f"{self._project}/issues/{number}/comments?per_page={MAX_COMMENTS}")
            said = [(_text(c.get("user"), "login"), _text(c, "body")) for c in comments]
            body = _text(issue, "body")
        else:
            notes = self.call_list(f"{self._project}/issues/{number}/notes?sort=asc&per_page={MAX_COMMENTS}")
            said = [(_text(n.get("author"), "username"), _text(n, "body")) for n in notes if not n.get("system")]
            body = _text(issue, "description")
        parts = [_text(issue, "title") or f"issue {number}", shortened(body)]
        if said:
            parts.append("## Comments\n" + "\n\n".join(f"{who or '?'}: {shortened(text, 2000)}" for who, text in said))
        return "\n\n".join(part for part in parts if part.strip())

    def default_branch(self) -> str:
        return _text(self.call_object("GET", self._project), "default_branch") or "main"

    def open_pull_request(self, branch: str, base: str, title: str, body: str, draft: bool) -> str:
        """The web URL of a new pull (GitHub) or merge (GitLab) request from `branch` into `base`."""
        if self.repo.kind == "github":
            payload = {"title": title, "head": branch, "base": base, "body": body, "draft": draft}
            return self._page_of(self.call_object("POST", f"{self._project}/pulls", payload), "html_url")
        payload = {
            "title": f"Draft: {title}" if draft else title,
            "source_branch": branch,
            "target_branch": base,
            "description": body,
        }
        return self._page_of(self.call_object("POST", f"{self._project}/merge_requests", payload), "web_url")

    def _page_of(self, opened: dict[str, Any], key: str) -> str:
        if not (page := _text(opened, key)):
            raise ForgeError(f"{self.repo.name} opened the request but did not say where (no {key} in its answer)")
        return page

    def new_request_page(self, branch: str) -> str:
        """The web page where a person opens the pull or merge request by hand."""
        if self.repo.kind == "github":
            return f"{self.repo.web}/{self.repo.path}/compare/{quote(branch)}?expand=1"
        return f"{self.repo.web}/{self.repo.path}/-/merge_requests/new?merge_request%5Bsource_branch%5D={quote(branch)}"


def fetch_issue(url: str, settings: ForgeSettings) -> str:
    """The task text of a GitHub or GitLab issue URL, or a `ForgeError` saying why it cannot be had."""
    issue = parse_issue_url(url, settings)
    if issue is None:
        raise ForgeError(
            f"{url} is not an issue URL swe-team can read",
            hint="give a GitHub (https://github.com/OWNER/REPO/issues/N) or GitLab (https://HOST/GROUP/PROJECT/-/issues/N)"
            " issue, or the task's text",
        )
    text = ForgeClient(issue.repo, settings).issue_text(issue.number)
    return f"{text}\n\n(from {issue.url})"

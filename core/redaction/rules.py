"""The rule set: detect-secrets' plugins (a maintained list of token formats), a few formats it lacks, its keyword
and entropy detectors adapted to find positions in free text, and the optional patterns of the settings.

A `Rule` finds spans; `specificity` settles overlaps (a GitHub token inside `token = "..."` is a github-token).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from core.redaction.config import RedactionSettings
from core.redaction.scan import Scan
from core.redaction.values import (
    BASE64_CANDIDATE,
    HASH_WORDS,
    HEX_CANDIDATE,
    SECRET_WORDS_FOLDED,
    hex_context,
    is_password,
    is_random_base64,
    jwt_is_valid,
    looks_like_secret_value,
    private_key_span,
)

Span = tuple[int, int]
SPECIFIC, CONTEXT, KEYWORD, ENTROPY = 0, 1, 2, 3
CONTEXT_KINDS = {"bearer-token", "basic-auth", "url-password"}
"""Kinds known by where a value sits (a header, a URL), not by its format: a token format found there wins."""
PERSONAL_KINDS = {"email", "ip-address"}
"""Optional kinds, yielding to any secret they overlap (`https://user:TOKEN@host` is a password, not an e-mail)."""

KIND_OF_SECRET_TYPE = {
    "AWS Access Key": "aws-access-key",
    "Azure Storage Account access key": "azure-storage-key",
    "Basic Auth Credentials": "url-password",
    "GitHub Token": "github-token",
    "GitLab Token": "gitlab-token",
    "JSON Web Token": "jwt",
    "NPM tokens": "npm-token",
    "OpenAI Token": "openai-key",
    "Private Key": "private-key",
    "Slack Token": "slack-token",
    "Stripe Access Key": "stripe-key",
    "Public IP (ipv4)": "ip-address",
}
SECRET_IN_LAST_GROUP = {
    "AWS Access Key",
    "Basic Auth Credentials",
    "NPM tokens",
    "IBM Cloud IAM Key",
    "IBM COS HMAC Credentials",
    "SoftLayer Credentials",
    "Cloudant Credentials",
}
"""Plugins whose patterns include the key's name or the URL around the secret: only the last group is secret."""
OWN_DETECTORS = {"Secret Keyword", "Base64 High Entropy String", "Hex High Entropy String"}

EXTRA_RULES: tuple[tuple[str, str], ...] = (
    ("aws-secret-key", r"(?i)aws_?secret_?(?:access_?)?key\W{0,4}([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])"),
    ("gcp-api-key", r"\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])"),
    ("github-token", r"\bgithub_pat_[A-Za-z0-9_]{82}\b"),
    ("openai-key", r"\bsk-(?:proj|svcacct|admin|ant-api\d\d)-[A-Za-z0-9_-]{20,}"),
    ("npm-token", r"\bnpm_[A-Za-z0-9]{36}\b"),
    ("url-password", r"\b[a-z][a-z0-9+.-]*://[^\s:/?#@'\"]+:([^\s/?#@'\"]{3,})@"),
    ("huggingface-token", r"\bhf_[A-Za-z]{34}\b"),
    ("slack-token", r"\bxapp-\d-[A-Z0-9]+-\d+-[a-f0-9]{32,}\b"),
    ("azure-storage-key", r"(?i)\bSharedAccessSignature=[^;\s\"']{20,}|\bsig=([A-Za-z0-9%+/=]{40,})"),
    ("bearer-token", r"(?i)\bbearer\s+([A-Za-z0-9._~+/-]{16,}=*)"),
    ("basic-auth", r"(?i)\bauthorization\W{1,4}basic\s+([A-Za-z0-9+/]{8,}={0,2})"),
)
NEEDLES: dict[str, tuple[str, ...]] = {
    "aws-access-key": ("A3T", "ABIA", "ACCA", "AKIA", "ASIA"),
    "aws-secret-key": ("aws",),
    "azure-storage-key": ("AccountKey=", "SharedAccessSignature=", "sig="),
    "url-password": ("://",),
    "github-token": ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
    "gitlab-token": (
        "glpat-",
        "gldt-",
        "glft-",
        "glsoat-",
        "glrt-",
        "glcbt-",
        "glimt-",
        "glptt-",
        "glagent-",
        "gloas-",
        "GR1348941",
    ),
    "jwt": ("eyJ",),
    "npm-token": ("_authToken", "npm_"),
    "openai-key": ("T3BlbkFJ", "sk-proj-", "sk-svcacct-", "sk-admin-", "sk-ant-api"),
    "private-key": ("BEGIN", "PuTTY"),
    "slack-token": ("xox", "hooks.slack.com", "xapp-"),
    "stripe-key": ("k_live_",),
    "pypi-token": ("pypi-",),
    "sendgrid-api-key": ("SG.",),
    "twilio-api-key": ("AC", "SK"),
    "mailchimp-access-key": ("-us",),
    "artifactory-credentials": ("AKC", "AP"),
    "square-oauth-secret": ("sq0csp-",),
    "gcp-api-key": ("AIza",),
    "huggingface-token": ("hf_",),
    "bearer-token": ("bearer",),
    "basic-auth": ("authorization",),
    "email": ("@",),
}
"""Literal text without which a rule cannot match (compared case-folded for the rules that ignore case): most
texts skip most rules at the cost of a substring search."""
LINES: dict[str, str] = {
    "ibm-cloud-iam-key": r"key|pwd|pass|token",
    "ibm-cos-hmac-credentials": r"key|secret",
    "softlayer-credentials": r"s(?:oftlayer|l[-_]?(?:api)?[-_]?(?:key|pw|pass|token))",
    "cloudant-credentials": r"cl(?:oudant|(?:ou)?[-_]?(?:api)?[-_]?(?:key|pw|pass|token))",
    "url-password": r"://\S*@",
}
"""Rules whose patterns try every position of a text: run on the lines that name what they look for (patterns
in lower case, searched in the case-folded text, which is many times faster than ignoring case)."""
EMAIL = r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"


@dataclass(frozen=True)
class Rule:
    kind: str
    pattern: re.Pattern[str]
    specificity: int = SPECIFIC
    group: str = "whole"
    """`whole` (the match, trimmed of quotes), `last` (the last group that matched) or `first`."""
    accept: Callable[[str], bool] | None = None
    extend: Callable[[str, int, int], Span] | None = None
    """Widens a match (a private key's header → the whole key, from its first dash to its END line)."""
    needles: tuple[str, ...] = ()
    fold: bool = False
    """Look for the needles in the case-folded text (the pattern ignores case)."""
    lines: re.Pattern[str] | None = None

    def spans(self, scan: Scan) -> Iterator[Span]:
        text = scan.text
        if self.needles and not scan.contains_any(self.needles, self.fold):
            return
        pieces = scan.lines(self.lines) if self.lines is not None else [(0, text)]
        for offset, piece in pieces:
            for match in self.pattern.finditer(piece):
                span = _chosen_span(match, self.group)
                if span is None:
                    continue
                start, end = span[0] + offset, span[1] + offset
                if self.accept is not None and not self.accept(text[start:end]):
                    continue
                yield self.extend(text, start, end) if self.extend is not None else (start, end)


def _chosen_span(match: re.Match[str], group: str) -> Span | None:
    if group != "whole" and match.re.groups:
        indexes = range(match.re.groups, 0, -1) if group == "last" else range(1, match.re.groups + 1)
        for index in indexes:
            if match.group(index):
                return match.span(index)
    start, end = match.span()
    while start < end and match.string[start] in " \t=:\"'`":
        start += 1
    while end > start and match.string[end - 1] in " \t\"'`":
        end -= 1
    return (start, end) if end > start else None


@dataclass(frozen=True)
class KeywordRule:
    """detect-secrets' keyword assignments (`password = "..."`, `api_key: ...`), on the lines that name one."""

    kind: str
    keywords: re.Pattern[str]
    patterns: tuple[tuple[re.Pattern[str], int, bool], ...]
    """(pattern, group of the value, whether the value is quoted)."""
    specificity: int = KEYWORD

    def spans(self, scan: Scan) -> Iterator[Span]:
        for line_start, line in scan.lines(self.keywords):
            for pattern, group, quoted in self.patterns:
                match = pattern.search(line)
                if match is None or not match.group(group):
                    continue
                start, end = match.span(group)
                if HASH_WORDS.search(line, 0, start):
                    break
                if not quoted:
                    end = start + len(re.split(r"[\s,;)]", line[start:end], maxsplit=1)[0])
                if looks_like_secret_value(line[start:end], quoted):
                    yield line_start + start, line_start + end
                    break


@dataclass(frozen=True)
class EntropyRule:
    """Random-looking base64 strings anywhere; hex strings only on lines that name a key, token or secret."""

    kind: str
    candidate: re.Pattern[str]
    accept: Callable[[str, str, int], bool]
    lines: re.Pattern[str] | None = None
    specificity: int = ENTROPY

    def spans(self, scan: Scan) -> Iterator[Span]:
        pieces = scan.lines(self.lines) if self.lines is not None else [(0, scan.text)]
        for offset, piece in pieces:
            for match in self.candidate.finditer(piece):
                if self.accept(match.group(1), scan.text, offset + match.start(1)):
                    yield offset + match.start(1), offset + match.end(1)


AnyRule = Rule | KeywordRule | EntropyRule


def _detect_secrets_rules(ip_addresses: bool) -> list[AnyRule]:
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.plugins import keyword

    rules: list[AnyRule] = []
    plugins: dict[str, Any] = get_mapping_from_secret_type_to_class()
    for secret_type, plugin in sorted(plugins.items()):
        if secret_type in OWN_DETECTORS:  # adapted below: they read one line of a file, not free text
            continue
        kind = KIND_OF_SECRET_TYPE.get(secret_type) or re.sub(r"[^a-z0-9]+", "-", secret_type.lower()).strip("-")
        if kind == "ip-address" and not ip_addresses:
            continue
        denylist: Any = getattr(plugin, "denylist", ())
        for index, pattern in enumerate(denylist):
            rule_kind = "aws-secret-key" if kind == "aws-access-key" and index > 0 else kind
            group = "last" if secret_type in SECRET_IN_LAST_GROUP else "whole"
            accept = {"jwt": jwt_is_valid, "url-password": is_password}.get(kind)
            extend = private_key_span if kind == "private-key" else None
            rules.append(_rule(rule_kind, pattern, group, accept, extend))
    quoted = keyword.QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP
    patterns = [(pattern, group, True) for pattern, group in quoted.items()]
    patterns += [(keyword.FOLLOWED_BY_COLON_REGEX, 4, False), (keyword.FOLLOWED_BY_EQUAL_SIGNS_REGEX, 5, False)]
    keywords = re.compile("|".join(keyword.DENYLIST))
    rules.append(KeywordRule("secret-assignment", keywords, tuple(patterns)))
    return rules


def _rule(
    kind: str,
    pattern: re.Pattern[str],
    group: str = "whole",
    accept: Callable[[str], bool] | None = None,
    extend: Callable[[str, int, int], Span] | None = None,
) -> Rule:
    fold = bool(pattern.flags & re.IGNORECASE)
    needles = tuple(needle.lower() if fold else needle for needle in NEEDLES.get(kind, ()))
    lines = re.compile(LINES[kind]) if kind in LINES else None
    specificity = CONTEXT if kind in CONTEXT_KINDS else ENTROPY if kind in PERSONAL_KINDS else SPECIFIC
    return Rule(kind, pattern, specificity, group, accept, extend, needles, fold, lines)


@lru_cache(maxsize=8)
def _compiled(settings_json: str) -> tuple[AnyRule, ...]:
    settings = RedactionSettings.model_validate_json(settings_json)
    rules = _detect_secrets_rules(settings.ip_addresses)
    rules += [
        _rule(kind, re.compile(pattern), "first", is_password if kind == "url-password" else None)
        for kind, pattern in EXTRA_RULES
    ]
    if settings.emails:
        rules.append(_rule("email", re.compile(EMAIL)))
    if settings.high_entropy:
        rules.append(EntropyRule("high-entropy-base64", BASE64_CANDIDATE, is_random_base64))
        rules.append(EntropyRule("high-entropy-hex", HEX_CANDIDATE, hex_context, re.compile(SECRET_WORDS_FOLDED)))
    rules += [Rule(kind, re.compile(pattern), group="first") for kind, pattern in settings.patterns.items()]
    return tuple(rules)


def rules_for(settings: RedactionSettings) -> tuple[AnyRule, ...]:
    """The compiled rules the settings ask for (compiled once per distinct settings)."""
    return _compiled(settings.model_dump_json())

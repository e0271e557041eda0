"""Generated secrets of every kind the redactor supports, each embedded in a realistic line of code, config or log.

Every value is drawn from a seeded random generator in the format its issuer uses (prefix, alphabet, length),
so no real credential is involved and the corpus is the same on every run.
"""

from __future__ import annotations

import base64
import json
import random
import string
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

B64 = string.ascii_letters + string.digits + "+/"
URLSAFE = string.ascii_letters + string.digits + "-_"
ALNUM = string.ascii_letters + string.digits
UPPER_DIGITS = string.ascii_uppercase + string.digits
LOWER_DIGITS = string.ascii_lowercase + string.digits
HEX = "0123456789abcdef"
NAMES = ["prod", "billing", "ci", "deploy", "backup", "staging", "metrics", "shop", "orders", "mailer"]


LABEL = {"gcp-service-account": "private-key", "github-fine-grained": "github-token", "slack-webhook": "slack-token"}
"""The redactor's kind for the corpus kinds that are a variant of another."""


@dataclass(frozen=True)
class Sample:
    kind: str
    secret: str
    """The part that must not survive redaction."""
    text: str

    @property
    def label(self) -> str:
        """The kind the placeholder should name."""
        return LABEL.get(self.kind, self.kind)


def pick(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _jwt(rng: random.Random) -> str:
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = {
        "sub": str(rng.randrange(10**6)),
        "name": rng.choice(NAMES),
        "iat": rng.randrange(1_600_000_000, 1_800_000_000),
    }
    return f"{header}.{b64url(json.dumps(claims).encode())}.{b64url(rng.randbytes(32))}"


def _private_key(rng: random.Random, label: str) -> str:
    body = base64.b64encode(rng.randbytes(rng.choice([120, 300, 600]))).decode()
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "\n".join([f"-----BEGIN {label}-----", *lines, f"-----END {label}-----"])


def _password(rng: random.Random) -> str:
    return pick(rng, ALNUM, rng.randint(6, 12)) + rng.choice("!#%&*+-.?@^_~") + pick(rng, ALNUM, rng.randint(2, 6))


Template = Callable[[random.Random, str], str]
Maker = Callable[[random.Random], str]


def _lines(*templates: str) -> list[Template]:
    return [lambda rng, s, t=t: t.format(s=s, name=rng.choice(NAMES), n=rng.randint(1, 99)) for t in templates]


KINDS: dict[str, tuple[Maker, list[Template]]] = {
    "aws-access-key": (
        lambda r: r.choice(["AKIA", "ASIA"]) + pick(r, UPPER_DIGITS, 16),
        _lines("aws_access_key_id = {s}", 'export AWS_ACCESS_KEY_ID="{s}"', "  AccessKeyId: {s}"),
    ),
    "aws-secret-key": (
        lambda r: pick(r, B64, 40),
        _lines("aws_secret_access_key = {s}", 'AWS_SECRET_ACCESS_KEY="{s}"', 'aws_secret_key: "{s}"'),
    ),
    "azure-storage-key": (
        lambda r: base64.b64encode(r.randbytes(64)).decode(),
        _lines(
            "AZURE_STORAGE_CONNECTION_STRING=DefaultEndpointsProtocol=https;AccountName={name}{n};AccountKey={s};"
            "EndpointSuffix=core.windows.net",
            'conn = "AccountName={name};AccountKey={s}"',
        ),
    ),
    "gcp-api-key": (
        lambda r: "AIza" + pick(r, URLSAFE, 35),
        _lines('GOOGLE_MAPS_KEY = "{s}"', "https://maps.googleapis.com/maps/api/geocode/json?address=x&key={s}"),
    ),
    "gcp-service-account": (
        lambda r: json.dumps(_private_key(r, "PRIVATE KEY") + "\n")[1:-1],
        _lines(
            '  "private_key": "{s}",', '{{"type": "service_account", "project_id": "{name}", "private_key": "{s}"}}'
        ),
    ),
    "github-token": (
        lambda r: r.choice(["ghp_", "gho_", "ghs_", "ghu_"]) + pick(r, ALNUM, 36),
        _lines('GITHUB_TOKEN="{s}"', "git clone https://x-access-token:{s}@github.com/{name}/app.git", "token {s}"),
    ),
    "github-fine-grained": (
        lambda r: "github_pat_" + pick(r, ALNUM + "_", 82),
        _lines("GH_TOKEN={s}", "gh auth login --with-token <<< {s}"),
    ),
    "gitlab-token": (
        lambda r: "glpat-" + pick(r, URLSAFE, 20),
        _lines("GITLAB_TOKEN={s}", 'curl --header "PRIVATE-TOKEN: {s}" https://gitlab.example.com/api/v4/projects'),
    ),
    "slack-token": (
        lambda r: (
            f"xox{r.choice('bpa')}-{r.randint(10**10, 10**11)}-{r.randint(10**10, 10**11)}-" + pick(r, LOWER_DIGITS, 24)
        ),
        _lines('SLACK_BOT_TOKEN="{s}"', "slack.WebClient(token='{s}')"),
    ),
    "slack-webhook": (
        lambda r: (
            f"https://hooks.slack.com/services/T{pick(r, UPPER_DIGITS, 8)}/B{pick(r, UPPER_DIGITS, 8)}/"
            + pick(r, ALNUM, 24)
        ),
        _lines("SLACK_WEBHOOK_URL={s}", 'requests.post("{s}", json=payload)'),
    ),
    "stripe-key": (
        lambda r: r.choice(["sk_live_", "rk_live_"]) + pick(r, ALNUM, 24),
        _lines('stripe.api_key = "{s}"', "STRIPE_SECRET={s}"),
    ),
    "jwt": (_jwt, _lines("Authorization: Bearer {s}", 'session = "{s}"', "cookie jwt={s}; Path=/")),
    "npm-token": (
        lambda r: "npm_" + pick(r, ALNUM, 36),
        _lines("//registry.npmjs.org/:_authToken={s}", "NPM_TOKEN={s}"),
    ),
    "openai-key": (
        lambda r: r.choice([f"sk-proj-{pick(r, URLSAFE, 64)}", f"sk-{pick(r, ALNUM, 20)}T3BlbkFJ{pick(r, ALNUM, 20)}"]),
        _lines('OPENAI_API_KEY="{s}"', 'client = OpenAI(api_key="{s}")'),
    ),
    "huggingface-token": (lambda r: "hf_" + pick(r, string.ascii_letters, 34), _lines("HF_TOKEN={s}")),
    "sendgrid-api-key": (
        lambda r: f"SG.{pick(r, URLSAFE, 22)}.{pick(r, URLSAFE, 43)}",
        _lines('SENDGRID_API_KEY="{s}"'),
    ),
    "twilio-api-key": (lambda r: "SK" + pick(r, HEX, 32), _lines("twilio_api_key = '{s}'", "TWILIO_KEY_SID={s}")),
    "mailchimp-access-key": (lambda r: pick(r, HEX, 32) + f"-us{r.randint(1, 20)}", _lines("MAILCHIMP_KEY={s}")),
    "telegram-bot-token": (
        lambda r: f"{r.randint(10**8, 10**9)}:" + pick(r, URLSAFE, 35),
        _lines("bot = telebot.TeleBot('{s}')"),
    ),
    "pypi-token": (lambda r: "pypi-AgEIcHlwaS5vcmc" + pick(r, URLSAFE, 120), _lines("password = {s}")),
    "private-key": (
        lambda r: _private_key(r, r.choice(["RSA PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY"])),
        _lines("{s}", "ssh_key: |\n{s}"),
    ),
    "url-password": (
        lambda r: quote(_password(r), safe=""),
        _lines(
            "DATABASE_URL=postgres://{name}:{s}@db.internal:5432/{name}",
            "redis://default:{s}@cache:6379/0",
            "fatal: could not read from https://{name}:{s}@git.example.com/app.git",
        ),
    ),
    "basic-auth": (
        lambda r: base64.b64encode(f"{r.choice(NAMES)}:{_password(r)}".encode()).decode(),
        _lines("Authorization: Basic {s}", "-H 'Authorization: Basic {s}'"),
    ),
    "bearer-token": (
        lambda r: pick(r, URLSAFE, r.randint(24, 48)),
        _lines('headers = {{"Authorization": "Bearer {s}"}}', "curl -H 'Authorization: Bearer {s}' https://api"),
    ),
    "secret-assignment": (
        _password,
        _lines('password = "{s}"', "DB_PASSWORD={s}", "  password: {s}", 'client_secret = "{s}"'),
    ),
    "high-entropy-base64": (
        lambda r: pick(r, B64, r.randint(32, 64)),
        _lines('SIGNING_SALT = "{s}"', "session_cookie_value={s}", '"refresh": "{s}",'),
    ),
    "high-entropy-hex": (
        lambda r: pick(r, HEX, r.choice([32, 40, 64])),
        _lines('"deploy_token": "{s}"', "webhook_signing_key={s}", "X-Auth-Token: {s}"),
    ),
}
OPTIONAL_KINDS: dict[str, tuple[Maker, list[Template]]] = {
    "email": (
        lambda r: f"{r.choice(NAMES)}.{pick(r, string.ascii_lowercase, 5)}@{r.choice(NAMES)}.example.com",
        _lines("Author: {name} <{s}>", "notify: {s}"),
    ),
    "ip-address": (
        lambda r: f"{r.choice([34, 52, 81, 141, 185])}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}",
        _lines("Connection to {s} port 22 timed out", "upstream: http://{s}:8080/"),
    ),
}


def samples(per_kind: int, seed: int = 16, optional: bool = False) -> list[Sample]:
    """`per_kind` samples of every kind (and of e-mails and IP addresses with `optional`)."""
    rng = random.Random(seed)
    kinds = {**KINDS, **(OPTIONAL_KINDS if optional else {})}
    out = []
    for kind, (make, templates) in kinds.items():
        for _ in range(per_kind):
            secret = make(rng)
            out.append(Sample(kind, secret, rng.choice(templates)(rng, secret)))
    return out

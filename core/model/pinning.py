"""Which model answers: the server's own word for it (`GET /v1/models`), checked against a pin in the settings.

A pipeline names the exact model id (and digest, where the server reports one) it was validated with in
`models.<alias>.pinned_id` / `pinned_digest`; `identify_model` asks the server afresh (never a cache) and raises
`ModelPinMismatch` when another model answers. Every CI output records the `ModelIdentity` it returns.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from core.errors import ModelError, ModelUnreachable

if TYPE_CHECKING:
    from core.settings import ModelAlias, Settings

DIGEST_KEYS = ("digest", "sha256")


class ModelPinMismatch(ModelError):
    """The server serves another model (or digest) than the configuration pins."""


@dataclass(frozen=True)
class ServedModel:
    """One model a server lists: its id and, when the server reports one, its digest."""

    id: str
    digest: str = ""


@dataclass(frozen=True)
class ModelIdentity:
    """The model that produced an answer, as recorded in every output."""

    model: str
    """The configured litellm model string."""
    served_id: str
    """The id the server reported for it; empty when the server was not asked or did not answer."""
    digest: str
    api_base: str
    pinned: bool
    """True when a pin was configured and the server matched it."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def label(self) -> str:
        """One line for a terminal or a Markdown comment: `id (digest) at api_base[, pinned]`."""
        name = self.served_id or self.model
        digest = f" ({self.digest})" if self.digest else ""
        return f"{name}{digest} at {self.api_base}{', pinned' if self.pinned else ''}"


def requested_id(model: str) -> str:
    """The id sent to the server for a litellm model string: `openai/qwen2.5` asks for `qwen2.5`."""
    return model.split("/", 1)[1] if "/" in model else model


def _get_json(url: str, api_key: str, timeout_s: float) -> Any:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {api_key}"})
    with urllib.request.urlopen(request, timeout=timeout_s) as response:
        return json.loads(response.read().decode("utf-8", "replace"))


def _digest_of(entry: dict[str, Any]) -> str:
    for place in (entry, entry.get("meta"), entry.get("details")):
        if isinstance(place, dict):
            for key in DIGEST_KEYS:
                if isinstance(place.get(key), str) and place[key]:
                    return str(place[key])
    return ""


def served_models(api_base: str, api_key: str = "", timeout_s: float = 5.0) -> list[ServedModel]:
    """The models the server lists, with digests from `/v1/models` or, on Ollama, from `/api/tags`.

    Raises `ModelUnreachable` when the server does not answer or answers something that is not a model list."""
    base = api_base.rstrip("/")
    try:
        listing = _get_json(f"{base}/models", api_key, timeout_s)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise ModelUnreachable(
            f"cannot ask {base}/models which model the server serves ({exc})",
            hint="start the model server or fix models.<alias>.api_base",
        ) from exc
    entries = listing.get("data") if isinstance(listing, dict) else None
    if not isinstance(entries, list):
        raise ModelUnreachable(
            f"{base}/models did not answer with a model list", hint="point api_base at an OpenAI-compatible /v1"
        )
    models = [ServedModel(str(e.get("id", "")), _digest_of(e)) for e in entries if isinstance(e, dict)]
    if any(not m.digest for m in models):
        models = _with_ollama_digests(base, api_key, timeout_s, models)
    return models


def _with_ollama_digests(base: str, api_key: str, timeout_s: float, models: list[ServedModel]) -> list[ServedModel]:
    try:
        tags = _get_json(f"{base.removesuffix('/v1')}/api/tags", api_key, timeout_s)
    except (urllib.error.URLError, OSError, ValueError):
        return models
    listed = tags.get("models") if isinstance(tags, dict) else None
    digests = {str(t.get("name") or t.get("model")): _digest_of(t) for t in listed or [] if isinstance(t, dict)}
    return [m if m.digest else ServedModel(m.id, digests.get(m.id, "")) for m in models]


def match_pin(alias: ModelAlias, served: list[ServedModel]) -> ServedModel | None:
    """The served model the alias talks to, after checking the alias's pin; `ModelPinMismatch` when it differs.

    A server that lists one model answers with it whatever name is asked (llama.cpp, llama-cpp-python); one that
    lists several answers with the model of the requested id."""
    wanted = requested_id(alias.model)
    answering = next((m for m in served if m.id == wanted), served[0] if len(served) == 1 else None)
    listed = ", ".join(m.id for m in served) or "none"
    if alias.pinned_id and (answering is None or answering.id != alias.pinned_id):
        raise ModelPinMismatch(
            f"the model server at {alias.api_base} serves {answering.id if answering else listed!r} for "
            f"{alias.model!r}, but the configuration pins {alias.pinned_id!r}",
            hint="serve the pinned model, or change pinned_id after running `swe-team ci regress` on the new one",
        )
    if alias.pinned_digest and answering is not None and answering.digest != alias.pinned_digest:
        found = f"digest {answering.digest!r}" if answering.digest else "no digest"
        raise ModelPinMismatch(
            f"the model {answering.id!r} at {alias.api_base} reports {found}, but the configuration pins "
            f"digest {alias.pinned_digest!r}",
            hint="serve the pinned build of the model, or clear pinned_digest (servers other than Ollama report none)",
        )
    return answering


def identify_model(settings: Settings, alias: str = "instruct", timeout_s: float = 5.0) -> ModelIdentity:
    """The model behind `alias`, checked against its pin. Unpinned, an unreachable server is not an error here
    (the model call will report it); pinned, it is, since nothing else can prove which model answers."""
    config = settings.alias(alias)
    pinned = bool(config.pinned_id or config.pinned_digest)
    try:
        served = served_models(config.api_base, config.api_key.get_secret_value(), timeout_s)
    except ModelUnreachable:
        if pinned:
            raise
        return ModelIdentity(config.model, "", "", config.api_base, False)
    answering = match_pin(config, served)
    return ModelIdentity(
        model=config.model,
        served_id=answering.id if answering else "",
        digest=answering.digest if answering else "",
        api_base=config.api_base,
        pinned=pinned,
    )

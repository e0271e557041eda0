#!/usr/bin/env bash
# `make demo`: a real swe-team job on the shop example, in a fresh git repository under .run/demo/.
# The model is the embedded llama.cpp server with SmolLM2-135M-Instruct unless SWE_TEAM_API_BASE names a server.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin
demo=.run/demo/shop

rm -rf "$demo" && mkdir -p "$(dirname "$demo")"
cp -r examples/shop "$demo"
git -C "$demo" init -q -b main
git -C "$demo" add -A
git -C "$demo" -c user.name="swe-team demo" -c user.email=demo@localhost commit -qm "shop example"
echo "demo repository: $demo (the bug: tests/test_cart.py::test_checkout_of_empty_cart_is_free fails)"

if [[ -z "${SWE_TEAM_API_BASE:-}" ]]; then
    echo "no SWE_TEAM_API_BASE: starting the embedded llama.cpp server (SmolLM2-135M-Instruct, CPU)"
    SWE_TEAM_API_BASE=$("$bin/swe-team" model serve)
    export SWE_TEAM_API_BASE
    # A 135M model on a CPU reads about 100 tokens/s and rarely manages a tool call: short answers, and one
    # retry per role for unusable output, so the demo ends in minutes with an honest report.
    export SWE_TEAM_MODELS__INSTRUCT__MAX_OUTPUT_TOKENS=${SWE_TEAM_MODELS__INSTRUCT__MAX_OUTPUT_TOKENS:-192}
    export SWE_TEAM_MODELS__REASONING__MAX_OUTPUT_TOKENS=${SWE_TEAM_MODELS__REASONING__MAX_OUTPUT_TOKENS:-192}
    export SWE_TEAM_MODELS__INSTRUCT__TIMEOUT_S=${SWE_TEAM_MODELS__INSTRUCT__TIMEOUT_S:-180}
    export SWE_TEAM_MODELS__REASONING__TIMEOUT_S=${SWE_TEAM_MODELS__REASONING__TIMEOUT_S:-180}
    export SWE_TEAM_MODELS__FORMAT_RETRIES=${SWE_TEAM_MODELS__FORMAT_RETRIES:-1}
    export SWE_TEAM_MODELS__RETRIES=${SWE_TEAM_MODELS__RETRIES:-1}
    export SWE_TEAM_BUDGETS__ROLE_MAX_STEPS=${SWE_TEAM_BUDGETS__ROLE_MAX_STEPS:-3}
    export SWE_TEAM_BUDGETS__MAX_ITERATIONS=${SWE_TEAM_BUDGETS__MAX_ITERATIONS:-1}
fi

if [[ "${SWE_TEAM_WORKSPACE:-auto}" != local ]] && docker info >/dev/null 2>&1; then
    command -v mmdebstrap >/dev/null 2>&1 || (. scripts/lib.sh && apt_install mmdebstrap) || true
    # The environment the job needs (interpreter image, locked dependencies, the project), built once with progress.
    if ! "$bin/swe-team" env build "$demo"; then
        echo "note: the Docker environment could not be built (see above): the demo runs in a local workspace" >&2
        export SWE_TEAM_WORKSPACE=local
    fi
fi

"$bin/swe-team" run --repo "$demo" --task-file examples/shop/ISSUE.md --approve auto --yes-destructive

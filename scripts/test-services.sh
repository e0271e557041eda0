#!/usr/bin/env bash
# The real services the test suite and benchmarks use, started on free ports for this run, and the wheels
# that Docker job environments install offline.
#   scripts/test-services.sh start RUN_DIR   Redis (installed from Debian when missing), the Docker workspace
#                                           image (built when missing), PostgreSQL for the fleet tests;
#                                           writes RUN_DIR/services.env
#   scripts/test-services.sh stop RUN_DIR
# With CI=true a service that cannot be had is an error; otherwise the tests that need it say why they skip.
set -euo pipefail
mode=${1:?start or stop}
run_dir=${2:?run directory}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$run_dir"
env_file="$run_dir/services.env"

fail_or_note() {
    if [[ "${CI:-}" == "true" ]]; then echo "error: $1" >&2; stop; exit 1; fi
    echo "note: $1 (tests that need it will skip)" >&2
}

start() {
    : > "$env_file"
    if url=$("$here/redis-test-server.sh" start "$run_dir/redis"); then
        echo "SWE_TEAM_TEST_REDIS_URL=$url" >> "$env_file"
        echo "redis: $url" >&2
    else
        fail_or_note "could not start a Redis server"
    fi
    if docker info >/dev/null 2>&1; then
        "$here/ensure-workspace-image.sh" >&2 || fail_or_note "could not build the Docker workspace image"
        # Job environments install the test tools from this folder, so the tests themselves stay offline.
        if [[ ! -f "$run_dir/wheels/.complete" ]]; then
            "$here/../.venv/bin/pip" download -q -d "$run_dir/wheels" pytest setuptools wheel >&2 \
                && touch "$run_dir/wheels/.complete" || fail_or_note "could not fetch the pytest wheels"
        fi
        echo "SWE_TEAM_TEST_WHEELS=$(cd "$run_dir/wheels" && pwd)" >> "$env_file"
    else
        fail_or_note "no Docker engine answers (docker info failed)"
    fi
    if [[ -x "$here/postgres-test-server.sh" ]]; then
        if pg_url=$("$here/postgres-test-server.sh" start "$run_dir/postgres"); then
            echo "SWE_TEAM_TEST_POSTGRES_URL=$pg_url" >> "$env_file"
        else
            fail_or_note "could not start PostgreSQL"
        fi
    fi
}

stop() {
    "$here/redis-test-server.sh" stop "$run_dir/redis" >/dev/null 2>&1 || true
    if [[ -x "$here/postgres-test-server.sh" ]]; then
        "$here/postgres-test-server.sh" stop "$run_dir/postgres" >/dev/null 2>&1 || true
    fi
}

"$mode"

#!/usr/bin/env bash
# A throwaway PostgreSQL for tests and benchmarks (the fleet's checkpoints).
#   scripts/postgres-test-server.sh start RUN_DIR [PORT]   prints postgres://swe_team@127.0.0.1:PORT/swe_team
#                                                         (also in RUN_DIR/url)
#   scripts/postgres-test-server.sh stop RUN_DIR
# Installs Debian's postgresql with apt-get when it is missing. PostgreSQL refuses to run as root: as root, the
# cluster is owned by and run as the `postgres` user (created by the package). Trust auth on 127.0.0.1 only.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

usage() { echo "usage: $0 start RUN_DIR [PORT] | stop RUN_DIR" >&2; exit 2; }
[[ $# -ge 2 ]] || usage
mode=$1
run_dir=$2

pg_bin() {
    local found
    found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    [[ -n $found ]] && echo "$found"
}

ensure_installed() {
    [[ -n $(pg_bin) ]] && return
    apt_install postgresql PostgreSQL
    [[ -n $(pg_bin) ]] || { echo "error: postgresql installed but no /usr/lib/postgresql/*/bin" >&2; exit 1; }
}

# Runs a command as the cluster's owner: ourselves, or `postgres` when we are root.
as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

start() {
    ensure_installed
    local bin
    bin=$(pg_bin)
    mkdir -p "$run_dir"
    run_dir=$(cd "$run_dir" && pwd)
    local port=${1:-$(free_port)}
    local data="$run_dir/data"
    if [[ $(id -u) -eq 0 ]]; then
        id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/false postgres
        chown postgres "$run_dir"
        # the owner must be able to reach RUN_DIR: every parent needs search permission for others
        local dir=$run_dir
        while [[ $dir != / ]]; do dir=$(dirname "$dir"); chmod o+x "$dir" 2>/dev/null || true; done
    fi
    if [[ ! -f $data/PG_VERSION ]]; then
        as_owner "$bin/initdb" -D "$data" -U swe_team --auth=trust -E UTF8 --no-sync >"$run_dir/initdb.log" 2>&1 || {
            echo "error: initdb failed; see $run_dir/initdb.log" >&2; exit 1; }
    fi
    as_owner "$bin/pg_ctl" -D "$data" -l "$run_dir/postgres.log" -w -t 30 \
        -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$run_dir -c fsync=off" \
        start >/dev/null || { echo "error: postgres did not start; see $run_dir/postgres.log" >&2; exit 1; }
    echo "$port" > "$run_dir/port"
    as_owner "$bin/psql" -h 127.0.0.1 -p "$port" -U swe_team -d postgres -qAt \
        -c "SELECT 1 FROM pg_database WHERE datname = 'swe_team'" | grep -q 1 ||
        as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U swe_team swe_team
    echo "postgres://swe_team@127.0.0.1:$port/swe_team" | tee "$run_dir/url"
}

stop() {
    local bin data
    bin=$(pg_bin) || true
    data=$(cd "$run_dir" 2>/dev/null && pwd)/data
    [[ -n $bin && -f $data/postmaster.pid ]] || { echo "no server running in $run_dir: nothing to stop" >&2; return; }
    as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || {
        kill -9 "$(head -n 1 "$data/postmaster.pid")" 2>/dev/null || true; }
}

case $mode in
    start) start "${3:-}" ;;
    stop) stop ;;
    *) usage ;;
esac

#!/usr/bin/env bash
# A throwaway Redis for tests and benchmarks.
#   scripts/redis-test-server.sh start RUN_DIR [PORT]   prints redis://127.0.0.1:PORT/0 (also in RUN_DIR/url)
#   scripts/redis-test-server.sh stop RUN_DIR           stops the server whose pid file is in RUN_DIR
# Installs Debian's redis-server with apt-get when it is missing. No persistence (--save '').
set -euo pipefail
source "$(dirname "$0")/lib.sh"

usage() { echo "usage: $0 start RUN_DIR [PORT] | stop RUN_DIR" >&2; exit 2; }
[[ $# -ge 2 ]] || usage
mode=$1
run_dir=$2

start() {
    command -v redis-server >/dev/null || apt_install redis-server
    mkdir -p "$run_dir"
    run_dir=$(cd "$run_dir" && pwd)
    local port=${1:-$(free_port)}
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
        --pidfile "$run_dir/redis.pid" --dir "$run_dir" --logfile "$run_dir/redis.log" >/dev/null
    for _ in $(seq 1 100); do
        if redis-cli -p "$port" ping 2>/dev/null | grep -q PONG; then
            echo "redis://127.0.0.1:$port/0" | tee "$run_dir/url"
            return
        fi
        sleep 0.05
    done
    echo "error: redis-server did not answer on port $port; see $run_dir/redis.log" >&2
    exit 1
}

stop() {
    local pid_file="$run_dir/redis.pid"
    [[ -f $pid_file ]] || { echo "no pid file in $run_dir: nothing to stop" >&2; return; }
    local pid
    pid=$(cat "$pid_file")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || { rm -f "$pid_file"; return; }
        sleep 0.05
    done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$pid_file"
}

case $mode in
    start) start "${3:-}" ;;
    stop) stop ;;
    *) usage ;;
esac

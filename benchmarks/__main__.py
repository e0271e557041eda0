"""Every benchmark, one process each: `python -m benchmarks` prints the full figures (`make bench`);
`python -m benchmarks --quick` runs each with a few iterations on small data, to show that it still runs end to end
and prints its table (`make test`). Exits 1 when any benchmark fails."""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

FULL = [
    "bench_orchestration",
    "bench_workspace",
    "bench_memory",
    "bench_gates",
    "bench_fleet",
    "bench_demo",
    "bench_ci_diagnose",
    "bench_redaction",
    "bench_actions",
    "bench_review",
    "bench_candidates",
]
QUICK_ALSO = ["localize"]  # the full localization run needs mirrors and a data set: `make bench-localize`


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few iterations each, small data")
    quick = parser.parse_args().quick
    failed = []
    for name in FULL + (QUICK_ALSO if quick else []):
        command = [sys.executable, "-m", f"benchmarks.{name}", *(["--quick"] if quick else [])]
        print(f"== {' '.join(command[1:])}", flush=True)
        started = time.monotonic()
        code = subprocess.run(command, check=False).returncode
        print(f"== {name}: {'ok' if code == 0 else f'FAILED (exit {code})'} in {time.monotonic() - started:.0f} s\n")
        if code:
            failed.append(name)
    if failed:
        print(f"benchmarks that failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

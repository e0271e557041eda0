"""Redaction: recall on generated secrets of every kind, false redactions in ordinary source, throughput.

    .venv/bin/python -m benchmarks.bench_redaction [--per-kind 400] [--quick]

Recall: each generated secret (benchmarks/redaction_corpus.py) sits in a realistic line; it counts as caught when
no part of it survives redaction (for a private key, no line of its body). Goals: recall ≥ 0.98 on every kind.

False redactions: every *.py file at HEAD of the requests, flask and pytest mirrors (`$SWE_TEAM_MIRRORS`, default
/work/.mirror), redacted with the default settings; every hit is a false redaction except in the files of
`DELIBERATE`, whose hits are credentials on purpose (listed, not counted). Goal: ≤ 1 per 10,000 lines.
`--quick` uses 40 secrets a kind and flask only.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.redaction_corpus import samples
from core.redaction import RedactionSettings, Redactor

REPOS = ["psf+requests", "pallets+flask", "pytest-dev+pytest"]
DELIBERATE = {
    ("psf+requests", "tests/test_requests.py"): "user:pass URLs and Basic headers testing requests' own auth code",
    ("psf+requests", "tests/test_utils.py"): "user:pass URLs testing how requests splits credentials from URLs",
}
RECALL_GOAL = 0.98
FALSE_PER_10K_GOAL = 1.0


def survives(secret: str, redacted: str) -> bool:
    """Whether any part of `secret` worth the name is still in `redacted` (a key's body lines count alone)."""
    parts = [secret] + [line for line in secret.replace("\\n", "\n").splitlines() if len(line) >= 16]
    return any(part in redacted for part in parts if "-----" not in part)


def recall(per_kind: int) -> tuple[dict[str, tuple[int, int, int]], float]:
    """Per kind: (samples, caught, labelled with this kind); and the seconds spent redacting."""
    redactor = Redactor(RedactionSettings(emails=True, ip_addresses=True))
    found: dict[str, list[int]] = {}
    seconds = 0.0
    for sample in samples(per_kind, optional=True):
        started = time.process_time()
        result = redactor.redact(sample.text)
        seconds += time.process_time() - started
        row = found.setdefault(sample.kind, [0, 0, 0])
        row[0] += 1
        row[1] += not survives(sample.secret, result.text)
        row[2] += sample.label in result.counts
    return {kind: (n, caught, labelled) for kind, (n, caught, labelled) in found.items()}, seconds


def python_files(mirror: Path) -> list[tuple[str, str]]:
    """(path, text) of every *.py file at HEAD, read with git (the mirrors are bare)."""
    listing = subprocess.run(
        ["git", "-C", str(mirror), "ls-tree", "-r", "-z", "--name-only", "HEAD"], capture_output=True, check=True
    ).stdout.decode()
    paths = [path for path in listing.split("\0") if path.endswith(".py")]
    batch = subprocess.run(
        ["git", "-C", str(mirror), "cat-file", "--batch"],
        input="".join(f"HEAD:{path}\n" for path in paths).encode(),
        capture_output=True,
        check=True,
    ).stdout
    files, cursor = [], 0
    for path in paths:
        header_end = batch.index(b"\n", cursor)
        size = int(batch[cursor:header_end].split()[2])
        files.append((path, batch[header_end + 1 : header_end + 1 + size].decode("utf-8", "replace")))
        cursor = header_end + 1 + size + 1
    return files


def false_redactions(repos: list[str], root: Path) -> dict[str, object]:
    redactor = Redactor()
    lines = size = 0
    seconds = 0.0
    false: list[str] = []
    deliberate: Counter[str] = Counter()
    for repo in repos:
        for path, text in python_files(root / repo / "repo"):
            lines += text.count("\n") + 1
            size += len(text.encode())
            started = time.process_time()
            hits = redactor.find(text)
            seconds += time.process_time() - started
            for hit in hits:
                if (repo, path) in DELIBERATE:
                    deliberate[f"{repo}/{path}"] += 1
                    continue
                line_start = text.rfind("\n", 0, hit.start) + 1
                line = text[line_start : text.find("\n", hit.end) % (len(text) + 1)].strip()
                false.append(f"{repo}/{path} [{hit.kind}] {line[:100]}")
    return {"lines": lines, "bytes": size, "seconds": seconds, "false": false, "deliberate": deliberate}


def prompt_latency(files: list[tuple[str, str]], turns: int = 20) -> tuple[float, float]:
    """Milliseconds to redact one 32 KB prompt cold, and per call of a `turns`-turn conversation whose earlier
    messages are re-sent each time (each turn adds a 4 KB tool result), as a role's loop sends them."""
    source = "\n".join(text for _, text in files)
    prompt = source[:32_000]
    started = time.process_time()
    for _ in range(5):
        Redactor().redact(prompt)
    cold = (time.process_time() - started) / 5 * 1000
    redactor = Redactor()
    messages: list[dict[str, Any]] = [{"role": "user", "content": prompt}]
    started = time.process_time()
    for turn in range(turns):
        redactor.messages(messages)
        chunk = source[32_000 + turn * 4000 : 32_000 + (turn + 1) * 4000]
        messages.append({"role": "tool", "tool_call_id": f"call_{turn}", "content": chunk})
    return cold, (time.process_time() - started) / turns * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-kind", type=int, default=400, help="generated secrets of each kind")
    parser.add_argument("--quick", action="store_true", help="40 secrets a kind, flask only")
    args = parser.parse_args()
    per_kind = 40 if args.quick else args.per_kind
    root = Path(os.environ.get("SWE_TEAM_MIRRORS", "/work/.mirror"))
    repos = ["pallets+flask"] if args.quick else REPOS
    Redactor().find("warm-up: compile the rules once")

    by_kind, recall_seconds = recall(per_kind)
    print(f"{'kind':<24} {'secrets':>7} {'recall':>7} {'kind right':>10}")
    worst = 1.0
    for kind, (n, caught, labelled) in sorted(by_kind.items()):
        worst = min(worst, caught / n)
        print(f"{kind:<24} {n:>7} {caught / n:>7.3f} {labelled / n:>10.3f}")
    total = sum(n for n, _, _ in by_kind.values())
    caught_all = sum(c for _, c, _ in by_kind.values())
    print(f"{'all':<24} {total:>7} {caught_all / total:>7.3f}   (lowest kind {worst:.3f}, goal ≥ {RECALL_GOAL})")
    print(f"redacting the generated lines: {total / recall_seconds:,.0f} lines/s\n")

    missing = [repo for repo in repos if not (root / repo / "repo").is_dir()]
    if missing:
        print(f"no mirror of {', '.join(missing)} under {root}: set SWE_TEAM_MIRRORS", file=sys.stderr)
        return 1
    source = false_redactions(repos, root)
    lines, false = int(str(source["lines"])), list(source["false"])  # type: ignore[call-overload]
    per_10k = len(false) / lines * 10_000
    mb = int(str(source["bytes"])) / 1e6
    print(f"ordinary source: {', '.join(repos)}: {lines:,} lines, {mb:.1f} MB of *.py at HEAD")
    print(f"false redactions: {len(false)} = {per_10k:.2f} per 10,000 lines (goal ≤ {FALSE_PER_10K_GOAL})")
    for line in false:
        print(f"  {line}")
    for name, count in source["deliberate"].items():  # type: ignore[attr-defined]
        print(f"  not counted: {count} hits in {name} (deliberate test credentials)")
    print(f"throughput on source: {mb / float(str(source['seconds'])):.1f} MB per CPU second (all rules)")
    cold, per_call = prompt_latency(python_files(root / repos[0] / "repo"))
    print(f"CPU time: a 32 KB prompt {cold:.1f} ms; a 20-turn conversation re-sent each call {per_call:.1f} ms a call")
    return 0 if worst >= RECALL_GOAL and per_10k <= FALSE_PER_10K_GOAL else 1


if __name__ == "__main__":
    sys.exit(main())

"""The fixed split of a localization data set into a tuning half and a held-out half, chosen before any tuning.

Within each repository, instances are ordered by the SHA-1 of their `instance_id`; even positions form the tuning
half, odd ones the held-out half. The rule needs no state and keeps every repository in both halves (on
locbench-dev.jsonl: 37 tuning and 35 held-out instances). Ranking changes are tuned on the tuning half only; the
benchmark prints the held-out half's figures as totals, never per instance.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from typing import Any, Literal

Half = Literal["tuning", "held-out"]
HALVES: tuple[Half, Half] = ("tuning", "held-out")


def halves(rows: list[dict[str, Any]]) -> dict[str, Half]:
    """instance_id → its half."""
    by_repository: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        by_repository[row["repo"]].append(row["instance_id"])
    chosen: dict[str, Half] = {}
    for instance_ids in by_repository.values():
        ordered = sorted(instance_ids, key=lambda instance_id: hashlib.sha1(instance_id.encode()).hexdigest())
        for position, instance_id in enumerate(ordered):
            chosen[instance_id] = HALVES[position % 2]
    return chosen

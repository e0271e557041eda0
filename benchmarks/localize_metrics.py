"""Acc@k and MRR as LocAgent and SweRank report them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


def all_within(gold: list[str], ranked: list[str], k: int) -> bool:
    """Every gold item in the top k; with more gold items than k, a top k made only of gold ones counts."""
    top = ranked[:k]
    if len(gold) > k:
        return len(top) == k and all(item in gold for item in top)
    return all(item in top for item in gold)


@dataclass(frozen=True)
class Scores:
    file_at_1: bool
    file_at_3: bool
    file_at_5: bool
    function_at_5: bool
    function_at_10: bool
    file_mrr: float
    has_functions: bool


def score_instance(row: dict[str, Any], files: list[str], functions: list[str]) -> Scores:
    gold_files: list[str] = row["gold_files"]
    gold_functions: list[str] = row["gold_functions"]
    first = next((rank for rank, path in enumerate(files, 1) if path in gold_files), 0)
    return Scores(
        file_at_1=all_within(gold_files, files, 1),
        file_at_3=all_within(gold_files, files, 3),
        file_at_5=all_within(gold_files, files, 5),
        function_at_5=bool(gold_functions) and all_within(gold_functions, functions, 5),
        function_at_10=bool(gold_functions) and all_within(gold_functions, functions, 10),
        file_mrr=1.0 / first if first else 0.0,
        has_functions=bool(gold_functions),
    )

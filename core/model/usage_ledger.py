"""Every model call's usage, with totals per role and for the whole job."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from core.model.base import Usage


@dataclass(frozen=True)
class UsageRecord:
    role: str
    alias: str
    model: str
    usage: Usage
    at: float = field(default_factory=time.time)


class UsageLedger:
    """Thread-safe log of model calls; `cost_usd` stays None unless a price was configured."""

    def __init__(self) -> None:
        self._records: list[UsageRecord] = []
        self._lock = threading.Lock()

    def record(self, role: str, alias: str, usage: Usage, model: str = "") -> None:
        with self._lock:
            self._records.append(UsageRecord(role or "unknown", alias, model, usage))

    @property
    def records(self) -> list[UsageRecord]:
        with self._lock:
            return list(self._records)

    def by_role(self) -> dict[str, Usage]:
        totals: dict[str, Usage] = {}
        for record in self.records:
            totals[record.role] = totals.get(record.role, Usage()) + record.usage
        return totals

    def calls_by_role(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for record in self.records:
            counts[record.role] = counts.get(record.role, 0) + 1
        return counts

    def total(self) -> Usage:
        total = Usage()
        for record in self.records:
            total = total + record.usage
        return total

    def to_dict(self) -> dict[str, Any]:
        calls = self.calls_by_role()
        return {
            "total": {**self.total().to_dict(), "calls": len(self.records)},
            "by_role": {role: {**usage.to_dict(), "calls": calls[role]} for role, usage in self.by_role().items()},
        }

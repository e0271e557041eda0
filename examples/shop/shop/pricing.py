"""Prices, tax and discounts."""

from __future__ import annotations

from decimal import Decimal

TAX_RATE = Decimal("0.20")
BULK_THRESHOLD = 3


def bulk_discount(subtotal: Decimal, item_count: int, cheapest: Decimal) -> Decimal:
    """Buy three or more items and the cheapest one is free."""
    if item_count >= BULK_THRESHOLD:
        return min(cheapest, subtotal)
    return Decimal("0")

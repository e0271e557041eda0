"""Shopping carts and their totals."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from shop.pricing import TAX_RATE, bulk_discount


@dataclass(frozen=True)
class Item:
    sku: str
    price: Decimal
    quantity: int = 1

    @property
    def line_total(self) -> Decimal:
        return self.price * self.quantity


@dataclass
class Cart:
    items: list[Item] = field(default_factory=list)

    def add(self, sku: str, price: str | Decimal, quantity: int = 1) -> None:
        if quantity < 1:
            raise ValueError("quantity must be at least 1")
        self.items.append(Item(sku, Decimal(price), quantity))

    def remove(self, sku: str) -> None:
        self.items = [item for item in self.items if item.sku != sku]

    def subtotal(self) -> Decimal:
        return sum((item.line_total for item in self.items), Decimal("0"))

    def cheapest_price(self) -> Decimal:
        return min(item.price for item in self.items)

    def discount(self) -> Decimal:
        return bulk_discount(self.subtotal(), self.item_count(), self.cheapest_price())

    def item_count(self) -> int:
        return sum(item.quantity for item in self.items)

    def total(self) -> Decimal:
        taxed = (self.subtotal() - self.discount()) * (1 + TAX_RATE)
        return taxed.quantize(Decimal("0.01"))

"""A tiny shop: carts, prices and checkout."""

from shop.cart import Cart, Item
from shop.checkout import checkout

__all__ = ["Cart", "Item", "checkout"]

from decimal import Decimal

import pytest

from shop import Cart, checkout


def test_total_includes_tax():
    cart = Cart()
    cart.add("apple", "1.00", 2)
    assert cart.total() == Decimal("2.40")


def test_bulk_discount_makes_cheapest_item_free():
    cart = Cart()
    cart.add("apple", "1.00")
    cart.add("pear", "2.00")
    cart.add("plum", "3.00")
    assert cart.total() == Decimal("6.00")


def test_quantity_must_be_positive():
    with pytest.raises(ValueError):
        Cart().add("apple", "1.00", 0)


def test_checkout_of_empty_cart_is_free():
    order = checkout(Cart())
    assert order.total == Decimal("0.00")
    assert order.lines == 0

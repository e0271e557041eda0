"""A small model often writes a whole place into a location's path field; the localizer reads it as a person would."""

from __future__ import annotations

from core.state import Location
from roles.localizer import place_named


def test_a_path_with_lines_and_a_symbol_is_split_into_the_location_fields() -> None:
    place = place_named(Location(path="src/flask/blueprints.py:353-369 Blueprint.add_url_rule"))
    assert (place.path, place.symbol, place.start_line, place.end_line) == (
        "src/flask/blueprints.py", "Blueprint.add_url_rule", 353, 369
    )


def test_a_reversed_or_empty_range_is_dropped_but_the_path_is_kept() -> None:
    place = place_named(Location(path="tests/test_cli.py:714-208 TestCliPreloadedError"))
    assert (place.path, place.start_line, place.end_line) == ("tests/test_cli.py", None, None)
    assert place_named(Location(path="shop/cart.py:")).path == "shop/cart.py"


def test_fields_the_model_did_fill_win_and_a_plain_path_is_unchanged() -> None:
    filled = Location(path="shop/cart.py:10-12 other", symbol="Cart.total", start_line=30, end_line=34)
    assert place_named(filled) == filled.model_copy(update={"path": "shop/cart.py"})
    plain = Location(path="shop/cart.py", symbol="Cart.total")
    assert place_named(plain) == plain

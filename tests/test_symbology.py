"""Legends list what is drawn (``geo.symbology``)."""

from __future__ import annotations

from geo.symbology import OTHER_COLOUR, TYPE_COLOURS, type_legend


def test_a_type_legend_lists_only_the_types_drawn_in_the_palettes_order() -> None:
    labels, colours = type_legend(["bombing", "armed_attack", "bombing", "a_new_kind"])
    # The palette lists armed_attack before bombing; a type it lacks comes last, grey.
    assert labels == ["armed attack", "bombing", "a new kind"]
    assert colours == [TYPE_COLOURS["armed_attack"], TYPE_COLOURS["bombing"], OTHER_COLOUR]
    assert type_legend([]) == ([], [])

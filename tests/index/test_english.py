"""The general-English word ranks that weigh words the reviews never use."""

from __future__ import annotations

from index.english import ranks, rarity


def test_ranks_ship_and_start_with_the_commonest_words() -> None:
    """The shipped list loads, most frequent first."""
    table = ranks()
    assert len(table) >= 40_000
    assert table["the"] == 1
    assert table["month"] < table["banana"] < table["editorship"]


def test_common_words_weigh_little_and_rare_ones_fully() -> None:
    """'next' barely counts, 'editorship' counts in full, an unlisted word counts in full."""
    assert rarity("next") == 0.3
    assert rarity("lady") < rarity("editorship")
    assert rarity("editorship") > 0.9
    assert rarity("zzxqv") == 1.0

"""The general-English word ranks that weigh words the reviews never use."""

from __future__ import annotations

from index.english import correct, ranks, rarity


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


def test_misspelt_everyday_words_are_corrected() -> None:
    """An unlisted word one edit from an everyday one is that word; drawn-out letters collapse."""
    assert correct("genuinly") == "genuinely"
    assert correct("becuase") == "because"
    assert correct("sooo") == "so"
    assert correct("realllly") == "really"


def test_listed_and_unfixable_words_are_left_alone() -> None:
    """Real words, short words and words far from any everyday one are not corrected."""
    assert correct("creepy") is None
    assert correct("hailsham") is None
    assert correct("abt") is None
    assert correct("zzxqvw") is None

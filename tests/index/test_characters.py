"""Character lookup: canonical names, aliases, typos, unknown names."""

from __future__ import annotations

import pytest

from index.engine import Engine

MAIN = ["Kathy H.", "Tommy", "Ruth", "Madame", "Miss Emily", "Miss Lucy"]


@pytest.mark.parametrize("name", MAIN)
def test_main_characters_found_with_a_cited_who(engine: Engine, name: str) -> None:
    """Each main character has a card whose first excerpt names them."""
    card = engine.character(name)
    assert card.found and card.name == name
    assert card.who, "a card needs a cited excerpt saying who they are"
    first = card.who[0].text
    assert name.split()[-1].rstrip(".") in first or name.split()[0] in first


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Kathy H.", "Kathy H."),
        ("kathy", "Kathy H."),
        ("Kath", "Kathy H."),
        ("the narrator", "Kathy H."),
        ("Tomy", "Tommy"),
        ("tommy d", "Tommy"),
        ("ruht", "Ruth"),
        ("Madam", "Madame"),
        ("emily", "Miss Emily"),
        ("Miss Lucyy", "Miss Lucy"),
        ("RUTH", "Ruth"),
        ("  ruth  ", "Ruth"),
        ("Ruth's", "Ruth"),
        ("Tommy’s", "Tommy"),
        ("Ruht's", "Ruth"),
        ("Madame Marie Claude", "Madame"),
        ("Rut", "Ruth"),
    ],
)
def test_aliases_and_typos_resolve(engine: Engine, query: str, expected: str) -> None:
    """Aliases, case, spacing, possessives, title with name, and one typo still find the character."""
    card = engine.character(query)
    assert card.found and card.name == expected


@pytest.mark.parametrize("query", ["Laura", "Chrissie", "Harry Potter", "Keffers", "@everyone", "||x||", "Rob",
                                   "Emily Dickinson", "Ruth Bader Ginsburg", "Bob"])
def test_unknown_names_are_not_found(engine: Engine, query: str) -> None:
    """Names the reviews never mention are not matched to someone else."""
    card = engine.character(query)
    assert not card.found and card.name is None
    assert card.suggestions


def test_autocomplete_is_bounded_and_fuzzy(engine: Engine) -> None:
    """Autocomplete gives at most 25 names, prefix matches first, tolerating typos."""
    assert engine.complete_character("") == list(engine.characters.names)
    assert engine.complete_character("to")[0] == "Tommy"
    assert "Tommy" in engine.complete_character("tomy")
    assert engine.complete_character("miss")[:3] == ["Miss Emily", "Miss Lucy", "Miss Geraldine"]
    assert len(engine.complete_character("a", limit=25)) <= 25

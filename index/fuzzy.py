"""Edit distance for tolerating typos in names and question words."""

from __future__ import annotations


def distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance, giving up (returning limit + 1) once it must exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        best = current[0]
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
            best = min(best, value)
        if best > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def allowed_typos(word: str) -> int:
    """How many edits a word of this length may carry and still be recognised."""
    if len(word) <= 3:
        return 0
    if len(word) <= 6:
        return 1
    return 2

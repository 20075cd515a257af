"""Turn a member's question into weighted index terms: aliases resolved, typos corrected."""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from index.analysis import is_content, is_stopword, normalise, term, terms, words
from index.english import CORRECT_TOWARDS, rarity
from index.english import correct as english_correct
from index.english import ranks as english_ranks
from index.frames import (
    COMPARATIVE,
    COMPARISON_ASKED,
    DATED,
    DEFINITION,
    DEPARTURE,
    DEPARTURE_WORDS,
    DURATION,
    DURATION_ASKED,
    ESSENCE,
    ESSENCE_ASKED,
    ESSENCE_WORDS,
    LIST,
    LIST_ASKED,
    NUMBER,
    ORIGIN,
    ORIGIN_WORDS,
    OUTSIDE,
    PLACE,
    PURPOSE_WORDS,
    QUANTITY,
    REACTION,
    REACTION_ASKED,
    REACTION_WORDS,
    REACTOR,
    REASON,
    REASON_ASKED,
    ROLE_FRAME,
    ROLE_WORDS,
    SPEECH,
    SPEECH_ASKED,
    SPEECH_WORDS,
    THING_ORIGIN,
    TIME,
    TRUTH,
    TRUTH_ASKED,
    UNCOUNTED,
    YEAR,
    YEAR_ASKED,
)
from index.fuzzy import distance
from index.model import Topic
from index.sources import CharacterSpec

# What kind of section a question is after, from how it is asked.
_TOPIC_CUES: tuple[tuple[re.Pattern[str], Topic], ...] = (
    (
        re.compile(
            r"\b(where|setting|set in|takes? place|took place|time and place|era|future|past|century|england|britain)\b"
            r"|\b(is|was) (it|this|the (story|book|novel)) (even )?set\b"
        ),
        Topic.SETTING,
    ),
    (
        re.compile(
            r"\b(who wrote|author|ishiguro|published|publish|genre|when was|written|born|background|inspired)\b"
        ),
        Topic.BACKGROUND,
    ),
    (
        re.compile(
            r"\b(film|movie|adaptation|prize|award|booker|critics?|reviews?|reception|praised|compared?|comparison|worth|recommend|slow|boring|pacing|weakness|strength|lists?|acclaim)\b"
        ),
        Topic.RECEPTION,
    ),
    (
        re.compile(
            r"\b(themes?|symboli[sz]e?s?|symbol|metaphor|means?|meaning|message|about|important|style|prose|writing|human|society)\b"
        ),
        Topic.THEMES,
    ),
    (re.compile(r"\b(who is|who's|whos|who are|what is \w+ like|like as a|personality|character)\b"), Topic.CHARACTERS),
    (re.compile(r"\b(happen|happens|happened|end|ending|die|dies|after|when|does|find out|visit)\b"), Topic.PLOT),
)

# A frame's own words say how the question is asked ("what role does X play", "what year did…",
# "what was the purpose of X", "how does X react"), not what it is about.
_FRAME_WORDS: tuple[tuple[re.Pattern[str], frozenset[str]], ...] = (
    (ROLE_FRAME, ROLE_WORDS),
    (YEAR_ASKED, frozenset(("year", "years"))),
    (REASON_ASKED, PURPOSE_WORDS),
    (REACTION_ASKED, REACTION_WORDS),
    (ESSENCE_ASKED, ESSENCE_WORDS),
    (SPEECH_ASKED, SPEECH_WORDS),
)

# Asking about the book as a whole leaves no content words; these mean "give me the summary".
_WHOLE_BOOK = frozenset({"book", "novel", "story", "plot", "summary", "summarize", "summarise", "about", "overview"})
_SUMMARY_TERMS = ("summari", "plot")
_TITLE_WORDS = ("never", "let", "me", "go")
_NAMING = frozenset(("called", "named", "name", "title", "titled", "calls"))
LONG_WORD = 7
FOCUS_TERMS = 3
# A word the reviews never use weighs as if it were rarer than any word they do use.
UNKNOWN_DOC_FREQ = 0.3
# Spelled-out numbers mostly count things ("the three parts", "both of the two"); digits name them ("Part 2").
_QUANTIFIERS = frozenset(
    ("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "twelve", "twenty", "hundred")
)
QUANTIFIER_WEIGHT = 0.5
_PROPER = re.compile(r"(?<=[a-z,;:’'\"”)] )[A-Z][a-z]+")


@dataclass(frozen=True, slots=True)
class Query:
    """A question's distinct terms in order, each weighted by how distinctive it is in the corpus."""

    text: str
    terms: tuple[str, ...]
    weights: Mapping[str, float]
    unknown: tuple[str, ...]
    topics: frozenset[Topic] = frozenset()
    wants_number: bool = False
    wants_year: bool = False
    wants_duration: bool = False
    wants_place: bool = False
    wants_definition: bool = False
    wants_truth: bool = False
    wants_time: bool = False
    wants_reason: bool = False
    wants_reaction: bool = False
    wants_comparison: bool = False
    wants_list: bool = False
    wants_essence: bool = False
    wants_speech: bool = False
    outside: bool = False
    reactor: str | None = None
    # What ``coverage`` divides by, fixed per question: computed once, not per sentence judged.
    _focus: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        unknown = {term(w) for w in self.unknown}
        known = [w for t, w in self.weights.items() if t not in unknown]
        # At most one unknown word counts: in a chatty question most unknown words are chatter.
        strangers = sorted((w for t, w in self.weights.items() if t in unknown), reverse=True)[:1]
        object.__setattr__(self, "_focus", sum(sorted(known + strangers, reverse=True)[:FOCUS_TERMS]))

    def gives_reason(self, text: str) -> bool:
        """Whether a sentence states a cause or purpose, for "why" questions."""
        return self.wants_reason and bool(REASON.search(text))

    def shows_reaction(self, text: str) -> bool:
        """Whether a sentence shows a feeling or an outburst, for "how does X react" questions."""
        if not (self.wants_reaction and REACTION.search(text)):
            return False
        if self.reactor is None:
            return True
        # "He let out a roar" may be anyone's; "Madame begins to weep" is not Tommy's.
        named = set(terms(text)).intersection(self.terms)
        return self.reactor in named or not named

    def sums_up(self, text: str) -> bool:
        """Whether a sentence says what the book is at heart, for "is it really about X" questions."""
        return self.wants_essence and bool(ESSENCE.search(text))

    def quotes(self, text: str) -> bool:
        """Whether a sentence quotes or reports someone's words, for "what does X tell them" questions."""
        return self.wants_speech and bool(SPEECH.search(text))

    def compares(self, text: str) -> bool:
        """Whether a sentence compares ("less kind", "by contrast"), for "was X as nice as Y" questions."""
        return self.wants_comparison and bool(COMPARATIVE.search(text))

    def lists(self, text: str) -> bool:
        """Whether a sentence lists three or more things, for "what are the themes" questions."""
        return self.wants_list and bool(LIST.search(text))

    def dates(self, text: str) -> bool:
        """Whether a sentence names a time, for "when is it set" questions."""
        return self.wants_time and bool(DATED.search(text))

    def settles(self, text: str) -> bool:
        """Whether a sentence affirms or denies, for questions asking if something is real."""
        return self.wants_truth and bool(TRUTH.search(normalise(text)))

    def answers_quantity(self, text: str, coverage: float = 1.0) -> bool:
        # "What year did Ishiguro win the Nobel?" is not answered by "Nobel laureate Ishiguro… published
        # in 2005": a year answers it only where the run carries everything the question asks about.
        if self.wants_year and (not YEAR.search(text) or coverage < 1.0):
            return False
        if self.wants_duration:
            return bool(DURATION.search(text))
        return not self.wants_number or bool(NUMBER.search(text) or UNCOUNTED.search(text))

    @property
    def total(self) -> float:
        return sum(self.weights.values())

    def coverage(self, present: Iterable[str]) -> float:
        """Share of the question's weight whose terms are present.

        A long question is judged against its few strongest terms only: members pad questions with
        chatter, and that should not make the reviews look silent.
        """
        if self._focus <= 0:
            return 0.0
        have = set(present)
        return min(1.0, sum(w for t, w in self.weights.items() if t in have) / self._focus)


class Vocabulary:
    """Corpus statistics the query side needs: document frequencies and surface words for typos."""

    def __init__(
        self,
        n_docs: int,
        doc_freq: Mapping[str, int],
        surface: Mapping[str, int],
        names: Iterable[str] = (),
        foreign: Iterable[str] = (),
    ) -> None:
        self.n_docs = n_docs
        self._doc_freq = doc_freq
        # Indexed only through listed questions, never in a review's own words (see ``Expansions.foreign``).
        self.foreign = frozenset(foreign)
        # Only names and long words are corrected: a short real word ("tape") is not a typo of "tale".
        self._names = frozenset(names)
        self._surface = {w: c for w, c in surface.items() if w in self._names or len(w) >= LONG_WORD}
        self._deletes: dict[str, tuple[str, ...]] | None = None
        self._lock = threading.Lock()

    def doc_freq(self, term_: str) -> int:
        return self._doc_freq.get(term_, 0)

    def weight(self, term_: str) -> float:
        return math.log(1.0 + self.n_docs / (self.doc_freq(term_) or UNKNOWN_DOC_FREQ))

    def _delete_index(self) -> dict[str, tuple[str, ...]]:
        with self._lock:
            if self._deletes is None:
                index: dict[str, list[str]] = {}
                for word in self._surface:
                    if len(word) >= 4:
                        for key in {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}:
                            index.setdefault(key, []).append(word)
                # Tuples of strings are untracked by the garbage collector; lists would make every
                # full collection walk hundreds of thousands of them (tens of ms at 100k passages).
                self._deletes = {key: tuple(words) for key, words in index.items()}
            return self._deletes

    def correct(self, word: str) -> str | None:
        """The most frequent corpus word one edit away (insert, delete, substitute, swap), if any."""
        if len(word) < 4 or not word.isalpha():
            return None
        index = self._delete_index()
        candidates: set[str] = set()
        for key in {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}:
            candidates.update(index.get(key, ()))
        close = [
            c
            for c in candidates
            if c != word
            and ((c in self._names and len(c) >= 5 and c[0] == word[0]) or len(word) >= LONG_WORD - 1)
            and distance(word, c, 1) <= 1
        ]
        if not close:
            return None
        return max(close, key=lambda c: (self._surface[c], c))


def alias_patterns(characters: Sequence[CharacterSpec]) -> tuple[tuple[re.Pattern[str], str], ...]:
    """Alias phrase → the canonical name to add to a question that uses it."""
    out = []
    for character in characters:
        for alias in character.aliases:
            folded = normalise(alias).strip(". ")
            out.append((re.compile(rf"(?<![a-z0-9]){re.escape(folded)}(?![a-z0-9])"), character.name))
    return tuple(out)


def build_query(text: str, vocabulary: Vocabulary, aliases: Sequence[tuple[re.Pattern[str], str]]) -> Query:
    folded = normalise(text)
    raw_words = words(text)
    origin = ORIGIN.search(folded)
    if origin:
        raw_words.extend(["origin"] if THING_ORIGIN.search(origin.group(0)) else ORIGIN_WORDS)
    if DEPARTURE.search(folded):
        raw_words.extend(DEPARTURE_WORDS)
    for pattern, name in aliases:
        if pattern.search(folded):
            raw_words.extend(words(name))
    title_free = _drop_title(raw_words)
    # "Why is it called Never Let Me Go?": with the title gone, what is left asks about the title.
    if len(title_free) < len(raw_words) and _NAMING.intersection(raw_words):
        title_free.append("title")
    framing = frozenset().union(*(frame_words for frame, frame_words in _FRAME_WORDS if frame.search(folded)))
    title_free = [w for w in title_free if w not in framing]
    content = [w for w in title_free if is_content(w)]
    unknown: list[str] = []
    chosen: list[str] = []
    rare: dict[str, float] = {}
    for word in content:
        t = term(word)
        # A word only listed questions use ("already", "version", or their typos: "wich") is no
        # review's word: it is corrected like an unknown one and, if it stays, weighs as unknown.
        if vocabulary.doc_freq(t) == 0 or t in vocabulary.foreign:
            # An everyday English word is not a typo of a review word ("wondering" is not "pondering").
            fixed = (
                None if english_ranks().get(word, CORRECT_TOWARDS + 1) <= CORRECT_TOWARDS else vocabulary.correct(word)
            )
            if fixed is not None and not is_stopword(fixed):
                t = term(fixed)
            else:
                # A misspelt everyday word ("wich", "genuinly") is that word, not a rare one.
                english = english_correct(word)
                if english is not None:
                    if not is_content(english):
                        continue
                    word, t = english, term(english)
                if vocabulary.doc_freq(t) == 0 or t in vocabulary.foreign:
                    unknown.append(word)
                    rare[t] = max(rare.get(t, 0.0), rarity(word))
        if t not in chosen:
            chosen.append(t)
    if not chosen and set(raw_words) & _WHOLE_BOOK:
        chosen = list(_SUMMARY_TERMS)
    weights = {
        t: vocabulary.weight(t) * rare.get(t, 1.0) * (QUANTIFIER_WEIGHT if t in _QUANTIFIERS else 1.0) for t in chosen
    }
    topics = frozenset(topic for pattern, topic in _TOPIC_CUES if pattern.search(folded))
    return Query(
        text=text,
        terms=tuple(chosen),
        weights=weights,
        unknown=tuple(unknown),
        topics=topics,
        wants_number=bool(QUANTITY.search(folded)),
        wants_year=bool(YEAR_ASKED.search(folded)),
        wants_duration=bool(DURATION_ASKED.search(folded)),
        wants_place=not origin and bool(PLACE.search(folded)),
        wants_definition=bool(DEFINITION.search(folded)),
        wants_truth=bool(TRUTH_ASKED.search(folded)),
        wants_time=Topic.SETTING in topics and bool(TIME.search(folded)),
        wants_reason=bool(REASON_ASKED.search(folded)),
        wants_reaction=bool(REACTION_ASKED.search(folded)),
        wants_comparison=bool(COMPARISON_ASKED.search(folded)),
        wants_list=bool(LIST_ASKED.search(folded)),
        wants_essence=bool(ESSENCE_ASKED.search(folded)),
        wants_speech=bool(SPEECH_ASKED.search(folded)),
        outside=bool(OUTSIDE.search(folded)),
        reactor=_reactor(folded, chosen),
    )


def _reactor(folded: str, chosen: Sequence[str]) -> str | None:
    """The term of who a reaction question asks about, when it names someone the question keeps."""
    match = REACTOR.search(folded)
    if match is None:
        return None
    word = match.group(1) or match.group(2)
    return term(word) if is_content(word) and term(word) in chosen else None


def _drop_title(tokens: list[str]) -> list[str]:
    """Remove the book's title phrase: every review repeats it, so it says nothing about the question."""
    out: list[str] = []
    i = 0
    n = len(_TITLE_WORDS)
    while i < len(tokens):
        if tuple(tokens[i : i + n]) == _TITLE_WORDS:
            i += n
            continue
        out.append(tokens[i])
        i += 1
    return out


def surface_counts(texts: Iterable[str]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(w for w in words(text) if not is_stopword(w))
    return counts


def proper_nouns(texts: Iterable[str]) -> set[str]:
    """Capitalised words met mid-sentence: the names worth correcting typos towards."""
    out: set[str] = set()
    for text in texts:
        out.update(w.lower() for w in _PROPER.findall(text))
    return out

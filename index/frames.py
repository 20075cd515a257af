"""Question frames: what kind of answer a question is after, read from how it is asked.

Pure patterns over the folded question (``analysis.normalise``); ``query`` turns them into flags on a
``Query`` and ``engine`` routes character and author questions with them.
"""

from __future__ import annotations

import re

# Chat lead-ins before the question proper: "wait so what are the cottages".
LEAD_IN = r"^\W*(?:(?:wait|so|ok|okay|and|but|um|hmm|hey|sorry|also)[,!.]*\s+)*"
# Questions after a quantity; evidence without a number cannot answer them.
QUANTITY = re.compile(r"\b(how (many|much|long|old)|what year|which year|how often)\b")
NUMBER = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|"
    r"thousand|million|first|second|third|dozen)\b",
    re.IGNORECASE,
)
# A review that says the count is never given answers "how many…" as well as a count does.
UNCOUNTED = re.compile(r"\bhow (many|much)\b|\bno numbers\b|\bnever (told|given|says)\b", re.IGNORECASE)
YEAR_ASKED = re.compile(r"\b(what|which) year\b")
# A decade or a century answers "what year is it set in" too.
YEAR = re.compile(
    r"\b(1[5-9]\d\d|20\d\d)s?\b|\b(1[5-9]|2[01])(th|st)[- ]century\b|\b(twentieth|twenty-first)[- ]century\b",
    re.IGNORECASE,
)
# "How long…" is answered by a span: a number with a unit, or an age.
DURATION_ASKED = re.compile(r"\bhow long\b")
DURATION = re.compile(
    r"\b(\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|thirty|forty|fifty|hundred|few|"
    r"several|many)(?:[ -]\w+)?[ -](minutes?|hours?|days?|weeks?|months?|years?|decades?|pages?|chapters?)\b"
    r"|\b(teens|twenties|thirties|lifetimes?|lifespans?)\b"
    # "How long does it take for them to get together?" is answered by when it happens.
    r"|\b(finally|eventually|at last|years later|too late|twilight)\b",
    re.IGNORECASE,
)
# What kind of answer a question is after, from its frame rather than its topic words.
ORIGIN = re.compile(r"\bwhere\b.{0,40}\b(from|born|grow up|grew up)\b")
PLACE = re.compile(
    r"(^|[.?!]\s*)(so |and |but |ok |okay )?where(abouts)?\b|\bwhat (country|city|town|place|part of)\b"
)
DEFINITION = re.compile(
    r"\bwhat (kind|kinda|sort|type) of\b|\bwhat (is|was|are|were|'s) [\w .'-]{1,40}? like\b|\bdescribe\b"
    r"|\bwhat does (being )?(a |an |the )?[\w' -]{1,30}? mean\b"
    r"|" + LEAD_IN + r"what(?: even| exactly)?(?: is|'s| are| was| were)\s+(?:a |an |the )?"
    r"[\w'-]+(?: [\w'-]+)?\W*$"
)
# "When and where is it set?": the answer names a time.
TIME = re.compile(
    r"^\W*when\b|\bwhen and where\b|\btime and place\b|\bwhat (year|era|period|decade|century|time period|time)\b"
    r"|\bwhen (is|was) (it|this|the (story|book|novel))( even)? set\b"
)
DATED = re.compile(r"\b(1[89]\d\d|20\d\d)s?\b|\b(century|decade|era)\b", re.IGNORECASE)
ORIGIN_WORDS = ("born", "raised")
# "Where does the title come from" asks where a thing originates, not where someone was born.
THING_ORIGIN = re.compile(
    r"\b(title|name|song|phrase|idea|word|term|quote|tape|cassette|concept|premise|never let me go)\b"
)
# Questions about things beyond the book and its reviews: the cast's or author's other and future work,
# the asker's own club, buying a copy, doing something in real life.
OUTSIDE = re.compile(
    r"\b(other|more) (films|movies|shows|roles|series)\b"
    r"|\bwhat (else )?(has|have|had) (\w+ ){1,3}been in\b|\bbeen in (any|other|more|anything)\b"
    r"|\b(starred|acted|appeared) in\b|\b(next|new|latest|upcoming) (book|novel|film|movie)\b|\bsequel\b"
    r"|\b(our|my|the) (book ?)?club('?s)? (next )?(meeting|meetup|snacks?|schedule|host|pick|vote|night)\b"
    r"|\bour (next )?(meeting|meetup|discussion)\b"
    r"|\b(where|how) (can|do|should|could) (i|we) (buy|get|order|borrow|download|donate|register|sign up|join)\b"
    # The author's private life: reviews of a novel discuss the novel.
    r"|\b(is|was) (kazuo |ishiguro|he|the author)\w* married\b"
    r"|\b(ishiguro|the author)('s)? (wife|husband|family|kids)\b"
    r"|\b(ishiguro|kazuo|the author|he) (have|has|had) (any )?(kids|children|a wife|a family)\b"
    r"|\b(go|went|study|studied) (to |at )?(university|college|uni)\b"
    # The film's production and business, the book's object and sales.
    r"|\bbox office\b|\bbudget\b|\bgrossed\b|\b(make|made|earn|earned) (any |much |a lot of )?money\b"
    r"|\bhow much (money )?did (the |this )?(\d+ )?(film|movie|adaptation|it) (make|earn|gross)\b"
    r"|\bwhere (was|were|did) [^?]{0,30}\b(filmed|shot|film|shoot)\b|\bfilming locations?\b"
    r"|\bwhere [^?]{0,30}\b(was|were|got) (filmed|shot)\b|\bwhere they (filmed|shot)\b"
    r"|\bwho (plays|played|portrays|portrayed) \w+|\b(which|what) (actor|actress)\b|\bawards? for (her|his) role\b"
    r"|\bcover (art|design|image|artist)\b|\bdesigned the cover\b|\bhow many pages\b|\bpages? (long|count)\b"
    r"|\bcopies (sold|has it sold)\b|\bhow many copies\b|\bsales figures\b"
    r"|\bhow many chapters\b|\bchapters (are|is) (there )?in\b|\b(which|what) (edition|translation)\b"
    r"|\b(nicest|best|prettiest|ugliest|favou?rite) (cover|edition)\b|\beditions?\b.{0,30}\bcover\b"
    r"|\b(paperback|hardback|hardcover|kindle|ebook|e-book)\b|\bcheaper\b"
    # The film's music and where to watch it.
    r"|\b(composed|wrote|did) (the )?(musical )?(score|soundtrack)\b|\bwho (composed|scored)\b"
    r"|\bstreaming\b|\b(netflix|hulu|disney\+?|prime video|hbo)\b"
    r"|\bwhere (can|could|do) (i|we|you) (watch|stream|rent)\b|\bwhere (i|we|you) (can|could) (watch|stream|rent)\b"
    r"|\baudio ?books?\b"
    # What came after: the reviews were written about this book.
    r"|\b(publish|published|wrote|written|write|released) (since|after) (never let me go|nlmg|this|it)\b"
    r"|\b(published|written|wrote|released|put out) (anything|something|any \w+|a \w+) (new |else )?(since|after)\b"
    r"|\bnobel (prize )?(acceptance |lecture|speech)|\b(most recent|newest|last) (book|novel)\b"
    r"|\b(first|debut) (book|novel)\b|\b(which|what) (book|novel|author|writer) (actually |ended up |finally )?won\b"
    r"|\bwho (actually |ended up |finally )?(won|winning|beat) (the booker|that year|it that year)\b"
    r"|\bhow old (is|was) (kazuo |ishiguro|the author|he)\b"
    # Everyday chat and club logistics: today's weather, last night's match, moving a meeting.
    r"|\bweather\b.{0,30}\b(today|tomorrow|tonight|weekend|(mon|tues|wednes|thurs|fri|satur|sun)day|this week"
    r"|next week)\b"
    r"|\b(champions league|premier league|world cup|super bowl|football team|the game last night)\b"
    r"|\b(this|next) (week|month)'?s (meeting|meetup|session|discussion|call)\b|\bvoice (channel|chat|call)\b"
    r"|\b(when|what time) (are|r|do|will|should) we (meeting|meet|discussing|starting)\b"
    r"|\bwhat time (is|are) (the |our )?(meeting|call|discussion)\b"
    r"|\b(club|group)('s)? (is |are )?(reading|read) (next|after this)\b|\b(read|reading) next (month|week)\b"
    r"|\bwhat (are|r) we reading\b|\bwhat (book|novel) is (the|our) (club|group)\b"
    r"|\b(are|r) we meeting\b|\b(mon|tues|wednes|thurs|fri|satur|sun)day'?s? (meeting|discussion|call|session|chat)\b"
    r"|\breading schedule\b|\bclub (call|chat|zoom)\b|\b(before|after) the (meeting|call|meetup)\b"
    r"|\bnext (book )?(club )?(meeting|meetup|session|call)\b"
    r"|\b(the|a) (game|match) (tonight|today|last night|this weekend)\b"
    # Pets and where to eat: no review of this novel has a cat, a dog or a coffee place in it.
    r"|\b(my|your|anyone'?s|anyone else'?s|anyone elses|our|the) (cat|cats|dog|dogs|kitten|puppy)\b"
    r"|\b(coffee|pizza|lunch|dinner|brunch|food|drinks?) (place|places|shop|spot|spots)\b|\bnear the library\b"
    r"|\b(move|reschedule|postpone|cancel|push back) (the |our |next month's |next week's |this week's )?"
    r"(meeting|meetup|session|call|discussion)\b"
)
# "Are the deferrals real or not?": the answer affirms or denies, so it says "no", "never", "a myth", "true".
TRUTH_ASKED = re.compile(r"\b(real|true|untrue|fake|a myth|legit|exists?)\b(\s+or\s+(not|fake|made up))?\s*[?!.]*\s*$")
TRUTH = re.compile(r"\b(no|never|not|myth|myths|truth|true|false|lie|lies|turns out|in fact|fiction|rumou?red)\b")
# "Where do they go after Hailsham?": the answer is a move away from what is named.
DEPARTURE = re.compile(
    r"\b(go|goes|went|going|move|moves|happens?|happened) (to them )?after\b|\bafter (they|she|he) lea?ve?s?\b"
)
DEPARTURE_WORDS = ("leaves", "moves")
# "Who is Ruth?", "who even is madame? she just shows up…", "what kind of person is Tommy", "what's Ruth like":
# asked about a character as a whole, answered by the character card.
_NAME = r"(?:the\s+)?(?P<name>[^?!.,;]{1,60}?)"
_REST = r"\s*(?:[?!.,;].*)?$"  # whatever follows the question about the character
_AS_A_PERSON = r"(?:\s+as\s+a\s+(?:person|character))?"
_WHAT_IS = r"(?:what\s+(?:is|was)|what's|whats)"
_WHO_IS = (
    re.compile(
        LEAD_IN + r"(?:who|whos|who's)\s*(?:even\s+|exactly\s+|again\s+)?(?:is|was|are|'s)?\s+" + _NAME + _REST
    ),
    re.compile(
        LEAD_IN + r"(?:what\s+(?:kind|sort|type)\s+of\s+(?:person|character|guy|girl|woman|man)\s+(?:is|was)"
        r"|describe|tell\s+me\s+about"
        r"|(?:(?:can|could)\s+(?:you|u)\s+)?(?:give\s+(?:me|us)\s+)?(?:a\s+)?(?:quick\s+|short\s+|brief\s+)?"
        r"(?:rundown|overview|breakdown)\s+(?:of|on))\s+" + _NAME + _AS_A_PERSON + _REST
    ),
    re.compile(
        LEAD_IN + r"(?:" + _WHAT_IS + r"|(?:how\s+(?:would|do|does|should|could|can)\s+(?:you|u|we|i|one)\s+)?describe)"
        r"\s+" + _NAME + r"(?:'s|s)\s+personality\s*(?:like)?" + _REST
    ),
    re.compile(LEAD_IN + _WHAT_IS + r"\s+" + _NAME + r"\s+(?:really\s+|actually\s+)?like" + _AS_A_PERSON + _REST),
    re.compile(
        LEAD_IN + r"how\s+(?:would|do|does|should|could|can)\s+(?:you|u|we|i|one|the reviews)\s+describe\s+" + _NAME
        + _AS_A_PERSON + _REST
    ),
)
# "Why…?" is answered by a cause or a purpose: "because…", "to prove…", "so that…", "a way of…".
REASON_ASKED = re.compile(
    r"(^|[.?!,]\s*)(so |but |and |ok |okay |wait )*(why|how come)\b"
    r"|\bwhat('s| is| was| were)( the)?( real| actual| true| main| whole)? (point|reason|purpose)s?\b"
    r"|\bwhat('s|s| is| was| are| were) (the |a |an |all )?[\w' ]{1,30}? (actually |really |even )?for\W*$"
)
# "What was the purpose of the Gallery?": the purpose is the frame; the Gallery is the topic.
PURPOSE_WORDS = frozenset(("purpose", "purposes", "point", "reason", "reasons"))
REASON = re.compile(
    r"\b(because|since|so that|in order to|due to|caused by|reason|purpose|meant to|designed to|intended to|"
    r"(a|the|their|his|her) way (of|to)|to prove|to show|to convince|to protect|as a (way|means|result))\b",
    re.IGNORECASE,
)
# "How does Tommy react…", "how does Kathy take the news": the answer shows a feeling or an outburst.
REACTION_ASKED = re.compile(
    r"\b(react|reacts|reacted|reacting|reaction|respond|responds|responded|response|cope|copes|coped|coping)\b"
    r"|\b(take|takes|took|taking) (the news|it)\b|\bhow (does|did|do) \w+ (feel|handle)\b"
)
# Who reacts: "how does tommy take it", "kathy's reaction". Another's outburst does not answer.
REACTOR = re.compile(
    r"\bhow (?:does|did|do|is|was|would) ([a-z]+) (?:take|react|feel|handle|cope|respond|deal)"
    r"|\b([a-z]+)'s (?:reaction|response)\b"
)
# The frame's own words say how the question is asked, not what it is about.
REACTION_WORDS = frozenset(
    (
        "react", "reacts", "reacted", "reacting", "reaction", "respond", "responds", "responded", "response", "cope",
        "copes", "coped", "coping", "news", "feel", "handle",
    )
)
REACTION = re.compile(
    r"\b(anger|angry|rage|roar\w*|scream\w*|grief|griev\w*|weep\w*|wept|cry|cries|cried|tears|devastat\w*|"
    r"despair\w*|anguish|breaks? down|broke down|sob\w*|whisper\w*|shock\w*|numb\w*|heartbr\w*|furious|"
    r"pity|distress\w*|upset|resign\w*|horrif\w*)\b",
    re.IGNORECASE,
)
# "Were the other schools as nice as Hailsham?": the answer compares.
COMPARISON_ASKED = re.compile(
    r"\b(compare[sd]?|comparison|differ|differs|different|difference|unlike|similar|versus|vs|worse|better)\b"
    r"|\bas \w+ as\b|\blike \w+ or\b"
)
COMPARATIVE = re.compile(
    r"\b(less|worse|better|unlike|by contrast|in contrast|whereas|compared|similar|different|differs)\b"
    r"|\bmore \w+ than\b",
    re.IGNORECASE,
)
# "What are the main themes?", "what genre is it": the answer lists them ("themes of A, B, and C").
# "Is it really about cloning or is that a device?": the answer says what the book is at heart.
ESSENCE_ASKED = re.compile(
    r"\b(really|actually|even|basically|just|mainly|mostly|truly|technically) (about|abt)\b"
    r"|\b(just|only|merely|simply) (a |the )?(device|vehicle|backdrop|setting|metaphor|premise|gimmick)\b"
    r"|\bstand[- ]in\b|\b(metaphor|allegory) for (something|smth|sth|somethin)\b"
    r"|\bmore (of )?a \w+ (story |book |novel )?or\b|\b(whole|real|actual) (message|point)\b"
)
ESSENCE_WORDS = frozenset(("device", "vehicle", "backdrop", "gimmick", "stand", "something", "smth", "sth", "somethin"))
ESSENCE = re.compile(
    r"\b(is|are|isn't|not|really|more|rather|but|story) (just |only |simply |really |truly |merely )?about\b"
    r"|\bnot (just|only|merely|simply) (a|an)\b|\bmetaphor for\b|\bmore than (a|an|just)\b"
    r"|\bat (its|the) (heart|core)\b|\bemotional core\b",
    re.IGNORECASE,
)
# "What does Miss Lucy tell them", "what does Ruth admit": the answer quotes or reports the words.
SPEECH_ASKED = re.compile(
    r"\bwhat (?:does|did|do|would) [\w' ]{1,30}?\b(?:tell|say|admit|confess|reveal|whisper|explain)s?\b"
    r"|\b(?:has|did|does) [\w ]{1,25}? (?:said|say|says)\b"
)
SPEECH_WORDS = frozenset(("tell", "tells", "say", "says", "said"))
SPEECH = re.compile(
    r"[“\"]\w|\b(says|said|tells|told|admits|admitted|confesses|insists|whispers|explains|asks|replies)\b",
    re.IGNORECASE,
)
LIST_ASKED = re.compile(r"\bwhat (are|were) the\b|\b(what|which) (genres?|themes?)\b|\bgenres?\b|\bthemes\b")
LIST = re.compile(r"\w+, (?:[\w'-]+ ){0,3}[\w'-]+,? (?:and|or) \w+")
# "What role does memory play?", "the role of memory": the role is the question's frame, not its topic.
ROLE_FRAME = re.compile(r"\brole\b.{0,40}\bplay(s|ed|ing)?\b|\bplay(s|ed|ing)? (a|an|the) (\w+ )?role\b|\brole of\b")
ROLE_WORDS = frozenset(("role", "roles", "play", "plays", "played", "playing"))
# "Who wrote it?" is answered by the sentence that names the author, not by any that says "author".
_WHO_WROTE = re.compile(r"\bwho(?:'s| is| was)? (?:wrote|writ|the (?:author|writer))\b")


def character_asked(folded: str) -> str | None:
    """The name in a question about a character as a whole, if it is one."""
    for pattern in _WHO_IS:
        match = pattern.match(folded)
        if match is not None:
            return match.group("name")
    return None


def asks_author(folded: str) -> bool:
    return _WHO_WROTE.search(folded) is not None

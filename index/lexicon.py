"""The curated word lists analysis folds with: stopwords, spellings, phrases, synonym groups.

Data rather than code, kept apart from the functions in ``index.analysis`` so the lists can grow
(they are how members ask) without burying the analysis itself.
"""

from __future__ import annotations

# Standard English function words plus the words members wrap questions in.
STOPWORDS = frozenset(
    [
        "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "aren't", "as",
        "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "can't",
        "cannot", "could", "couldn't", "did", "didn't", "do", "does", "doesn't", "doing", "don't", "down", "during",
        "each", "few", "for", "from", "further", "had", "hadn't", "has", "hasn't", "have", "haven't", "having",
        "he", "he'd", "he'll", "he's", "her", "here", "here's", "hers", "herself", "him", "himself", "his", "how",
        "how's", "i", "i'd", "i'll", "i'm", "i've", "if", "in", "into", "is", "isn't", "it", "it's", "its",
        "itself", "let's", "me", "more", "most", "mustn't", "my", "myself", "no", "nor", "not", "of", "off", "on",
        "once", "only", "or", "ought", "our", "ours", "ourselves", "out", "over", "own", "same", "shan't",
        "she", "she'd", "she'll", "she's", "should", "shouldn't", "so", "some", "such", "than", "that", "that's",
        "the", "their", "theirs", "them", "themselves", "then", "there", "there's", "these", "they", "they'd",
        "they'll", "they're", "they've", "this", "those", "through", "to", "too", "under", "until", "up", "very",
        "was", "wasn't", "we", "we'd", "we'll", "we're", "we've", "were", "weren't", "what", "what's", "when",
        "when's", "where", "where's", "which", "while", "who", "who's", "whom", "why", "why's", "with", "won't",
        "would", "wouldn't", "you", "you'd", "you'll", "you're", "you've", "your", "yours", "yourself",
        "yourselves", "what", "whats", "whos", "wheres", "hows", "whys", "whose", "also", "just", "really",
        "actually", "even", "still", "ever", "tell", "explain", "describe", "know", "knows", "think", "thinks",
        "mean", "means", "meaning", "say", "says", "said", "happen", "happens", "happened", "happening", "anyone",
        "anybody", "someone", "something", "anything", "thing", "things", "pls", "plz", "please", "thanks", "thank",
        "lol", "lmao", "omg", "ok", "okay", "hey", "hi", "hello", "guys", "yall", "u", "ur", "r", "im", "ive", "id",
        "dont", "doesnt", "didnt", "isnt", "wasnt", "arent", "cant", "wont", "ya", "yeah", "yes", "nope", "gonna",
        "wanna", "kinda", "sorta", "get", "gets", "got", "go", "goes", "going", "went", "does", "doing", "done",
        "book", "novel", "story", "like", "kind", "kinda", "bit", "right", "big", "whole", "much", "many", "make",
        "makes", "made", "take", "takes", "seem", "seems", "seemed", "sure", "place", "real", "deal", "point",
        "near", "exact", "exactly", "main", "supposed", "suppose", "meant", "ever", "else", "roughly", "weirdly",
        "basically", "lot", "lots", "stuff", "way", "ways", "one", "ones", "guy", "guys", "person", "people",
        "time", "times", "bit", "bits", "remind", "someone", "someones", "whats", "theres",
        "heres", "thats", "tbh", "idk", "imo", "imho", "rn", "btw", "tho", "though", "confused", "confusing",
        "finished", "reading", "read", "halfway", "chapter", "chapters", "spoil", "spoiler", "spoilers", "good",
        "bad", "great", "nice", "cool", "awesome", "terrible", "awful", "let", "lets", "letting", "saying", "just",
        "us",
        # "sorry" opens or closes a chat message; "say sorry" is a phrase (below).
        "sorry",
        # Chat abbreviations and contractions typed without their apostrophe.
        "smth", "sth", "ngl", "irl", "fr", "lmk", "cuz", "coz", "rly", "rlly", "srsly", "prob", "probs", "gotta",
        "dunno", "thx", "ty", "wtf", "rofl", "haha", "hahaha", "xd", "ikr", "afaik", "iirc", "fwiw", "tldr", "hmm",
        "um", "uh", "shes", "hes", "theyre", "youre", "werent", "couldnt", "wouldnt", "shouldnt", "hasnt",
        "havent", "hadnt", "theyve", "weve", "youve", "wise", "af", "asf", "tf", "lowkey", "highkey",
        # When the asker is reading, not what the book is about.
        "month", "months", "week", "weeks", "weekend", "tomorrow", "yesterday", "tonight", "currently",
        "according",
        # Quantifiers and placeholders: "why is kathy so calm about everything", "whether".
        "since", "ch", "nobody", "noone", "wondering", "wonder", "wondered",
        "whether", "every", "everything", "everyone", "everybody", "around", "anywhere", "somewhere", "everywhere",
    ]
)
# Intensifiers and hedges carry no topic. Matched as written, not by stem: "completely" shares its stem
# with "completes" (dies), and "totally" with "total".
EXACT_STOPWORDS = frozenset(
    [
        "completely", "totally", "literally", "fully", "truly", "honestly", "originally", "seriously", "super",
        "pretty", "important", "importance", "significant", "significance", "overall", "generally", "anyway", "wait",
        "genuinely", "particular", "particularly", "especially", "specifically", "nah", "roommate", "roomie", "next",
        "misread", "misreading", "misremember", "misremembering", "misunderstood", "relentlessly", "utterly",
        "incredibly", "extremely", "insanely", "ridiculously",
    ]
)

# Spelling variants folded before stemming.
SPELLING = {
    "ops": "operations", "op": "operation", "90s": "1990s", "nineties": "1990s", "80s": "1980s", "00s": "2000s",
    "rumour": "rumor", "rumours": "rumors", "centre": "center", "centres": "centers", "favour": "favor",
    "favourite": "favorite", "colour": "color", "behaviour": "behavior", "honour": "honor", "realise": "realize",
    "realised": "realized", "organise": "organize", "recognise": "recognize", "ploughed": "plowed", "grey": "gray",
    "theatre": "theater", "labour": "labor", "whos": "who", "wat": "what", "abt": "about", "bc": "because",
    "tho": "though", "thru": "through",
    "til": "until", "till": "until", "n": "and", "w": "with", "ppl": "people", "luv": "love", "fav": "favorite",
    "og": "original", "fave": "favorite",
    "tommys": "tommy", "kathys": "kathy", "ruths": "ruth", "kaths": "kathy", "madames": "madame",
    "dystopic": "dystopian", "criticism": "weakness", "criticisms": "weakness",
    "symbolise": "symbolize", "symbolises": "symbolizes", "symbolised": "symbolized",
    "programme": "program", "programmes": "programs",
    # Function words typed fast.
    "teh": "the", "hte": "the", "adn": "and", "taht": "that", "waht": "what", "wut": "what", "wht": "what",
}

# Each group folds to its first word's stem. Curated for how members ask about this kind of book.
SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    ("film", "movie", "movies", "films", "adaptation", "adapted", "adapt", "cinema", "screen", "flick"),
    (
        "die", "dies", "died", "dying", "death", "dead", "deaths", "complete", "completes", "completed",
        "completion", "completing", "kill", "killed", "killing", "perish",
    ),
    (
        "prize", "prizes", "award", "awards", "awarded", "shortlisted", "shortlist", "nominated", "nomination",
        "booker", "win", "wins", "won", "winning",
    ),
    ("clone", "clones", "cloned", "cloning"),
    (
        "donate", "donation", "donations", "donor", "donors", "donating", "harvest", "harvested", "harvesting",
        "organ", "organs",
    ),
    ("carer", "carers", "caregiver", "caretaker", "nurse", "care", "cares", "cared", "caring"),
    ("guardian", "guardians", "teacher", "teachers", "staff"),
    ("ending", "end", "ends", "ended", "conclusion", "climax"),
    ("author", "writer", "wrote", "written", "write", "writes"),
    ("defer", "deferral", "deferrals", "deferred", "postpone", "postponed", "delay", "delayed"),
    ("possible", "possibles", "original", "originals"),
    (
        "critic", "critics", "critical", "critically", "reviewer", "reviewers", "reception",
        "received", "acclaim", "acclaimed", "praise", "praised",
    ),
    ("theme", "themes", "thematic", "message", "messages"),
    (
        "symbol", "symbols", "symbolism", "symbolic", "symbolize", "symbolizes", "metaphor", "metaphors", "represent",
        "represents", "represented", "representing", "allegory", "allegorical",
    ),
    ("school", "schools", "boarding", "institution", "institutions"),
    ("surgery", "surgeries", "operation", "operations", "operated", "transplant", "transplants"),
    (
        "tantrum", "tantrums", "temper", "outburst", "outbursts", "meltdown", "meltdowns", "breakdown", "volatile",
        "volatility", "rage", "rages", "raging",
    ),
    ("rumor", "rumors", "rumour", "rumours", "rumored", "rumoured", "myth", "myths", "fake", "hoax", "illusion"),
    ("hospital", "hospitals", "clinic", "clinics", "medical", "recovery"),
    ("role", "roles", "job", "jobs", "duty", "duties", "career"),
    (
        "growth", "grow", "grows", "grew", "change", "changes", "changed", "develop", "develops", "development",
        "evolve", "evolves", "evolved", "transform", "transforms", "arc",
    ),
    (
        "weakness", "weaknesses", "flaw", "flaws", "negative", "negatives", "downside", "downsides", "complaint",
        "complaints", "dislike", "disliked", "criticize", "criticise", "criticized", "complain", "complains",
        "complained", "pan", "panned", "trashed", "slammed",
    ),
    ("sad", "sadness", "tragic", "tragedy", "heartbreaking", "depressing", "cry", "cried", "crying", "tears"),
    ("love", "loves", "loved", "romance", "romantic", "crush", "couple", "couples"),
    ("genre", "genres", "category", "categorized", "classified"),
    ("publish", "published", "publication", "released", "release"),
    ("soul", "souls"),
    ("origin", "origins", "originate", "originates", "originated", "derive", "derives", "derived"),
    ("protagonist", "protagonists", "hero", "heroine"),
    (
        "antagonist", "antagonists", "villain", "villains", "villainous", "evil", "manipulative", "controlling",
        "cruel", "toxic", "bossy", "nasty",
    ),
    ("cassette", "cassettes", "tape", "tapes", "mixtape", "recording"),
    ("child", "children", "childhood", "kid", "kids", "young", "younger", "boy", "girl", "kiddo"),
    ("scream", "screams", "screamed", "screaming", "roar", "roars", "yell", "yells", "shout", "shouts"),
    (
        "confess", "confesses", "confessed", "confession", "admit", "admits", "admitted", "apologize", "apologise",
        "apologizes",
    ),
    (
        "escape", "escapes", "flee", "runaway", "resist", "resists", "resistance", "rebel", "rebellion", "rebels",
        "revolt",
    ),
    ("slow", "slowly", "pace", "pacing", "paced", "boring", "dull", "drag", "drags"),
    ("scifi",),
    ("close", "closed", "closes", "shut", "shuts", "closing"),
    ("song", "songs", "sing", "sings", "singer", "sang", "music"),
    (
        "teach", "teaches", "taught", "teaching", "curriculum", "curricula", "classroom", "classrooms", "course",
        "courses", "educational", "education", "educator", "educators",
    ),
    ("relevant", "relevance", "contemporary", "today", "modern", "nowadays"),
    ("genetic", "gene", "genes", "genetics", "crispr", "genomics"),
    ("art", "artwork", "artworks", "paintings", "painting"),
    ("drawing", "drawings", "draw", "drew", "drawn", "sketch", "sketches"),
    (
        "memory", "memories", "remember", "remembers", "remembered", "remembering", "recollection", "recollections",
        "recall", "recalls", "recalled", "reminisce", "reminisces", "nostalgia", "nostalgic",
    ),
    (
        "nonlinear", "chronological", "chronologically", "timeline", "timelines", "flashback", "flashbacks",
        "fragmented", "linear", "tangent", "tangents", "digress", "digresses", "digression", "digressions",
    ),
    (
        "accept", "accepts", "accepted", "accepting", "acceptance", "resigned", "resignation", "passive",
        "passivity", "obey", "obeys", "obedience", "obedient", "submit", "submissive",
    ),
    (
        "calm", "calmness", "calmly", "chill", "composed", "detached", "detachment", "restrained", "restraint",
        "unemotional", "emotionless", "flat", "understated", "subdued",
    ),
    (
        "eerie", "eerily", "creepy", "creep", "creeped", "creeps", "unsettling", "unsettled", "sinister", "uncanny",
        "disturbing", "disturbingly", "chilling", "ominous",
    ),
    (
        "deliberate", "deliberately", "intentional", "intentionally", "strategy", "strategies", "technique",
        "techniques",
    ),
    ("narrator", "narrators", "narrate", "narrates", "narrated", "narrating", "narration"),
    (
        "redemption", "redeem", "redeems", "redeemed", "redemptive", "atone", "atones", "atonement", "amends",
        "forgive", "forgives", "forgave", "forgiveness", "forgiven",
    ),
    ("give", "gives", "gave", "given", "giving", "offer", "offers", "offered", "offering"),
    ("list", "lists", "listed", "ranking", "rankings", "ranked", "top"),
    ("bloody", "gory", "gore", "gruesome", "graphic"),
    ("unreliable", "reliable", "reliably", "trust", "trustworthy", "untrustworthy"),
    ("similar", "similarly", "compare", "compared", "comparison", "comparisons", "comparable", "akin", "reminiscent"),
    ("normal", "ordinary", "regular"),
    ("uk", "britain", "british"),
    (
        "mock", "mocks", "mocked", "mocking", "tease", "teases", "teased", "teasing", "bully", "bullies", "bullied",
        "bullying", "ridicule", "ridiculed", "taunt", "taunts", "taunted",
    ),
    ("soften", "softens", "softened", "softer", "kinder", "nicer", "mellow", "mellows", "mellowed"),
)

# Multi-word ways of saying one thing, replaced before tokenising.
PHRASES = (
    ("science fiction", "scifi"), ("sci fi", "scifi"), ("sci-fi", "scifi"), ("run away", "escape"),
    ("runs away", "escape"), ("ran away", "escape"), ("fight back", "resist"), ("came out", "published"),
    ("come out", "published"), ("comes out", "published"),
    ("new york times", "nyt"), ("artificial intelligence", "ai"), ("gene editing", "genetic engineering"),
    ("coming of age", "bildungsroman"), ("coming-of-age", "bildungsroman"), ("takes place", "setting"),
    ("is from", "born"), ("come from", "origin"), ("comes from", "origin"), ("grew up", "raised"),
    ("main character", "protagonist"), ("main characters", "protagonists"), ("lead character", "protagonist"),
    ("take place", "setting"), ("took place", "setting"), ("set in", "setting"), ("is set", "setting"),
    # Phrasal verbs and idioms whose words mislead one by one: "end up" is not the ending, "left out" is
    # not "left", "near the end" places a question in time rather than asking about the ending.
    ("end up together", "couple"), ("ends up together", "couple"), ("ended up together", "couple"),
    ("get together", "couple"), ("gets together", "couple"), ("got together", "couple"), ("end up", ""),
    ("ends up", ""), ("ended up", ""), ("near the end", ""), ("towards the end", ""), ("toward the end", ""),
    ("by the end", ""), ("how long", ""), ("the part where", ""), ("part where", ""), ("the part when", ""),
    ("moral heart", "moral compass"), ("moral center", "moral compass"),
    ("moral centre", "moral compass"), ("left out", "excluded"), ("leave out", "excluded"), ("leaves out", "excluded"),
    ("lose it", "breaks down"), ("loses it", "breaks down"), ("lost it", "breaks down"), ("freak out", "breaks down"),
    ("freaks out", "breaks down"), ("bad reviews", "weakness"), ("bad review", "weakness"),
    ("negative reviews", "weakness"), ("not like", "dislike"), ("not liking", "dislike"),
    ("bad person", "antagonist"), ("good person", "antagonist"), ("bad guy", "antagonist"), ("bad guys", "antagonist"),
    ("mean girl", "antagonist"), ("on the fence", ""), ("pick it up", ""), ("picking it up", ""),
    ("breaks down", "breakdown"), ("broke down", "breakdown"), ("loses it", "meltdown"), ("lose it", "meltdown"),
    ("losing it", "meltdown"), ("freaks out", "meltdown"), ("freak out", "meltdown"), ("freaked out", "meltdown"),
    ("flip out", "meltdown"), ("flying into rages", "meltdown"), ("flies into rages", "meltdown"),
    ("fly into a rage", "meltdown"), ("flies into a rage", "meltdown"), ("flew into a rage", "meltdown"),
    ("am i overthinking it", ""), ("am i overthinking this", ""), ("am i overreading", ""),
    ("reading too much into it", ""), ("reading too much into this", ""),
    ("flips out", "meltdown"), ("flipping out", "meltdown"), ("flipped out", "meltdown"),
    # Who else is asking: "half my club found it slow" asks what reviewers say about slowness.
    ("picked on", "mocked"), ("pick on", "mock"), ("picks on", "mock"), ("picking on", "mock"),
    ("make fun of", "mock"), ("made fun of", "mocked"), ("making fun of", "mocking"),
    ("extra years", "deferral"), ("more years", "deferral"), ("extra time", "deferral"), ("buy time", "deferral"),
    ("buy them more time", "deferral"), ("buy more time", "deferral"),
    ("in our group", ""), ("our group", ""), ("is it just us", ""), ("is it just me", ""), ("just me", ""),
    ("on the page", ""), ("off the page", ""), ("offscreen", ""), ("off screen", ""), ("off-screen", ""),
    ("someone in my club", ""), ("people in my club", ""), ("ppl in my club", ""), ("half my club", ""),
    ("my book club", ""), ("our book club", ""), ("my club", ""), ("our club", ""), ("my group", ""),
    ("for my essay", ""), ("for an essay", ""), ("for my paper", ""), ("for my class", ""), ("for class", ""),
    ("for school", ""), ("for my book report", ""), ("need something", ""), ("need smth", ""), ("need a book", ""),
    ("read next", "recommend"), ("should i read", "recommend"), ("what to read", "recommend"),
    ("worth reading", "recommend"), ("worth it", "recommend"), ("worth the read", "recommend"),
    ("stand for", "represent"), ("stands for", "represent"), ("my friend", ""), ("a friend", ""),
    ("stand in for", "represent"), ("standing in for", "represent"), ("stands in for", "represent"),
    ("stand-in for", "represent"), ("vehicle for", "metaphor for"),
    ("say sorry", "apologize"), ("says sorry", "apologize"), ("said sorry", "apologize"),
    # Looking after someone is the carers' and guardians' work in this kind of story.
    ("look after", "care"), ("looks after", "care"), ("looked after", "care"), ("looking after", "care"),
    ("take care of", "care"), ("takes care of", "care"), ("took care of", "care"), ("taking care of", "care"),
    ("watch over", "care"), ("watches over", "care"), ("watching over", "care"), ("in charge of", "guardian"),
    # Making amends.
    ("make up for", "redemption"), ("makes up for", "redemption"), ("made up for", "redemption"),
    ("make it up to", "redemption"), ("make things up to", "redemption"), ("make things right", "redemption"),
    ("make it right", "redemption"), ("makes things right", "redemption"), ("make amends", "redemption"),
    ("hand over", "give"), ("hands over", "give"), ("handed over", "give"), ("pass on", "give"),
    # How a story is told.
    ("in order", "chronological"), ("jump around", "nonlinear"), ("jumps around", "nonlinear"),
    ("jumping around", "nonlinear"), ("back and forth", "nonlinear"), ("flashing back", "flashback"),
    ("flash back", "flashback"), ("flashes back", "flashback"), ("non-linear", "nonlinear"),
    ("non linear", "nonlinear"), ("telling the story", "narrator"), ("tells the story", "narrator"),
    ("told the story", "narrator"), ("whos narrating", "narrator"), ("who is narrating", "narrator"),
    ("worth watching", "praise"), ("worth seeing", "praise"), ("worth a watch", "praise"),
    ("keep coming up", ""), ("keeps coming up", ""), ("keeps popping up", ""), ("keep popping up", ""),
    ("so special about", "about"), ("special about", "about"), ("lost track", ""), ("lose track", ""),
    ("losing track", ""), ("remembering the past", "memory"), ("remember the past", "memory"),
    ("keeps going on", ""), ("keep going on", ""), ("going on about", ""), ("without too much detail", ""),
    ("goes on about", ""), ("go on about", ""), ("too much detail", ""), ("without spoiling", ""),
    ("without spoilers", ""), ("no spoilers", ""), ("look back", "memory"), ("looks back", "memory"),
    ("looking back", "memory"), ("looked back", "memory"), ("on purpose", "deliberate"),
    ("deep q", ""), ("deep question", ""), ("dumb q", ""), ("dumb question", ""), ("quick q", ""),
    ("quick question", ""), ("random q", ""), ("random question", ""), ("stupid question", ""),
    ("silly question", ""), ("stupid q", ""), ("in this world", ""), ("honest q", ""), ("honest question", ""),
    ("to be honest", ""), ("does it pick up", "pace"), ("it picks up", "pace"), ("pick up", "pace"),
    # How the member feels while asking, not what they ask about.
    ("drove me nuts", ""), ("driving me nuts", ""), ("drives me nuts", ""), ("drove me crazy", ""),
    ("driving me crazy", ""), ("bugged me", ""), ("bugs me", ""), ("i'm wrecked", ""), ("im wrecked", ""),
    ("i'm a wreck", ""), ("im a wreck", ""), ("i am a wreck", ""), ("hang on", ""), ("just finished and", ""),
    ("it felt really", ""), ("it felt", ""),
    ("wrecked me", ""), ("destroyed me", ""), ("broke me", ""), ("killed me", ""), ("i was not ok", ""),
    ("felt a bit called out", ""), ("felt called out", ""), ("sounds older", ""), ("every other page", ""),
    ("kinda hate her", ""), ("kinda hate him", ""), ("i hate her", ""), ("i hate him", ""),
    ("so special abt", "about"), ("special abt", "about"), ("just run away", "escape"), ("just run", "escape"),
    ("run off", "escape"),
    ("fight the system", "resist"), ("go along with", "accept"), ("goes along with", "accept"),
    ("going along with", "accept"), ("go along w", "accept"), ("off on tangents", "nonlinear"),
    ("makes us human", "defines human"),
    ("makes someone human", "defines human"), ("makes a person human", "defines human"),
    ("makes people human", "defines human"), ("makes you human", "defines human"),
    ("make us human", "defines human"), ("make someone human", "defines human"),
    # Casual phrasings of what the reviews say in other words.
    ("should i read next", "recommend"), ("track down", "find"), ("tracks down", "find"), ("tracked down", "find"),
    ("hunt for", "find"), ("hunting for", "find"), ("hunt down", "find"), ("put off", "defer"),
    ("puts off", "defer"), ("buy time", "defer"), ("buy her time", "defer"), ("buy them time", "defer"),
    ("buys time", "defer"), ("hold back", "hide"), ("holding back", "hide"), ("holds back", "hide"),
    ("holding something back", "hide"), ("fond of", "love"), ("big name", ""),
)

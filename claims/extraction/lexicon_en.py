"""English word lists for the parse-based attribution rules (claims/extraction/english.py).

Cue verbs are listed by lemma; `cue_lemma()` maps any written form ("said", "conceded", "insists")
back to its lemma without spaCy's lemmatizer, so the pipeline can run without that component.
"""

from __future__ import annotations

import functools

# Verbs of saying, reporting, asserting and assessing: the subject is the party making the claim.
SPEECH = frozenset(
    [
        "say",
        "tell",
        "state",
        "report",
        "announce",
        "add",
        "note",
        "write",
        "post",
        "tweet",
        "publish",
        "release",
        "stress",
        "emphasize",
        "emphasise",
        "underline",
        "underscore",
        "explain",
        "clarify",
        "specify",
        "reiterate",
        "repeat",
        "declare",
        "proclaim",
        "assert",
        "insist",
        "maintain",
        "contend",
        "argue",
        "claim",
        "allege",
        "suggest",
        "indicate",
        "reveal",
        "disclose",
        "confirm",
        "acknowledge",
        "admit",
        "concede",
        "deny",
        "refute",
        "reject",
        "dispute",
        "rebut",
        "dismiss",
        "counter",
        "contradict",
        "respond",
        "reply",
        "answer",
        "retort",
        "comment",
        "remark",
        "observe",
        "mention",
        "recount",
        "recall",
        "relay",
        "inform",
        "brief",
        "testify",
        "warn",
        "caution",
        "predict",
        "forecast",
        "estimate",
        "assess",
        "conclude",
        "judge",
        "calculate",
        "reckon",
        "believe",
        "think",
        "suspect",
        "fear",
        "expect",
        "hope",
        "doubt",
        "speculate",
        "describe",
        "characterize",
        "characterise",
        "call",
        "brand",
        "dub",
        "label",
        "term",
        "hail",
        "condemn",
        "denounce",
        "decry",
        "criticize",
        "criticise",
        "accuse",
        "blame",
        "praise",
        "welcome",
        "pledge",
        "vow",
        "promise",
        "threaten",
        "urge",
        "demand",
        "appeal",
        "list",
        "detail",
        "outline",
        "boast",
        "complain",
        "lament",
        "protest",
        "signal",
        "hint",
        "imply",
        "assure",
        "reassure",
        "tout",
        "cite",
        "quote",
        "broadcast",
        "air",
        "circulate",
        "share",
        "agree",
        "disagree",
        "acknowledge",
        "recognise",
        "recognize",
        "find",
        "learn",
    ]
)

# Appeals and retractions: "asked the government to ...", "walked back her announcement".
SPEECH = SPEECH | {"ask", "walk"}

# Verbs that need a document- or report-like subject to be a cue ("the order shows", "data suggest").
DOCUMENT_VERBS = frozenset({"show", "read", "suggest", "indicate", "point", "find", "conclude", "say", "state"})

# Verbs whose subject is a reporter only when they take a clause, a quote or an information object;
# with other objects they are ordinary actions ("added two brigades", "posted guards", "listed the ship").
NEED_CONTENT = frozenset(
    {"add", "post", "publish", "release", "list", "detail", "share", "circulate", "air", "broadcast", "find",
     "learn", "expect", "hope", "fear", "welcome", "praise", "call", "cite", "quote", "answer", "agree",
     "recognise", "recognize", "judge", "respond", "reply", "retort", "calculate", "signal", "counter", "outline", "think"}
)  # fmt: skip

# Objects that make an action verb a statement: "posted a video", "released a statement".
INFO_OBJECTS = frozenset(
    [
        "statement",
        "statements",
        "report",
        "reports",
        "video",
        "videos",
        "footage",
        "photo",
        "photos",
        "photograph",
        "photographs",
        "image",
        "images",
        "message",
        "messages",
        "post",
        "posts",
        "update",
        "updates",
        "figure",
        "figures",
        "data",
        "number",
        "numbers",
        "toll",
        "count",
        "tally",
        "list",
        "details",
        "information",
        "account",
        "accounts",
        "claim",
        "claims",
        "denial",
        "allegation",
        "allegations",
        "assessment",
        "estimate",
        "estimates",
        "bulletin",
        "communique",
        "release",
        "note",
        "letter",
        "warning",
        "appeal",
        "map",
        "maps",
        "document",
        "documents",
        "names",
        "evidence",
        "picture",
        "pictures",
        "clip",
        "clips",
        "recording",
        "recordings",
        "audio",
        "transcript",
        "analysis",
        "summary",
        "readout",
        "responsibility",
        "victory",
    ]
)

# Things one "claims" that are not statements: "the attack claimed 12 lives".
CLAIMED_THINGS = frozenset(
    [
        "life",
        "lives",
        "victim",
        "victims",
        "territory",
        "territories",
        "village",
        "villages",
        "town",
        "towns",
        "land",
        "lands",
        "city",
        "cities",
        "ground",
        "area",
        "areas",
        "seat",
        "seats",
        "title",
        "titles",
        "medal",
        "medals",
        "prize",
        "kilometers",
        "kilometres",
        "miles",
        "hectares",
    ]
)

# Nouns that speak for their owner: "a statement from the army said", "the ministry's report reads".
MESSAGE_NOUNS = frozenset(
    [
        "statement",
        "statements",
        "report",
        "reports",
        "post",
        "posts",
        "message",
        "messages",
        "bulletin",
        "update",
        "updates",
        "release",
        "communique",
        "announcement",
        "readout",
        "notice",
        "publication",
        "tweet",
        "video",
        "footage",
        "account",
        "channel",
        "telegram",
        "website",
        "site",
        "page",
        "summary",
        "briefing",
        "note",
        "letter",
        "blog",
        "article",
        "investigation",
        "study",
        "survey",
        "analysis",
        "assessment",
        "estimate",
        "data",
        "figures",
        "count",
        "tally",
    ]
)

# Document nouns: a document is its issuer's claim, of kind "document" (CONVENTIONS 3.4).
DOCUMENT_NOUNS = frozenset(
    [
        "document",
        "documents",
        "order",
        "orders",
        "memo",
        "memos",
        "memorandum",
        "plan",
        "plans",
        "directive",
        "directives",
        "intercept",
        "intercepts",
        "file",
        "files",
        "paper",
        "papers",
        "filing",
        "filings",
        "cable",
        "cables",
        "dossier",
        "record",
        "records",
        "minutes",
        "passage",
        "slide",
        "slides",
        "transcript",
        "transcripts",
        "letter",
        "letters",
    ]
)

# "rejected reports that ...": a dismissal is a statement only about a claim, not about a proposal or an offer.
DISMISS_VERBS = frozenset({"reject", "dismiss", "refute", "rebut"})
DISMISSED_OBJECTS = frozenset(
    [
        "report",
        "reports",
        "claim",
        "claims",
        "allegation",
        "allegations",
        "accusation",
        "accusations",
        "suggestion",
        "suggestions",
        "speculation",
        "rumor",
        "rumors",
        "rumour",
        "rumours",
        "assertion",
        "assertions",
        "statement",
        "statements",
        "information",
        "idea",
        "notion",
        "charge",
        "charges",
        "account",
        "accounts",
        "version",
    ]
)

# Nouns of a count or an assessment whose maker is named by "by"/"from": "according to estimates by the army".
FINDING_NOUNS = frozenset(
    [
        "count",
        "counts",
        "tally",
        "estimate",
        "estimates",
        "figure",
        "figures",
        "data",
        "calculation",
        "calculations",
        "analysis",
        "findings",
        "assessment",
        "assessments",
        "report",
        "reports",
        "image",
        "images",
        "survey",
        "study",
        "research",
        "investigation",
        "review",
        "monitoring",
        "statement",
        "statements",
        "information",
    ]
)

# Cues that present the claim as a belief or an allegation: hedged (CONVENTIONS 5.1).
HEARSAY = frozenset({"claim", "allege", "believe", "think", "suspect", "purport", "speculate", "guess", "doubt"})
# Denials: hedge words in what they reject are the rejected party's, not the denier's (5.2).
DENY_VERBS = frozenset({"deny", "reject", "dismiss", "refute", "rebut", "dispute", "counter", "contradict"})

# Agentless attribution adverbs and nouns.
AGENTLESS_ADVERBS = frozenset({"reportedly", "allegedly", "purportedly", "supposedly", "ostensibly"})
REPORT_NOUNS = frozenset({"report", "reports", "rumour", "rumours", "rumor", "rumors", "claims", "accounts"})

# Passive agentless cues: "is said to", "is believed to", "were reported", "is thought to".
AGENTLESS_PASSIVE = frozenset(
    {"say", "report", "believe", "think", "allege", "rumour", "rumor", "understand", "know", "expect", "suspect",
     "claim", "estimate", "fear", "tell"}
)  # fmt: skip

# Participles and prepositions that add an intermediary (via): "citing X", "quoting X", "quoted by X".
VIA_PARTICIPLES = frozenset({"citing", "quoting", "referring", "relying"})

# Verbs whose indirect object is the outlet that carried the words ("told the Times").
TELL_VERBS = frozenset({"tell", "inform", "brief", "assure", "reassure", "warn"})

# "X quoted Y as saying": the quoted party speaks; X is the intermediary.
QUOTE_VERBS = frozenset({"quote", "cite"})

# Subordinating words that make a second cue a separate, same-level source ("while the rebels claimed").
CONTRAST_MARKS = frozenset({"while", "whereas", "although", "though", "but", "after", "before", "as", "since", "when"})

# Possibility and uncertainty words inside the content are hedges (CONVENTIONS 5.1).
PRONOUNS_PERSON = frozenset({"he", "she", "him", "her"})
PRONOUNS_PLURAL = frozenset({"they", "them"})
PRONOUNS_THING = frozenset({"it"})
FIRST_PERSON = frozenset({"i", "we", "you", "me", "us"})

_IRREGULAR = {
    "say": ("said",),
    "tell": ("told",),
    "write": ("wrote", "written"),
    "think": ("thought",),
    "find": ("found",),
    "show": ("shown",),
    "read": ("read",),
    "learn": ("learnt",),
    "speak": ("spoke", "spoken"),
    "put": ("put",),
    "broadcast": ("broadcast",),
    "forecast": ("forecast",),
}


def _forms(lemma: str) -> set[str]:
    out = {lemma}
    if lemma.endswith("y") and lemma[-2:-1] not in "aeiou":
        out |= {lemma[:-1] + "ies", lemma[:-1] + "ied"}
    elif lemma.endswith(("s", "sh", "ch", "x", "z")):
        out |= {lemma + "es", lemma + "ed"}
    elif lemma.endswith("e"):
        out |= {lemma + "s", lemma + "d"}
    else:
        out |= {lemma + "s", lemma + "ed"}
    out.add((lemma[:-1] if lemma.endswith("e") and not lemma.endswith("ee") else lemma) + "ing")
    # doubled final consonant: admit -> admitted, vow -> vowed (w/x/y never double)
    if len(lemma) > 2 and lemma[-1] in "bdgmnprt" and lemma[-2] in "aeiou" and lemma[-3] not in "aeiou":
        out |= {lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}
    out |= set(_IRREGULAR.get(lemma, ()))
    return out


_ALL_LEMMAS = SPEECH | DOCUMENT_VERBS | AGENTLESS_PASSIVE
FORM_TO_LEMMA: dict[str, str] = {}
for _lemma in sorted(_ALL_LEMMAS):
    for _form in _forms(_lemma):
        FORM_TO_LEMMA.setdefault(_form, _lemma)
del _lemma, _form


@functools.lru_cache(maxsize=4096)
def cue_lemma(form: str) -> str:
    """The cue lemma of a written verb form ("conceded" -> "concede"), or "" when it is not a cue verb."""
    return FORM_TO_LEMMA.get(form.lower(), "")


# Words that make a sentence worth parsing: any cue verb form, or one of these.
CUE_WORDS = (
    frozenset(FORM_TO_LEMMA)
    | AGENTLESS_ADVERBS
    | {"according", "quoted", "citing", "quoting", "words", "count", "tally"}
)

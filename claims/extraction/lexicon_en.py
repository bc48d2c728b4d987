"""English word lists for the parse-based attribution rules (claims/extraction/english.py).

Cue verbs are listed by lemma; `cue_lemma()` maps any written form ("said", "conceded", "insists")
back to its lemma without spaCy's lemmatizer, so the pipeline can run without that component.
"""

from __future__ import annotations

import functools

from . import lexicon

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

# ... and those of them that are no speech verb ("show", "read", "point").
DOCUMENT_ONLY_VERBS = DOCUMENT_VERBS - SPEECH

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

MESSAGE_OR_DOCUMENT_NOUNS = MESSAGE_NOUNS | DOCUMENT_NOUNS

# "rejected reports that ...": a dismissal is a statement only about a claim, not about a proposal or an offer.
DISMISS_VERBS = frozenset(lexicon.DISMISS_VERBS) | {"rebut"}
DISMISSED_OBJECTS = frozenset(lexicon.DISMISSED_OBJECTS) | {
    "suggestion", "rumor", "rumour", "assertion", "statement", "information", "idea", "notion", "charge", "charges",
    "account", "accounts", "version",
}  # fmt: skip

# Things one "claims" that are not statements: "the attack claimed 12 lives".
CLAIMED_THINGS = lexicon.TAKEN_THINGS | {"victim", "seat"}

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

FIRST_PERSON = lexicon.FIRST_PERSON_PRONOUNS

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

DEFINITE_WORDS = frozenset({"the", "this", "that", "these", "those"})

BACKREF_KINDS = {
    "agency": ("organization", "outlet"),
    "channel": ("outlet",),
    "newspaper": ("outlet",),
    "paper": ("outlet",),
    "outlet": ("outlet",),
    "broadcaster": ("outlet",),
    "station": ("outlet",),
    "publication": ("outlet",),
    "ministry": ("organization",),
    "institute": ("organization",),
    "tank": ("organization",),
    "monitor": ("organization",),
    "observatory": ("organization",),
    "group": ("group", "organization"),
    "rebels": ("group",),
    "paramilitaries": ("group",),
    "militants": ("group",),
}

OWNED_BODIES = frozenset({"ministry", "army", "military", "office", "service", "forces", "government", "spokesman"})

MESSAGE_BACKREF_HEADS = frozenset(
    {"report", "statement", "assessment", "update", "analysis", "bulletin", "release", "post"}
)

PHRASE_PREPOSITIONS = frozenset({"of", "for", "in", "at", "from", "with", "on", "near", "inside", "within", "close"})

PLACE_LESS_HEADS = frozenset({"media", "press", "outlets", "bloggers", "journalists", "reporters"})

# "on Friday", "last week": a time, not part of the party's name (the word rules' list, plus "weekend")
DATE_WORDS = frozenset(lexicon.DATE_WORDS) | {"weekend"}

# Words that name the same kind of party: a description matches a party described by any of them.
SYNONYMS = [
    {"army", "military", "armed", "forces", "troops", "army's", "military's"},
    {"paramilitaries", "paramilitary", "paramilitary's"},
    {"rebels", "rebel", "militants", "militant", "insurgents", "insurgent", "fighters", "group", "movement", "militia"},
    {"group", "movement", "organisation", "organization", "militia"},
    {"channel", "telegram"},
    {"agency", "agencies"},
    {"newspaper", "paper", "daily", "publication", "outlet", "times", "post", "journal", "gazette", "herald"},
    {"broadcaster", "station", "channel", "television", "tv", "radio"},
    {"think", "tank", "institute", "institution", "centre", "center"},
    {"ministry", "ministry's", "department"},
    {"monitor", "observatory", "project", "monitoring"},
    {"government", "administration", "authorities", "cabinet"},
    {"company", "firm", "operator", "group"},
    {"site", "website", "portal", "outlet"},
    {"service", "directorate", "intelligence", "agency"},
    {"office"},
    {"court", "tribunal"},
    {"police", "force"},
    {"council"},
    {"committee", "commission"},
    {"embassy", "mission"},
]

PERSON_ROLES = frozenset(
    {"spokesman", "spokeswoman", "spokesperson", "leader", "minister", "official", "head", "chief", "adviser",
     "advisor", "commander", "governor", "mayor", "president", "director", "secretary", "ambassador", "envoy",
     "correspondent", "reporter", "analyst", "lawyer", "prosecutor", "general", "colonel", "ombudsman"}
)  # fmt: skip

DESCRIPTOR_STOP_WORDS = frozenset(
    {"a", "an", "the", "of", "for", "in", "on", "at", "and", "to", "by", "with", "from", "its", "their", "his", "her",
     "which", "who", "that", "is", "was", "has", "had", "linked", "close", "based", "run", "backed", "affiliated",
     "known", "called", "named", "led"}
)  # fmt: skip

# Heads that a definite description uses for a party ("the agency said"): generic nouns, never names.
GENERIC_HEADS = frozenset().union(*SYNONYMS) | frozenset(
    {"spokesman", "spokeswoman", "spokesperson", "official", "officials", "source", "resident", "witness",
     "analyst", "report", "statement", "document", "order", "body", "unit", "side", "party", "alliance",
     "coalition", "bloc", "regime", "junta", "kremlin", "white", "house", "pentagon", "watchdog", "network",
     "tank", "bureau", "authority", "ministry", "interlocutor"}
)  # fmt: skip

# A description ends at its first clause word: "the head of the agency" describes a head, not an agency.
DESCRIPTION_ENDS = frozenset(
    {
        "which",
        "who",
        "that",
        "linked",
        "based",
        "run",
        "close",
        "backed",
        "affiliated",
        "led",
        "of",
        "for",
        "at",
        "in",
        "on",
        "to",
        "with",
        "from",
        "by",
    }
)

# --------------------------------------------------------------------------- function words the parse rules test

RELATIVE_PRONOUNS = frozenset({"who", "which", "that"})  # "Kadyrov, who claimed": the antecedent speaks
POSSESSIVE_PRONOUNS = lexicon.POSSESSIVE_PRONOUNS  # not an owner that names a party
OWNER_PREPOSITIONS = frozenset({"from", "by", "of", "on"})  # "a statement from the army", "a post on the channel"
NEGATIVE_CUES = frozenset({"deny", "rule"})  # cues that are statements when negated ("did not rule out")
VIA_GERUNDS = frozenset({"citing", "quoting"})
TOLD_THINGS = frozenset({"truth", "story", "lies", "that", "this", "it"})  # "told the truth": no intermediary
# "By X's count", "In his words": nouns of a count or of words, after "by" or "in"; the cue words lack some.
COUNT_NOUNS = frozenset({"count", "tally", "estimate", "estimates", "words", "account"})
COUNT_PREPOSITIONS = frozenset({"by", "in"})
PLACE_PREPOSITIONS = frozenset({"in", "at"})  # "local media in Belgorod": a place, not part of the party
REFERRING_PRONOUNS = frozenset({"they", "it"})
PLURAL_NOUNS = frozenset({"houthis", "police", "media"})  # plural subjects the tagger may call singular
INTERVIEW_PREPOSITIONS = frozenset({"in", "to"})  # "in an interview with X": X is the intermediary
PRESS_AUDIENCE = lexicon.PRESS_AUDIENCE
SUBJECT_PRONOUNS = frozenset({"he", "she"})
SAME_MODIFIERS = frozenset({"same", "also", "former", "latest"})  # "the same agency" is the agency seen before
BODY_POSSESSIVES = frozenset({"its", "their"})  # "its defence ministry": the owner's body
MESSAGE_OWNER_WORDS = DEFINITE_WORDS | BODY_POSSESSIVES  # "the report said", "its statement said"

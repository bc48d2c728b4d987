"""Attribution in English sentences from a dependency parse (spaCy, tagger + parser only).

For each sentence that holds a candidate cue word, the parse gives the cues (a reporting verb by
lemma, "according to", an agentless adverb or passive) and, for each, the party it attaches to: the
verb's subject (also inverted: "said the ministry"), a passive's agent, the object of "according to",
the owner of a message noun ("a post on the channel said"). Cues inside another cue's content are
nested: the outermost cue's party is the source and the inner party is `via` (CONVENTIONS 3.2);
"told X", "quoted by X", "citing X" give `via` too (3.3). Cues side by side ("X said ..., while Y
claimed ...", coordinated subjects) give one attribution each (2.2).

The rules return noun phrases as written; resolving them to a party (pronouns, "the agency", surnames)
is the mention registry's job (extractor.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import lexicon_en

_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*")


def has_candidate_cue(sent: str) -> bool:
    """Whether a sentence holds any word a cue could be made of (the only sentences worth parsing)."""
    return any(w.lower() in lexicon_en.CUE_WORDS for w in _WORD.findall(sent))


@dataclass(slots=True)
class Attribution:
    phrase: str  # the party's noun phrase as written; "" when the cue has no agent
    cue: str
    via: str = ""
    affiliation: str = ""  # an apposition describing the party ("a spokesman for the ministry")
    person: bool = False  # the apposition says the party is a person
    start: int = 0  # the cue's clause in the sentence (character offsets), for hedging its own part
    end: int = 0
    kind: str = "subject"  # subject | according | agentless | document
    hearsay: bool = False  # the cue or one nested in it is a belief or a claim ("think", "claimed")
    rejected: tuple[int, int] | None = None  # the claim a denial rejects: its hedge words are not this party's

    @property
    def agentless(self) -> bool:
        return self.kind == "agentless"


@dataclass(slots=True)
class _Cue:
    tok: object  # spaCy Token of the cue word
    parties: list  # Tokens the cue attaches to (several when the subjects are coordinated)
    kind: str  # subject | according | agentless
    via: object = None  # Token of an intermediary named by the cue itself ("told X", "quoted by X")
    via_text: str = ""  # the message noun a party spoke through ("according to a statement from X")
    own: bool = False  # "according to a statement" with no owner: the statement of the cue it hangs on


_PERSON_APPOS = re.compile(
    r"^(?:an?|the)?\s*(?:[\w'’\-]+\s+){0,4}?(?:\d+-year-old|resident|man|woman|mother|father|soldier|medic|doctor"
    r"|spokes(?:man|woman|person)|adviser|advisor|analyst|official|minister|commander|governor|mayor|head|chief"
    r"|director|leader|president|researcher|expert|journalist|reporter|correspondent|witness|ombudsman)\b",
    re.I,
)


# Parts of speech come from the fine-grained tags: the attribute ruler that maps them is not run.
def _nominal(tok) -> bool:
    return tok.tag_ in ("NN", "NNS", "NNP", "NNPS")


def _proper(tok) -> bool:
    return tok.tag_ in ("NNP", "NNPS")


def _is_verb(tok) -> bool:
    return tok.tag_.startswith("VB")


def _children(tok, *deps):
    return [c for c in tok.children if c.dep_ in deps]


def _negated(tok) -> bool:
    return any(c.dep_ == "neg" for c in tok.children)


def _passive(tok) -> bool:
    return any(c.dep_ in ("auxpass", "nsubjpass") for c in tok.children)


def _has_content(tok) -> bool:
    """The verb carries a statement: a clause, a quotation, an information object or a colon."""
    if _children(tok, "ccomp", "xcomp", "parataxis", "oprd"):
        return True
    if tok.dep_ in ("parataxis", "ccomp") or (tok.dep_ == "advcl" and tok.i > tok.head.i):
        return True
    for c in _children(tok, "dobj", "attr"):
        if c.tag_ in ("NNP", "NNPS") or any(t.lower_ in lexicon_en.INFO_OBJECTS for t in c.subtree if t.i <= c.i):
            return True
    nxt = tok.nbor(1) if tok.i + 1 < len(tok.doc) else None
    return nxt is not None and nxt.text in (":", "“", '"', "«")


def _subject(tok):
    subj = _children(tok, "nsubj", "nsubjpass", "csubj")
    if subj:
        if subj[0].lower_ in lexicon_en.RELATIVE_PRONOUNS and tok.dep_ == "relcl":
            return tok.head  # "Kadyrov, who claimed ...": the antecedent
        if len(subj) > 1 and subj[1].i == subj[0].i + 1:
            return subj[1]  # "Syria's state news agency SANA said": two subjects side by side, the name last
        return subj[0]
    for c in tok.children:  # a subject the parser mislabelled: "..., the Ukrainian Center (CNR) reports."
        adjacent = all(t.dep_ == "punct" for t in tok.doc[c.right_edge.i + 1 : tok.i])
        if c.dep_ in ("nmod", "dep", "npadvmod") and 0 < c.i < tok.i and _nominal(c) and adjacent:
            return c
    # "... and added that ...", "..., adding that ...": the subject of the verb it hangs on
    if tok.dep_ in ("conj", "xcomp", "advcl") and tok.head.i != tok.i and _is_verb(tok.head):
        if tok.dep_ == "advcl" and tok.tag_ != "VBG":
            return None
        return _subject(tok.head)
    return None


def _pobj_of(prep_tok):
    for c in prep_tok.children:
        if c.dep_ in ("pobj", "pcomp"):
            return c
    return None


def _agent(tok):
    """The party of a passive cue: 'was announced by X', also when "by" hangs on the object."""
    for c in tok.children:
        if c.dep_ == "agent" or (c.dep_ == "prep" and c.lower_ == "by"):
            return _pobj_of(c)
    for c in tok.children:  # "was hailed as a key victory by the NUG"
        if c.dep_ == "prep":
            for g in c.subtree:
                if g.dep_ == "prep" and g.lower_ == "by" and g.head.dep_ == "pobj":
                    return _pobj_of(g)
    return None


def _owner(noun):
    """The party a message noun speaks for: "the ministry's statement", "a post on the channel"."""
    for c in noun.children:
        if c.dep_ == "poss" and c.lower_ not in lexicon_en.POSSESSIVE_PRONOUNS:
            return c
    for c in noun.children:
        if c.dep_ == "prep" and c.lower_ in lexicon_en.OWNER_PREPOSITIONS:
            obj = _pobj_of(c)
            if obj is not None and obj.lower_ not in lexicon_en.INFO_OBJECTS:
                return obj
    for c in noun.children:
        if c.dep_ == "poss":
            return c
    return None


def _one_name(party) -> bool:
    """ "the Hostages and Missing Families Forum": a name with "and" inside, not two parties."""
    conj = [c for c in party.children if c.dep_ == "conj"]
    if not _proper(party) or len(conj) != 1 or not _proper(conj[0]):
        return False
    between = party.doc[party.i + 1 : conj[0].i + 1]
    return all(t.text[:1].isupper() or t.lower_ == "and" for t in between) and any(
        c.dep_ == "compound" for c in conj[0].children
    )


def _coordinated(party) -> list:
    out = [party]
    if _one_name(party):
        return out
    for c in party.children:
        if c.dep_ == "conj" and _nominal(c):
            out.extend(_coordinated(c))
    return out


def _verb_cue(tok, quoted) -> _Cue | None:
    lemma = lexicon_en.cue_lemma(tok.text)
    if not lemma or not _is_verb(tok) or quoted(tok.idx):
        return None
    if tok.dep_ in ("amod", "compound", "acl") and not _children(tok, "nsubj", "agent"):
        return None  # "the alleged attack", "a village called X", "the claimed figure"
    if _negated(tok) and lemma not in lexicon_en.NEGATIVE_CUES:
        return None  # "did not confirm": a non-statement (optional in the gold)
    if lemma in lexicon_en.VIA_PARTICIPLES or (tok.lower_ in lexicon_en.VIA_GERUNDS and tok.dep_ != "ROOT"):
        return None
    if _passive(tok):
        agent = _agent(tok)
        target = _children(tok, "nsubjpass")
        as_saying = any(c.dep_ == "prep" and c.lower_ == "as" for c in tok.children)
        if agent is not None and target and lemma in lexicon_en.QUOTE_VERBS and as_saying:
            return _Cue(tok, [target[0]], "subject", via=agent)  # "Y was quoted by X as saying": Y speaks
        if agent is not None:
            via = target[0] if lemma in lexicon_en.TELL_VERBS and target else None
            return _Cue(tok, [agent], "subject", via=via)
        complement = [c for c in tok.children if c.dep_ in ("xcomp", "oprd", "acomp")]
        if complement and not any(a.lower_ == "to" for c in complement for a in c.children):
            return None  # "He was reported missing": a status, not a claim
        if lemma in lexicon_en.AGENTLESS_PASSIVE:
            return _Cue(tok, [], "agentless")
        return None
    subj = _subject(tok)
    if subj is None:
        return None
    if subj.lower_ in lexicon_en.FIRST_PERSON and not quoted(subj.idx):
        return None  # "we said" outside a quotation is the writer
    if lemma == "claim" and any(c.dep_ == "dobj" and c.lower_ in lexicon_en.CLAIMED_THINGS for c in tok.children):
        return None  # "the strike claimed 12 lives"
    head_noun = subj.lower_
    if (
        lemma in lexicon_en.DOCUMENT_ONLY_VERBS or lemma == "point"
    ) and head_noun not in lexicon_en.MESSAGE_OR_DOCUMENT_NOUNS:
        return None
    if lemma in lexicon_en.QUOTE_VERBS:
        obj = _children(tok, "dobj")
        as_saying = any(c.dep_ == "prep" and c.lower_ == "as" for c in tok.children)
        if obj and as_saying:  # "Al-Aqsa TV quoted the ministry as saying": the ministry speaks
            return _Cue(tok, [obj[0]], "subject", via=subj)
    if lemma == "ask" and not (_children(tok, "dobj") and _children(tok, "xcomp")):
        return None  # "asked the government to ...": an appeal; "asked not to be named": nothing said
    if lemma == "walk" and not any(c.dep_ == "prt" or c.lower_ == "back" for c in tok.children):
        return None  # "walked back her announcement": a retraction
    if lemma in lexicon_en.NEED_CONTENT and not _has_content(tok):
        return None
    dismissed = any(c.dep_ == "dobj" and c.lower_ in lexicon_en.DISMISSED_OBJECTS for c in tok.children)
    if lemma in lexicon_en.DISMISS_VERBS and not _children(tok, "ccomp") and not dismissed:
        return None  # "rejected peace proposals": an action, not a statement
    if lemma == "tell":
        objs = _children(tok, "dative", "dobj")
        via = objs[0] if objs and objs[0].lower_ not in lexicon_en.TOLD_THINGS else None
        return _Cue(tok, _coordinated(subj), "subject", via=via)
    return _Cue(tok, _coordinated(subj), "subject")


def _according_cue(tok, quoted) -> _Cue | None:
    if tok.lower_ != "according" or quoted(tok.idx):
        return None
    to = next((c for c in tok.children if c.lower_ == "to"), None)
    if to is None and tok.i + 1 < len(tok.doc) and tok.nbor(1).lower_ == "to":
        to = tok.nbor(1)
    party = _pobj_of(to) if to is not None else None
    if party is None:
        return None
    own = False
    if party.lower_ in lexicon_en.FINDING_NOUNS:  # "according to estimates by the army", "... images analysed by ISW"
        maker = _owner(party) or next(
            (
                a
                for c in party.children
                if c.dep_ == "acl" and lexicon_en.cue_lemma(c.text) not in lexicon_en.QUOTE_VERBS
                if (a := _agent(c))
            ),
            None,
        )
        noun = party.lower_
        if maker is not None:
            return _Cue(tok, _coordinated(maker), "according", via_text=noun)
        own = True  # "..., according to a company statement quoted by AFP": the speaker's own statement
    return _Cue(tok, _coordinated(party), "according", own=own)


def _count_cue(tok, quoted) -> _Cue | None:
    """'By X's count', 'In X's words', 'In the words of X'."""
    if tok.lower_ not in lexicon_en.COUNT_NOUNS or quoted(tok.idx):
        return None
    if tok.dep_ != "pobj" or tok.head.lower_ not in lexicon_en.COUNT_PREPOSITIONS:
        return None
    owner = _owner(tok)
    if owner is None:
        return None
    return _Cue(tok, [owner], "according")


def _cues(doc, quoted) -> list[_Cue]:
    cues = []
    for tok in doc:
        if tok.lower_ not in lexicon_en.CUE_WORDS and tok.lower_ not in lexicon_en.COUNT_NOUNS:
            continue  # most words: no rule can make a cue of them
        cue = _verb_cue(tok, quoted) or _according_cue(tok, quoted) or _count_cue(tok, quoted)
        if cue is None and tok.lower_ in lexicon_en.AGENTLESS_ADVERBS and not quoted(tok.idx):
            cue = _Cue(tok, [], "agentless")
        if cue is not None:
            cues.append(cue)
    return cues


def _separate(child, parent_tok) -> bool:
    """Whether the clause of cue `child` stands beside `parent_tok`'s (its own source) instead of in it."""
    t = child
    while t.i != parent_tok.i and t.head.i != t.i:
        if t.dep_ == "conj" and t.head.i == parent_tok.i:
            return True
        if t.dep_ == "advcl":
            marks = {c.lower_ for c in t.children if c.dep_ in ("mark", "advmod", "npadvmod")}
            marks |= {g.lower_ for c in t.children if c.dep_ == "npadvmod" for g in c.subtree}
            if marks & lexicon_en.CONTRAST_MARKS:
                return True
        t = t.head
    return False


def _outer(cue: _Cue, by_tok: dict) -> _Cue | None:
    """The cue whose content holds `cue`, or None when `cue` is outermost."""
    t = cue.tok
    path = {t.i}
    while t.head.i != t.i:
        t = t.head
        path.add(t.i)
        parent = by_tok.get(t.i)
        if parent is not None and parent is not cue:
            if _separate(cue.tok, t):
                return None
            return parent
        # "X reported, citing Y, that Iran sent drones, which Iran denied": the parser made the reported
        # clause the root and the cue its complement; the cue still frames the whole clause
        for c in t.children:
            frame = by_tok.get(c.i)
            framing = frame is not None and frame is not cue and c.i not in path and c.dep_ in ("ccomp", "parataxis")
            if framing and c.i < cue.tok.i and frame.kind == "subject" and not _separate(cue.tok, t):
                return frame
    return None


def _np_tokens(head) -> list:
    """The noun phrase of `head`: its modifiers, "of/for/in ..." attachments and a comma-less apposition."""
    keep = [head]
    if _one_name(head):
        keep.extend(head.doc[head.i : head.right_edge.i + 1])
    for c in head.children:
        if c.i < head.i:
            if c.dep_ in ("punct",) and c.text in (",",):
                continue
            if c.dep_ in ("relcl", "acl", "advmod", "cc", "conj") and c.i < head.i:
                if c.dep_ == "advmod" and c.i == head.i - 1:
                    keep.extend(c.subtree)
                continue
            keep.extend(c.subtree)
        elif c.dep_ == "prep" and c.lower_ in lexicon_en.PHRASE_PREPOSITIONS:
            obj = _pobj_of(c)
            if obj is None or obj.lower_ in lexicon_en.DATE_WORDS or obj.like_num:
                continue
            if (
                head.lower_ in lexicon_en.PLACE_LESS_HEADS
                and c.lower_ in lexicon_en.PLACE_PREPOSITIONS
                and obj.tag_ == "NNP"
            ):
                continue  # "local media in Belgorod": local media (CONVENTIONS 3.9)
            keep.append(c)
            keep.extend(_np_tokens(obj))
        elif c.dep_ in ("amod",) and c.tag_ in ("JJ",) and c.i == head.i + 1:  # "people familiar with ..."
            keep.extend(c.subtree)
        elif c.dep_ in ("appos", "compound", "nummod", "nmod") and not _comma_between(head, c):
            keep.extend(t for t in c.subtree if t.dep_ not in ("relcl",))
        elif c.dep_ == "punct" and c.text == "(":
            close = next((t for t in head.doc[c.i : c.i + 6] if t.text == ")"), None)
            if close is not None:
                keep.extend(head.doc[c.i : close.i + 1])
    return keep


def _comma_between(a, b) -> bool:
    lo, hi = sorted((a.i, b.i))
    return any(t.text in (",", "—", "–", ";") for t in a.doc[lo + 1 : hi])


def np_text(head) -> str:
    kept = {t.i for t in _np_tokens(head) if not (t.tag_ == "DT" and t.dep_ == "appos")}  # "... both said"
    lo = hi = head.i
    while lo - 1 in kept:  # the unbroken run around the head ("Local police", not "... and the governor both")
        lo -= 1
    while hi + 1 in kept:
        hi += 1
    doc = head.doc
    while hi + 1 < len(doc) and doc[hi + 1].text[:1].isupper() and doc[hi + 1].dep_ != "punct" and hi >= head.i:
        hi += 1  # "Local outlet Myanmar Now": a name the parser split
    while lo > 0 and doc[lo - 1].tag_ == "NNP" and doc[lo - 1].head.i in range(lo, hi + 1):
        lo -= 1
    if lo == hi == head.i and len(kept) == 1:
        return head.text
    span = head.doc[lo : hi + 1]
    text = span.text
    # a span that ran into a clause: keep what is before the first comma after the head
    cut = re.search(r",\s", text[head.idx - span.start_char + len(head.text) :])
    if cut:
        text = text[: head.idx - span.start_char + len(head.text) + cut.start()]
    return text.strip(" ,;:")


def _apposition(head) -> tuple[str, bool]:
    for c in head.children:
        if c.dep_ == "appos" and _comma_between(head, c):
            tokens = [t for t in c.subtree if t.dep_ != "relcl"]
            text = head.doc[tokens[0].i : tokens[-1].i + 1].text.strip(" ,")
            if len(text.split()) <= 14:
                return text, bool(_PERSON_APPOS.match(text))
    return "", False


def _antecedent(party, cue_tok):
    """ "the rebels have attacked ships that they say are ...": a pronoun in an embedded clause means the
    subject of the clause it is embedded in, when they agree in number."""
    if party.lower_ not in lexicon_en.REFERRING_PRONOUNS or cue_tok.dep_ not in ("relcl", "ccomp", "advcl", "acl"):
        return party
    t = cue_tok.head
    while True:
        subj = next((c for c in t.children if c.dep_ in ("nsubj", "nsubjpass") and c.i < cue_tok.i), None)
        if subj is not None and _nominal(subj):
            plural = subj.tag_ in ("NNS", "NNPS") or subj.lower_ in lexicon_en.PLURAL_NOUNS
            if plural == (party.lower_ == "they"):
                return subj
            return party
        if t.head.i == t.i:
            return party
        t = t.head


def _named_apposition(head):
    if head.tag_ in ("NNP", "NNPS", "PRP"):
        return None
    for c in head.subtree:  # also when the parser hung the name on the phrase's last noun
        on_phrase = c.head.i == head.i or c.head.dep_ == "pobj"
        if c.dep_ == "appos" and c.tag_ == "NNP" and c.i > head.i and on_phrase and _comma_between(c.head, c):
            return c
    return None


def _via_of(cue: _Cue, nested: list[_Cue], *, whole: bool = False) -> str:
    if cue.via is not None:
        return np_text(cue.via)
    if cue.via_text:
        return cue.via_text
    for tok in cue.tok.subtree if cue.kind != "according" else cue.tok.head.subtree:
        if tok.lower_ in lexicon_en.VIA_PARTICIPLES and tok.tag_ == "VBG":
            obj = next((c for c in tok.children if c.dep_ in ("dobj", "pobj")), None)
            if obj is None:
                obj = next((g for c in tok.children if c.dep_ == "prep" for g in c.children if g.dep_ == "pobj"), None)
            if obj is not None:
                return np_text(obj)
        if tok.lower_ == "quoted" and tok.dep_ in ("acl", "advcl", "amod"):
            agent = _agent(tok)
            if agent is not None:
                return np_text(agent)
        if tok.lower_ == "interview" and tok.head.lower_ in lexicon_en.INTERVIEW_PREPOSITIONS:
            with_ = next((c for c in tok.children if c.lower_ == "with"), None)
            obj = _pobj_of(with_) if with_ is not None else None
            if obj is not None:
                return np_text(obj)
    for inner in nested:
        if inner.parties:
            return np_text(inner.parties[0])
    if whole:  # the only cue: a "citing X" anywhere in the sentence is its intermediary
        for tok in cue.tok.doc:
            if tok.lower_ in lexicon_en.VIA_GERUNDS and tok.tag_ == "VBG":
                obj = next((c for c in tok.children if c.dep_ in ("dobj", "pobj")), None)
                if obj is not None:
                    return np_text(obj)
    return ""


def _demote_framed_verbs(cues: list[_Cue], by_tok: dict, nested: dict[int, list[_Cue]]) -> dict[int, _Cue]:
    """ "According to the Post, a document stated ...": the verb nests in the "according to" that frames it."""
    demoted: dict[int, _Cue] = {}  # verb cue's token -> the "according to" cue that frames it
    for cue in cues:
        if cue.kind == "according" and not cue.own:
            parent = _outer(cue, by_tok)
            if parent is not None and parent.kind != "according":
                nested.setdefault(cue.tok.i, []).append(parent)
                demoted.setdefault(parent.tok.i, cue)
    return demoted


def _outermost(cues: list[_Cue]) -> tuple[list[_Cue], dict[int, list[_Cue]]]:
    """The outermost cues, and the cues nested in each one (keyed by its token)."""
    by_tok = {c.tok.i: c for c in cues}
    nested: dict[int, list[_Cue]] = {}
    demoted = _demote_framed_verbs(cues, by_tok, nested)
    by_tok.update(demoted)
    outer: list[_Cue] = []
    for cue in cues:
        if cue.tok.i in demoted:
            continue
        parent = _outer(cue, by_tok)
        if cue.kind == "according" and cue.own and parent is not None:
            continue  # the statement of the cue it hangs on: that cue is the source
        if parent is None or (cue.kind == "according" and not cue.own and cue.tok.i in nested):
            outer.append(cue)
            continue
        root = parent
        while (up := _outer(root, by_tok)) is not None and up is not root:
            root = up
        nested.setdefault(root.tok.i, []).append(cue)
    # "reportedly" beside a named cue adds a hedge, not a source
    return [c for c in outer if c.kind != "agentless"] or outer[:1], nested


def attributions(doc, quote_spans: list[tuple[int, int]]) -> list[Attribution]:
    """The attributions of one parsed sentence, outermost cues only, in sentence order."""

    def quoted(pos: int) -> bool:
        return any(a < pos < b for a, b in quote_spans)

    cues = _cues(doc, quoted)
    if not cues:
        return []
    outer, nested = _outermost(cues)
    out: list[Attribution] = []
    seen: set[int] = set()  # party tokens already given a record
    for cue in outer:
        out.extend(_cue_attributions(cue, nested.get(cue.tok.i, []), seen, only=len(outer) == 1))
    return out


def _cue_attributions(cue: _Cue, nested: list[_Cue], seen: set[int], *, only: bool) -> list[Attribution]:
    """One attribution per party of an outermost cue, with the intermediary its nested cues name."""
    # "X reported that officials believe ...": a belief or claim on either level hedges (CONVENTIONS 5)
    hearsay = any(
        lexicon_en.cue_lemma(c.tok.text) in lexicon_en.HEARSAY for c in (cue, *nested) if c.kind != "according"
    )
    lo = min(t.idx for t in cue.tok.subtree) if cue.kind != "according" else 0
    hi = max(t.idx + len(t.text) for t in cue.tok.subtree) if cue.kind != "according" else len(cue.tok.doc.text)
    if cue.kind == "agentless":
        return [Attribution("", cue.tok.text, kind="agentless", start=lo, end=hi)]
    via = _via_of(cue, [c for c in nested if c.kind != "agentless"], whole=only)
    out = []
    for party in cue.parties:
        if party.i in seen:
            continue
        seen.add(party.i)
        attribution = _party_attribution(cue, party, via, (lo, hi), hearsay)
        via = attribution.via  # a message noun's owner gives the next parties its via too
        out.append(attribution)
    return out


def _party_attribution(cue: _Cue, party, via: str, span: tuple[int, int], hearsay: bool) -> Attribution:
    party = _antecedent(party, cue.tok)
    affiliation, person = _apposition(party)
    phrase = np_text(party)
    name = _named_apposition(party)
    if name is not None:  # "Popov's lawyer, Alexander Asnis, told": the person named
        affiliation, phrase, person = phrase, np_text(name), True
    if party.lower_ in lexicon_en.MESSAGE_OR_DOCUMENT_NOUNS and cue.kind == "subject":
        owner = _owner(party)
        if owner is not None and party.lower_ not in lexicon_en.DOCUMENT_NOUNS:
            phrase = np_text(owner)
            via = via or party.lower_  # "a statement from the army said": the army, via its statement
    kind = "according" if cue.kind == "according" else "subject"
    start, end = span
    return Attribution(phrase, _cue_text(cue), via, affiliation, person, start, end, kind, hearsay, _rejected_span(cue))


def _rejected_span(cue: _Cue) -> tuple[int, int] | None:
    """ "The army denied the militia's claim that ...": the object a denial rejects, as character offsets."""
    if lexicon_en.cue_lemma(cue.tok.text) not in lexicon_en.DENY_VERBS:
        return None
    obj = next((c for c in cue.tok.children if c.dep_ in ("dobj", "ccomp")), None)
    if obj is None:
        return None
    tokens = list(obj.subtree)
    return tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)


def _cue_text(cue: _Cue) -> str:
    tok = cue.tok
    if cue.kind == "according" and tok.lower_ != "according":  # "By X's count", "In his words"
        return tok.doc[tok.head.i : tok.i + 1].text
    if cue.kind == "subject" and _passive(tok) and cue.parties and cue.via is None:
        return f"{tok.text} by"
    if cue.via is not None and cue.via.lower_ in lexicon_en.PRESS_AUDIENCE and cue.via.i == tok.i + 1:
        return f"{tok.text} {cue.via.text}"
    if cue.kind == "according":
        return "according to" if tok.lower_ == "according" else f"{tok.head.text} {tok.text}"
    return tok.text

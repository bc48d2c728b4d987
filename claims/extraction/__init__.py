"""Pure-Python claim extraction: cleaning article text and finding attributed claims."""

from .cleaning import CleanedArticle, clean_article_text, clean_body, derive_title
from .extractor import ExtractedClaim, extract_claims, normalise_source_name

__all__ = [
    "CleanedArticle",
    "ExtractedClaim",
    "clean_article_text",
    "clean_body",
    "derive_title",
    "extract_claims",
    "normalise_source_name",
]

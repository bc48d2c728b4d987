"""Throughput of cleaning + extract_claims: `python bench/bench_extraction.py [--corpus seeds|cases|both]`.

seeds: ~5 MB of articles shuffled from the seed paragraphs, through clean_body (claim-dense: most
sentences are attributed). cases: the annotated test articles (tests/extraction_cases, English) and the
seeds, repeated to ~5 MB, through clean_article_text as the importer reads a file (page noise, bylines,
narrative sentences). Both print CPU time (one core) and wall time (includes waiting on a busy machine).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from claims.extraction import clean_article_text, clean_body, extract_claims  # noqa: E402

NAMES = ["Lloyd Austin", "Andriy Yusov", "Oleh Kiper", "Natalia Humeniuk", "Kyrylo Budanov"]
ORGS = [
    "the Ukrainian Center of National Resistance (CNR)",
    "Israel's Ministry of Health",
    "The Times",
    "Kyiv Post",
    "the General Staff",
]


def build_corpus(target_bytes: int = 5_000_000, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    paragraphs = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        paragraphs += [p.strip() for p in path.read_text(encoding="utf-8").split("\n") if p.strip()]
    articles, size = [], 0
    while size < target_bytes:
        paras = rng.sample(paragraphs, k=min(len(paragraphs), 18))
        # vary names so coreference state and alias maps see new entities
        paras = [
            p.replace("Lloyd Austin", rng.choice(NAMES)).replace("The Times", rng.choice(ORGS).split(" (")[0])
            for p in paras
        ]
        text = "\n\n".join(paras)
        articles.append(text)
        size += len(text.encode("utf-8"))
    return articles


def build_case_corpus(target_bytes: int = 5_000_000) -> list[str]:
    files = sorted((ROOT / "tests" / "extraction_cases").glob("en_*.txt")) + sorted((ROOT / "seeds").glob("*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in files]
    articles, size = [], 0
    while texts and size < target_bytes:
        for text in texts:
            articles.append(text)
            size += len(text.encode("utf-8"))
    return articles


def _run(label: str, articles: list[str], extract) -> None:
    total = sum(len(a.encode("utf-8")) for a in articles)
    start = time.perf_counter()
    cpu_start = time.process_time()
    n_claims = sum(extract(text) for text in articles)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    mb = total / 1_000_000
    print(
        f"[{label}] {len(articles)} articles, {mb:.2f} MB, {n_claims} claims in {elapsed:.2f} s wall, {cpu:.2f} s CPU"
    )
    # CPU time is the one-core figure; wall time also counts other processes on a busy machine.
    print(f"[{label}] {mb / cpu:.2f} MB/s, {n_claims / cpu:.0f} claims/s (CPU); {mb / elapsed:.2f} MB/s wall")


def _seed_style(text: str) -> int:
    body, _hint = clean_body(text)
    return len(extract_claims(body))


def _as_imported(text: str) -> int:
    article = clean_article_text(text)
    return len(extract_claims(article.body, title=article.title, language=article.language_hint))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", choices=["seeds", "cases", "both"], default="both")
    args = ap.parse_args()
    if args.corpus in {"seeds", "both"}:
        _run("seeds", build_corpus(), _seed_style)
    if args.corpus in {"cases", "both"}:
        _run("cases", build_case_corpus(), _as_imported)


if __name__ == "__main__":
    main()

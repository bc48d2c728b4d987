"""Extraction speed against a full spaCy parse of the same text, and a worker's memory.

    python -m bench.bench_extraction                      # ratio and KB/s on the annotated corpus
    python -m bench.bench_extraction --memory 2000        # RSS while extracting 2,000 articles

Corpus: the English articles of ../shared/gold/dev, tests/extraction_cases and seeds/, as the importer
reads them (cleaned bodies), repeated to about --kb kilobytes. Both passes run in this process, one
after the other, on one core: "extraction" is extract_claims() (parse of the candidate sentences with
tagger + parser, plus the rules), "full parse" is every component of the same pipeline package over
the whole bodies (nlp.pipe). CPU is process time; wall time also counts other processes.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("DJANGO_DEBUG", "1")

from claims.extraction import clean_article_text, extract_claims  # noqa: E402
from claims.extraction.nlp import english, model_name  # noqa: E402

SHARED = ROOT.parent / "shared"


def corpus(kb: int, lang: str = "en") -> list[str]:
    paths = sorted((SHARED / "gold" / "dev" / "articles").glob("*.txt"))
    paths += sorted((ROOT / "tests" / "extraction_cases").glob("*.txt")) + sorted((ROOT / "seeds").glob("*.txt"))
    bodies = []
    for path in paths:
        article = clean_article_text(path.read_text(encoding="utf-8"))
        if (article.language_hint or "en") == lang and article.body:
            bodies.append(article.body)
    out, size = [], 0
    while bodies and size < kb * 1024:
        for body in bodies:
            out.append(body)
            size += len(body.encode("utf-8"))
    return out


def _timed(fn) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    fn()
    return time.process_time() - cpu, time.perf_counter() - wall


def ratio(kb: int) -> None:
    import spacy

    texts = corpus(kb)
    size = sum(len(t.encode("utf-8")) for t in texts) / 1024
    extract_claims(texts[0], language="en")  # load the model before timing
    claims = 0

    def run_extraction():
        nonlocal claims
        claims = sum(len(extract_claims(t, language="en")) for t in texts)

    ex_cpu, ex_wall = _timed(run_extraction)
    full = spacy.load(model_name())
    list(full.pipe(texts[:3]))
    full_cpu, full_wall = _timed(lambda: [None for _ in full.pipe(texts, batch_size=16)])
    print(f"model {model_name()} ({', '.join(english().pipe_names)} for extraction)")
    print(f"corpus {len(texts)} articles, {size:.0f} KB, {claims} claims")
    print(f"extraction  {ex_cpu:7.2f} s CPU {ex_wall:7.2f} s wall  {size / ex_cpu:6.1f} KB/s per core")
    print(f"full parse  {full_cpu:7.2f} s CPU {full_wall:7.2f} s wall  {size / full_cpu:6.1f} KB/s per core")
    print(f"extraction / full parse CPU: {ex_cpu / full_cpu:.2f}x ({full_cpu / ex_cpu:.2f}x faster)")


def memory(n: int) -> None:
    texts = corpus(400)
    rss = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # noqa: E731 (MB, Linux)
    extract_claims(texts[0], language="en")
    print(f"after loading the model: peak RSS {rss():.0f} MB")
    cpu, start = time.process_time(), time.perf_counter()
    for i in range(n):
        extract_claims(texts[i % len(texts)], language="en")
        if (i + 1) % max(1, n // 5) == 0:
            print(f"{i + 1:6d} articles: peak RSS {rss():.0f} MB, {time.process_time() - cpu:.1f} s CPU")
    print(f"{n} articles in {time.perf_counter() - start:.1f} s wall")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kb", type=int, default=600, help="corpus size for the ratio (default 600 KB)")
    ap.add_argument("--memory", type=int, metavar="N", help="extract N articles and report peak RSS")
    args = ap.parse_args()
    if args.memory:
        memory(args.memory)
    else:
        ratio(args.kb)


if __name__ == "__main__":
    main()

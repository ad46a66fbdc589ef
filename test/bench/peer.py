"""The Python peer of the benchmark: what BERTopic/Delphi users would run on the same comments.

scikit-learn TF-IDF (English stop words, unigrams + bigrams, sublinear tf, min_df 2) -> TruncatedSVD
(100) -> L2 normalisation -> umap-learn (2-D, n_neighbors 15, min_dist 0.1, cosine, random_state 42)
-> Ward layers on the UMAP positions. Reads one comment per line (JSON strings) from argv[1] and
prints one JSON object with per-phase wall times (s) and the peak RSS (MB).
"""
import json
import resource
import sys
import time

t0 = time.perf_counter()
from sklearn.cluster import AgglomerativeClustering  # noqa: E402
from sklearn.decomposition import TruncatedSVD  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.preprocessing import normalize  # noqa: E402
import umap  # noqa: E402

imports = time.perf_counter() - t0
texts = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
times = {"imports": imports}

t = time.perf_counter()
tfidf = TfidfVectorizer(stop_words="english", ngram_range=(1, 2), sublinear_tf=True, min_df=2).fit_transform(texts)
dims = max(2, min(100, tfidf.shape[0] - 1, tfidf.shape[1] - 1))
vectors = normalize(TruncatedSVD(n_components=dims, random_state=42).fit_transform(tfidf))
times["embed"] = time.perf_counter() - t

t = time.perf_counter()
positions = umap.UMAP(n_neighbors=15, min_dist=0.1, metric="cosine", random_state=42).fit_transform(vectors)
times["umap"] = time.perf_counter() - t

t = time.perf_counter()
layers = [AgglomerativeClustering(n_clusters=max(2, len(texts) // size), linkage="ward").fit_predict(positions) for size in (25, 60, 150)]
times["cluster"] = time.perf_counter() - t

times["total"] = sum(v for k, v in times.items() if k != "imports")
print(json.dumps({"times_s": times, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "comments": len(texts)}))

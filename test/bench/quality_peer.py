"""The Python peer of `npm run bench:quality`: what a plain scikit-learn (+ umap-learn) script gives.

TF-IDF (English stop words, unigrams + bigrams, sublinear tf, min_df 2) -> TruncatedSVD (100, the
seed) -> L2 normalisation -> umap-learn 5-D (n_neighbors 15, min_dist 0, cosine, the seed) when
umap-learn is installed -> Ward (scikit-learn AgglomerativeClustering) at each requested k.
Without umap-learn (it is not in Debian), Ward runs on the normalised LSA vectors and the variant
says so. argv: texts (JSON lines), ks (JSON list), seeds (JSON list). Prints JSON
{variant, labels: {k: [labels per seed]}}.
"""
import json
import sys

from sklearn.cluster import AgglomerativeClustering
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

try:
    import umap  # noqa: F401

    HAVE_UMAP = True
except ImportError:
    HAVE_UMAP = False

texts = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
ks = json.loads(sys.argv[2])
seeds = json.loads(sys.argv[3])
tfidf = TfidfVectorizer(stop_words="english", ngram_range=(1, 2), sublinear_tf=True, min_df=2).fit_transform(texts)
dims = max(2, min(100, tfidf.shape[0] - 1, tfidf.shape[1] - 1))
labels = {str(k): [] for k in ks}
for seed in seeds:
    vectors = normalize(TruncatedSVD(n_components=dims, random_state=seed).fit_transform(tfidf))
    space = vectors
    if HAVE_UMAP:
        space = umap.UMAP(n_components=5, n_neighbors=15, min_dist=0.0, metric="cosine", random_state=seed).fit_transform(vectors)
    for k in ks:
        labels[str(k)].append(AgglomerativeClustering(n_clusters=max(2, k), linkage="ward").fit_predict(space).tolist())
variant = "sklearn lsa -> umap-learn 5-d -> ward" if HAVE_UMAP else "sklearn lsa -> ward (umap-learn not installed)"
print(json.dumps({"variant": variant, "labels": labels}))

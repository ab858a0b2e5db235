#!/usr/bin/env python3
"""Anchor figures for shopmind's recommenders on the MovieLens 100K protocol.

Not run by CI. Reads the train/test files written by

    shopmind split --input ../shared/data/movielens-100k/u.data --format movielens \
        --test-ratio 0.25 --seed 42 --out /tmp/ml-split

(each user's ratings shuffled with a seeded RNG, round(0.75 n) to train), treats
every rating as an implicit positive, recommends the top 10 among the items a
user has not rated in train, and reports NDCG@10, Precision@10, Recall@10 and
MAP@10 averaged over test users -- the same definitions as
shopmind_core::metrics::ranking.

Baselines: the `implicit` package's ALS and BPR (grid-tuned on this split, as
the issue asks: the figures are an upper bound for them) and EASE in NumPy.
Training times are measured with one thread (OPENBLAS/implicit threads = 1).

    python3 -m venv /tmp/anchors-venv && /tmp/anchors-venv/bin/pip install numpy scipy implicit
    OPENBLAS_NUM_THREADS=1 /tmp/anchors-venv/bin/python benches/anchors/ml100k.py /tmp/ml-split
"""
import csv
import json
import math
import sys
import time

import numpy as np
import scipy.sparse as sp


def read(path):
    with open(path, newline="") as f:
        return [(r["user_id"], r["item_id"]) for r in csv.DictReader(f)]


def metrics(recs, relevant, k=10):
    ndcg = prec = rec = ap = 0.0
    n = 0
    for u, rel in relevant.items():
        if not rel:
            continue
        lst = recs[u][:k]
        hits = [1.0 if i in rel else 0.0 for i in lst]
        dcg = sum(h / math.log2(p + 2) for p, h in enumerate(hits))
        idcg = sum(1 / math.log2(p + 2) for p in range(min(len(rel), k)))
        found, s = 0, 0.0
        for p, h in enumerate(hits):
            if h:
                found += 1
                s += found / (p + 1)
        ndcg += dcg / idcg
        prec += sum(hits) / k
        rec += sum(hits) / len(rel)
        ap += s / min(len(rel), k)
        n += 1
    return {"ndcg": ndcg / n, "precision": prec / n, "recall": rec / n, "map": ap / n, "users": n}


def top_k(scores, seen, k=10):
    scores = scores.copy()
    scores[seen] = -np.inf
    idx = np.argpartition(-scores, k)[:k]
    return idx[np.argsort(-scores[idx], kind="stable")].tolist()


def main(split_dir):
    train, test = read(f"{split_dir}/train.csv"), read(f"{split_dir}/test.csv")
    users = {u: n for n, u in enumerate(sorted({u for u, _ in train}))}
    items = {i: n for n, i in enumerate(sorted({i for _, i in train} | {i for _, i in test}))}
    rows = [users[u] for u, _ in train]
    cols = [items[i] for _, i in train]
    X = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(users), len(items)))
    X.data[:] = 1.0
    relevant = {}
    for u, i in test:
        if u in users:
            relevant.setdefault(users[u], set()).add(items[i])
    seen = [X[u].indices for u in range(X.shape[0])]
    results = []

    def evaluate(name, params, score_fn, fit_s):
        recs = {u: top_k(score_fn(u), seen[u]) for u in relevant}
        m = metrics(recs, relevant)
        m.update({"model": name, "params": params, "fit_seconds": fit_s})
        results.append(m)
        print(json.dumps(m), flush=True)

    # EASE in NumPy.
    for lam in [200.0, 500.0]:
        t = time.perf_counter()
        G = (X.T @ X).toarray().astype(np.float64)
        G[np.diag_indices_from(G)] += lam
        P = np.linalg.inv(G)
        B = -P / np.diag(P)
        B[np.diag_indices_from(B)] = 0.0
        fit_s = time.perf_counter() - t
        XB = X @ B
        evaluate("numpy-ease", {"lambda": lam}, lambda u: np.asarray(XB[u]).ravel(), fit_s)

    from implicit.als import AlternatingLeastSquares
    from implicit.bpr import BayesianPersonalizedRanking
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        for factors in [64]:
            for reg in [0.01, 0.1, 1.0, 5.0, 10.0, 20.0, 30.0]:
                for alpha in [1.0, 2.0, 5.0, 15.0]:
                    model = AlternatingLeastSquares(factors=factors, regularization=reg, alpha=alpha,
                                                    iterations=15, num_threads=1, random_state=42,
                                                    calculate_training_loss=False)
                    t = time.perf_counter()
                    model.fit(X, show_progress=False)
                    fit_s = time.perf_counter() - t
                    uf, itf = model.user_factors, model.item_factors
                    evaluate("implicit-als", {"factors": factors, "regularization": reg, "alpha": alpha,
                                              "iterations": 15}, lambda u: itf @ uf[u], fit_s)
        for lr in [0.01, 0.05, 0.1]:
            for reg in [0.001, 0.01]:
                model = BayesianPersonalizedRanking(factors=64, learning_rate=lr, regularization=reg,
                                                    iterations=100, num_threads=1, random_state=42)
                t = time.perf_counter()
                model.fit(X, show_progress=False)
                fit_s = time.perf_counter() - t
                uf, itf = model.user_factors, model.item_factors
                evaluate("implicit-bpr", {"factors": 64, "learning_rate": lr, "regularization": reg,
                                          "iterations": 100}, lambda u: itf @ uf[u], fit_s)

    print("BEST per model:")
    for name in ["numpy-ease", "implicit-als", "implicit-bpr"]:
        best = max((r for r in results if r["model"] == name), key=lambda r: r["ndcg"])
        print(json.dumps(best))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/ml-split")

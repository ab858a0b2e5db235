#!/usr/bin/env python3
"""implicit ALS training time (median of runs, one thread) and NDCG@10 on a
split written by `shopmind split`, for comparison with

    shopmind bench recommend --train SPLIT/train.csv --test SPLIT/test.csv --algorithms ials --threads 1

Same factors (64), iterations (15), regularization and confidence: implicit's
confidence is alpha * r, shopmind's 1 + alpha * r, so implicit alpha = 2 is
shopmind alpha = 1 on binary data. Not run by CI.

    OPENBLAS_NUM_THREADS=1 /tmp/anchors-venv/bin/python benches/anchors/ials_speed.py /tmp/ml-split [runs] [reg]
"""
import statistics
import sys
import time

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from ml100k import metrics, read, top_k  # noqa: E402


def main(split_dir, runs=3, reg=22.0):
    from implicit.als import AlternatingLeastSquares

    train, test = read(f"{split_dir}/train.csv"), read(f"{split_dir}/test.csv")
    users = {u: n for n, u in enumerate(sorted({u for u, _ in train}))}
    items = {i: n for n, i in enumerate(sorted({i for _, i in train} | {i for _, i in test}))}
    X = sp.csr_matrix((np.ones(len(train), dtype=np.float32),
                       ([users[u] for u, _ in train], [items[i] for _, i in train])),
                      shape=(len(users), len(items)))
    X.data[:] = 1.0
    times = []
    with threadpool_limits(1):
        for _ in range(runs):
            model = AlternatingLeastSquares(factors=64, regularization=reg, alpha=2.0, iterations=15,
                                            num_threads=1, random_state=42, calculate_training_loss=False)
            t = time.perf_counter()
            model.fit(X, show_progress=False)
            times.append(time.perf_counter() - t)
    relevant = {}
    for u, i in test:
        if u in users:
            relevant.setdefault(users[u], set()).add(items[i])
    uf, itf = model.user_factors, model.item_factors
    recs = {u: top_k(itf @ uf[u], X[u].indices) for u in relevant}
    m = metrics(recs, relevant)
    print(f"implicit ALS: {X.shape[0]} users, {X.shape[1]} items, {X.nnz} interactions; "
          f"fit median {statistics.median(times):.3f} s over {runs} runs {[round(t, 3) for t in times]}; "
          f"NDCG@10 {m['ndcg']:.4f} P@10 {m['precision']:.4f} R@10 {m['recall']:.4f} MAP@10 {m['map']:.4f}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3, float(sys.argv[3]) if len(sys.argv) > 3 else 22.0)

#!/usr/bin/env python3
"""Anchor figures for shopmind's intent classifier on BANKING77.

Not run by CI. Fits scikit-learn models on the BANKING77 train file and
scores the test file (accuracy of the most likely intent), with fit time:

  1. word 1-2-gram TF-IDF + logistic regression (the usual baseline);
  2. word + within-word character 2-5-gram TF-IDF + logistic regression;
  3. shopmind's features rebuilt in scikit-learn (word 1-2-grams, character
     2-5-grams within words, unordered word pairs at most 16 apart, each
     block sublinear TF-IDF and L2-normalised) with a Crammer-Singer
     LinearSVC (C = 0.5), then the same averaged with a multinomial
     logistic regression (C = 10): p = (softmax(s / T) + 0.5 p_lr) / 1.5,
     T = 0.111 as shopmind fits it. It checks that shopmind's solvers reach
     what LIBLINEAR and L-BFGS reach on the same features.

    python3 -m venv /tmp/nlp-venv && /tmp/nlp-venv/bin/pip install scikit-learn pandas
    /tmp/nlp-venv/bin/python benches/anchors/banking77.py ../shared/data/banking77

The shopmind side of the same comparison:

    shopmind bench assistant --train DIR/train.csv --test DIR/test.csv
    shopmind bench assistant --train DIR/train.csv --test DIR/test.csv --softmax-weight 0
"""

import re
import sys
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_union
from sklearn.svm import LinearSVC

warnings.filterwarnings("ignore")
WORD = re.compile(r"[^\W_]+")


def pairs(text, window=16):
    """Unordered pairs of lower-cased tokens at most `window` apart."""
    tokens = WORD.findall(text.lower())
    out = []
    for i, a in enumerate(tokens):
        for b in tokens[i + 1 : i + 1 + window]:
            out.append("|".join(sorted((a, b))))
    return out


def softmax(s, t=1.0):
    e = np.exp((s - s.max(axis=1, keepdims=True)) / t)
    return e / e.sum(axis=1, keepdims=True)


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/banking77"
    train = pd.read_csv(f"{root}/train.csv")
    test = pd.read_csv(f"{root}/test.csv")
    y, yt = train.category.values, test.category.values

    def run(name, vec, make):
        start = time.perf_counter()
        x = vec.fit_transform(train.text)
        models = [m.fit(x, y) for m in make()]
        seconds = time.perf_counter() - start
        xt = vec.transform(test.text)
        return name, models, xt, seconds

    word = lambda: TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    chars = lambda: TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
    rows = []
    for name, vec, make in [
        ("word tf-idf + LR", word(), lambda: [LogisticRegression(C=10, max_iter=2000)]),
        ("word+char tf-idf + LR", make_union(word(), chars()), lambda: [LogisticRegression(C=10, max_iter=2000)]),
    ]:
        name, models, xt, seconds = run(name, vec, make)
        rows.append((name, (models[0].predict(xt) == yt).mean(), seconds))
    three = make_union(word(), chars(), TfidfVectorizer(analyzer=pairs, sublinear_tf=True))
    name, (svm, lr), xt, seconds = run(
        "shopmind features",
        three,
        lambda: [LinearSVC(C=0.5, multi_class="crammer_singer"), LogisticRegression(C=10, max_iter=2000)],
    )
    s = svm.decision_function(xt)
    rows.append(("  + Crammer-Singer SVM", (svm.classes_[s.argmax(1)] == yt).mean(), float("nan")))
    p = (softmax(s, 0.111) + 0.5 * lr.predict_proba(xt)) / 1.5
    rows.append(("  + SVM and LR averaged", (svm.classes_[p.argmax(1)] == yt).mean(), seconds))
    for name, acc, seconds in rows:
        fit = "     -  " if np.isnan(seconds) else f"{seconds:6.1f} s"
        print(f"{name:<28} accuracy {acc:.4f}   fit {fit}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Anchor figures for shopmind's forecasters on M4 Hourly and Weekly.

Not run by CI. Runs statsforecast's AutoETS, AutoTheta, SeasonalNaive and
Naive on the M4 train files, forecasts the test horizon (48 hourly, 13
weekly), and reports per model the mean MASE (scaled by the in-sample
seasonal naive with m = 24 hourly, 52 weekly: the issue's protocol), the
mean sMAPE and the wall time of fit + forecast on ONE thread (n_jobs=1,
NUMBA_NUM_THREADS=1). numba compiles on first use; a warm-up on three series
runs before the clock starts, so the times are steady-state.

    python3 -m venv /tmp/fc-venv && /tmp/fc-venv/bin/pip install statsforecast pandas numpy
    NUMBA_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 \\
        /tmp/fc-venv/bin/python benches/anchors/m4.py ../shared/data/m4-hourly-weekly [hourly|weekly|both]

With a third argument `--out DIR` the per-series forecasts are written as
DIR/<freq>-<model>.csv (series_id,step,forecast) for side-by-side study.

The shopmind side of the same comparison:

    shopmind eval forecast --format m4 --train DIR/Weekly-train.csv \\
        --test DIR/Weekly-test.csv --horizon 13 --season 52 --threads 1
"""

import os
import sys
import time

import numpy as np
import pandas as pd


def read_wide(path):
    """M4 wide CSV -> {series_id: np.array of floats}."""
    out = {}
    with open(path) as f:
        next(f)
        for line in f:
            cells = [c.strip().strip('"') for c in line.rstrip("\n").split(",")]
            vals = [float(c) for c in cells[1:] if c != ""]
            out[cells[0]] = np.array(vals, dtype=float)
    return out


def mase(y, f, insample, m):
    scale = np.mean(np.abs(insample[m:] - insample[:-m]))
    return np.mean(np.abs(y - f)) / scale


def smape(y, f):
    d = np.abs(y) + np.abs(f)
    t = np.where(d == 0, 0.0, 2 * np.abs(y - f) / np.where(d == 0, 1, d))
    return 100 * np.mean(t)


def run(data_dir, name, h, m, out_dir):
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS, AutoTheta, Naive, SeasonalNaive

    train = read_wide(os.path.join(data_dir, f"{name}-train.csv"))
    test = read_wide(os.path.join(data_dir, f"{name}-test.csv"))
    ids = list(train.keys())
    rows = []
    for sid in ids:
        y = train[sid]
        rows.append(pd.DataFrame({"unique_id": sid, "ds": np.arange(1, len(y) + 1), "y": y}))
    df = pd.concat(rows, ignore_index=True)

    models = {
        "SeasonalNaive": lambda: SeasonalNaive(season_length=m),
        "Naive": lambda: Naive(),
        "AutoTheta": lambda: AutoTheta(season_length=m),
        "AutoETS": lambda: AutoETS(season_length=m),
    }
    print(f"{name}: {len(ids)} series, horizon {h}, season {m}", flush=True)
    for label, make in models.items():
        warm = df[df.unique_id.isin(ids[:3])]
        StatsForecast(models=[make()], freq=1, n_jobs=1).forecast(df=warm, h=h)
        t0 = time.perf_counter()
        fc = StatsForecast(models=[make()], freq=1, n_jobs=1).forecast(df=df, h=h)
        secs = time.perf_counter() - t0
        fc = fc.reset_index() if "unique_id" not in fc.columns else fc
        col = [c for c in fc.columns if c not in ("unique_id", "ds")][0]
        mases, smapes = [], []
        for sid, g in fc.groupby("unique_id", sort=False):
            f = g[col].to_numpy()
            mases.append(mase(test[sid], f, train[sid], m))
            smapes.append(smape(test[sid], f))
        print(
            f"  {label:14s} MASE {np.mean(mases):.4f}  sMAPE {np.mean(smapes):.3f}  "
            f"time {secs:8.1f} s",
            flush=True,
        )
        if out_dir:
            os.makedirs(out_dir, exist_ok=True)
            fc = fc.copy()
            fc["step"] = fc.groupby("unique_id").cumcount() + 1
            fc.rename(columns={"unique_id": "series_id", col: "forecast"})[
                ["series_id", "step", "forecast"]
            ].to_csv(os.path.join(out_dir, f"{name.lower()}-{label}.csv"), index=False)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    data_dir = sys.argv[1]
    which = sys.argv[2] if len(sys.argv) > 2 else "both"
    out_dir = None
    if "--out" in sys.argv:
        out_dir = sys.argv[sys.argv.index("--out") + 1]
    if which in ("weekly", "both"):
        run(data_dir, "Weekly", 13, 52, out_dir)
    if which in ("hourly", "both"):
        run(data_dir, "Hourly", 48, 24, out_dir)


if __name__ == "__main__":
    main()

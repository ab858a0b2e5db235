#!/usr/bin/env python3
"""Writes a large synthetic events CSV for the scale benchmark (not run by CI).

`shopmind generate` models every user's taste against every item, which is
quadratic and takes hours at a million users; this script only needs a
realistic shape for memory and load figures: USERS users, the item ids of an
items CSV, EVENTS events whose items follow a Zipf law (exponent 1.1 over a
seeded random permutation of the catalog), users drawn uniformly (so about
EVENTS / USERS events each, Poisson-distributed), event types in a shop's
funnel proportions, times uniform over the last 90 days. Seeded: the same
arguments give the same file.

Usage: benches/scale/events.py ITEMS_CSV OUT_CSV [USERS] [EVENTS] [SEED]
"""
import csv
import random
import sys

items_csv, out = sys.argv[1], sys.argv[2]
users = int(sys.argv[3]) if len(sys.argv) > 3 else 1_000_000
events = int(sys.argv[4]) if len(sys.argv) > 4 else 10_000_000
seed = int(sys.argv[5]) if len(sys.argv) > 5 else 42
rng = random.Random(seed)
with open(items_csv, newline="") as f:
    items = [row["item_id"] for row in csv.DictReader(f)]
rng.shuffle(items)
cum, acc = [], 0.0
for rank in range(1, len(items) + 1):
    acc += rank ** -1.1
    cum.append(acc)
kinds = ["view", "click", "cart", "purchase"]
kind_cum = [0.6, 0.85, 0.95, 1.0]
end = 1_764_547_200  # 2025-12-01
width = len(str(users))
with open(out, "w", newline="") as f:
    w = f.write
    w("user_id,item_id,event_type,timestamp\n")
    batch = 1_000_000
    for start in range(0, events, batch):
        n = min(batch, events - start)
        its = rng.choices(items, cum_weights=cum, k=n)
        ks = rng.choices(kinds, cum_weights=kind_cum, k=n)
        lines = [
            f"U{rng.randrange(users):0{width}d},{i},{k},{end - rng.randrange(90 * 86400)}\n"
            for i, k in zip(its, ks)
        ]
        w("".join(lines))
        print(f"{start + n:,} events", file=sys.stderr)

#!/usr/bin/env python3
"""API writes during a bulk import, on the embedded SQLite store.

Generates a store of about a million events (or takes a directory holding
`items.csv` and `events.csv`), imports the catalog, starts `shopmind serve`,
and while `shopmind import events` loads every event, CLIENTS threads post
single events to `POST /v1/events` as fast as they can. Reports the import's
time, the posts that failed (anything but 200, or no answer) and the posts'
latency quantiles. Then checks atomicity under `kill -9`: a second import of
new events is killed mid-way and the store must hold exactly what it held
before (and the next import must run).

Not run by CI (minutes of work). Usage:

    cargo build --release
    python3 benches/import_under_load.py target/release/shopmind [--clients 20] [--data DIR]
"""

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/health/ready")
            if c.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit("the server did not become ready")


def client(port, items, stop, out, seed):
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    n = 0
    while not stop.is_set():
        n += 1
        body = json.dumps(
            {
                "event_id": f"load-{seed}-{n}",
                "user_id": f"LOAD{rng.randrange(5000):05d}",
                "item_id": rng.choice(items),
                "event_type": "view",
            }
        )
        t0 = time.perf_counter()
        try:
            conn.request("POST", "/v1/events", body, {"content-type": "application/json"})
            r = conn.getresponse()
            r.read()
            status = r.status
        except OSError as e:
            status = f"error: {e}"
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        out.append((time.perf_counter() - t0, status))


def event_count(db):
    with sqlite3.connect(db) as c:
        return c.execute("SELECT COUNT(*) FROM events").fetchone()[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("shopmind")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--data", help="directory with items.csv and events.csv")
    args = ap.parse_args()
    exe = os.path.abspath(args.shopmind)
    work = tempfile.mkdtemp(prefix="sm-load-")
    data = args.data
    if not data:
        data = os.path.join(work, "gen")
        subprocess.run(
            [exe, "generate", "--out", data, "--users", "20000", "--items", "50000",
             "--days", "28", "--stores", "1", "--events-per-user", "50", "--seed", "7"],
            check=True, stdout=subprocess.DEVNULL)
    store = os.path.join(work, "store")
    db = os.path.join(store, "shopmind.db")
    base = [exe, "--data-dir", store, "--log", "warn"]
    subprocess.run(base + ["import", "items", os.path.join(data, "items.csv")],
                   check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(data, "items.csv")) as f:
        next(f)
        items = [line.split(",", 1)[0] for _, line in zip(range(2000), f)]

    port = free_port()
    server = subprocess.Popen(base + ["serve", "--insecure-no-auth", "--addr", f"127.0.0.1:{port}"],
                              stdout=subprocess.DEVNULL)
    try:
        wait_ready(port)
        stop = threading.Event()
        results = []
        threads = [threading.Thread(target=client, args=(port, items, stop, results, i))
                   for i in range(args.clients)]
        for t in threads:
            t.start()
        time.sleep(1.0)
        t0 = time.time()
        imp = subprocess.run(base + ["import", "events", os.path.join(data, "events.csv")],
                             capture_output=True, text=True)
        import_s = time.time() - t0
        time.sleep(1.0)
        stop.set()
        for t in threads:
            t.join()
        if imp.returncode != 0:
            sys.exit(f"import failed: {imp.stderr}")
        lat = sorted(x for x, _ in results)
        failed = [s for _, s in results if s != 200]
        q = statistics.quantiles(lat, n=1000)
        print(f"import of events.csv under load: {import_s:.1f} s")
        print(f"posts: {len(results)} sent by {args.clients} clients, {len(failed)} failed")
        print(f"latency: p50 {q[499] * 1000:.1f} ms, p99 {q[989] * 1000:.1f} ms, "
              f"max {lat[-1] * 1000:.1f} ms")
        if failed:
            print("first failures:", failed[:5])

        # Atomicity under kill -9: new events, killed mid-import.
        before = event_count(db)
        extra = os.path.join(work, "more-events.csv")
        with open(os.path.join(data, "events.csv")) as src, open(extra, "w") as dst:
            dst.write(next(src))
            for line in src:
                dst.write("k9-" + line)
        proc = subprocess.Popen(base + ["import", "events", extra],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(3.0)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        after_kill = event_count(db)
        print(f"kill -9 after 3 s: events before {before}, after {after_kill} "
              f"({'unchanged' if after_kill == before else 'CHANGED'})")
        small = os.path.join(work, "one-event.csv")
        with open(small, "w") as f:
            f.write("user_id,item_id,event_type\nK9USER,%s,view\n" % items[0])
        again = subprocess.run(base + ["import", "events", small], capture_output=True, text=True)
        print("the next import:", "ran" if again.returncode == 0 else f"FAILED: {again.stderr}")
        if failed or after_kill != before or again.returncode != 0:
            sys.exit(1)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

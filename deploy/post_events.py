#!/usr/bin/env python3
"""Posts N events through URL from C client threads in batches of 100, each
batch with its own Idempotency-Key, retrying a batch (same key, same body)
until it is acknowledged with 200; prints the number of events acknowledged.
Used by deploy/faults.sh. Usage: post_events.py URL KEY N C"""
import http.client
import json
import sys
import threading
import time
import urllib.parse

url, key, n, clients = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
u = urllib.parse.urlparse(url)
batch = 100
acked = [0] * clients
run = int(time.time() * 1000)


def client(c):
    conn = None
    for b in range(c, n // batch, clients):
        events = [
            {"event_id": f"fault-{run}-{b}-{i}", "user_id": f"U{(b * batch + i) % 2000 + 1:05d}",
             "item_id": f"SKU-{(b * 7 + i) % 500 + 1:05d}", "event_type": "click"}
            for i in range(batch)
        ]
        body = json.dumps({"events": events})
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json",
                   "Idempotency-Key": f"fault-{run}-{b}"}
        for attempt in range(200):
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
                conn.request("POST", "/v1/events", body, headers)
                r = conn.getresponse()
                r.read()
                if r.status == 200:
                    acked[c] += batch
                    break
                if r.status < 500 and r.status != 409:
                    sys.exit(f"batch {b}: status {r.status}")
            except (OSError, http.client.HTTPException):
                if conn is not None:
                    conn.close()
                conn = None
            time.sleep(0.05)
        else:
            sys.exit(f"batch {b} never acknowledged")


threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(sum(acked))

#!/usr/bin/env bash
# Fault and load tests of the local deployment (deploy/local.sh), which they
# start: run by CI in a short form (SECS=8 EVENTS=16000), by hand in full.
#
# 1. Reads through the balancer while a replica dies: wrk (1 thread, 8
#    connections) asks random users' recommendations for SECS seconds; at a
#    third of the run replica 1 is SIGKILLed, at two thirds started again.
#    Every request must succeed (the balancer retries a GET that hit the dead
#    replica on the live one); prints requests, errors and p99.
# 2. Writes while a replica dies: 8 clients post EVENTS events (batches of
#    100 with an Idempotency-Key each, retried until acknowledged) while
#    replica 2 is SIGKILLed and restarted; the events in the store must grow
#    by exactly the number acknowledged (no loss, no duplicate).
# 3. An import killed: `shopmind import events` of IMPORT_ROWS rows is
#    SIGKILLed after KILL_AFTER seconds; the store then holds none of it or
#    all of it (a kill after the commit point is finished by the next open),
#    never part, and the re-run succeeds with every row.
#
# Environment: SECS (30), EVENTS (100000), IMPORT_ROWS (1000000),
# KILL_AFTER (2), BIN, PG_URL, SCHEMA, PORT as for
# local.sh. Needs wrk and haproxy (apt-get install wrk haproxy).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
secs=${SECS:-30}
events=${EVENTS:-100000}
port=${PORT:-18400}
export SCHEMA=${SCHEMA:-shopmind_faults_$$}
bin=${BIN:-$here/../target/release/shopmind}
pg=${PG_URL:-postgres://postgres@127.0.0.1:5432/test}
trap '"$here/local.sh" down --purge >/dev/null 2>&1 || true' EXIT
"$here/local.sh" up 2
key=$(cat "$here/.run/key")
url=http://127.0.0.1:$port
count_events() {
  "$bin" --data-dir "$here/.run/data" --database-url "$pg" --database-schema "$SCHEMA" --log warn stats --json \
    | python3 -c 'import json,sys; print(dict(json.load(sys.stdin)["rows"])["events"])'
}

echo "== 1. ${secs} s of recommendations through the balancer; replica 1 killed at $((secs / 3)) s, back at $((2 * secs / 3)) s"
( sleep $((secs / 3)); "$here/local.sh" kill 1; sleep $((secs / 3)); "$here/local.sh" start 1 ) &
killer=$!
out=$(SHOPMIND_KEY=$key wrk -t1 -c8 -d"${secs}s" --latency -s "$here/users.lua" "$url")
wait "$killer"
python3 - "$out" <<'PY'
import re, sys
out = sys.argv[1]
total = int(re.search(r"(\d+) requests in", out).group(1))
non2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
sock = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", m.group(0))) if (m := re.search(r"Socket errors:.*", out)) else 0
m = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
p99 = float(m.group(1)) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[m.group(2)]
print(f"requests {total}, failed {non2xx + sock} (non-2xx {non2xx}, socket errors {sock}), p99 {p99:.2f} ms")
sys.exit(1 if non2xx + sock else 0)
PY
"$here/local.sh" start 1
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$((port + 1))/health/ready" >/dev/null && break; sleep 0.1; done

echo "== 2. ${events} events from 8 clients with idempotency keys; replica 2 killed and restarted meanwhile"
before=$(count_events)
( sleep 1; "$here/local.sh" kill 2; sleep 2; "$here/local.sh" start 2 ) &
killer=$!
acked=$(python3 "$here/post_events.py" "$url" "$key" "$events" 8)
wait "$killer"
after=$(count_events)
echo "acknowledged $acked, stored $((after - before)) (before $before, after $after)"
[[ $acked == "$events" && $((after - before)) == "$acked" ]]

rows=${IMPORT_ROWS:-1000000}
echo "== 3. import of $rows events killed after ${KILL_AFTER:-2} s, then re-run"
python3 "$here/../benches/scale/events.py" "$here/.run/csv/items.csv" "$here/.run/big.csv" 2000 "$rows" 7 2>/dev/null
before=$(count_events)
"$bin" --data-dir "$here/.run/data" --database-url "$pg" --database-schema "$SCHEMA" --log warn \
  import events "$here/.run/big.csv" >/dev/null 2>&1 &
importer=$!
sleep "${KILL_AFTER:-2}"
kill -9 "$importer" 2>/dev/null && echo "killed the import" || echo "the import had finished before the kill"
wait "$importer" 2>/dev/null || true
killed=$(count_events)   # this open finishes an import killed after its commit point
"$bin" --data-dir "$here/.run/data" --database-url "$pg" --database-schema "$SCHEMA" --log warn \
  import events "$here/.run/big.csv" >/dev/null
rerun=$(count_events)
echo "events before $before, after the kill $killed, after the re-run $rerun"
[[ ($killed == "$before" || $killed == "$rerun") && $rerun -gt $before ]]
echo "faults: passed"

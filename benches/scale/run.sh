#!/usr/bin/env bash
# The scale benchmark (not run by CI; about an hour on 2 cores): a store of
# USERS users, ITEMS items and EVENTS events; import time, training time and
# peak memory per algorithm, then one `serve` over it: the time and memory
# its users' histories take to load, its resident memory once ready, and
# the p99 of random users' recommendations under `wrk -t1 -c8`.
#
# Usage: benches/scale/run.sh DIR [USERS] [ITEMS] [EVENTS] [ALGORITHMS]
# (defaults 1000000 100000 10000000 "popular item-knn ials"; DIR is a scratch
# directory). Items come from `shopmind generate` (its catalog), events from
# benches/scale/events.py (the generator's behaviour model is quadratic in
# users × items). Needs wrk and GNU time.
set -euo pipefail
dir=$1 users=${2:-1000000} items=${3:-100000} events=${4:-10000000}
algos=${5:-popular item-knn ials}
here=$(cd "$(dirname "$0")" && pwd)
bin=${BIN:-$here/../../target/release/shopmind}
mkdir -p "$dir"
sm() { "$bin" --data-dir "$dir/data" --log warn "$@"; }
t() { /usr/bin/time -f "$1: %e s, max RSS %M KB" "${@:2}"; }
# The catalog and users only (the generator's events are not used).
sm generate --out "$dir/csv" --users 1 --items "$items" --days 28 --stores 1 --events-per-user 1 >/dev/null
python3 "$here/events.py" "$dir/csv/items.csv" "$dir/csv/events.csv" "$users" "$events" 2>/dev/null
for f in items events; do t "import $f" sm import "$f" "$dir/csv/$f.csv" >/dev/null; done
for a in $algos; do
  t "train $a" timeout 3600 "$bin" --data-dir "$dir/data" --log warn train recommend \
    --algorithm "$a" --binary --activate=true >/dev/null || echo "train $a: failed or over an hour"
done
export SHOPMIND_KEY=$(sm keys create --scope read)
"$bin" --data-dir "$dir/data" --log info serve --addr 127.0.0.1:18399 >"$dir/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 3000); do curl -sf http://127.0.0.1:18399/health/ready >/dev/null && break; sleep 0.2; done
grep "histories loaded" "$dir/serve.log" | sed 's/^.*INFO //'
echo "resident memory once ready: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"
wrk -t1 -c8 -d30s --latency -s "$here/users.lua" http://127.0.0.1:18399 | grep -E "Requests/sec|50%|99%|Non-2xx"
echo "resident memory after the load: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"

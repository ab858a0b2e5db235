#!/usr/bin/env bash
# Load benchmark of the recommendation route (not run by CI).
#
# Imports MovieLens 100K into a scratch store, trains item-kNN and iALS,
# serves each in turn and drives GET /v1/users/{id}/recommendations?n=10 for
# random users with wrk (apt-get install wrk); server and load generator
# share the machine. Usage: benches/serve/run.sh [DATA_DIR] [SECONDS]
set -euo pipefail
data=${SHOPMIND_BENCH_DATA:-../shared/data}
secs=${2:-10}
dir=$(mktemp -d)
bin=target/release/shopmind
cargo build --release --quiet
$bin --data-dir "$dir" --log warn import movielens "${1:-$data}/movielens-100k/u.data" >/dev/null
export SHOPMIND_KEY=$($bin --data-dir "$dir" keys create --scope read)
for algo in item-knn ials; do
  id=$($bin --data-dir "$dir" --log warn train recommend --algorithm "$algo" --binary --activate --json \
       | sed -n 's/.*"model_id": "\(.*\)".*/\1/p')
  $bin --data-dir "$dir" --log warn serve --addr 127.0.0.1:18299 >/dev/null 2>&1 &
  pid=$!
  sleep 2
  echo "== $algo ($id)"
  wrk -t1 -c8 -d"${secs}s" --latency -s benches/serve/recommendations.lua http://127.0.0.1:18299 \
    | grep -E 'Requests/sec|50%|90%|99%'
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
rm -rf "$dir"

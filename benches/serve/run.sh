#!/usr/bin/env bash
# Load benchmark of the recommendation route against the same server's
# trivial route (not run by CI).
#
# Imports MovieLens 100K into a scratch store (SQLite, or a scratch schema of
# PostgreSQL with BACKEND=postgres), trains each algorithm, serves it and
# drives, with wrk -t1 -c8 (apt-get install wrk; server and load generator
# share the machine):
#   1. GET /health/live                                (the baseline)
#   2. GET /v1/users/{random user}/recommendations?n=10
#      (the plain request a shop's pages send: answered from the user's kept
#      list while their history and the model are unchanged)
#   3. the same with &exclude=0, a request shape that is never kept, so every
#      answer is scored (what a user's first visit, or one after a new
#      event, costs)
# ROUNDS times each, alternating, and prints the median throughputs, the
# median ratios to health (the figure the project holds itself to for the
# plain request: at least 0.5) and the median p99s.
#
# Usage: benches/serve/run.sh [MOVIELENS_DIR] [SECONDS]
# Environment: BIN (default target/release/shopmind, built if missing),
# BACKEND (sqlite | postgres), PG_URL (default postgres://postgres@127.0.0.1:5432/test),
# ALGOS (default "item-knn ials"), ROUNDS (default 3).
set -euo pipefail
data=${SHOPMIND_BENCH_DATA:-../shared/data}
ml=${1:-$data/movielens-100k}
secs=${2:-10}
rounds=${ROUNDS:-3}
backend=${BACKEND:-sqlite}
algos=${ALGOS:-item-knn ials}
bin=${BIN:-target/release/shopmind}
port=18299
[[ -n ${BIN:-} ]] || cargo build --release --quiet
dir=$(mktemp -d)
store=(--data-dir "$dir")
schema=""
if [[ $backend == postgres ]]; then
  schema=bench_serve_$$
  store+=(--database-url "${PG_URL:-postgres://postgres@127.0.0.1:5432/test}" --database-schema "$schema")
fi
cleanup() {
  [[ -n ${pid:-} ]] && kill "$pid" 2>/dev/null || true
  [[ -n $schema ]] && psql -q "${PG_URL:-postgres://postgres@127.0.0.1:5432/test}" \
    -c "DROP SCHEMA IF EXISTS $schema CASCADE" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
sm() { "$bin" "${store[@]}" --log warn "$@"; }
sm import movielens "$ml/u.data" >/dev/null
export SHOPMIND_KEY=$(sm keys create --scope read)
# wrk → "requests/s p99_ms"
load() {
  local out
  if [[ $1 == health ]]; then
    out=$(wrk -t1 -c8 -d"${secs}s" --latency "http://127.0.0.1:$port/health/live")
  else
    out=$(SHOPMIND_QUERY=$2 wrk -t1 -c8 -d"${secs}s" --latency -s benches/serve/recommendations.lua "http://127.0.0.1:$port")
  fi
  if grep -q "Non-2xx" <<<"$out"; then echo "non-2xx answers:" >&2; echo "$out" >&2; exit 1; fi
  python3 - "$out" <<'EOF'
import re, sys
out = sys.argv[1]
rps = float(re.search(r"Requests/sec:\s*([\d.]+)", out).group(1))
m = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
p99 = float(m.group(1)) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[m.group(2)]
print(f"{rps:.0f} {p99:.3f}")
EOF
}
for algo in $algos; do
  id=$(sm train recommend --algorithm "$algo" --binary --activate --json \
       | sed -n 's/.*"model_id": "\(.*\)".*/\1/p')
  # The binary itself in the background (not the `sm` function, whose
  # subshell would be what `kill` stops, leaving the server running).
  "$bin" "${store[@]}" --log warn serve --addr 127.0.0.1:$port >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 300); do curl -sf http://127.0.0.1:$port/health/ready >/dev/null && break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null || { echo "the server did not start (port $port taken?)" >&2; exit 1; }
  # Warm-up: connections, caches, the allocator.
  wrk -t1 -c8 -d2s -s benches/serve/recommendations.lua "http://127.0.0.1:$port" >/dev/null
  results=()
  for r in $(seq "$rounds"); do
    h=$(load health); q=$(load recs ""); c=$(load recs "&exclude=0")
    echo "  $algo round $r: health ${h% *} req/s (p99 ${h#* } ms), recommendations ${q% *} req/s (p99 ${q#* } ms), scored every time ${c% *} req/s (p99 ${c#* } ms)"
    results+=("$h $q $c")
  done
  python3 - "$algo" "$id" "$backend" "${results[@]}" <<'EOF'
import statistics, sys
algo, mid, backend, rows = sys.argv[1], sys.argv[2], sys.argv[3], [list(map(float, r.split())) for r in sys.argv[4:]]
h = statistics.median(r[0] for r in rows)
q = statistics.median(r[2] for r in rows)
ratio = statistics.median(r[2] / r[0] for r in rows)
p99 = statistics.median(r[3] for r in rows)
c = statistics.median(r[4] for r in rows)
cratio = statistics.median(r[4] / r[0] for r in rows)
cp99 = statistics.median(r[5] for r in rows)
hp99 = statistics.median(r[1] for r in rows)
print(f"== {algo} ({mid}, {backend}): health {h:.0f} req/s (p99 {hp99:.2f} ms); "
      f"recommendations {q:.0f} req/s, ratio {ratio:.3f}, p99 {p99:.2f} ms; "
      f"scored every time {c:.0f} req/s, ratio {cratio:.3f}, p99 {cp99:.2f} ms "
      f"(medians of {len(rows)} rounds)")
EOF
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
done

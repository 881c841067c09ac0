#!/usr/bin/env bash
# Two builds of the service, one cluster, turn about: the write rate and the CPU each write cost
# the server and PostgreSQL, for an older commit and for the working tree, in alternating runs
# (old, new, new, old, old, new, ...). On a shared machine a change worth a tenth is lost between
# two runs minutes apart (the same build's PATCH rate spread over 3 901-6 713 req/s in one
# hour); within one alternating run both builds see the same machine.
#
#   bash bench/compare_writes.sh OLD-COMMIT [rounds] [seconds] [create|update]
#                                              (defaults: 3 rounds of 8 seconds, update)
#
# The old commit is built (Release) in a temporary worktree. Both binaries serve the same
# cluster (fsync on), migrated by the new one: an older binary only warns about migrations it
# does not know. Settings as bench/run.sh's. Prints Markdown; nothing is written to docs/ (copy
# what you keep, with this command).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
# shellcheck source=bench/write_setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/write_setup.sh"
cd "$KKR_ROOT"

OLD="${1:?usage: bench/compare_writes.sh OLD-COMMIT [rounds] [seconds] [create|update]}"
ROUNDS="${2:-3}"
DURATION="${3:-8}"
KIND="${4:-update}"
write_kind "$KIND"
CONNECTIONS="${BENCH_CONNECTIONS:-64}"
old_short="$(git rev-parse --short "$OLD^{commit}")"

prepare_write_bench

work="$(mktemp -d /tmp/kkr-compare.XXXXXX)"
chmod 755 "$work"
server_pid=
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  stop_postgres
  git worktree remove --force "$work/old" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

git worktree add --detach -q "$work/old" "$old_short"
KKR_ROOT="$work/old" build "$work/old/build" -DCMAKE_BUILD_TYPE=Release -DKKR_BUILD_TESTS=OFF \
  >/dev/null
declare -A binary=([old]="$work/old/build/kkr" [new]="$KKR_ROOT/build/kkr")

pg_port="$(free_port)"
app_port="$(free_port)"
app="http://127.0.0.1:$app_port"
start_postgres "$work/pg" "$pg_port" >/dev/null
export KKR_DATABASE_URL="postgresql://postgres@127.0.0.1:$pg_port/postgres"
serve_settings "$app_port"
build/kkr migrate >/dev/null
build/kkr seed >/dev/null
token="$(build/kkr keys create --role editor --name compare | tail -n 1)"
export BENCH_TOKEN="$token"

# shellcheck source=bench/cpu.sh
source bench/cpu.sh

serve() {  # WHICH: starts that build's server and waits until it is ready
  KKR_MIGRATE_ON_START=false "${binary[$1]}" serve >/dev/null 2>"$work/$1.log" &
  server_pid=$!
  wait_http "$app/readyz" 60 || kkr_die "the $1 build did not become ready: $(tail -3 "$work/$1.log")"
}

stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=
}

# The persons the PATCHes spread over, made once through the API.
serve new
python3 bench/make_fixture.py "$app" "$token" 100 >/dev/null
BENCH_PERSON_IDS="$(curl -fsS "$app/v1/persons?limit=1000&q=Benchperson" |
  python3 -c 'import json,sys; print(",".join(str(p["id"]) for p in json.load(sys.stdin)["items"]))')"
export BENCH_PERSON_IDS
stop_server

declare -A rates=([old]="" [new]="")
echo "## Compared writes, $(date -u +%Y-%m-%dT%H:%MZ): $KIND, $old_short against $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ":(exclude)docs/benchmarks.md" 2>/dev/null || echo ' (with uncommitted changes)')"
echo
echo "Command: \`bash bench/compare_writes.sh $old_short $ROUNDS $DURATION $KIND\` (wrk -t2" \
  "-c$CONNECTIONS -d${DURATION}s; kkr threads=$KKR_THREADS, workers=$KKR_WORKERS," \
  "pool=$KKR_DB_POOL_SIZE, write group=$KKR_DB_WRITE_GROUP; PostgreSQL with fsync on; nproc $(nproc))."
echo
echo "| run | build | req/s | non-2xx | server CPU µs/write | PostgreSQL CPU µs/write |"
echo "|---|---|---|---|---|---|"
# per_write BEFORE AFTER: CPU µs per successful write of the run ($writes) between two readings.
per_write() { awk -v a="$1" -v b="$2" -v n="$writes" 'BEGIN { printf "%.0f", (b - a) * 1000 / n }'; }
run=0
for ((round = 0; round < ROUNDS; round++)); do
  # ABBA order, so that neither build always runs first after a pause.
  if ((round % 2 == 0)); then order=(old new); else order=(new old); fi
  for which in "${order[@]}"; do
    serve "$which"
    server_before="$(cpu_ms "$server_pid")"
    pg_before="$(pg_cpu_ms "$work/pg")"
    output="$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" -s "$SCRIPT" "$app$TARGET")"
    server_after="$(cpu_ms "$server_pid")"
    pg_after="$(pg_cpu_ms "$work/pg")"
    stop_server
    total="$(awk '/requests in/ {print $1}' <<<"$output")"
    non2xx="$(awk '/Non-2xx/ {print $NF}' <<<"$output")"
    writes=$((total - ${non2xx:-0}))
    ((writes > 0)) || kkr_die "no write succeeded with the $which build: $output"
    rate="$(awk -v n="$writes" -v s="$DURATION" 'BEGIN { printf "%.0f", n / s }')"
    rates[$which]+="$rate "
    run=$((run + 1))
    echo "| $run | $which | $rate | ${non2xx:-0} | $(per_write "$server_before" "$server_after") |" \
      "$(per_write "$pg_before" "$pg_after") |"
  done
done
mean() { awk '{ s = 0; for (i = 1; i <= NF; i++) s += $i; printf "%.0f", s / NF }' <<<"$1"; }
old_mean="$(mean "${rates[old]}")"
new_mean="$(mean "${rates[new]}")"
echo
echo "- mean successful writes/s: $old_short $old_mean, new $new_mean;" \
  "new / old: $(awk -v a="$old_mean" -v b="$new_mean" 'BEGIN { printf "%.2f", b / a }')×"

#!/usr/bin/env bash
# Benchmarks the read and write paths with wrk against a running stack made here:
# a private PostgreSQL, `kkr serve` (Release build), and nginx serving the same bytes from a
# file as the ceiling for HTTP on this machine. Every request goes to 127.0.0.1 only and every
# wrk run is bounded in time. Results are appended to docs/benchmarks.md with this command.
#
#   bash bench/run.sh [seconds-per-run]     (default 10)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

DURATION="${1:-10}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
THREADS="${BENCH_THREADS:-2}"
OUT="docs/benchmarks.md"

install_deps
for pkg in wrk nginx-light; do
  kkr_pkg_installed "$pkg" || kkr_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/dev/null
done
build "$KKR_ROOT/build" -DCMAKE_BUILD_TYPE=Release -DKKR_BUILD_TESTS=OFF

work="$(mktemp -d /tmp/kkr-bench.XXXXXX)"
chmod 755 "$work"
pg_port="$(free_port)"
app_port="$(free_port)"
nginx_port="$(free_port)"
cleanup() {
  [[ -n "${server_pid:-}" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  [[ -f "$work/nginx.pid" ]] && kill "$(cat "$work/nginx.pid")" 2>/dev/null
  stop_postgres
  rm -rf "$work"
}
trap cleanup EXIT

start_postgres "$work/pg" "$pg_port"
export KKR_DATABASE_URL="postgresql://postgres@127.0.0.1:$pg_port/postgres"
export KKR_API_KEY_SECRET="$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=')"
export KKR_PORT="$app_port" KKR_THREADS="${KKR_THREADS:-2}" KKR_LOG_LEVEL=warn
export KKR_DB_POOL_SIZE="${KKR_DB_POOL_SIZE:-8}" KKR_WORKERS="${KKR_WORKERS:-8}"
build/kkr migrate >/dev/null
build/kkr seed >/dev/null
token="$(build/kkr keys create --role editor --name bench | tail -n 1)"
build/kkr serve &
server_pid=$!
wait_http "http://127.0.0.1:$app_port/readyz"

# 100 synthetic appointments so the list of 100 is about the size DESIGN.md names.
python3 bench/make_fixture.py "http://127.0.0.1:$app_port" "$token" 100 >/dev/null
curl -fsS "http://127.0.0.1:$app_port/v1/appointments?limit=100" -o "$work/appointments.json"
bytes=$(stat -c %s "$work/appointments.json")

# nginx serving the identical bytes: the ceiling for HTTP on this machine.
mkdir -p "$work/www"
cp "$work/appointments.json" "$work/www/appointments.json"
cat > "$work/nginx.conf" <<NGINX
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  server {
    listen 127.0.0.1:$nginx_port;
    root $work/www;
    default_type application/json;
  }
}
NGINX
nginx -c "$work/nginx.conf"
wait_http "http://127.0.0.1:$nginx_port/appointments.json"

run_wrk() {  # name url [script]
  local name="$1" url="$2" script="${3:-}"
  local args=(-t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency)
  [[ -n "$script" ]] && args+=(-s "$script")
  local output
  output="$(wrk "${args[@]}" "$url")"
  local rps p50 p99 non2xx
  rps="$(awk '/Requests\/sec/ {print $2}' <<<"$output")"
  p50="$(awk '$1=="50%" {print $2}' <<<"$output")"
  p99="$(awk '$1=="99%" {print $2}' <<<"$output")"
  non2xx="$(awk '/Non-2xx/ {print $NF}' <<<"$output")"
  printf '| %s | %s | %s | %s | %s |\n' "$name" "$rps" "$p50" "$p99" "${non2xx:-0}" >> "$work/rows.md"
  echo "$name: $rps req/s (p50 $p50, p99 $p99, non-2xx ${non2xx:-0})"
}

: > "$work/rows.md"
run_wrk "nginx, static file ($bytes bytes)" "http://127.0.0.1:$nginx_port/appointments.json"
run_wrk "GET /v1/appointments?limit=100 ($bytes bytes)" "http://127.0.0.1:$app_port/v1/appointments?limit=100"
run_wrk "GET /v1/kommuner/0851" "http://127.0.0.1:$app_port/v1/kommuner/0851"
run_wrk "GET /healthz" "http://127.0.0.1:$app_port/healthz"

# Reads while every worker waits on a table lock: writers keep every worker (and every pooled
# connection) busy waiting for a lock a psql session holds; reads must not notice (DESIGN.md:
# /healthz p99 under 10 ms). Bounded: the lock is held for the two runs and a margin, and the
# writers stop with it.
lock_seconds=$((DURATION * 2 + 4))
psql -X -q "$KKR_DATABASE_URL" -c "BEGIN; LOCK TABLE person IN ACCESS EXCLUSIVE MODE;
  SELECT pg_sleep($lock_seconds); COMMIT;" >/dev/null &
lock_pid=$!
sleep 0.5
touch "$work/locked"
for _ in $(seq 1 $((KKR_WORKERS + 2))); do
  (while [[ -f "$work/locked" ]]; do
    curl -s -o /dev/null -m 10 -X POST "http://127.0.0.1:$app_port/v1/persons" \
      -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
      -d '{"name":"Benchperson Venter","kommune_code":"0851"}'
  done) &
done
sleep 1
run_wrk "GET /healthz, every worker waiting on a lock" "http://127.0.0.1:$app_port/healthz"
run_wrk "GET /v1/kommuner/0851, every worker waiting on a lock" \
  "http://127.0.0.1:$app_port/v1/kommuner/0851"
rm -f "$work/locked"
wait "$lock_pid"
sleep 1
# Updates first, while the register still has its fixture size; creates then grow it.
person_ids="$(curl -fsS "http://127.0.0.1:$app_port/v1/persons?limit=1000&q=Benchperson" |
  python3 -c 'import json,sys; print(",".join(str(p["id"]) for p in json.load(sys.stdin)["items"]))')"
BENCH_TOKEN="$token" BENCH_PERSON_IDS="$person_ids" run_wrk \
  "PATCH /v1/persons/{id} (durable update, 100 persons)" \
  "http://127.0.0.1:$app_port" bench/update_person.lua
BENCH_TOKEN="$token" run_wrk "POST /v1/persons (durable create; the register grows)" \
  "http://127.0.0.1:$app_port/v1/persons" bench/create_person.lua

# Before the results are appended: afterwards the results file itself differs from HEAD.
build_note="commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' with uncommitted changes')"
{
  echo
  echo "## Run of $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Build: $build_note."
  echo
  echo "Command: \`KKR_THREADS=$KKR_THREADS KKR_DB_POOL_SIZE=$KKR_DB_POOL_SIZE KKR_WORKERS=$KKR_WORKERS bash bench/run.sh $DURATION\` (wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s;" \
       "kkr threads=$KKR_THREADS, workers=$KKR_WORKERS, pool=$KKR_DB_POOL_SIZE; PostgreSQL with fsync on;" \
       "$(nproc) cores)."
  echo
  echo "| target | req/s | p50 | p99 | non-2xx |"
  echo "|---|---|---|---|---|"
  cat "$work/rows.md"
} >> "$OUT"
echo "results appended to $OUT"

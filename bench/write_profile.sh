#!/usr/bin/env bash
# Where a durable write's time goes in PostgreSQL: the service under wrk's creates or PATCHes
# (the scripts of bench/run.sh, same settings), with pg_stat_statements counting every statement,
# those that triggers and PL/pgSQL functions run included. Prints the CPU that each successful
# write cost the server and the cluster, and the statements by total time, each with its calls,
# rows and time per row of the writes' kind. bench/run.sh measures rates against ceilings; this
# says which statement to work on.
#
#   bash bench/write_profile.sh [seconds] [create|update]     (default 10 seconds, create)
#
# Prints Markdown; nothing is written to docs/ (copy what you keep, with this command). Runs on
# its own private cluster (fsync on), loopback only, bounded in time.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
# shellcheck source=bench/write_setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/write_setup.sh"
cd "$KKR_ROOT"

DURATION="${1:-10}"
KIND="${2:-create}"
write_kind "$KIND"
CONNECTIONS="${BENCH_CONNECTIONS:-64}"

prepare_write_bench

work="$(mktemp -d /tmp/kkr-write-profile.XXXXXX)"
chmod 755 "$work"
server_pid=
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  stop_postgres
  rm -rf "$work"
}
trap cleanup EXIT

pg_port="$(free_port)"
app_port="$(free_port)"
app="http://127.0.0.1:$app_port"
# pg_stat_statements must be loaded at start: initdb first, configure, then start.
start_postgres "$work/pg" "$pg_port" >/dev/null
stop_postgres
_pg_as_owner sh -c "cat >> '$work/pg/postgresql.auto.conf'" <<'CONF'
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = all
CONF
start_postgres "$work/pg" "$pg_port" >/dev/null
export KKR_DATABASE_URL="postgresql://postgres@127.0.0.1:$pg_port/postgres"
psql -X -q "$KKR_DATABASE_URL" -c "CREATE EXTENSION pg_stat_statements"

serve_settings "$app_port"
build/kkr migrate >/dev/null
build/kkr seed >/dev/null
token="$(build/kkr keys create --role editor --name profile | tail -n 1)"
build/kkr serve &
server_pid=$!
wait_http "$app/readyz" 60 || kkr_die "kkr serve did not become ready"
python3 bench/make_fixture.py "$app" "$token" 100 >/dev/null
BENCH_PERSON_IDS="$(curl -fsS "$app/v1/persons?limit=1000&q=Benchperson" |
  python3 -c 'import json,sys; print(",".join(str(p["id"]) for p in json.load(sys.stdin)["items"]))')"
export BENCH_TOKEN="$token" BENCH_PERSON_IDS

# shellcheck source=bench/cpu.sh
source bench/cpu.sh

psql -X -q "$KKR_DATABASE_URL" -c "SELECT pg_stat_statements_reset()" >/dev/null
server_before="$(cpu_ms "$server_pid")"
pg_before="$(pg_cpu_ms "$work/pg")"
output="$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" -s "$SCRIPT" "$app$TARGET")"
server_after="$(cpu_ms "$server_pid")"
pg_after="$(pg_cpu_ms "$work/pg")"
total="$(awk '/requests in/ {print $1}' <<<"$output")"
non2xx="$(awk '/Non-2xx/ {print $NF}' <<<"$output")"
writes=$((total - ${non2xx:-0}))
((writes > 0)) || kkr_die "no write succeeded: $output"
# What wrk left queued finishes before the statistics are read.
sleep 2

per_write() { awk -v a="$1" -v b="$2" -v n="$writes" 'BEGIN { printf "%.0f", (b - a) * 1000 / n }'; }
echo "## Write profile, $(date -u +%Y-%m-%dT%H:%MZ): $KIND"
echo
echo "Build: commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ":(exclude)docs/benchmarks.md" 2>/dev/null || echo ' (with uncommitted changes)')."
echo
echo "Command: \`KKR_THREADS=$KKR_THREADS KKR_DB_POOL_SIZE=$KKR_DB_POOL_SIZE KKR_WORKERS=$KKR_WORKERS" \
  "KKR_DB_WRITE_GROUP=$KKR_DB_WRITE_GROUP BENCH_CONNECTIONS=$CONNECTIONS bash bench/write_profile.sh $DURATION $KIND\`" \
  "(wrk -t2 -c$CONNECTIONS -d${DURATION}s; nproc $(nproc))."
echo
echo "- $writes successful writes ($(awk '/Requests\/sec/ {print $2}' <<<"$output") requests/s," \
  "${non2xx:-0} non-2xx); CPU per write: server $(per_write "$server_before" "$server_after") µs," \
  "PostgreSQL $(per_write "$pg_before" "$pg_after") µs"
echo
echo "| statement (first 90 characters) | calls | rows | total ms | ms per call | µs per write |"
echo "|---|---|---|---|---|---|"
psql -X -A -t -F ' | ' "$KKR_DATABASE_URL" -v writes="$writes" <<'SQL' | sed 's/^/| /; s/$/ |/'
SELECT '`' || replace(left(regexp_replace(query, '\s+', ' ', 'g'), 90), '|', '\|') || '`',
       calls, rows, round(total_exec_time::numeric, 0),
       round((total_exec_time / greatest(calls, 1))::numeric, 3),
       round((total_exec_time * 1000 / :writes)::numeric, 1)
FROM pg_stat_statements
WHERE calls > 0 AND query NOT LIKE '%pg_stat_statements%'
ORDER BY total_exec_time DESC
LIMIT 12
SQL
echo
echo "Times are wall-clock inside PostgreSQL (a statement that waits for the CPU or a lock counts" \
  "its wait), and a statement run by a trigger or a function is counted inside its caller too."

#!/usr/bin/env bash
# Slow and many clients (issue #9, item 5): 500 connections trickling request heads or bodies
# for 60 s against `kkr serve` on a private PostgreSQL, while a normal client asks every 50 ms.
# bench/slow_clients.py does the work and says what it measures; this script builds and starts
# the stack, then appends the table to docs/benchmarks.md with the command that produced it.
#
#   bash bench/slow_clients.sh [connections=500] [seconds=60]
#   KKR_BIN=build-asan/kkr bash bench/slow_clients.sh     (another build, e.g. the sanitizer one)
#
# The server starts under `ulimit -Sn 1024` (Debian's default soft limit), so the run also shows
# that it raises its own limit rather than relying on the shell's.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

COUNT="${1:-500}"
SECONDS_TO_RUN="${2:-60}"
OUT="docs/benchmarks.md"
install_deps
if [[ -z "${KKR_BIN:-}" ]]; then
  build "$KKR_ROOT/build" -DCMAKE_BUILD_TYPE=Release -DKKR_BUILD_TESTS=OFF >/dev/null
  KKR_BIN=build/kkr
fi

work="$(mktemp -d /tmp/kkr-slow.XXXXXX)"
chmod 755 "$work"
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  stop_postgres
  rm -rf "$work"
}
trap cleanup EXIT

pg_port="$(free_port)"
app_port="$(free_port)"
start_postgres "$work/pg" "$pg_port"
export KKR_DATABASE_URL="postgresql://postgres@127.0.0.1:$pg_port/postgres"
export KKR_PORT="$app_port" KKR_LOG_LEVEL=warn
"$KKR_BIN" migrate >/dev/null
"$KKR_BIN" seed >/dev/null
(ulimit -Sn 1024 && exec "$KKR_BIN" serve) 2>"$work/serve.log" &
server_pid=$!
wait_http "http://127.0.0.1:$app_port/readyz" 60 || kkr_die "kkr serve did not become ready"

status=0
python3 bench/slow_clients.py 127.0.0.1 "$app_port" "$server_pid" "$COUNT" "$SECONDS_TO_RUN" \
  >"$work/table.md" || status=$?
cat "$work/table.md"
build_note="commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' with uncommitted changes')"
{
  echo
  echo "## Slow clients, run of $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Build: $build_note, \`$KKR_BIN\`. Command: \`bash bench/slow_clients.sh $COUNT $SECONDS_TO_RUN\`" \
       "(nproc $(nproc); kkr's default settings: header timeout, body timeout, 2 reactor threads)."
  echo
  cat "$work/table.md"
  [[ "$status" == 0 ]] || echo "(the script reported a failure: exit $status)"
} >>"$OUT"
echo "results appended to $OUT"
exit "$status"

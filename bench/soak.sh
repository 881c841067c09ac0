#!/usr/bin/env bash
# Soak (issue #9, item 7): 10 minutes of mixed reads and writes (bench/soak.py) against the
# AddressSanitizer + UndefinedBehaviorSanitizer build of `kkr serve` on a private PostgreSQL.
# Passes when every answer is 2xx/304, the resident set grows less than 5 % from minute 2 to the
# end, and the server stops cleanly with no sanitizer report (LeakSanitizer runs at its exit).
# Appends the table to docs/benchmarks.md with the command that produced it.
#
#   bash bench/soak.sh [seconds=600]
#
# ASan keeps freed memory in a quarantine (256 MB by default) before reusing it, so the resident
# set of a healthy process climbs until the quarantine is full; it is set to 16 MB here, small
# enough to be full long before minute 2. ASan's allocator also keeps the pages of freed chunks
# resident in its per-size-class regions unless told to give them back: every second here, as
# glibc's malloc does by itself, so that what grows afterwards is the program's own memory.
# ASan also stores the call stack of every allocation, once per distinct stack, in a depot it
# never frees. Its fast unwinder follows frame pointers, and through code built without them
# (libstdc++, Pistache, libpq) it reads stray stack words as return addresses, so nearly every
# request's stacks look new: 326 647 of them, 42 MB, in 4 minutes of this load. With the exact
# (DWARF) unwinder the depot holds about 8 000 stacks, 3 MB, and stops growing; the run is about
# three times slower for it. The depot's size at exit is in the table.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

SECONDS_TO_RUN="${1:-600}"
OUT="docs/benchmarks.md"
BUILD_DIR="${KKR_TEST_BUILD_DIR:-$KKR_ROOT/build-asan}"
install_deps
# The same configuration as scripts/test, so the two share one build directory.
build "$BUILD_DIR" -DKKR_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DKKR_BUILD_TESTS=ON \
  -DKKR_WERROR=ON >/dev/null

work="$(mktemp -d /tmp/kkr-soak.XXXXXX)"
chmod 755 "$work"
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  stop_postgres
  rm -rf "$work"
}
trap cleanup EXIT

export ASAN_OPTIONS="detect_leaks=1:quarantine_size_mb=16:allocator_release_to_os_interval_ms=1000:fast_unwind_on_malloc=0"
export LSAN_OPTIONS="suppressions=$KKR_ROOT/scripts/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
pg_port="$(free_port)"
app_port="$(free_port)"
start_postgres "$work/pg" "$pg_port"
export KKR_DATABASE_URL="postgresql://postgres@127.0.0.1:$pg_port/postgres"
export KKR_PORT="$app_port" KKR_LOG_LEVEL=warn
# The soak's readers and writers run flat out from one address: far beyond the default rate limits,
# which would answer 429 (a non-2xx this run must not see). Memory, not limits, is measured here.
export KKR_RATE_LIMIT_ADDRESS=off KKR_RATE_LIMIT_KEY=off
export KKR_API_KEY_SECRET="$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=')"
kkr="$BUILD_DIR/kkr"
"$kkr" migrate >/dev/null
"$kkr" seed >/dev/null
token="$("$kkr" keys create --role editor --name soak | tail -n 1)"
# Only the server prints ASan's allocator statistics (at its exit), for the depot's row.
ASAN_OPTIONS="$ASAN_OPTIONS:print_stats=1:atexit=1" "$kkr" serve 2>"$work/serve.log" &
server_pid=$!
wait_http "http://127.0.0.1:$app_port/readyz" 60 || kkr_die "kkr serve did not become ready"
python3 bench/make_fixture.py "http://127.0.0.1:$app_port" "$token" 100 >/dev/null

status=0
python3 bench/soak.py "http://127.0.0.1:$app_port" "$token" "$server_pid" "$SECONDS_TO_RUN" \
  >"$work/table.md" || status=$?
kill -TERM "$server_pid"
server_status=0
wait "$server_pid" || server_status=$?
server_pid=""
reports="$(grep -c -E "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:" "$work/serve.log" || true)"
depot="$(sed -n -E 's/.*StackDepot: ([0-9]+) ids; ([0-9]+M) allocated.*/\1 stacks, \2/p' "$work/serve.log" | tail -n 1)"
{
  echo "| ASan's stack depot at exit | ${depot:-not printed} |"
  echo "| server exit status after SIGTERM | $server_status |"
  echo "| sanitizer reports in the server's log | $reports |"
} >>"$work/table.md"
[[ "$server_status" == 0 && "$reports" == 0 ]] || status=1
cat "$work/table.md"
build_note="commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' with uncommitted changes')"
{
  echo
  echo "## Soak, run of $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Build: $build_note, ASan + UBSan (\`${BUILD_DIR#"$KKR_ROOT"/}/kkr\`, quarantine 16 MB, freed pages released every 1 s, exact unwinding of allocation stacks)." \
       "Command: \`bash bench/soak.sh $SECONDS_TO_RUN\` (nproc $(nproc); kkr's default settings, rate limits off)."
  echo
  cat "$work/table.md"
  [[ "$status" == 0 ]] || echo "(the soak failed: exit $status)"
} >>"$OUT"
echo "results appended to $OUT"
exit "$status"

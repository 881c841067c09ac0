#!/usr/bin/env bash
# The real `kkr serve` process: it starts, answers, and on SIGTERM and on SIGINT stops with exit
# status 0 after logging its shutdown; it warns at start when the database runs with reduced
# durability; a bad setting (KKR_PORT, KKR_TRUSTED_PROXIES, KKR_RATE_LIMIT_*) stops it at start with exit status 2,
# and a database it cannot reach with exit status 1.
#   serve_signals.sh path/to/kkr        (needs KKR_TEST_DATABASE_URL, an admin URL)
set -uo pipefail
kkr="$1"
: "${KKR_TEST_DATABASE_URL:?KKR_TEST_DATABASE_URL must be set: this test needs PostgreSQL}"

fail() { echo "FAIL: $*" >&2; exit 1; }
work="$(mktemp -d)"
db="kkr_signals_$$"
cleanup() {
  [[ -n "${pid:-}" ]] && kill -KILL "$pid" 2>/dev/null
  psql -q "$KKR_TEST_DATABASE_URL" -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
psql -q -v ON_ERROR_STOP=1 "$KKR_TEST_DATABASE_URL" -c "CREATE DATABASE $db" >/dev/null ||
  fail "cannot create database $db"
export KKR_DATABASE_URL="${KKR_TEST_DATABASE_URL%/*}/$db"
export KKR_ADDRESS=127.0.0.1 KKR_PORT=0 KKR_LOG_LEVEL=info KKR_SHUTDOWN_GRACE_MS=2000

serve_then() {  # signal
  local signal="$1" log="$work/serve-$1.log" port="" status
  # Started with a low soft limit on open files, as Debian's default 1024 is for many clients.
  (ulimit -Sn 256 && exec "$kkr" serve) 2>"$log" &
  pid=$!
  for _ in $(seq 1 300); do
    port="$(sed -nE 's|.*serving on http://127\.0\.0\.1:([0-9]+).*|\1|p' "$log" | head -n1)"
    [[ -n "$port" ]] && break
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; fail "kkr serve exited at start"; }
    sleep 0.1
  done
  [[ -n "$port" ]] || { cat "$log" >&2; fail "kkr serve did not say where it serves"; }
  [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz")" == 200 ]] ||
    fail "/healthz did not answer 200"
  [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz")" == 200 ]] ||
    fail "/readyz did not answer 200"
  local soft hard
  read -r soft hard < <(awk '/^Max open files/ {print $4, $5}' "/proc/$pid/limits")
  [[ "$soft" == "$hard" ]] || fail "open files soft limit $soft, not raised to the hard limit $hard"
  if [[ "$hard" != 256 ]]; then
    grep -q "open files limit raised from 256 to $hard" "$log" || fail "no line about the open files limit"
  fi
  kill "-$signal" "$pid"
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && fail "still running 15 s after SIG$signal"
  wait "$pid"
  status=$?
  pid=""
  [[ "$status" == 0 ]] || { cat "$log" >&2; fail "exit status $status after SIG$signal, not 0"; }
  grep -q "received SIG$signal, shutting down" "$log" || fail "no shutdown line for SIG$signal"
  grep -q "stopped" "$log" || fail "no 'stopped' line after SIG$signal"
  echo "ok: SIG$signal stopped kkr serve with status 0"
}

serve_then TERM
serve_then INT

# The durability guard: a warning at start exactly when the cluster could lose acknowledged
# writes in a crash, and none when the operator allows it (throwaway clusters).
weakened="$(psql -X -tA "$KKR_DATABASE_URL" -c "SELECT count(*) FROM pg_settings WHERE
  (name IN ('fsync', 'full_page_writes') AND setting <> 'on')
  OR (name = 'synchronous_commit' AND setting = 'off')")"
if [[ "$weakened" == 0 ]]; then
  grep -q "reduced durability" "$work/serve-TERM.log" && fail "a durable cluster got a warning"
  echo "ok: no durability warning on a durable cluster"
else
  grep -q "warning.*reduced durability" "$work/serve-TERM.log" ||
    fail "no warning at start although $weakened durability setting(s) are off"
  KKR_ALLOW_REDUCED_DURABILITY=true serve_then TERM
  grep -q "warning.*reduced durability" "$work/serve-TERM.log" &&
    fail "warned although KKR_ALLOW_REDUCED_DURABILITY=true"
  echo "ok: reduced durability warned about at start, and not when allowed"
fi

# A database that cannot be reached at start: a clear message and exit status 1, whether the
# migrations or the first connection fail first; never a crash on the way out.
unreachable="postgresql://postgres@127.0.0.1:$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')/postgres"
for migrate in true false; do
  KKR_DATABASE_URL="$unreachable" KKR_MIGRATE_ON_START="$migrate" KKR_DB_CONNECT_TIMEOUT_S=2 \
    "$kkr" serve >"$work/down.out" 2>"$work/down.log"
  status=$?
  [[ "$status" == 1 ]] || { cat "$work/down.log" >&2; fail "an unreachable database (migrate on start: $migrate) gave exit status $status, not 1"; }
  grep -q "cannot start: the database cannot be reached" "$work/down.log" ||
    { cat "$work/down.log" >&2; fail "no message that the database cannot be reached (migrate on start: $migrate)"; }
  grep -q -E "runtime error|AddressSanitizer" "$work/down.log" &&
    { cat "$work/down.log" >&2; fail "a sanitizer report on the way out (migrate on start: $migrate)"; }
done
echo "ok: an unreachable database stops kkr serve with status 1 and says why"

KKR_PORT=not-a-port "$kkr" serve >"$work/bad.out" 2>"$work/bad.log"
status=$?
[[ "$status" == 2 ]] || fail "a bad KKR_PORT gave exit status $status, not 2"
grep -q "KKR_PORT" "$work/bad.log" "$work/bad.out" || fail "the message does not name KKR_PORT"
echo "ok: a bad setting stops kkr serve with status 2"

KKR_TRUSTED_PROXIES="127.0.0.1, 10.0.0.1/8" "$kkr" serve >"$work/bad.out" 2>"$work/bad.log"
status=$?
[[ "$status" == 2 ]] || fail "a bad KKR_TRUSTED_PROXIES gave exit status $status, not 2"
grep -q "KKR_TRUSTED_PROXIES: '10.0.0.1/8'.*10.0.0.0/8" "$work/bad.log" ||
  fail "the message does not name KKR_TRUSTED_PROXIES, the entry and the network meant"
"$kkr" serve --help | grep -q -- "--trusted-proxies VALUE" || fail "serve --help lacks --trusted-proxies"
echo "ok: a mistyped trusted proxy stops kkr serve with status 2, and --help lists the setting"

KKR_RATE_LIMIT_AUTH_FAILURES="10/1d" "$kkr" serve >"$work/bad.out" 2>"$work/bad.log"
status=$?
[[ "$status" == 2 ]] || fail "a bad KKR_RATE_LIMIT_AUTH_FAILURES gave exit status $status, not 2"
grep -q "KKR_RATE_LIMIT_AUTH_FAILURES: '10/1d'" "$work/bad.log" ||
  fail "the message does not name KKR_RATE_LIMIT_AUTH_FAILURES and its value"
"$kkr" serve --help | grep -q -- "--rate-limit-address VALUE" ||
  fail "serve --help lacks --rate-limit-address"
"$kkr" serve --help | grep -q "600/10s" || fail "serve --help does not give the address default"
echo "ok: a bad rate limit stops kkr serve with status 2, and --help lists the limits"

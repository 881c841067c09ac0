# shellcheck shell=bash
# Shared by the write benchmarks that drive the service with wrk (bench/write_profile.sh,
# bench/compare_writes.sh); sourced after scripts/lib.sh, which sets KKR_ROOT.
# shellcheck disable=SC2153

# write_kind KIND: the wrk script and path of a kind of write (create or update), in SCRIPT and
# TARGET.
# shellcheck disable=SC2034  # read by the scripts that source this file
write_kind() {
  case "$1" in
    create) SCRIPT=bench/create_person.lua TARGET=/v1/persons ;;
    update) SCRIPT=bench/update_person.lua TARGET=/ ;;
    *) kkr_die "unknown kind '$1' (create or update)" ;;
  esac
}

# prepare_write_bench: what the run needs installed, and the Release build in build/.
prepare_write_bench() {
  install_deps
  command -v wrk >/dev/null ||
    kkr_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
  build "$KKR_ROOT/build" -DCMAKE_BUILD_TYPE=Release -DKKR_BUILD_TESTS=OFF >/dev/null
}

# serve_settings PORT: bench/run.sh's settings for `kkr serve` on PORT, exported (each one
# overridable from the environment), with a fresh API key secret and no rate limits.
serve_settings() {
  KKR_API_KEY_SECRET="$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=')"
  export KKR_API_KEY_SECRET
  export KKR_PORT="$1" KKR_LOG_LEVEL=warn
  export KKR_THREADS="${KKR_THREADS:-$(($(nproc) * 2))}" KKR_DB_POOL_SIZE="${KKR_DB_POOL_SIZE:-8}"
  # One worker per wrk connection, as in bench/run.sh.
  export KKR_WORKERS="${KKR_WORKERS:-${BENCH_CONNECTIONS:-64}}" KKR_DB_WRITE_GROUP="${KKR_DB_WRITE_GROUP:-16}"
  export KKR_RATE_LIMIT_ADDRESS=off KKR_RATE_LIMIT_KEY=off KKR_RATE_LIMIT_AUTH_FAILURES=off
}

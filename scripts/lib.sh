# shellcheck shell=bash
# Shared functions for scripts/run, scripts/test and scripts/fuzz. Source it; do not run it.
#
# Everything here works on a fresh Debian 12 (bookworm) machine, as root or as a user with sudo.
# Nothing needs a system service: PostgreSQL runs as a private cluster started with pg_ctl.

KKR_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KKR_PG_BIN="${KKR_PG_BIN:-/usr/lib/postgresql/15/bin}"
KKR_CONTRACT_DIR="$KKR_ROOT/tools/contract"

# Debian packages the build, the tests and the private database need. (btree_gist ships in
# postgresql-15 itself on bookworm, so postgresql-contrib is not needed.) nginx is the edge
# (deploy/nginx/kkr.conf) that Process.Edge.* runs as a private instance; on a machine with systemd
# the package also starts Debian's default site on port 80, which no test uses.
KKR_APT_PACKAGES=(
  build-essential cmake ninja-build pkg-config ccache
  libpistache-dev libsoci-dev libboost-dev nlohmann-json3-dev libspdlog-dev
  libgtest-dev libgmock-dev libcurl4-openssl-dev libssl-dev libpq-dev libicu-dev
  postgresql-15 clang-format universal-ctags curl wrk python3 ca-certificates locales nginx
  clang-14 libclang-rt-14-dev llvm-14 chromium
)
# The site's browser tests (tests/browser) drive Debian's Chromium (/usr/bin/chromium) with
# playwright-core, which downloads no browser of its own.
KKR_CHROMIUM="${KKR_CHROMIUM:-/usr/bin/chromium}"
# The fuzz targets (fuzz/, scripts/fuzz) need clang: libFuzzer and its sanitizer runtimes are
# libclang-rt-14-dev (only recommended by clang-14, and recommends are not installed), the
# symbolizer that makes their reports readable is in llvm-14.
KKR_FUZZ_CXX="${KKR_FUZZ_CXX:-clang++-14}"
KKR_FUZZ_SYMBOLIZER="${KKR_FUZZ_SYMBOLIZER:-/usr/lib/llvm-14/bin/llvm-symbolizer}"
# The contract tools (@redocly/cli) need Node.js >= 20.19; Debian 12's own nodejs is 18.
KKR_NODE_MIN_MAJOR=20
KKR_NODE_FALLBACK_VERSION=20.20.2

kkr_log() { printf '==> %s\n' "$*" >&2; }
kkr_die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

kkr_is_root() { [ "$(id -u)" -eq 0 ]; }

# Runs a command as root: directly when we are root, else through sudo.
kkr_as_root() {
  if kkr_is_root; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    kkr_die "need root (or sudo) to run: $*"
  fi
}

kkr_pkg_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# Quietly apt-get installs whatever is missing. Prints nothing when everything is there.
install_deps() {
  local missing=() pkg
  for pkg in "${KKR_APT_PACKAGES[@]}"; do
    kkr_pkg_installed "$pkg" || missing+=("$pkg")
  done
  # Node.js may come from elsewhere (NodeSource, nvm): only take Debian's when there is none.
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  if ((${#missing[@]})); then
    kkr_log "installing with apt-get: ${missing[*]}"
    local aptlog
    aptlog="$(mktemp)"
    if ! kkr_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$aptlog" 2>&1 ||
      ! kkr_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends "${missing[@]}" >>"$aptlog" 2>&1; then
      cat "$aptlog" >&2
      rm -f "$aptlog"
      kkr_die "apt-get failed"
    fi
    rm -f "$aptlog"
  fi
  ensure_node
}

# Makes a Node.js >= KKR_NODE_MIN_MAJOR the first `node` on PATH. When the system's is older
# (Debian 12 ships 18), installs the official binary that the npm registry carries as the
# package node-linux-<arch> into .cache/node (gitignored) and puts it first on PATH.
ensure_node() {
  local major
  major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
  ((major >= KKR_NODE_MIN_MAJOR)) && return 0
  local arch
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64) arch=arm64 ;;
    *) kkr_die "node $(node --version 2>/dev/null) is too old and no fallback for $(uname -m)" ;;
  esac
  local prefix="$KKR_ROOT/.cache/node"
  local bin="$prefix/node_modules/node-linux-$arch/bin"
  if [ ! -x "$bin/node" ]; then
    kkr_log "node $(node --version) < $KKR_NODE_MIN_MAJOR: installing node-linux-$arch@$KKR_NODE_FALLBACK_VERSION from npm"
    npm install --silent --no-audit --no-fund --no-save --ignore-scripts --prefix "$prefix" \
      "node-linux-$arch@$KKR_NODE_FALLBACK_VERSION" >/dev/null
    [ -x "$bin/node" ] || kkr_die "could not install node-linux-$arch from npm"
  fi
  export PATH="$bin:$PATH"
  major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
  ((major >= KKR_NODE_MIN_MAJOR)) || kkr_die "node $KKR_NODE_FALLBACK_VERSION from npm does not run here"
}

# Installs the contract tools (tools/contract) exactly as locked, quietly.
contract_tools_install() {
  (cd "$KKR_CONTRACT_DIR" && npm ci --silent --no-audit --no-fund --no-progress >/dev/null) ||
    kkr_die "npm ci in tools/contract failed"
}

# Installs the browser tests' tools (tests/browser: playwright-core, axe-core) exactly as locked,
# quietly, and checks that Chromium is where they look for it.
browser_tools_install() {
  [ -f "$KKR_ROOT/tests/browser/package.json" ] || return 0
  [ -x "$KKR_CHROMIUM" ] || kkr_die "$KKR_CHROMIUM not found (Debian package chromium)"
  (cd "$KKR_ROOT/tests/browser" && npm ci --silent --no-audit --no-fund --no-progress >/dev/null) ||
    kkr_die "npm ci in tests/browser failed"
}

# Makes a glibc locale available (e.g. de_DE.UTF-8), generating it when it is missing.
ensure_locale() {
  local name=$1 normalized
  normalized="$(tr '[:upper:]' '[:lower:]' <<<"${name//-/}")"
  if locale -a 2>/dev/null | tr '[:upper:]' '[:lower:]' | tr -d '-' | grep -qx "$normalized"; then
    return 0
  fi
  kkr_log "generating the locale $name"
  kkr_as_root sh -c "grep -q '^$name ' /etc/locale.gen 2>/dev/null || echo '$name ${name#*.}' >>/etc/locale.gen" ||
    kkr_die "cannot add $name to /etc/locale.gen"
  kkr_as_root locale-gen "$name" >/dev/null 2>&1 || kkr_as_root locale-gen >/dev/null ||
    kkr_die "locale-gen $name failed"
}

# Copies Redoc's standalone bundle where the server looks for it: BUILD_DIR/docs-assets/.
install_docs_assets() {
  local build_dir=$1
  local src="$KKR_CONTRACT_DIR/node_modules/redoc/bundles/redoc.standalone.js"
  [ -f "$src" ] || kkr_die "missing $src (run npm ci in tools/contract)"
  mkdir -p "$build_dir/docs-assets"
  cp "$src" "$build_dir/docs-assets/redoc.standalone.js"
}

# ccache across clones of the repo: hash paths relative to the checkout.
export CCACHE_BASEDIR="$KKR_ROOT"
export CCACHE_NOHASHDIR=true

# build BUILD_DIR [cmake -D options...] [-- TARGET...]: configures (Ninja) and builds everything,
# or only the targets named after `--` (and what they need), with all cores.
build() {
  local build_dir=$1
  shift
  local options=() targets=()
  while (($#)); do
    if [ "$1" = -- ]; then
      shift
      targets=("$@")
      break
    fi
    options+=("$1")
    shift
  done
  set -- "${options[@]}"
  local args=(-S "$KKR_ROOT" -B "$build_dir")
  # The generator can only be chosen when the build directory is new.
  [ -f "$build_dir/CMakeCache.txt" ] || args+=(-G Ninja)
  if command -v ccache >/dev/null 2>&1; then
    args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  fi
  mkdir -p "$build_dir"
  cmake "${args[@]}" "$@" >"$build_dir/configure.log" 2>&1 || {
    cat "$build_dir/configure.log" >&2
    kkr_die "cmake configure failed"
  }
  local only=()
  ((${#targets[@]})) && only=(--target "${targets[@]}")
  cmake --build "$build_dir" -j"$(nproc)" "${only[@]}" || kkr_die "build failed"
}

# The fuzz targets' names (fuzz/fuzz_NAME.cpp), one a line.
fuzz_targets() {
  local source
  for source in "$KKR_ROOT"/fuzz/fuzz_*.cpp; do
    source="${source##*/fuzz_}"
    echo "${source%.cpp}"
  done
}

# build_fuzz BUILD_DIR: the fuzz targets with clang, libFuzzer, ASan and UBSan, and only the
# libraries they link (CMake option KKR_FUZZ).
build_fuzz() {
  command -v "$KKR_FUZZ_CXX" >/dev/null 2>&1 || kkr_die "$KKR_FUZZ_CXX not found (package clang-14)"
  build "$1" -DCMAKE_CXX_COMPILER="$KKR_FUZZ_CXX" -DKKR_FUZZ=ON -DKKR_BUILD_TESTS=OFF \
    -DKKR_WERROR=ON -DCMAKE_BUILD_TYPE=Debug -- kkr_fuzz
}

# run_fuzz BUILD_DIR NAME SECONDS LOG: runs fuzz_NAME for SECONDS from its seeds (fuzz/corpus/NAME,
# only read) and the corpus it grows in BUILD_DIR/corpus/NAME, with fuzz/dict/NAME.dict when
# there is one. Fails on a crash, a broken invariant, any sanitizer report (leaks included), an
# input that takes over 10 s or a run over 2 GB; the input is then kept as
# BUILD_DIR/artifacts/NAME-crash-<sha1> (run `BUILD_DIR/fuzz/fuzz_NAME THAT_FILE` to see it
# again). Prints the log's tail on failure, else one line: runs and new inputs.
run_fuzz() {
  local build_dir=$1 name=$2 seconds=$3 log=$4
  local exe="$build_dir/fuzz/fuzz_$name" corpus="$build_dir/corpus/$name"
  local dict="$KKR_ROOT/fuzz/dict/$name.dict"
  [ -x "$exe" ] || {
    echo "$exe was not built"
    return 1
  }
  mkdir -p "$corpus" "$build_dir/artifacts"
  local args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096
    -print_final_stats=1 -artifact_prefix="$build_dir/artifacts/$name-")
  [ -f "$dict" ] && args+=(-dict="$dict")
  local rc=0
  ASAN_OPTIONS="detect_leaks=1:symbolize=1" ASAN_SYMBOLIZER_PATH="$KKR_FUZZ_SYMBOLIZER" \
    UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
    "$exe" "${args[@]}" "$corpus" "$KKR_ROOT/fuzz/corpus/$name" >"$log" 2>&1 || rc=$?
  if ((rc != 0)) || grep -qE '^SUMMARY: |runtime error:' "$log"; then
    tail -n 60 "$log"
    echo "fuzz_$name failed (exit $rc); the whole log: $log"
    return 1
  fi
  local runs new
  runs="$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log")"
  new="$(sed -nE 's/^stat::new_units_added: *([0-9]+).*/\1/p' "$log")"
  echo "fuzz_$name: ${runs:-?} runs in $seconds s, ${new:-?} new inputs (corpus: ${corpus#"$KKR_ROOT"/})"
}

# A TCP port on 127.0.0.1 that nobody listens on right now.
free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
    return
  fi
  local port
  for _ in $(seq 1 100); do
    port=$((20000 + RANDOM % 30000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  kkr_die "no free port found"
}

# Runs a PostgreSQL tool as the cluster's owner: the `postgres` OS user when we are root
# (initdb and postgres refuse to run as root), else the current user.
# Runs from / so that a working directory the owner cannot read does not matter.
_pg_as_owner() {
  if kkr_is_root; then
    (cd / && runuser -u postgres -- "$@")
  else
    (cd / && "$@")
  fi
}

# True when the cluster's owner can reach DIR's parent (needs the x bit on every ancestor:
# a checkout under /root is not reachable for the postgres user).
pg_dir_usable() {
  local parent
  parent="$(dirname "$1")"
  mkdir -p "$parent"
  _pg_as_owner test -x "$parent" 2>/dev/null
}

_KKR_PG_STARTED=()

# start_postgres DIR PORT [fast]
# Starts a private cluster in DIR (created with initdb when DIR holds none yet) listening on
# 127.0.0.1:PORT only, with its unix socket in DIR and trust authentication (the socket's
# directory is private to the owner; TCP is loopback only). "fast" turns durability off
# (fsync, synchronous_commit, full_page_writes) for throwaway test clusters.
# A cluster that is already running in DIR is reused (and then not stopped by stop_postgres).
start_postgres() {
  local dir port=$2 mode=${3:-}
  mkdir -p "$1"
  dir="$(cd "$1" && pwd)"
  [ -x "$KKR_PG_BIN/initdb" ] || kkr_die "PostgreSQL 15 binaries not found in $KKR_PG_BIN"
  if kkr_is_root; then
    chown postgres:postgres "$dir"
  fi
  chmod 700 "$dir"
  if [ ! -s "$dir/PG_VERSION" ]; then
    local initlog
    initlog="$(mktemp)"
    if ! _pg_as_owner "$KKR_PG_BIN/initdb" -D "$dir" -U postgres --auth=trust \
      --encoding=UTF8 --locale=C.UTF-8 >"$initlog" 2>&1; then
      cat "$initlog" >&2
      rm -f "$initlog"
      kkr_die "initdb failed in $dir"
    fi
    rm -f "$initlog"
    _pg_as_owner sh -c "cat > '$dir/pg_hba.conf'" <<'EOF'
# KKR private cluster: the unix socket lives in the (mode 700) data directory; TCP is loopback only.
local all all               trust
host  all all 127.0.0.1/32  trust
EOF
  fi
  if _pg_as_owner "$KKR_PG_BIN/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    kkr_log "PostgreSQL already running in $dir: reusing it"
    return 0
  fi
  local opts="-c listen_addresses=127.0.0.1 -p $port -k '$dir'"
  if [ "$mode" = fast ]; then
    opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  fi
  # Tests: the server writes its messages in German, so that nothing can depend on their text.
  if [ -n "${KKR_PG_LC_MESSAGES:-}" ]; then
    opts+=" -c lc_messages=$KKR_PG_LC_MESSAGES"
  fi
  if ! _pg_as_owner "$KKR_PG_BIN/pg_ctl" -D "$dir" -l "$dir/server.log" -o "$opts" -w -t 60 \
    start >/dev/null; then
    tail -n 30 "$dir/server.log" >&2 || true
    kkr_die "PostgreSQL did not start in $dir on port $port"
  fi
  _KKR_PG_STARTED+=("$dir")
}

# Stops every cluster this shell started (fast shutdown). Safe to call more than once.
stop_postgres() {
  local dir
  for dir in "${_KKR_PG_STARTED[@]}"; do
    _pg_as_owner "$KKR_PG_BIN/pg_ctl" -D "$dir" -m fast -w stop >/dev/null 2>&1 || true
  done
  _KKR_PG_STARTED=()
}

# psql_at PORT DB ARGS...: psql as the cluster's superuser over TCP, quiet, stop on error.
psql_at() {
  local port=$1 db=$2
  shift 2
  "$KKR_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d "$db" "$@"
}

# create_database PORT NAME: creates the database unless it exists.
create_database() {
  local port=$1 name=$2
  if [ -z "$(psql_at "$port" postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'")" ]; then
    psql_at "$port" postgres -c "CREATE DATABASE \"$name\"" || kkr_die "cannot create database $name"
  fi
}

# wait_http URL SECONDS: waits until URL answers 200.
wait_http() {
  local url=$1 seconds=${2:-30} i
  for ((i = 0; i < seconds * 10; i++)); do
    curl -fsS -o /dev/null --max-time 1 "$url" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

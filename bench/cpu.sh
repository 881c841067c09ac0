# shellcheck shell=bash
# CPU accounting for the benchmarks, sourced by bench/run.sh and bench/write_profile.sh: what a
# process and a PostgreSQL cluster have spent, read from /proc, so that a run can say what each
# successful write cost the server and the database.

_bench_clock_ticks="$(getconf CLK_TCK)"

# cpu_ms PID: CPU milliseconds (user + system) of a process, all its threads, and the children it
# has waited for.
cpu_ms() {
  awk -v hz="$_bench_clock_ticks" '{ print ($14 + $15 + $16 + $17) * 1000 / hz }' "/proc/$1/stat"
}

# pg_cpu_ms DATADIR: the cluster's CPU milliseconds: the postmaster, with its ended children (so
# ended backends count), and every live child.
pg_cpu_ms() {
  local postmaster pid total
  postmaster="$(head -n 1 "$1/postmaster.pid")"
  total="$(cpu_ms "$postmaster")"
  for pid in $(pgrep -P "$postmaster"); do
    total="$(awk -v a="$total" -v b="$(cpu_ms "$pid" 2>/dev/null || echo 0)" 'BEGIN { print a + b }')"
  done
  echo "$total"
}

#!/usr/bin/env bash
# Writes a long change history into a migrated register (bench/run.sh's "history" section):
# ROWS change rows, ten per transaction from eight pgbench clients, then numbered by one publish.
#
#   bash bench/change_history.sh DATABASE-URL [ROWS]        (default 3 000 000, about 2 GB)
#
# The register must have change rows to copy (bench/make_fixture.py's). Commits skip the WAL
# flush (synchronous_commit off for these sessions only): this is a scratch cluster's history,
# and the service's own writes stay durable.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$KKR_ROOT"
url="${1:?usage: bench/change_history.sh DATABASE-URL [ROWS]}"
rows="${2:-3000000}"
clients=8
template_rows="$(psql -X -q -A -t -v step=template -f bench/change_history.sql "$url" | tail -n 1)"
((template_rows >= 10)) || kkr_die "the register has $template_rows change rows to copy; at least 10 needed"
PGOPTIONS="-c synchronous_commit=off" "$KKR_PG_BIN/pgbench" -n -M prepared -c "$clients" -j 2 \
  -t "$((rows / 10 / clients))" -D "template_rows=$template_rows" \
  -f bench/change_history_insert.sql "$url" >/dev/null
psql -X -q -v step=publish -f bench/change_history.sql "$url" >/dev/null

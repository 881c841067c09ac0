#!/usr/bin/env bash
# What a write costs PostgreSQL alone, without the service: pgbench runs the writer's own SQL for
# a person (persistence/src/pg_writer_support.cpp) against a private cluster (fsync on), as a
# one-time query (extended protocol, what SOCI's `sql << …` does) and prepared (what the
# StatementCache does), next to pgbench's one-row INSERT into a scratch table.
#
# Usage: bash bench/sql_writes.sh [seconds-per-run] [variant...]
#   variants: baseline (default), kommune-fk (the foreign key person → kommune that migration
#             V004 replaced, restored for comparison), no-change-log (the change-log triggers
#             disabled), no-change-log-no-fk (also without V004's check of the kommune),
#             no-kommune-check (V004's check of the kommune dropped, the change log kept),
#             cte-change-log (the INSERT writes its own change row in a CTE, building the row's
#             JSON once, with the change-log triggers disabled: what the writer would cost if
#             the statement logged its change instead of the trigger; UPDATE runs unlogged),
#             grouped (the schema as it is, but each statement inserts, or updates, several
#             persons at once, BENCH_GROUP_SIZES of them: what PostgreSQL would do for writes
#             that a server gathered into one statement; the tps column counts rows, not
#             statements, and the UPDATEs pick among 1000 persons instead of 100)
# Environment: BENCH_CONNECTIONS (64), BENCH_THREADS (2), BENCH_GROUP_SIZES ("2 4 8"). Prints a
# Markdown table; nothing is written to docs/ (copy what you keep, with this command).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$KKR_ROOT"

DURATION="${1:-6}"
shift || true
VARIANTS="${*:-baseline}"
CONNECTIONS="${BENCH_CONNECTIONS:-64}"
THREADS="${BENCH_THREADS:-2}"
PGBENCH="$KKR_PG_BIN/pgbench"

install_deps
[[ -x "$PGBENCH" ]] || kkr_die "pgbench not found at $PGBENCH (Debian: postgresql-client-15)"
build "$KKR_ROOT/build" -DCMAKE_BUILD_TYPE=Release -DKKR_BUILD_TESTS=OFF >/dev/null

work="$(mktemp -d /tmp/kkr-sql-bench.XXXXXX)"
chmod 755 "$work"
trap 'stop_postgres; rm -rf "$work"' EXIT

run() {  # LABEL SCRIPT MODE DB [ROWS-PER-STATEMENT]
  local tps
  tps="$("$PGBENCH" -n -M "$3" -c "$CONNECTIONS" -j "$THREADS" -T "$DURATION" -f "$work/$2" \
    -h 127.0.0.1 -p "$port" -U postgres "$4" 2>&1 |
    awk -v rows="${5:-1}" '/^tps = / {printf "%.0f", $3 * rows; exit}')"
  printf '| %s | %s | %s |\n' "$variant" "$1 ($3)" "${tps:-failed}"
}

# The writer's INSERT and UPDATE with ROWS persons per statement (grouped), in order of input.
write_grouped_scripts() {  # ROWS FIRST-ID PERSONS
  cat > "$work/grouped_insert_$1.sql" <<SQL
\\set n random(1, 1000000000)
INSERT INTO person (name, other_names, party, kommune_code, office, email, phone) SELECT r.name, r.other_names, r.party, r.kommune_code, r.office, r.email, r.phone FROM generate_series(1, $1) AS g CROSS JOIN LATERAL jsonb_populate_record(NULL::person, CAST(jsonb_build_object('name', 'Benchperson ' || :n || '-' || g, 'other_names', jsonb_build_array(), 'kommune_code', '0851', 'party', 'Ø') AS jsonb)) AS r CROSS JOIN (SELECT set_config('kkr.actor', 'bench', true)) AS actor ORDER BY g RETURNING kkr_row_json(person)::text;
SQL
  cat > "$work/grouped_update_$1.sql" <<SQL
\\set first random($2, $(($2 + $3 - $1)))
\\set n random(1, 1000000000)
UPDATE person SET (name, other_names, party, kommune_code, office, email, phone) = ROW(r.name, r.other_names, r.party, r.kommune_code, r.office, r.email, r.phone) FROM generate_series(0, $1 - 1) AS g CROSS JOIN LATERAL jsonb_populate_record(NULL::person, CAST(jsonb_build_object('name', 'Benchperson', 'other_names', jsonb_build_array('Benchnavn ' || :n), 'kommune_code', '0851') AS jsonb)) AS r CROSS JOIN (SELECT set_config('kkr.actor', 'bench', true)) AS actor WHERE person.id = :first + g AND person.version = coalesce(CAST(NULL AS bigint), person.version) RETURNING kkr_row_json(person)::text;
SQL
}

cat > "$work/insert.sql" <<'SQL'
INSERT INTO bench_insert (note) VALUES ('bench');
SQL
cat > "$work/writer_insert.sql" <<'SQL'
\set n random(1, 1000000000)
INSERT INTO person (name, other_names, party, kommune_code, office, email, phone) SELECT r.name, r.other_names, r.party, r.kommune_code, r.office, r.email, r.phone FROM jsonb_populate_record(NULL::person, CAST(jsonb_build_object('name', 'Benchperson ' || :n, 'other_names', jsonb_build_array(), 'kommune_code', '0851', 'party', 'Ø') AS jsonb)) AS r CROSS JOIN (SELECT set_config('kkr.actor', 'bench', true)) AS actor RETURNING kkr_row_json(person)::text;
SQL
# The same INSERT logging its own change row: one JSON image, no PL/pgSQL (cte-change-log).
cat > "$work/writer_insert_cte.sql" <<'SQL'
\set n random(1, 1000000000)
WITH ins AS (INSERT INTO person (name, other_names, party, kommune_code, office, email, phone) SELECT r.name, r.other_names, r.party, r.kommune_code, r.office, r.email, r.phone FROM jsonb_populate_record(NULL::person, CAST(jsonb_build_object('name', 'Benchperson ' || :n, 'other_names', jsonb_build_array(), 'kommune_code', '0851', 'party', 'Ø') AS jsonb)) AS r CROSS JOIN (SELECT set_config('kkr.actor', 'bench', true)) AS actor RETURNING person.*), j AS (SELECT ins.id, to_jsonb(ins) || jsonb_build_object('created_at', kkr_ts(ins.created_at), 'updated_at', kkr_ts(ins.updated_at)) AS data FROM ins), logged AS (INSERT INTO change_row (entity, entity_id, op, data, actor) SELECT 'person', j.id::text, 'create', j.data, coalesce(nullif(current_setting('kkr.actor', true), ''), 'database') FROM j) SELECT data::text FROM j;
SQL

port="$(free_port)"
start_postgres "$work/pg" "$port"
echo "| variant | statement | tps |"
echo "|---|---|---|"
for variant in $VARIANTS; do
  db="bench_${variant//-/_}"
  create_database "$port" "$db"
  KKR_DATABASE_URL="postgresql://postgres@127.0.0.1:$port/$db" build/kkr migrate >/dev/null 2>&1
  KKR_DATABASE_URL="postgresql://postgres@127.0.0.1:$port/$db" build/kkr seed >/dev/null 2>&1
  psql_at "$port" "$db" -c "CREATE TABLE bench_insert (id bigint GENERATED ALWAYS AS IDENTITY
    PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), note text NOT NULL)" >/dev/null
  persons=100
  [[ "$variant" == grouped ]] && persons=1000
  psql_at "$port" "$db" -c "INSERT INTO person (name, kommune_code)
    SELECT 'Benchperson ' || g, '0851' FROM generate_series(1, $persons) AS g" >/dev/null
  lo="$(psql_at "$port" "$db" -tAc "SELECT min(id) FROM person")"
  cat > "$work/writer_update.sql" <<SQL
\\set id random($lo, $((lo + persons - 1)))
\\set n random(1, 1000000000)
UPDATE person SET (name, other_names, party, kommune_code, office, email, phone) = ROW(r.name, r.other_names, r.party, r.kommune_code, r.office, r.email, r.phone) FROM jsonb_populate_record(NULL::person, CAST(jsonb_build_object('name', 'Benchperson', 'other_names', jsonb_build_array('Benchnavn ' || :n), 'kommune_code', '0851') AS jsonb)) AS r CROSS JOIN (SELECT set_config('kkr.actor', 'bench', true)) AS actor WHERE person.id = :id AND person.version = coalesce(CAST(NULL AS bigint), person.version) RETURNING kkr_row_json(person)::text;
SQL
  insert_script=writer_insert.sql
  case "$variant" in
    baseline) ;;
    kommune-fk)
      psql_at "$port" "$db" -c "DROP TRIGGER person_kommune_exists ON person;
        DROP TRIGGER kommune_unreferenced ON kommune;
        DROP TRIGGER kommune_code_unreferenced ON kommune;
        ALTER TABLE person ADD CONSTRAINT person_kommune_code_fkey
          FOREIGN KEY (kommune_code) REFERENCES kommune (code)" >/dev/null ;;
    no-change-log)
      psql_at "$port" "$db" -c "ALTER TABLE person DISABLE TRIGGER person_change;
        ALTER TABLE person DISABLE TRIGGER person_change_update" >/dev/null ;;
    no-change-log-no-fk)
      psql_at "$port" "$db" -c "ALTER TABLE person DISABLE TRIGGER person_change;
        ALTER TABLE person DISABLE TRIGGER person_change_update;
        DROP TRIGGER person_kommune_exists ON person" >/dev/null ;;
    no-kommune-check)
      psql_at "$port" "$db" -c "DROP TRIGGER person_kommune_exists ON person" >/dev/null ;;
    cte-change-log)
      insert_script=writer_insert_cte.sql
      psql_at "$port" "$db" -c "ALTER TABLE person DISABLE TRIGGER person_change;
        ALTER TABLE person DISABLE TRIGGER person_change_update" >/dev/null ;;
    grouped) ;;
    *) kkr_die "unknown variant $variant" ;;
  esac
  run "one-row INSERT into a scratch table" insert.sql simple "$db"
  run "the writer's INSERT of a person" "$insert_script" extended "$db"
  run "the writer's INSERT of a person" "$insert_script" prepared "$db"
  run "the writer's UPDATE of a person ($persons persons)" writer_update.sql extended "$db"
  run "the writer's UPDATE of a person ($persons persons)" writer_update.sql prepared "$db"
  if [[ "$variant" == grouped ]]; then
    for rows in ${BENCH_GROUP_SIZES:-2 4 8}; do
      write_grouped_scripts "$rows" "$lo" "$persons"
      run "the writer's INSERT, $rows persons per statement (rows/s)" "grouped_insert_$rows.sql" \
        prepared "$db" "$rows"
      run "the writer's UPDATE, $rows of $persons persons per statement (rows/s)" \
        "grouped_update_$rows.sql" prepared "$db" "$rows"
    done
  fi
done

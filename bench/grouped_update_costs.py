#!/usr/bin/env python3
"""What the grouped UPDATE of persons costs PostgreSQL per row, and which part of it.

Runs the writer's grouped UPDATE (persistence/src/pg_writer_support.cpp, buildGroupedUpdate;
keep the two in step) over N persons at once, in one session, under EXPLAIN (ANALYZE, TIMING
OFF) in a transaction that is rolled back, five times each, and prints the execution time per
row: of the statement as it is, and of the statement without each of its parts (the change row,
the JSON image, and with the image before that V013 stopped storing). One statement at a time, so no other client's wait is counted in it. On a
shared machine the figures of one run still move by up to a fifth: repeat the run, and compare
only figures of one run.

    python3 bench/grouped_update_costs.py DATABASE-URL [N]      (default 500 persons)

The cluster must be migrated and hold at least N persons (bench/make_fixture.py, or SQL).
Nothing is changed: every statement is rolled back. Prints Markdown.
"""
import re
import subprocess
import sys

SET_LIST = ("(name, other_names, party, kommune_code, office, email, phone) = ROW(r.name, "
            "r.other_names, r.party, r.kommune_code, r.office, r.email, r.phone)")
# The writes and keys of N persons, each with a new other_names, as psql variables.
WRITES = ("SELECT jsonb_agg(jsonb_build_object('key', id::text, 'doc', jsonb_build_object("
          "'name', name, 'other_names', jsonb_build_array('y' || id || random()), "
          "'kommune_code', kommune_code), 'expected', NULL)) AS writes, "
          "array_agg(id)::text AS keys FROM (SELECT id, name, kommune_code FROM person "
          "ORDER BY id LIMIT {n}) p \\gset\n")


def statement(previous=None, returned="kkr_row_json(person)", log=True):
    """The writer's statement; `previous` adds an image of each row before (as before V013)."""
    image = f", {previous} AS j" if previous else ""
    stored = "o.j" if previous else "NULL::jsonb"
    sql = ("WITH d AS MATERIALIZED (SELECT e.n, CAST(e.w->>'key' AS bigint) AS key, e.w, "
           "a.actor FROM jsonb_array_elements(CAST(:'writes' AS jsonb)) WITH ORDINALITY AS "
           "e(w, n) CROSS JOIN (SELECT set_config('kkr.actor', 'bench', true) AS actor, "
           "set_config('kkr.change_rows_by', 'person ' || statement_timestamp()::text, true)) "
           "AS a ORDER BY 2), "
           f"o AS MATERIALIZED (SELECT person.id, person.version{image} FROM person "
           "WHERE person.id = ANY (CAST(:'keys' AS bigint[])) ORDER BY person.id "
           "FOR NO KEY UPDATE), "
           f"u AS (UPDATE person SET {SET_LIST} FROM d JOIN o ON o.id = d.key "
           "CROSS JOIN LATERAL jsonb_populate_record(NULL::person, d.w->'doc') AS r "
           "WHERE person.id = ANY (ARRAY(SELECT o.id FROM o)) AND person.id = d.key "
           "AND person.version = coalesce(CAST(d.w->>'expected' AS bigint), person.version) "
           f"RETURNING d.n, person.id, {returned} AS j, {stored} AS previous, "
           "person.version <> o.version AS changed, d.actor)")
    if log:
        sql += (", c AS (INSERT INTO change_row (entity, entity_id, op, data, previous, actor) "
                "SELECT 'person', x.id::text, 'update', x.j, x.previous, "
                "coalesce(nullif(x.actor, ''), 'database') FROM u AS x WHERE x.changed "
                "ORDER BY x.n)")
    return sql + " SELECT length(string_agg(u.n || chr(31) || u.j::text, chr(30) ORDER BY u.n)) FROM u"


def measure(url, rows, label, sql, repeats=5):
    script = WRITES.format(n=rows)
    for _ in range(repeats):
        script += f"BEGIN;\nEXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON) {sql};\nROLLBACK;\n"
    out = subprocess.run(["psql", "-X", url, "-qAt"], input=script, capture_output=True,
                         text=True, check=False)
    times = sorted(float(t) for t in re.findall(r"Execution Time: ([\d.]+)", out.stdout))
    if len(times) != repeats:
        sys.exit(f"{label}: {out.stderr[:500]}")
    print(f"| {label} | {times[0] * 1000 / rows:.1f} | {times[repeats // 2] * 1000 / rows:.1f} |")


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    url = sys.argv[1]
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    print(f"| the grouped UPDATE of {rows} persons | µs per row, best of 5 | median |")
    print("|---|---|---|")
    measure(url, rows, "as the writer runs it", statement())
    measure(url, rows, "without the change rows", statement(log=False))
    measure(url, rows, "with an image of each row before (as before V013)",
            statement(previous="kkr_row_json(person)"))
    measure(url, rows, "RETURNING to_jsonb() instead of kkr_row_json()",
            statement(returned="to_jsonb(person)"))
    measure(url, rows, "no JSON and no change rows",
            statement(returned="NULL::jsonb", log=False))


if __name__ == "__main__":
    main()

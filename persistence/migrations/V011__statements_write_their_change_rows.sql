-- Issue #8: the writer's one-statement creates and updates write their change rows themselves
-- (docs/write-path.md, docs/benchmarks.md).
--
-- Every change row came from an AFTER ROW trigger: a PL/pgSQL call per row that turned the row
-- into JSON once more (the statement's RETURNING had just done so) and ran a one-row INSERT of
-- its own. For the writer's grouped statements that was half of PostgreSQL's work per row: twelve
-- persons per statement, 1 200 statements/s with the trigger and 2 500 without it (pgbench,
-- 2 cores). Those statements now insert the change rows in the same statement, from the JSON
-- they return, and say so in kkr.change_rows_by: the table and the statement's start time, so
-- that no other statement -- a later one of the same transaction, a trigger's write to another
-- table -- is ever taken for them. The triggers below skip exactly those rows; every other write
-- (the writer's transactions, psql, a migration) is recorded by the trigger as before.
DO $$
DECLARE
  t record;
BEGIN
  FOR t IN SELECT * FROM (VALUES ('person', 'id', 'person'), ('regional_forum', 'id', 'forum'),
                                 ('meeting', 'id', 'meeting')) AS v(tbl, key, entity) LOOP
    EXECUTE format('DROP TRIGGER %I ON %I', t.tbl || '_change', t.tbl);
    EXECUTE format('DROP TRIGGER %I ON %I', t.tbl || '_change_update', t.tbl);
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I FOR EACH ROW
                    WHEN (OLD.* IS DISTINCT FROM NEW.*
                          AND current_setting(''kkr.change_rows_by'', true)
                              IS DISTINCT FROM %L || statement_timestamp()::text)
                    EXECUTE FUNCTION kkr_record_change(%L, %L)',
                   t.tbl || '_change_update', t.tbl, t.tbl || ' ', t.key, t.entity);
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR DELETE ON %I FOR EACH ROW
                    WHEN (current_setting(''kkr.change_rows_by'', true)
                          IS DISTINCT FROM %L || statement_timestamp()::text)
                    EXECUTE FUNCTION kkr_record_change(%L, %L)',
                   t.tbl || '_change', t.tbl, t.tbl || ' ', t.key, t.entity);
  END LOOP;
END
$$;

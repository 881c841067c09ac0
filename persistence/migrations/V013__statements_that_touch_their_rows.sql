-- Issue #8: the writer's UPDATE statements set version and updated_at themselves, and the touch
-- trigger is not called for rows that already hold what it would write (docs/write-path.md).
--
-- kkr_touch_row() (V001) runs as a PL/pgSQL call for every updated row: about 25-30 µs of
-- PostgreSQL's CPU per row on this kind of machine (pgbench, docs/benchmarks.md), a sixth of
-- what a PATCH costs it. The trigger stays for every other writer (psql, a migration, the
-- writer's rule-checked transactions), and its rule is unchanged: it is skipped only when the
-- new row already is what the trigger would make of it (version one above the old one, the old
-- created_at, updated_at the transaction's time), so skipping it changes no row. A statement
-- that sets anything else (another version, an older time) still gets the trigger's values.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['kommune', 'period', 'person', 'kkr_member', 'regional_forum',
                           'appointment', 'meeting'] LOOP
    EXECUTE format('DROP TRIGGER %I ON %I', t || '_touch', t);
    EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE ON %I FOR EACH ROW
                    WHEN (OLD.* IS DISTINCT FROM NEW.*
                          AND NOT (NEW.version = OLD.version + 1
                                   AND NEW.created_at = OLD.created_at
                                   AND NEW.updated_at = now()))
                    EXECUTE FUNCTION kkr_touch_row()',
                   t || '_touch', t);
  END LOOP;
END
$$;

-- Instances follow each other row by row through the change feed instead of reloading the
-- register (docs/write-path.md). Two things make that safe and prompt.
--
-- 1. A row's versions only grow over its whole history. Rows with numeric ids never come back
--    after a delete, but a kommune or a period can be created again with the same key; it now
--    continues from the highest version its key ever had, so "the higher version wins" orders
--    every write of a key, whichever order the feed or a local commit delivers them in. (It also
--    keeps an ETag from ever naming two different states of one resource.)
CREATE INDEX change_log_entity ON change_log (entity, entity_id, id);

CREATE FUNCTION kkr_continue_version() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
  DECLARE
    key_column text := TG_ARGV[0];
    entity_name text := TG_ARGV[1];
  BEGIN
    NEW.version := 1 + coalesce((SELECT max((coalesce(c.data, c.previous) ->> 'version')::bigint)
                                 FROM change_log c
                                 WHERE c.entity = entity_name
                                   AND c.entity_id = to_jsonb(NEW) ->> key_column), 0);
    RETURN NEW;
  END
  $$;

CREATE TRIGGER kommune_continue_version BEFORE INSERT ON kommune
  FOR EACH ROW EXECUTE FUNCTION kkr_continue_version('code', 'kommune');
CREATE TRIGGER period_continue_version BEFORE INSERT ON period
  FOR EACH ROW EXECUTE FUNCTION kkr_continue_version('id', 'period');

-- 2. Publishing wakes the followers: when it numbers rows it notifies channel kkr_changes with the
--    new highest seq, and every instance LISTENing fetches the rows after its own seq. Writers
--    themselves do not notify: a NOTIFY holds a database-wide lock through the commit's WAL flush,
--    which would serialise every write's fsync; the publisher's one notify per batch does not.
CREATE OR REPLACE FUNCTION kkr_publish_changes() RETURNS bigint
  LANGUAGE plpgsql
  AS $$
  DECLARE
    horizon xid8;
    top bigint;
    numbered bigint;
  BEGIN
    PERFORM pg_advisory_xact_lock(7123001);
    horizon := pg_snapshot_xmin(pg_current_snapshot());
    SELECT coalesce(max(seq), 0) INTO top FROM change_log;
    WITH ready AS (
      SELECT id, row_number() OVER (ORDER BY xid, id) AS n
      FROM change_log
      WHERE seq IS NULL AND xid < horizon
    )
    UPDATE change_log c SET seq = top + ready.n FROM ready WHERE c.id = ready.id;
    GET DIAGNOSTICS numbered = ROW_COUNT;
    IF numbered > 0 THEN
      top := top + numbered;
      PERFORM pg_notify('kkr_changes', top::text);
    END IF;
    RETURN top;
  END
  $$;

-- Issue #8: a write's change row costs less (docs/benchmarks.md, docs/write-path.md).
--
-- Every write inserts one change_log row in its own transaction, and under concurrent writes
-- each index of change_log is one more page that every writer must lock for a moment (a new
-- row's seq, actor and time all land on the rightmost leaf of their index). Three of those
-- indexes serve only readers of published rows: the feed (seq), and the audit log's searches
-- (actor, at, action), which all ask for seq > N. They now hold published rows only, so a writer
-- adds its row to two indexes (the primary key and change_log_unpublished) and the publisher,
-- which numbers a batch of rows in one statement, adds them to the rest. change_log_entity stays
-- whole: a key's history, kkr_continue_version and erasure read unpublished rows too.

ALTER TABLE change_log DROP CONSTRAINT change_log_seq_key;
CREATE UNIQUE INDEX change_log_seq ON change_log (seq) WHERE seq IS NOT NULL;
DROP INDEX change_log_actor;
CREATE INDEX change_log_actor ON change_log (actor, seq) WHERE seq IS NOT NULL;
DROP INDEX change_log_at;
CREATE INDEX change_log_at ON change_log (at) WHERE seq IS NOT NULL;
DROP INDEX change_log_action;
CREATE INDEX change_log_action ON change_log (action, seq)
  WHERE action IS NOT NULL AND seq IS NOT NULL;

-- The JSON of a row is built from one to_jsonb instead of three, with a plan cached per session
-- (a PL/pgSQL function; the SQL one was not inlined where the writers call it).
CREATE OR REPLACE FUNCTION kkr_row_json(r anyelement) RETURNS jsonb
  LANGUAGE plpgsql STABLE
  AS $$
  DECLARE
    j jsonb := to_jsonb(r);
  BEGIN
    RETURN j || jsonb_build_object('created_at', kkr_ts((j ->> 'created_at')::timestamptz),
                                   'updated_at', kkr_ts((j ->> 'updated_at')::timestamptz));
  END
  $$;

-- The change row: each image of the row is turned into JSON once, and one INSERT serves all
-- three operations. Same columns and values as before.
CREATE OR REPLACE FUNCTION kkr_record_change() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
  DECLARE
    now_row jsonb;
    before_row jsonb;
  BEGIN
    IF TG_OP <> 'DELETE' THEN
      now_row := kkr_row_json(NEW);
    END IF;
    IF TG_OP <> 'INSERT' THEN
      before_row := kkr_row_json(OLD);
    END IF;
    INSERT INTO change_log (entity, entity_id, op, data, previous, actor)
    VALUES (TG_ARGV[1], coalesce(now_row, before_row) ->> TG_ARGV[0],
            CASE TG_OP WHEN 'INSERT' THEN 'create' WHEN 'UPDATE' THEN 'update' ELSE 'delete' END,
            now_row, before_row,
            coalesce(nullif(current_setting('kkr.actor', true), ''), 'database'));
    RETURN NULL;  -- an AFTER trigger's result is ignored
  END
  $$;

-- "UPDATE OF column" fires whenever the column is in the SET list, and the writers set every
-- column; the guards below only have something to check when the value changes.
DROP TRIGGER person_kommune_exists ON person;
CREATE TRIGGER person_kommune_exists AFTER INSERT ON person
  FOR EACH ROW EXECUTE FUNCTION kkr_person_kommune_exists();
CREATE TRIGGER person_kommune_changed AFTER UPDATE OF kommune_code ON person
  FOR EACH ROW WHEN (OLD.kommune_code IS DISTINCT FROM NEW.kommune_code)
  EXECUTE FUNCTION kkr_person_kommune_exists();

DROP TRIGGER appointment_status_transition ON appointment;
CREATE TRIGGER appointment_status_transition BEFORE UPDATE OF status ON appointment
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION kkr_appointment_status_transition();

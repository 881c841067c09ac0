-- Issue #8: an update's change row no longer stores the row as it was before (docs/write-path.md,
-- docs/benchmarks.md).
--
-- That image is the change row before it: every change of a row is recorded, in the order of
-- its row lock (a writer inserts its change row after it holds the lock, and change_row's id is
-- an identity without a cache, so ids grow in the order rows are inserted), so the entity's
-- change row with the next lower id holds exactly the row an update found (its `data`; a
-- create's or the last update's). Storing it once more cost every
-- update a second kkr_row_json, a second JSON image in change_row and its WAL: without it
-- PostgreSQL spent 15 and 19 µs less per PATCH on the means of two alternating comparisons,
-- and PATCHes ran 1.07× and 1.11× as fast (docs/benchmarks.md, 2026-12-04). So an update's row stores `previous` as NULL, and whoever reads it (the
-- audit log, the view change_log) takes it from the row before, through change_log_entity
-- (entity, entity_id, id): one step back in the index. Rows stored before this migration keep
-- the image they have; a delete still stores the row it deleted, since it has no `data`.

CREATE OR REPLACE FUNCTION kkr_record_change() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
  DECLARE
    now_row jsonb;
    before_row jsonb;
  BEGIN
    IF TG_OP <> 'DELETE' THEN
      now_row := kkr_row_json(NEW);
    ELSE
      before_row := kkr_row_json(OLD);
    END IF;
    INSERT INTO change_row (entity, entity_id, op, data, previous, actor)
    VALUES (TG_ARGV[1], coalesce(now_row, before_row) ->> TG_ARGV[0],
            CASE TG_OP WHEN 'INSERT' THEN 'create' WHEN 'UPDATE' THEN 'update' ELSE 'delete' END,
            now_row, before_row,
            coalesce(nullif(current_setting('kkr.actor', true), ''), 'database'));
    RETURN NULL;  -- an AFTER trigger's result is ignored
  END
  $$;

-- The row an update found: stored (a delete's, or an update's from before this migration), or
-- the data of the entity's change row before it. NULL for a create. Only called where a reader
-- asks for `previous`: the audit log's pages and the view below.
CREATE FUNCTION kkr_change_previous(change_id bigint, op text, entity text, entity_id text,
                                    stored jsonb) RETURNS jsonb
  LANGUAGE plpgsql STABLE
  AS $$
  BEGIN
    IF stored IS NOT NULL OR op <> 'update' THEN
      RETURN stored;
    END IF;
    RETURN (SELECT p.data FROM change_row p
            WHERE p.entity = kkr_change_previous.entity
              AND p.entity_id = kkr_change_previous.entity_id
              AND p.id < kkr_change_previous.change_id
            ORDER BY p.id DESC LIMIT 1);
  END
  $$;

CREATE OR REPLACE VIEW change_log AS
  SELECT c.id, c.xid, s.seq, c.at, c.entity, c.entity_id, c.op, c.data,
         kkr_change_previous(c.id, c.op, c.entity, c.entity_id, c.previous) AS previous,
         c.actor, c.erased, c.action
  FROM change_row c LEFT JOIN change_seq s ON s.change_id = c.id;
COMMENT ON VIEW change_log IS
  'Every change row with its seq (NULL until kkr_publish_changes() numbers it) and the row '
  'before it (previous; for an update taken from the entity''s change row before it, V013).';

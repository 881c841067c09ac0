-- Issue #8: publishing numbers the change rows without rewriting them (docs/write-path.md).
--
-- kkr_publish_changes() used to give each committed change row its seq with an UPDATE of that
-- row: a new copy of the whole row (its JSON images included) in the table and in five indexes,
-- and a dead one for vacuum to clean. In the create benchmark that UPDATE took PostgreSQL about
-- 36 µs per row (pg_stat_statements), after the writes themselves the largest statement. The
-- numbers now live beside the rows, in change_seq, one narrow row each (about 19 µs per row in
-- the same benchmark); a change row is written once by its writer and changed again only by an
-- erasure.
--
-- The rows themselves move to change_row. change_log becomes a view of every change row with its
-- seq (NULL until published), so whoever reads change_log (the feed, psql, the tests) reads what
-- it read before; writers write change_row.

ALTER TABLE change_log RENAME TO change_row;

-- What the audit log searches by (actor, time, action) is copied beside the number: its indexes
-- then hold published rows only, as V009 made them, and stay off the writers' path.
CREATE TABLE change_seq (
  seq       bigint PRIMARY KEY,
  change_id bigint NOT NULL UNIQUE,
  actor     text NOT NULL,
  at        timestamptz NOT NULL,
  action    text
);
COMMENT ON TABLE change_seq IS
  'The published number of each change row (change_row.id), with the columns the audit log '
  'searches; written by kkr_publish_changes() only.';
INSERT INTO change_seq (seq, change_id, actor, at, action)
  SELECT seq, id, actor, at, action FROM change_row WHERE seq IS NOT NULL;
CREATE INDEX change_seq_actor ON change_seq (actor, seq);
CREATE INDEX change_seq_at ON change_seq (at);
CREATE INDEX change_seq_action ON change_seq (action, seq) WHERE action IS NOT NULL;

-- Where the publisher's next look starts: every transaction with an xid below `since` had ended
-- when it last numbered rows, so all of their rows have their numbers. Rows are found by their
-- writer's xid, which never changes.
CREATE TABLE change_publisher (since xid8 NOT NULL);
COMMENT ON TABLE change_publisher IS
  'One row: transactions below this xid had all ended when kkr_publish_changes() last numbered '
  'rows.';
INSERT INTO change_publisher (since)
  SELECT least(min(xid), pg_snapshot_xmin(pg_current_snapshot())) FROM change_row
  WHERE seq IS NULL;

DROP INDEX change_log_unpublished;
DROP INDEX change_log_seq;
DROP INDEX change_log_actor;
DROP INDEX change_log_at;
DROP INDEX change_log_action;
ALTER TABLE change_row DROP COLUMN seq;
CREATE INDEX change_row_xid ON change_row (xid);

CREATE VIEW change_log AS
  SELECT c.id, c.xid, s.seq, c.at, c.entity, c.entity_id, c.op, c.data, c.previous, c.actor,
         c.erased, c.action
  FROM change_row c LEFT JOIN change_seq s ON s.change_id = c.id;
COMMENT ON VIEW change_log IS
  'Every change row with its seq (NULL until kkr_publish_changes() numbers it).';

-- The trigger's change row goes to the table (V009's function, with its new name).
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
    INSERT INTO change_row (entity, entity_id, op, data, previous, actor)
    VALUES (TG_ARGV[1], coalesce(now_row, before_row) ->> TG_ARGV[0],
            CASE TG_OP WHEN 'INSERT' THEN 'create' WHEN 'UPDATE' THEN 'update' ELSE 'delete' END,
            now_row, before_row,
            coalesce(nullif(current_setting('kkr.actor', true), ''), 'database'));
    RETURN NULL;  -- an AFTER trigger's result is ignored
  END
  $$;

-- kkr_continue_version() (V003) reads the view, whose join PostgreSQL leaves out when no column
-- of change_seq is used (change_id is unique), so it reads change_row as before.

-- Numbers, in (xid, id) order, the rows of the transactions that have ended since the last
-- numbering; the same order and the same rule as before (V001, V003). A row already numbered is
-- told apart by a lookup in change_seq's unique index on change_id: a scalar subquery, which the
-- planner cannot turn into a hash join over all of change_seq (an anti-join planned while the
-- table was small did, at 4-7 ms a call once it had grown).
CREATE OR REPLACE FUNCTION kkr_publish_changes() RETURNS bigint
  LANGUAGE plpgsql
  AS $$
  DECLARE
    horizon xid8;
    start xid8;
    top bigint;
    numbered bigint;
  BEGIN
    PERFORM pg_advisory_xact_lock(7123001);
    horizon := pg_snapshot_xmin(pg_current_snapshot());
    -- No row (someone emptied the table): look from the start once.
    start := coalesce((SELECT since FROM change_publisher), '0'::xid8);
    SELECT coalesce(max(seq), 0) INTO top FROM change_seq;
    INSERT INTO change_seq (seq, change_id, actor, at, action)
      SELECT top + row_number() OVER (ORDER BY c.xid, c.id), c.id, c.actor, c.at, c.action
      FROM change_row c
      WHERE c.xid >= start AND c.xid < horizon
        AND (SELECT s.seq FROM change_seq s WHERE s.change_id = c.id) IS NULL;
    GET DIAGNOSTICS numbered = ROW_COUNT;
    IF numbered > 0 THEN
      -- Only when rows were numbered: an idle instance's publish writes nothing.
      UPDATE change_publisher SET since = horizon;
      IF NOT FOUND THEN
        INSERT INTO change_publisher (since) VALUES (horizon);
      END IF;
      top := top + numbered;
      PERFORM pg_notify('kkr_changes', top::text);
    END IF;
    RETURN top;
  END
  $$;

-- Whether kkr_publish_changes() has rows to number: an index range on change_row_xid from where
-- the last numbering looked, each row checked in change_seq's index. PL/pgSQL, so its plan is
-- made once per session (a SQL function's is made on every call), and with both ends of the
-- range given, so that plan is the index's (with only the lower end, a generic plan may expect a
-- third of the table and read all of it).
CREATE FUNCTION kkr_unpublished_changes() RETURNS boolean
  LANGUAGE plpgsql STABLE
  AS $$
  BEGIN
    RETURN EXISTS (SELECT 1 FROM change_row c
                   WHERE c.xid >= coalesce((SELECT since FROM change_publisher), '0'::xid8)
                     AND c.xid < pg_snapshot_xmax(pg_current_snapshot())
                     AND (SELECT s.seq FROM change_seq s WHERE s.change_id = c.id) IS NULL);
  END
  $$;

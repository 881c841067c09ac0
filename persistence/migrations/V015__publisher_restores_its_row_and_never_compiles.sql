-- Issue #8: an emptied change_publisher is read past once, not on every call, and publishing
-- is never JIT-compiled (docs/database.md, docs/benchmarks.md).
--
-- 1. kkr_publish_changes() reads the change log from its start when change_publisher has no
--    row (someone emptied the table), and was meant to do that once. But it wrote the row back
--    only when it had numbered something. When everything was numbered already, it wrote
--    nothing, and so did kkr_unpublished_changes(), which every follower calls before each page
--    and which answered "nothing to number" after reading the whole log too. Every instance then
--    read the whole change log on every poll: 0.35-0.40 s for 321 049 change rows here (about
--    1.2 µs a row). From about 4 million rows, that passes the service's default statement
--    timeout of 5 s, so the call fails every time. Now kkr_unpublished_changes() answers "yes" when the row is missing. The
--    follower then calls kkr_publish_changes(), which writes the row back after its one full
--    read, whether or not it numbered anything. Nothing read from the start can be numbered
--    twice: each row is still checked in change_seq's index. That one read is still bounded by
--    the statement timeout: on a longer log, run `SET statement_timeout = 0; SELECT
--    kkr_publish_changes();` once from psql (docs/operations.md).
-- 2. V014's `enable_seqscan = off` puts the planner's penalty on change_publisher's one-row
--    scan, and that pushes both functions' plans past jit_above_cost. The service's sessions
--    have `jit = off`, but any other session with JIT on compiled them on every call: 30-96 ms
--    for kkr_unpublished_changes() in psql, against 0.1 ms without JIT. Both functions now
--    carry `jit = off` themselves.
--
-- CREATE OR REPLACE drops a function's SET clauses, so both are given again here. A later
-- replacement must keep them; ChangeLog.BothPublishingFunctionsKeepTheirSettings checks.

CREATE OR REPLACE FUNCTION kkr_publish_changes() RETURNS bigint
  LANGUAGE plpgsql
  SET enable_seqscan = off
  SET jit = off
  AS $$
  DECLARE
    horizon xid8;
    start xid8;
    missing boolean;
    top bigint;
    numbered bigint;
  BEGIN
    PERFORM pg_advisory_xact_lock(7123001);
    horizon := pg_snapshot_xmin(pg_current_snapshot());
    SELECT since INTO start FROM change_publisher;
    -- No row (someone emptied the table): look from the start, once, since the row goes back
    -- below.
    missing := NOT FOUND;
    start := coalesce(start, '0'::xid8);
    SELECT coalesce(max(seq), 0) INTO top FROM change_seq;
    INSERT INTO change_seq (seq, change_id, actor, at, action)
      SELECT top + row_number() OVER (ORDER BY c.xid, c.id), c.id, c.actor, c.at, c.action
      FROM change_row c
      WHERE c.xid >= start AND c.xid < horizon
        AND (SELECT s.seq FROM change_seq s WHERE s.change_id = c.id) IS NULL;
    GET DIAGNOSTICS numbered = ROW_COUNT;
    -- Otherwise only when rows were numbered: an idle instance's publish writes nothing.
    IF numbered > 0 OR missing THEN
      UPDATE change_publisher SET since = horizon;
      IF NOT FOUND THEN
        INSERT INTO change_publisher (since) VALUES (horizon);
      END IF;
    END IF;
    IF numbered > 0 THEN
      top := top + numbered;
      PERFORM pg_notify('kkr_changes', top::text);
    END IF;
    RETURN top;
  END
  $$;

CREATE OR REPLACE FUNCTION kkr_unpublished_changes() RETURNS boolean
  LANGUAGE plpgsql STABLE
  SET enable_seqscan = off
  SET jit = off
  AS $$
  BEGIN
    -- No row: kkr_publish_changes() looks from the start and writes the row back.
    RETURN NOT EXISTS (SELECT 1 FROM change_publisher)
      OR EXISTS (SELECT 1 FROM change_row c
                 WHERE c.xid >= coalesce((SELECT since FROM change_publisher), '0'::xid8)
                   AND c.xid < pg_snapshot_xmax(pg_current_snapshot())
                   AND (SELECT s.seq FROM change_seq s WHERE s.change_id = c.id) IS NULL);
  END
  $$;

-- Issue #8: the JSON of a row costs less (docs/benchmarks.md).
--
-- Every write turns its row into JSON two or three times (the change row's images and the
-- writer's RETURNING), and each time formats created_at and updated_at with kkr_ts(). Declared
-- IMMUTABLE around the STABLE to_char(), kkr_ts() could not be inlined: each call ran as a SQL
-- function of its own (an executor started and ended), about a tenth of a write's CPU in
-- PostgreSQL. As STABLE it is inlined into the expression that calls it. Nothing indexes it, and
-- its result is the same as before: the format names no locale- or setting-dependent field.
CREATE OR REPLACE FUNCTION kkr_ts(t timestamptz) RETURNS text
  LANGUAGE sql STABLE STRICT
  AS $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') $$;

-- The timestamps are read from the row itself instead of being printed into JSON and parsed
-- back. PL/pgSQL compiles a polymorphic function for each row type it is called with, and every
-- register table has both columns.
CREATE OR REPLACE FUNCTION kkr_row_json(r anyelement) RETURNS jsonb
  LANGUAGE plpgsql STABLE
  AS $$
  BEGIN
    RETURN to_jsonb(r) || jsonb_build_object('created_at', kkr_ts(r.created_at),
                                             'updated_at', kkr_ts(r.updated_at));
  END
  $$;

-- Gives a register a long change history for bench/run.sh's "history" section (used by
-- bench/change_history.sh): the change rows that years of edits would leave, published.
--
-- Step "template" keeps a copy of the register's own change rows (the fixture's creates and
-- edits), so that the history has the size and shape of real rows. bench/change_history.sh then
-- writes the history with pgbench, ten rows per transaction from eight clients, so that the rows
-- carry many transaction ids, interleaved as concurrent writers leave them: the publisher finds
-- rows by transaction id, and how the planner estimates that depends on their spread. Step
-- "publish" numbers them all, as one publish would, drops the copy and vacuums.
\set ON_ERROR_STOP on
\if :{?step}
\else
  \echo 'set step: psql -v step=template|publish -f bench/change_history.sql'
  \quit
\endif
SELECT :'step' = 'template' AS template \gset
\if :template
  CREATE TABLE bench_history_template AS
    SELECT row_number() OVER (ORDER BY id) - 1 AS n, entity, entity_id, op, data, previous, actor
    FROM change_row;
  CREATE UNIQUE INDEX ON bench_history_template (n);
  SELECT count(*) AS template_rows FROM bench_history_template \gset
  \echo :template_rows
\else
  SELECT kkr_publish_changes() AS published \gset
  DROP TABLE bench_history_template;
  -- Vacuumed now, as a history that grew over years would have been bit by bit: left to
  -- autovacuum, the vacuum of the whole bulk-written table ran through the measured runs
  -- (benchmarks.md, the history runs of 2026-12-04).
  VACUUM (ANALYZE) change_row;
  VACUUM (ANALYZE) change_seq;
\endif

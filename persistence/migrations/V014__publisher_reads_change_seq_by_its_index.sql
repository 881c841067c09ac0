-- Issue #8: publishing asks change_seq through its index, whatever the statistics say
-- (docs/database.md, docs/benchmarks.md).
--
-- kkr_unpublished_changes() and kkr_publish_changes() ask, for each change row in their range,
-- whether change_seq numbers it already: `(SELECT s.seq FROM change_seq s WHERE s.change_id =
-- c.id)`. PL/pgSQL keeps the plans of those statements for the session. Planned while
-- change_seq was small and freshly analysed (a new register once autovacuum has run its first
-- ANALYZE), the question is a sequential scan of the whole table, cheaper than the index for a
-- page or two; the plan stays as the table grows, until the next ANALYZE, and publishing a
-- burst of N rows reads change_seq N times. In bench/run.sh's full run PostgreSQL then spent
-- 101-115 µs per PATCH and 117-131 µs per POST, against 79-87 and 71-75 µs in runs without that
-- ANALYZE; publishing 2 000 rows made 2 001 sequential scans of change_seq in
-- ChangeLog.PublishingFindsWhatIsNumberedThroughTheIndexWhateverTheStatisticsSaid.
--
-- Both functions read only through indexes where one exists, so they run with sequential scans
-- disabled: their two other tables' statements (change_publisher, one row without an index)
-- keep the scan they have, at the planner's penalty, which changes nothing for one row. A later
-- CREATE OR REPLACE of either function must repeat the SET clause; it would drop it otherwise.

ALTER FUNCTION kkr_unpublished_changes() SET enable_seqscan = off;
ALTER FUNCTION kkr_publish_changes() SET enable_seqscan = off;

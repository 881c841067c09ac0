-- Idempotency-Key: the claim, the create and the stored answer now commit in one transaction, so
-- a committed row always holds its answer and a failed create leaves no row. The 'running' state
-- of the old scheme (claim, create and answer in three transactions) is gone.
--
-- Rows still 'running' were claims whose answer was never stored (the request died or its
-- completion failed); their retries got 409 until the claim was abandoned. Dropping them lets a
-- retry run afresh, exactly as after a rolled-back create. Answered rows stay and keep replaying.
-- Not compatible with instances of the old version: from this migration on, their POSTs with an
-- Idempotency-Key fail (the column they write is gone) until they are replaced.
DELETE FROM idempotency_key WHERE state = 'running';
ALTER TABLE idempotency_key DROP COLUMN state;

COMMENT ON TABLE idempotency_key IS
  'The answer to a create per (caller, Idempotency-Key), written in the create''s own transaction; '
  'status, location, etag and body are set before that transaction commits.';

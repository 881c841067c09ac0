-- Issue #10, items 8 and 7: the audit log you can search, and erasure of contact details.
-- Touches only change_log, so it applies the same after any V005 that changes other rules.
--
-- 1. Searching GET /v1/audit. The search walks change_log in seq order (the UNIQUE index on seq)
--    and stops at the page's limit, which is cheap for filters that match often. For the ones
--    that match rarely it needs an index: a key (entity, entity_id) has one since V003
--    (change_log_entity); an actor and a time range get one here. Two indexes only: each one is
--    paid by every write, and change_log takes a row per write.
CREATE INDEX change_log_actor ON change_log (actor, seq);
CREATE INDEX change_log_at ON change_log (at);

-- 2. Erasure (POST /v1/persons/{id}/erasure) blanks a person's email and phone in the row and in
--    every stored version of it (change_log.data and .previous, the stored answers of idempotent
--    requests). The change row the erasure itself writes is the audit entry: it names the fields
--    erased, never their values. NULL on every other row.
ALTER TABLE change_log ADD COLUMN erased text[];
COMMENT ON COLUMN change_log.erased IS
  'Field names an erasure removed from every stored version of the row (no values); else NULL.';

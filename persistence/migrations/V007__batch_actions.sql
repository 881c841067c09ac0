-- Issue #10, items 2 and 3: a batch (POST /v1/batch) and a constitution (POST
-- /v1/periods/{id}/constitution) write many rows in one transaction, audited as one action. The
-- writer names that action once, at the end of its transaction, on all of the transaction's
-- change rows: `batch:<uuid>` or `constitution:<uuid>`. NULL for every single write.
ALTER TABLE change_log ADD COLUMN action text;
COMMENT ON COLUMN change_log.action IS
  'The batch or constitution a change was part of (<kind>:<uuid>); NULL for a single write.';
-- The audit log's search by action (GET /v1/audit?action=) reads the few rows of one action.
CREATE INDEX change_log_action ON change_log (action, seq) WHERE action IS NOT NULL;
